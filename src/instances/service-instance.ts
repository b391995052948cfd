import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from '../logger';

/** How often an instance writes its heartbeat (default). */
export const HEARTBEAT_MS = 2_000;
/** An instance whose heartbeat is older than this is dead: its claims are taken over (default). */
export const STALE_AFTER_MS = 10_000;

/** What claim SQL needs to know about the instance making the claim. */
export interface InstanceIdentity {
  /** Recorded on every claim this process makes (`message.claimed_by`). */
  id: string;
  /** A claim whose instance has not written a heartbeat for this long belongs to a dead process. */
  staleAfterMs: number;
}

/**
 * This process as a row of `service_instance`, with a heartbeat every
 * `heartbeatMs` (PostgreSQL's clock for both writing and judging, so clock skew
 * between hosts does not matter). Claims name the instance; when it stops
 * heart-beating (kill -9, a hung host, a cut network) other instances take
 * its claims over after `staleAfterMs` instead of waiting out a long lease.
 * A clean stop deletes the row, so whatever it left is taken over at once.
 */
export class ServiceInstance implements InstanceIdentity {
  readonly id = randomUUID();
  readonly staleAfterMs: number;
  private readonly heartbeatMs: number;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;

  constructor(
    private readonly em: () => EntityManager,
    private readonly logger: Logger,
    options: { heartbeatMs?: number; staleAfterMs?: number } = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    this.staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS;
    if (this.staleAfterMs < this.heartbeatMs * 2)
      throw new Error(
        'INSTANCE_STALE_AFTER_MS must be at least twice INSTANCE_HEARTBEAT_MS, or one slow heartbeat would look like a crash',
      );
  }

  /** Registers the instance (removing rows of instances dead for a day) and starts the heartbeat. */
  async start(): Promise<void> {
    await this.beat();
    await this.em()
      .getConnection()
      .execute(`delete from service_instance where heartbeat_at < now() - interval '1 day'`);
    this.timer = setInterval(() => {
      if (this.beating) return;
      this.beating = this.beat()
        .catch((error: unknown) =>
          this.logger.error(
            { err: error, instance: this.id },
            'instance heartbeat failed; other instances take this one’s claims over if it keeps failing',
          ),
        )
        .finally(() => (this.beating = null));
    }, this.heartbeatMs);
    this.timer.unref();
  }

  /** Stops the heartbeat and removes the row: claims still named after it are taken over at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    await this.em().getConnection().execute('delete from service_instance where id = ?', [this.id]);
  }

  private async beat(): Promise<void> {
    // Re-inserts itself if another instance removed the row while this one was unreachable.
    await this.em()
      .getConnection()
      .execute(
        `insert into service_instance (id, started_at, heartbeat_at, description) values (?, now(), now(), ?)
       on conflict (id) do update set heartbeat_at = now()`,
        [this.id, `${os.hostname()} pid ${process.pid}`.slice(0, 255)],
      );
  }
}
