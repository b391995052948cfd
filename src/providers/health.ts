import type { Counter, Histogram, Registry } from 'prom-client';
import { counterOn, gaugeOn, histogramOn } from '../metrics';
import type { ProviderId } from './types';

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Whose API key a health entry describes: `shared` — the platform's keys
 * (OPENAI_API_KEY, GEMINI_API_KEY), used by every tenant without its own —
 * or `tenant`: one tenant's own key, whose failures (a revoked key, its own
 * quota) must not open the circuit for anyone else.
 */
export type KeyOwner = 'shared' | 'tenant';

/** Which entries a snapshot or a reset covers: undefined = all; tenantId null = shared only; a tenant id = its own keys. */
export interface HealthView {
  tenantId: string | null;
  /** With a tenant id: also the shared entries (what the tenant's traffic uses when it has no key of its own). */
  includeShared?: boolean;
}

/** One provider+model (+ key owner) over the health window, as the GraphQL `providerHealth` query returns it. */
export interface ProviderHealthSnapshot {
  provider: ProviderId;
  model: string;
  keyOwner: KeyOwner;
  windowMinutes: number;
  successes: number;
  failures: number;
  /** Successful calls that took nearly their whole time allowance: counted against the circuit like failures. */
  slowCalls: number;
  calls: number;
  /** failures / calls, 0 when there were no calls. */
  failureRate: number;
  /** Null when there were no calls in the window. */
  averageLatencyMs: number | null;
  p95LatencyMs: number | null;
  circuit: CircuitState;
  /** When the circuit last opened (null when it never did, or was reset). */
  circuitOpenedAt: Date | null;
  lastErrorCode: string | null;
  lastFailureAt: Date | null;
}

export interface HealthOptions {
  /** HEALTH_WINDOW_MINUTES: the window of the reported statistics (snapshot, gauges); not what opens the circuit. */
  windowMs: number;
  /** Failure rate (failures and slow calls) in the recent window at or above which the circuit opens (0.5). */
  failureRate: number;
  /** Calls needed in the recent window (and since the circuit last closed) before it may open (5). */
  minCalls: number;
  /** CIRCUIT_WINDOW_CALLS: the circuit judges only the last this-many calls (10)... */
  recentCalls?: number;
  /** CIRCUIT_WINDOW_SECONDS × 1000: ...made within this long (60 s), so old healthy history cannot outvote an outage. */
  recentMs?: number;
  /** How long an open circuit refuses calls before one probe is let through (30 s). */
  cooldownMs: number;
  /** Injected for tests; defaults to Date.now. */
  now?: () => number;
  /** Registers parley_provider_* metrics on it when given. */
  registry?: Registry;
}

interface Outcome {
  at: number;
  ok: boolean;
  /** A success that nearly timed out: fine for the customer, bad for the circuit. */
  slow: boolean;
  latencyMs: number;
}

/** Outcomes kept per provider+model, whatever the window: bounds memory under heavy traffic. */
const MAX_OUTCOMES = 5_000;
/** Latencies kept per minute bucket for the shared p95 (the first ones of the minute). */
const MINUTE_SAMPLES = 100;

/** One provider+model+key owner's calls in one UTC minute on this instance: what is flushed to PostgreSQL. */
export interface MinuteCounts {
  /** Start of the minute, epoch milliseconds. */
  minute: number;
  successes: number;
  failures: number;
  slowCalls: number;
  latencySumMs: number;
  latencySampleMs: number[];
}

/** What an instance shares about one entry (src/providers/shared-health.ts writes it). */
export interface EntryExport {
  provider: ProviderId;
  model: string;
  tenantId: string | null;
  circuit: CircuitState;
  openedAt: number | null;
  lastErrorCode: string | null;
  lastFailureAt: number | null;
  /** Minutes changed since the last export (their running totals). */
  minutes: MinuteCounts[];
}

