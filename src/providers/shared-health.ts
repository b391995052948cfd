import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../logger';
import type { CircuitState, HealthView, ProviderHealth, ProviderHealthSnapshot } from './health';
import type { ProviderId } from './types';

export interface SharedHealthOptions {
  health: ProviderHealth;
  em: () => EntityManager;
  /** This instance's name in the shared tables (INSTANCE_ID). */
  instance: string;
  /** HEALTH_WINDOW_MINUTES × 60 000: the reported window. */
  windowMs: number;
  /** How often this instance writes its counters and circuits (2 s). */
  flushMs?: number;
  logger?: Logger;
  /** Sends `resetProviderStats` to every instance (pg_notify on parley_provider_health_reset). */
  announceReset?: (message: ResetMessage) => Promise<void>;
}

export interface ResetMessage {
  provider: ProviderId | null;
  /** Null: the shared keys' entries; a tenant id: that tenant's own keys. */
  tenantId: string | null;
  /** The instance that ran the reset (it already cleared its own state). */
  from: string;
}

interface WindowRow {
  provider: ProviderId;
  model: string;
  key_tenant: string;
  successes: string;
  failures: string;
  slow_calls: string;
  latency_sum_ms: number;
  last_error_code: string | null;
  last_failure_at: Date | null;
}

interface SampleRow {
  provider: ProviderId;
  model: string;
  key_tenant: string;
  samples: number[];
}

interface CircuitRow {
  provider: ProviderId;
  model: string;
  key_tenant: string;
  circuit: CircuitState;
  opened_at: Date | null;
}

/**
 * Provider health across every instance: each instance keeps its circuits and
 * counters in memory (the hot path stays a few increments, and each instance
 * opens its own circuits without a round trip), and every `flushMs` writes the
 * minutes that changed (running totals, so a repeated write is harmless) and
 * its circuit states to `provider_health_window` / `provider_health_circuit`
 * in one statement each. `snapshot` flushes this instance, then sums every
 * instance's minutes in the window; a circuit is reported open when any live
 * instance (written within the last 30 s) has it open. `reset` clears the
 * rows, this instance, and tells the others (NOTIFY), which clear themselves
 * and their rows again (closing the race with a flush in flight).
 */
export class SharedProviderHealth {
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;

  constructor(private readonly options: SharedHealthOptions) {
    this.flushMs = options.flushMs ?? 2_000;
  }

