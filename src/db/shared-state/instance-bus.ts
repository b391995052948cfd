import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import type { Logger } from '../../logger';

/** A tenant's settings, secrets or status changed (trigger on `tenant`, Migration20261207170000SharedInstanceState). */
export const TENANT_CHANGED = 'parley_tenant_changed';
/** `resetProviderStats` ran on some instance: payload `{ provider, tenantId }` (JSON). */
export const PROVIDER_HEALTH_RESET = 'parley_provider_health_reset';
/**
 * A knowledge article was inserted, updated or deleted: payload `{ tenantId, id, op }` (JSON), sent by the
 * `knowledge_article` trigger whatever wrote the row (Migration20261201140000KnowledgeRetrieval).
 */
export const KNOWLEDGE_ARTICLE_CHANGED = 'knowledge_article_changed';

/** An API key was revoked, re-scoped or deleted (trigger on `api_key`, Migration20261207200000ApiKeyRevocationNotify): payload its id. */
export const API_KEY_REVOKED = 'parley_api_key_revoked';

const CHANNELS = [TENANT_CHANGED, PROVIDER_HEALTH_RESET, API_KEY_REVOKED, KNOWLEDGE_ARTICLE_CHANGED] as const;
export type BusChannel = (typeof CHANNELS)[number];

/** This process's name in the shared tables: host, pid and a random suffix (a restarted pid is a new instance). */
export const INSTANCE_ID = `${os.hostname().slice(0, 60)}:${process.pid}:${randomUUID().slice(0, 8)}`;

export interface InstanceBus {
  /** Calls `handler` with each payload sent on `channel` (by any instance, after its transaction commits). */
  on(channel: BusChannel, handler: (payload: string) => void): void;
  /** Stops calling a handler given to `on`. */
  off(channel: BusChannel, handler: (payload: string) => void): void;
  /**
   * Called after every (re)connect except the first: notifications sent while
   * the connection was down are lost, so caches must be dropped wholesale (or
   * re-read what changed meanwhile).
   */
  onReconnect(handler: () => void): void;
  /** Stops calling a handler given to `onReconnect`. */
  offReconnect(handler: () => void): void;
  /** True while the LISTEN connection is up: a cache may then trust notifications instead of checking per use. */
  connected(): boolean;
  /** Resolves once the first LISTEN is in place (or the bus closed). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * One dedicated PostgreSQL connection per instance LISTENing on parley's
 * invalidation channels. NOTIFY is transactional (delivered on commit, to
 * every listening session), so a change committed anywhere reaches every
 * instance within milliseconds. A lost connection is re-opened with backoff.
 */
export function startInstanceBus(options: { url: string; logger?: Logger; reconnectMs?: number }): InstanceBus {
  const { logger } = options;
  const firstDelay = options.reconnectMs ?? 500;
  const handlers = new Map<string, Array<(payload: string) => void>>();
  const reconnectHandlers: Array<() => void> = [];
  let client: pg.Client | null = null;
  let closed = false;
  let isConnected = false;
  let everConnected = false;
  let delay = firstDelay;
  let retryTimer: NodeJS.Timeout | null = null;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const scheduleReconnect = () => {
    isConnected = false;
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
    retryTimer.unref();
    delay = Math.min(delay * 2, 30_000);
  };

  async function connect(): Promise<void> {
    const connection = new pg.Client({ connectionString: options.url, application_name: 'parley-instance-bus' });
    client = connection;
    connection.on('error', (error) => {
      logger?.warn({ err: error }, 'instance bus connection lost; reconnecting');
      connection.end().catch(() => undefined);
      if (client === connection) scheduleReconnect();
    });
    connection.on('end', () => {
      if (client === connection) scheduleReconnect();
    });
    connection.on('notification', (message) => {
      for (const handler of [...(handlers.get(message.channel) ?? [])]) {
        try {
          handler(message.payload ?? '');
        } catch (error) {
          logger?.error({ err: error, channel: message.channel }, 'instance bus handler failed');
        }
      }
    });
    try {
      await connection.connect();
      for (const channel of CHANNELS) await connection.query(`listen ${channel}`);
      if (closed) {
        await connection.end();
        return;
      }
      isConnected = true;
      delay = firstDelay;
      if (everConnected) {
        for (const handler of [...reconnectHandlers]) {
          try {
            handler();
          } catch (error) {
            logger?.error({ err: error }, 'instance bus reconnect handler failed');
          }
        }
      }
      everConnected = true;
      markReady();
    } catch (error) {
      logger?.warn({ err: error }, 'instance bus could not connect; retrying');
      connection.end().catch(() => undefined);
      if (client === connection) scheduleReconnect();
    }
  }

  void connect();
  return {
    ready,
    on(channel, handler) {
      const list = handlers.get(channel) ?? [];
      list.push(handler);
      handlers.set(channel, list);
    },
    off(channel, handler) {
      removeFrom(handlers.get(channel) ?? [], handler);
    },
    onReconnect(handler) {
      reconnectHandlers.push(handler);
    },
    offReconnect(handler) {
      removeFrom(reconnectHandlers, handler);
    },
    connected: () => isConnected,
    async close() {
      closed = true;
      markReady();
      if (retryTimer) clearTimeout(retryTimer);
      const connection = client;
      client = null;
      isConnected = false;
      await connection?.end().catch(() => undefined);
    },
  };
}

function removeFrom<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}
