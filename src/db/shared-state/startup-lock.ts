import pg from 'pg';

/** First key of parley's advisory locks ("parl"), as in src/jobs/job-lock.ts; the second names the lock. */
const LOCK_NAMESPACE = 0x7061726c;
/** Migrations and the demo seed: instances starting together take turns. */
export const STARTUP_LOCK = 1;

/**
 * Runs `work` holding a session-level PostgreSQL advisory lock on a dedicated
 * connection, so instances (or cluster workers) starting at the same moment
 * migrate and seed one after the other: the second finds nothing left to do.
 * The lock dies with the connection, so a crashed holder never blocks others.
 */
export async function withStartupLock<T>(url: string, work: () => Promise<T>, key = STARTUP_LOCK): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'parley-startup-lock' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, key]);
    return await work();
  } finally {
    await client.end().catch(() => undefined);
  }
}