  start(): void {
    this.timer ??= setInterval(() => {
      void this.flush().catch((error: unknown) =>
        this.options.logger?.warn({ err: error }, 'could not share provider health; retrying'),
      );
    }, this.flushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush().catch(() => undefined);
  }

  /** Writes this instance's changes now (serialised: flushes never overlap). */
  flush(): Promise<void> {
    this.flushing = this.flushing.catch(() => undefined).then(() => this.write());
    return this.flushing;
  }

  /** Every instance's entries within `view`, shared ones first. */
  async snapshot(view?: HealthView): Promise<ProviderHealthSnapshot[]> {
    await this.flush();
    const connection = this.options.em().getConnection();
    const { where, values } = viewFilter(view);
    const inWindow = `minute >= to_timestamp(floor((extract(epoch from clock_timestamp()) * 1000 - ?) / 60000) * 60)`;
    const windows = await connection.execute<WindowRow[]>(
      `select provider, model, key_tenant, sum(successes) as successes, sum(failures) as failures,
         sum(slow_calls) as slow_calls, sum(latency_sum_ms) as latency_sum_ms,
         (array_agg(last_error_code order by last_failure_at desc nulls last))[1] as last_error_code,
         max(last_failure_at) as last_failure_at
       from provider_health_window where ${inWindow} and ${where}
       group by provider, model, key_tenant`,
      [this.options.windowMs, ...values],
    );
    const samples = await connection.execute<SampleRow[]>(
      `select provider, model, key_tenant, array_agg(sample order by sample) as samples
       from provider_health_window, unnest(latency_sample_ms) as sample where ${inWindow} and ${where}
       group by provider, model, key_tenant`,
      [this.options.windowMs, ...values],
    );
    const circuits = await connection.execute<CircuitRow[]>(
      `select provider, model, key_tenant, circuit, opened_at from provider_health_circuit
       where updated_at > clock_timestamp() - interval '30 seconds' and ${where}`,
      values,
    );
    const byName = new Map<string, ProviderHealthSnapshot>();
    const entryOf = (row: { provider: ProviderId; model: string; key_tenant: string }) => {
      const name = `${row.provider}\u0000${row.model}\u0000${row.key_tenant}`;
      let entry = byName.get(name);
      if (!entry) {
        entry = emptySnapshot(row.provider, row.model, row.key_tenant, this.options.windowMs);
        byName.set(name, entry);
      }
      return entry;
    };
    for (const row of windows) {
      const entry = entryOf(row);
      entry.successes = Number(row.successes);
      entry.failures = Number(row.failures);
      entry.slowCalls = Number(row.slow_calls);
      entry.calls = entry.successes + entry.failures;
      entry.failureRate = entry.calls ? entry.failures / entry.calls : 0;
      entry.averageLatencyMs = entry.calls ? Number(row.latency_sum_ms) / entry.calls : null;
      entry.lastErrorCode = row.last_error_code;
      entry.lastFailureAt = row.last_failure_at ? new Date(row.last_failure_at) : null;
    }
    for (const row of samples) {
      // p95 of the sampled latencies (up to 100 per instance and minute).
      const sorted = row.samples.map(Number);
      if (sorted.length)
        entryOf(row).p95LatencyMs = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
    }
    for (const row of circuits) {
      const entry = entryOf(row);
      if (severity(row.circuit) > severity(entry.circuit)) entry.circuit = row.circuit;
      if (row.opened_at && (!entry.circuitOpenedAt || row.opened_at > entry.circuitOpenedAt))
        entry.circuitOpenedAt = new Date(row.opened_at);
    }
    return [...byName.values()].sort(
      (a, b) =>
        a.keyOwner.localeCompare(b.keyOwner) || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model),
    );
  }

  /**
   * Clears the statistics and closes the circuits of `provider` (all when
   * omitted) within `view`, on every instance. Returns how many
   * provider + model entries had statistics or a circuit anywhere.
   */
  async reset(provider: ProviderId | undefined, view: HealthView): Promise<number> {
    const before = await this.snapshot(view);
    const count = before.filter((entry) => !provider || entry.provider === provider).length;
    this.options.health.reset(provider, view);
    await this.deleteRows(provider ?? null, view.tenantId, null);
    await this.options.announceReset?.({
      provider: provider ?? null,
      tenantId: view.tenantId,
      from: this.options.instance,
    });
    return count;
  }

  /** Another instance reset: clear this instance's state and rows (a flush of ours may have landed after its delete). */
  async applyReset(message: ResetMessage): Promise<void> {
    if (message.from === this.options.instance) return;
    this.options.health.reset(message.provider ?? undefined, { tenantId: message.tenantId });
    await this.flushing.catch(() => undefined);
    await this.deleteRows(message.provider, message.tenantId, this.options.instance);
  }

  private async deleteRows(provider: ProviderId | null, tenantId: string | null, instance: string | null) {
    const connection = this.options.em().getConnection();
    for (const table of ['provider_health_window', 'provider_health_circuit'])
      await connection.execute(
        `delete from ${table} where key_tenant = ? and (?::text is null or provider = ?) and (?::text is null or instance = ?)`,
        [tenantId ?? '', provider, provider, instance, instance],
      );
  }