interface Entry {
  provider: ProviderId;
  model: string;
  /** Null for the shared (environment) keys, else the tenant whose own key this is. */
  tenantId: string | null;
  outcomes: Outcome[];
  circuit: CircuitState;
  openedAt: number | null;
  /** Only outcomes after this count towards opening the circuit (a recovered provider starts clean). */
  countSince: number;
  probeInFlight: boolean;
  lastErrorCode: string | null;
  lastFailureAt: number | null;
  /** Per-minute totals for the shared view, pruned past the window; `changed` holds minutes not yet exported. */
  minutes: Map<number, MinuteCounts>;
  changed: Set<number>;
}

/**
 * Health of every provider+model over a sliding window (reported), and a
 * circuit breaker per provider+model judged on a RECENT window only: the last
 * `recentCalls` calls made within `recentMs` (as LiteLLM's per-minute allowed
 * failures and Portkey's breaker do). It opens when at least minCalls of them
 * exist and ≥ failureRate of them failed or were slow, refuses calls for
 * cooldownMs, then lets one probe through (half-open): success closes it,
 * failure opens it again. A long healthy history therefore never delays
 * opening: after thousands of good calls an outage opens it within minCalls
 * failures.
 */
export class ProviderHealth {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly calls?: Counter<'provider' | 'model' | 'outcome'>;
  private readonly latency?: Histogram<'provider' | 'model'>;

  constructor(private readonly options: HealthOptions) {
    this.now = options.now ?? Date.now;
    if (options.registry) {
      const registry = options.registry;
      this.calls = counterOn(registry, {
        name: 'parley_provider_calls_total',
        help: 'Provider calls by outcome',
        labelNames: ['provider', 'model', 'outcome'],
      });
      this.latency = histogramOn(registry, {
        name: 'parley_provider_latency_seconds',
        help: 'Provider call latency',
        labelNames: ['provider', 'model'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30],
      });
      const snapshot = (view: HealthView) => this.snapshot(view);
      gaugeOn(registry, {
        name: 'parley_provider_failure_rate',
        help: 'Failure rate over the health window',
        labelNames: ['provider', 'model'],
        collect() {
          this.reset();
          for (const entry of snapshot({ tenantId: null }))
            this.set({ provider: entry.provider, model: entry.model }, entry.failureRate);
        },
      });
      gaugeOn(registry, {
        name: 'parley_provider_circuit_open',
        help: '1 while the circuit of a provider+model is open or half-open',
        labelNames: ['provider', 'model'],
        collect() {
          this.reset();
          for (const entry of snapshot({ tenantId: null }))
            this.set({ provider: entry.provider, model: entry.model }, entry.circuit === 'closed' ? 0 : 1);
        },
      });
    }
  }

  /**
   * Whether a call may be made now. In half-open state the first caller gets
   * the probe and others are refused until its outcome is recorded.
   */
  tryAcquire(
    provider: ProviderId,
    model: string,
    keyTenantId: string | null = null,
  ): { allowed: true; probe: boolean } | { allowed: false; reason: string } {
    const entry = this.entries.get(key(provider, model, keyTenantId));
    if (!entry || entry.circuit === 'closed') return { allowed: true, probe: false };
    const now = this.now();
    if (entry.circuit === 'open') {
      const waited = now - (entry.openedAt ?? now);
      if (waited < this.options.cooldownMs)
        return {
          allowed: false,
          reason: `circuit open (retry in ${Math.ceil((this.options.cooldownMs - waited) / 1000)} s)`,
        };
      entry.circuit = 'half-open';
    }
    if (entry.probeInFlight) return { allowed: false, reason: 'circuit half-open (probe in flight)' };
    entry.probeInFlight = true;
    return { allowed: true, probe: true };
  }

