import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../errors';

export interface DailySummaryResult {
  /** The UTC day summarised, YYYY-MM-DD. */
  day: string;
  /** Tenant × provider × model rows written (inserted or replaced). */
  rows: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC day before `now`, YYYY-MM-DD: what the 01:00 run summarises. */
export function previousUtcDay(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1)).toISOString().slice(0, 10);
}

export function parseDay(day: string): { start: Date; end: Date } {
  const start = new Date(`${day}T00:00:00.000Z`);
  if (!DAY.test(day) || Number.isNaN(start.getTime()) || start.toISOString().slice(0, 10) !== day) {
    throw badInput(`day must be a calendar date as YYYY-MM-DD (got ${JSON.stringify(day)})`);
  }
  return { start, end: new Date(start.getTime() + 86_400_000) };
}

/**
 * Rolls one UTC day of ProviderUsage up into ProviderDailySummary, one row per
 * tenant × provider × model, in a single INSERT … SELECT: counts, tokens and
 * cost are sums; latency percentiles are PostgreSQL's `percentile_cont`
 * (linear interpolation between the closest ranks) over every call of the day,
 * failed ones included, since a timeout is latency the customer felt.
 * Re-running a day replaces its rows with the same numbers (upsert on the
 * unique tenant/day/provider/model key). Rows are never deleted here: a
 * summary outlives the usage rows the cleanup job removes.
 */
export async function summariseProviderDay(em: EntityManager, day: string): Promise<DailySummaryResult> {
  const { start, end } = parseDay(day);
  const rows = await em.execute<Array<{ id: string }>>(
    `insert into provider_daily_summary (
       id, tenant_id, created_at, day, provider, model, calls, successes, failures,
       input_tokens, output_tokens, total_tokens, cost_usd,
       latency_p50_ms, latency_p95_ms, latency_p99_ms, failover_count)
     select gen_random_uuid(), tenant_id, now(), ?::date, provider, model,
       count(*), count(*) filter (where success), count(*) filter (where not success),
       coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(total_tokens), 0),
       coalesce(sum(estimated_cost_usd), 0),
       percentile_cont(0.5) within group (order by latency_ms),
       percentile_cont(0.95) within group (order by latency_ms),
       percentile_cont(0.99) within group (order by latency_ms),
       count(*) filter (where failover)
     from provider_usage
     where created_at >= ? and created_at < ? and not evaluation
     group by tenant_id, provider, model
     on conflict (tenant_id, day, provider, model) do update set
       calls = excluded.calls, successes = excluded.successes, failures = excluded.failures,
       input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, total_tokens = excluded.total_tokens,
       cost_usd = excluded.cost_usd, latency_p50_ms = excluded.latency_p50_ms, latency_p95_ms = excluded.latency_p95_ms,
       latency_p99_ms = excluded.latency_p99_ms, failover_count = excluded.failover_count
     returning id`,
    [day, start, end],
  );
  return { day, rows: rows.length };
}