  private async write(): Promise<void> {
    const changes = this.options.health.exportChanges();
    if (changes.length === 0) return;
    const { instance } = this.options;
    const minutes = changes.flatMap((change) =>
      change.minutes.map((counts) => ({
        provider: change.provider,
        model: change.model,
        key_tenant: change.tenantId ?? '',
        minute: new Date(counts.minute).toISOString(),
        successes: counts.successes,
        failures: counts.failures,
        slow_calls: counts.slowCalls,
        latency_sum_ms: counts.latencySumMs,
        latency_sample_ms: counts.latencySampleMs,
        last_error_code: change.lastErrorCode,
        last_failure_at: change.lastFailureAt === null ? null : new Date(change.lastFailureAt).toISOString(),
      })),
    );
    const connection = this.options.em().getConnection();
    if (minutes.length)
      await connection.execute(
        `insert into provider_health_window (instance, provider, model, key_tenant, minute, successes, failures,
           slow_calls, latency_sum_ms, latency_sample_ms, last_error_code, last_failure_at)
         select ?, provider, model, key_tenant, minute, successes, failures, slow_calls, latency_sum_ms,
           array(select jsonb_array_elements_text(latency_sample_ms)::real), last_error_code, last_failure_at
         from jsonb_to_recordset(?::jsonb) as rows(provider text, model text, key_tenant text, minute timestamptz,
           successes int, failures int, slow_calls int, latency_sum_ms double precision, latency_sample_ms jsonb,
           last_error_code text, last_failure_at timestamptz)
         on conflict (instance, provider, model, key_tenant, minute) do update set
           successes = excluded.successes, failures = excluded.failures, slow_calls = excluded.slow_calls,
           latency_sum_ms = excluded.latency_sum_ms, latency_sample_ms = excluded.latency_sample_ms,
           last_error_code = excluded.last_error_code, last_failure_at = excluded.last_failure_at`,
        [instance, JSON.stringify(minutes)],
      );
    const circuits = changes.map((change) => ({
      provider: change.provider,
      model: change.model,
      key_tenant: change.tenantId ?? '',
      circuit: change.circuit,
      opened_at: change.openedAt === null ? null : new Date(change.openedAt).toISOString(),
    }));
    await connection.execute(
      `insert into provider_health_circuit (instance, provider, model, key_tenant, circuit, opened_at, updated_at)
       select ?, provider, model, key_tenant, circuit, opened_at, clock_timestamp()
       from jsonb_to_recordset(?::jsonb) as rows(provider text, model text, key_tenant text, circuit text, opened_at timestamptz)
       on conflict (instance, provider, model, key_tenant) do update set
         circuit = excluded.circuit, opened_at = excluded.opened_at, updated_at = excluded.updated_at`,
      [instance, JSON.stringify(circuits)],
    );
    // Minutes past every window, whoever wrote them (cheap: indexed on minute).
    await connection.execute(
      `delete from provider_health_window where minute < clock_timestamp() - (? * interval '1 millisecond') - interval '2 minutes'`,
      [this.options.windowMs],
    );
  }
}

function viewFilter(view: HealthView | undefined): { where: string; values: unknown[] } {
  if (!view) return { where: 'true', values: [] };
  if (view.tenantId === null) return { where: `key_tenant = ''`, values: [] };
  if (view.includeShared) return { where: `key_tenant in ('', ?)`, values: [view.tenantId] };
  return { where: 'key_tenant = ?', values: [view.tenantId] };
}

function severity(circuit: CircuitState): number {
  return circuit === 'open' ? 2 : circuit === 'half-open' ? 1 : 0;
}

function emptySnapshot(
  provider: ProviderId,
  model: string,
  keyTenant: string,
  windowMs: number,
): ProviderHealthSnapshot {
  return {
    provider,
    model,
    keyOwner: keyTenant === '' ? 'shared' : 'tenant',
    windowMinutes: windowMs / 60_000,
    successes: 0,
    failures: 0,
    slowCalls: 0,
    calls: 0,
    failureRate: 0,
    averageLatencyMs: null,
    p95LatencyMs: null,
    circuit: 'closed',
    circuitOpenedAt: null,
    lastErrorCode: null,
    lastFailureAt: null,
  };
}
