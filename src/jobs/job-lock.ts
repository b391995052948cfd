import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';

/** First key of every parley advisory lock ("parl"), so they never collide with other applications' locks. */
const LOCK_NAMESPACE = 0x7061726c;

/** The 32-bit second key of a job's advisory lock, stable across processes and releases. */
export function jobLockKey(jobName: string): number {
  return createHash('sha256').update(`parley-job:${jobName}`).digest().readInt32BE(0);
}

export type Locked<T> = { ran: true; result: T } | { ran: false; reason: string };

/**
 * Runs `work` only if no other process (or call) holds the job's lock. The lock
 * is a transaction-scoped PostgreSQL advisory lock held by one pooled
 * connection for the duration of the work: it is released on commit, and also
 * when the holder dies, so a crashed instance never blocks the job. The work
 * itself runs on other connections (in its own short transactions), so the
 * lock's transaction takes no row locks (besides its `job_run_slot` claim).
 * With `claim`, a scheduled run also records its slot, so N instances each
 * firing the same cron minute run the job once, not once each in turn.
 */
export async function withJobLock<T>(
  em: EntityManager,
  jobName: string,
  work: () => Promise<T>,
  claim?: { slot: Date; instance: string },
): Promise<Locked<T>> {
  return em.fork().transactional(async (tx) => {
    const [row] = await tx.execute<Array<{ locked: boolean }>>('select pg_try_advisory_xact_lock(?, ?) as locked', [
      LOCK_NAMESPACE,
      jobLockKey(jobName),
    ]);
    if (!row?.locked) return { ran: false, reason: `another instance is running ${jobName}` } as const;
    if (claim) {
      // A scheduled run claims its slot in the lock's transaction: a failed run rolls the claim back (the next
      // instance may retry it), a finished one keeps it, so an instance whose timer fired later skips the slot.
      const claimed = await tx.execute<Array<{ job: string }>>(
        'insert into job_run_slot (job, slot, instance) values (?, ?, ?) on conflict do nothing returning job',
        [jobName, claim.slot, claim.instance.slice(0, 120)],
      );
      if (claimed.length === 0)
        return { ran: false, reason: `${jobName} already ran for ${claim.slot.toISOString()}` } as const;
      await tx.execute(`delete from job_run_slot where job = ? and slot < ?::timestamptz - interval '2 days'`, [
        jobName,
        claim.slot,
      ]);
    }
    return { ran: true, result: await work() } as const;
  });
}
