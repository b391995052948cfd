import type { EntityManager } from '@mikro-orm/postgresql';
import type { Gauge, Registry } from 'prom-client';
import { gaugeOn } from '../metrics';
import type { ProviderHealthSnapshot } from '../providers/health';

/** One provider+model over the last hour, across every instance (from ProviderUsage). */
export interface HourlyProviderHealth {
  provider: string;
  model: string;
  calls: number;
  failures: number;
  failureRate: number;
  failovers: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  costUsd: number;
  /** This instance's circuit for the provider+model, when its gateway has seen it. */
  circuit: ProviderHealthSnapshot['circuit'] | null;
}

export interface ProviderHealthResult {
  since: string;
  providers: HourlyProviderHealth[];
}

/**
 * Gauges `parley_provider_hourly_*` (labels provider, model), set by the hourly
 * job. They complement the live per-instance gauges of the provider layer
 * (failure rate, circuit) with a view across all instances, read from the
 * usage rows every instance writes.
 */
export class ProviderHealthGauges {
  readonly calls: Gauge<'provider' | 'model'>;
  readonly failureRate: Gauge<'provider' | 'model'>;
  readonly latencyP95: Gauge<'provider' | 'model'>;
  readonly cost: Gauge<'provider' | 'model'>;

  constructor(registry: Registry) {
    const common = { labelNames: ['provider', 'model'] as const };
    this.calls = gaugeOn(registry, {
      name: 'parley_provider_hourly_calls',
      help: 'Provider calls in the last hour, all instances',
      ...common,
    });
    this.failureRate = gaugeOn(registry, {
      name: 'parley_provider_hourly_failure_rate',
      help: 'Failed calls / calls in the last hour, all instances',
      ...common,
    });
    this.latencyP95 = gaugeOn(registry, {
      name: 'parley_provider_hourly_latency_p95_seconds',
      help: '95th percentile call latency in the last hour, all instances',
      ...common,
    });
    this.cost = gaugeOn(registry, {
      name: 'parley_provider_hourly_cost_usd',
      help: 'Estimated spend in the last hour, all instances',
      ...common,
    });
  }

  set(rows: readonly HourlyProviderHealth[]): void {
    for (const gauge of [this.calls, this.failureRate, this.latencyP95, this.cost]) gauge.reset();
    for (const row of rows) {
      const labels = { provider: row.provider, model: row.model };
      this.calls.set(labels, row.calls);
      this.failureRate.set(labels, row.failureRate);
      this.latencyP95.set(labels, row.latencyP95Ms / 1000);
      this.cost.set(labels, row.costUsd);
    }
  }
}

/**
 * Health of every provider+model over the hour before `now`, computed in SQL
 * from ProviderUsage (so it covers every instance), joined with this
 * instance's circuit states when a health snapshot is given.
 */
export async function measureProviderHealth(
  em: EntityManager,
  options: { now?: Date; snapshot?: readonly ProviderHealthSnapshot[]; gauges?: ProviderHealthGauges | null } = {},
): Promise<ProviderHealthResult> {
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - 3_600_000);
  const rows = await em.execute<
    Array<{
      provider: string;
      model: string;
      calls: string;
      failures: string;
      failovers: string;
      p50: number;
      p95: number;
      cost: number;
    }>
  >(
    `select provider, model, count(*) as calls, count(*) filter (where not success) as failures,
       count(*) filter (where failover) as failovers,
       percentile_cont(0.5) within group (order by latency_ms) as p50,
       percentile_cont(0.95) within group (order by latency_ms) as p95,
       coalesce(sum(estimated_cost_usd), 0) as cost
     from provider_usage where created_at >= ? and created_at < ?
     group by provider, model order by provider, model`,
    [since, now],
  );
  const circuits = new Map(
    (options.snapshot ?? []).map((entry) => [`${entry.provider}/${entry.model}`, entry.circuit]),
  );
  const providers = rows.map((row): HourlyProviderHealth => {
    // count(*) is bigint: the driver hands it over as text.
    const calls = Number(row.calls);
    const failures = Number(row.failures);
    return {
      provider: row.provider,
      model: row.model,
      calls,
      failures,
      failureRate: calls ? failures / calls : 0,
      failovers: Number(row.failovers),
      latencyP50Ms: Number(row.p50),
      latencyP95Ms: Number(row.p95),
      costUsd: Number(row.cost),
      circuit: circuits.get(`${row.provider}/${row.model}`) ?? null,
    };
  });
  options.gauges?.set(providers);
  return { since: since.toISOString(), providers };
}
