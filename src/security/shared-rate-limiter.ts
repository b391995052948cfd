import type { EntityManager } from '@mikro-orm/postgresql';

/** A rate limit as the public endpoints use it: in memory (RateLimiter) or shared (SharedRateLimiter). */
export interface HitLimiter {
  readonly limit: number;
  readonly windowMs: number;
  /** Counts one hit for `key`; `allowed` is false once the limit is reached in this window. */
  hit(
    key: string,
  ): { allowed: boolean; retryAfterSeconds: number } | Promise<{ allowed: boolean; retryAfterSeconds: number }>;
}

/**
 * A fixed-window counter per key in PostgreSQL (`rate_limit_window`), so the
 * limit holds across every instance and process: one upsert per hit, the
 * window aligned on the database clock (instances' clocks may differ). Meant
 * for low-volume public endpoints (feedback links), not the turn hot path.
 * Windows older than a few periods are deleted now and then by whoever hits.
 */
export class SharedRateLimiter implements HitLimiter {
  private lastSweep = 0;

  constructor(
    private readonly em: () => EntityManager,
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  async hit(key: string): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const connection = this.em().getConnection();
    const [row] = await connection.execute<Array<{ hits: number; retry_after_ms: string }>>(
      `with window_start as (
         select to_timestamp(floor(extract(epoch from clock_timestamp()) * 1000 / ?) * ? / 1000.0) as at
       )
       insert into rate_limit_window (key, window_start, hits)
       select ?, at, 1 from window_start
       on conflict (key, window_start) do update set hits = rate_limit_window.hits + 1
       returning hits, (extract(epoch from window_start - clock_timestamp()) * 1000 + ?)::bigint as retry_after_ms`,
      [this.windowMs, this.windowMs, key.slice(0, 300), this.windowMs],
    );
    const retryAfterSeconds = Math.max(1, Math.ceil(Number(row!.retry_after_ms) / 1000));
    if (Date.now() - this.lastSweep > Math.max(this.windowMs, 60_000)) {
      this.lastSweep = Date.now();
      await connection.execute(
        `delete from rate_limit_window where window_start < clock_timestamp() - (? * interval '1 millisecond')`,
        [this.windowMs * 2],
      );
    }
    return { allowed: row!.hits <= this.limit, retryAfterSeconds };
  }
}
