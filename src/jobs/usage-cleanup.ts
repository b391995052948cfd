import type { EntityManager } from '@mikro-orm/postgresql';
import { setTimeout as sleep } from 'node:timers/promises';

export interface UsageCleanupOptions {
  retentionDays: number;
  /** Rows deleted per statement (default 5,000). */
  batchSize?: number;
  /** Pause between batches so other writers get the disk (default 20 ms). */
  pauseMs?: number;
  now?: Date;
}

export interface UsageCleanupResult {
  cutoff: string;
  deleted: number;
  batches: number;
}

/**
 * Deletes ProviderUsage rows older than the retention period in batches: each
 * batch is one autocommitted DELETE of at most `batchSize` ids, so no
 * statement holds many row locks or a long transaction, and concurrent inserts
 * of new usage rows never wait on it. Daily summaries are kept.
 */
export async function cleanUpUsage(em: EntityManager, options: UsageCleanupOptions): Promise<UsageCleanupResult> {
  const batchSize = options.batchSize ?? 5_000;
  const pauseMs = options.pauseMs ?? 20;
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.retentionDays * 86_400_000);
  let deleted = 0;
  let batches = 0;
  for (;;) {
    const rows = await em.execute<Array<{ id: string }>>(
      `delete from provider_usage where id in (
         select id from provider_usage where created_at < ? order by created_at limit ? for update skip locked)
       returning id`,
      [cutoff, batchSize],
    );
    if (rows.length === 0) break;
    deleted += rows.length;
    batches += 1;
    if (rows.length < batchSize) break;
    if (pauseMs > 0) await sleep(pauseMs);
  }
  return { cutoff: cutoff.toISOString(), deleted, batches };
}