  /** `keyTenantId`: the tenant whose own key made the call; null (default) for the shared keys. */
  record(
    provider: ProviderId,
    model: string,
    result: { ok: boolean; latencyMs: number; errorCode?: string | null; slow?: boolean },
    keyTenantId: string | null = null,
  ): void {
    const entry = this.entryFor(provider, model, keyTenantId);
    const now = this.now();
    const slow = result.ok && result.slow === true;
    entry.outcomes.push({ at: now, ok: result.ok, slow, latencyMs: result.latencyMs });
    if (entry.outcomes.length > MAX_OUTCOMES) entry.outcomes.splice(0, entry.outcomes.length - MAX_OUTCOMES);
    countMinute(entry, now, result.ok, slow, result.latencyMs);
    this.calls?.inc({ provider, model, outcome: result.ok ? 'success' : 'failure' });
    this.latency?.observe({ provider, model }, result.latencyMs / 1000);
    if (!result.ok) {
      entry.lastErrorCode = result.errorCode ?? 'error';
      entry.lastFailureAt = now;
    }
    if (entry.circuit === 'half-open') {
      entry.probeInFlight = false;
      if (result.ok && !slow) this.close(entry, now);
      else this.open(entry, now);
      return;
    }
    if (entry.circuit === 'open') return;
    // Newest first, at most recentCalls, none older than recentMs or from before the circuit last closed.
    const since = Math.max(entry.countSince, now - (this.options.recentMs ?? 60_000));
    const limit = Math.max(this.options.recentCalls ?? 10, this.options.minCalls);
    let calls = 0;
    let bad = 0;
    for (let index = entry.outcomes.length - 1; index >= 0 && calls < limit; index--) {
      const outcome = entry.outcomes[index]!;
      if (outcome.at < since) break;
      calls++;
      if (!outcome.ok || outcome.slow) bad++;
    }
    if (calls >= this.options.minCalls && bad / calls >= this.options.failureRate) this.open(entry, now);
  }

  /** Gives back a half-open probe whose call said nothing about the provider (no key, cancelled). */
  release(provider: ProviderId, model: string, keyTenantId: string | null = null): void {
    const entry = this.entries.get(key(provider, model, keyTenantId));
    if (entry) entry.probeInFlight = false;
  }

  /** Clears stats and closes circuits, for one provider or all, within `view` (default: every key owner). Returns how many entries. */
  reset(provider?: ProviderId, view?: HealthView): number {
    let count = 0;
    for (const [name, entry] of this.entries) {
      if ((!provider || entry.provider === provider) && inView(entry, view)) {
        this.entries.delete(name);
        count++;
      }
    }
    return count;
  }

  /**
   * Every entry's circuit and the minutes counted since the last call, for
   * the shared view; minutes older than the window are forgotten.
   */
  exportChanges(): EntryExport[] {
    const now = this.now();
    const oldest = now - this.options.windowMs - 60_000;
    const result: EntryExport[] = [];
    for (const entry of this.entries.values()) {
      for (const minute of entry.minutes.keys()) if (minute < oldest) entry.minutes.delete(minute);
      const minutes = [...entry.changed].flatMap((minute) => {
        const counts = entry.minutes.get(minute);
        return counts ? [{ ...counts, latencySampleMs: [...counts.latencySampleMs] }] : [];
      });
      entry.changed.clear();
      result.push({
        provider: entry.provider,
        model: entry.model,
        tenantId: entry.tenantId,
        circuit: this.circuitOf(entry.provider, entry.model, entry.tenantId),
        openedAt: entry.openedAt,
        lastErrorCode: entry.lastErrorCode,
        lastFailureAt: entry.lastFailureAt,
        minutes,
      });
    }
    return result;
  }

  circuitOf(provider: ProviderId, model: string, keyTenantId: string | null = null): CircuitState {
    const entry = this.entries.get(key(provider, model, keyTenantId));
    if (!entry) return 'closed';
    if (entry.circuit === 'open' && this.now() - (entry.openedAt ?? 0) >= this.options.cooldownMs) return 'half-open';
    return entry.circuit;
  }

  /** Entries within `view` (default: all), shared ones first. */
  snapshot(view?: HealthView): ProviderHealthSnapshot[] {
    const now = this.now();
    const since = now - this.options.windowMs;
    const result: ProviderHealthSnapshot[] = [];
    for (const entry of this.entries.values()) {
      if (!inView(entry, view)) continue;
      const first = entry.outcomes.findIndex((outcome) => outcome.at >= since);
      // Drop what left the window, so memory follows the window.
      entry.outcomes.splice(0, first === -1 ? entry.outcomes.length : first);
      const latencies = entry.outcomes.map((outcome) => outcome.latencyMs).sort((a, b) => a - b);
      const failures = entry.outcomes.filter((outcome) => !outcome.ok).length;
      const slowCalls = entry.outcomes.filter((outcome) => outcome.slow).length;
      const calls = entry.outcomes.length;
      result.push({
        provider: entry.provider,
        model: entry.model,
        keyOwner: entry.tenantId === null ? 'shared' : 'tenant',
        windowMinutes: this.options.windowMs / 60_000,
        successes: calls - failures,
        failures,
        slowCalls,
        calls,
        failureRate: calls ? failures / calls : 0,
        averageLatencyMs: calls ? latencies.reduce((sum, value) => sum + value, 0) / calls : null,
        p95LatencyMs: calls ? latencies[Math.min(calls - 1, Math.ceil(calls * 0.95) - 1)]! : null,
        circuit: this.circuitOf(entry.provider, entry.model, entry.tenantId),
        circuitOpenedAt: entry.openedAt === null ? null : new Date(entry.openedAt),
        lastErrorCode: entry.lastErrorCode,
        lastFailureAt: entry.lastFailureAt === null ? null : new Date(entry.lastFailureAt),
      });
    }
    return result.sort(
      (a, b) =>
        a.keyOwner.localeCompare(b.keyOwner) || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model),
    );
  }

  private open(entry: Entry, now: number): void {
    entry.circuit = 'open';
    entry.openedAt = now;
  }

  private close(entry: Entry, now: number): void {
    entry.circuit = 'closed';
    entry.countSince = now;
  }

  private entryFor(provider: ProviderId, model: string, tenantId: string | null): Entry {
    const name = key(provider, model, tenantId);
    let entry = this.entries.get(name);
    if (!entry) {
      entry = {
        provider,
        model,
        tenantId,
        outcomes: [],
        circuit: 'closed',
        openedAt: null,
        countSince: 0,
        probeInFlight: false,
        lastErrorCode: null,
        lastFailureAt: null,
        minutes: new Map(),
        changed: new Set(),
      };
      this.entries.set(name, entry);
    }
    return entry;
  }
}

function countMinute(entry: Entry, now: number, ok: boolean, slow: boolean, latencyMs: number): void {
  const minute = Math.floor(now / 60_000) * 60_000;
  let counts = entry.minutes.get(minute);
  if (!counts) {
    counts = { minute, successes: 0, failures: 0, slowCalls: 0, latencySumMs: 0, latencySampleMs: [] };
    entry.minutes.set(minute, counts);
  }
  if (ok) counts.successes++;
  else counts.failures++;
  if (slow) counts.slowCalls++;
  counts.latencySumMs += latencyMs;
  if (counts.latencySampleMs.length < MINUTE_SAMPLES) counts.latencySampleMs.push(latencyMs);
  entry.changed.add(minute);
}

function key(provider: ProviderId, model: string, tenantId: string | null): string {
  return `${provider}\u0000${model}\u0000${tenantId ?? ''}`;
}

function inView(entry: Entry, view: HealthView | undefined): boolean {
  if (!view) return true;
  if (entry.tenantId === null) return view.tenantId === null || view.includeShared === true;
  return entry.tenantId === view.tenantId;
}
