import type { Counter, Histogram, Registry } from 'prom-client';
import { counterOn, gaugeOn, histogramOn } from '../metrics';
import type { ProviderId } from './types';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** One provider+model over the health window, as the GraphQL `providerHealth` query returns it. */
export interface ProviderHealthSnapshot {
  provider: ProviderId;
  model: string;
  windowMinutes: number;
  successes: number;
  failures: number;
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
  windowMs: number;
  /** Failure rate at or above which the circuit opens (0.5). */
  failureRate: number;
  /** Calls needed since the circuit last closed before it may open (5). */
  minCalls: number;
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
  latencyMs: number;
}

/** Outcomes kept per provider+model, whatever the window: bounds memory under heavy traffic. */
const MAX_OUTCOMES = 5_000;

interface Entry {
  provider: ProviderId;
  model: string;
  outcomes: Outcome[];
  circuit: CircuitState;
  openedAt: number | null;
  /** Only outcomes after this count towards opening the circuit (a recovered provider starts clean). */
  countSince: number;
  probeInFlight: boolean;
  lastErrorCode: string | null;
  lastFailureAt: number | null;
}

/**
 * Health of every provider+model over a sliding window, and a circuit breaker
 * per provider+model: it opens at ≥ failureRate failures once minCalls calls
 * were made, refuses calls for cooldownMs, then lets one probe through
 * (half-open): success closes it, failure opens it again.
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
      this.calls = counterOn(registry, { name: 'parley_provider_calls_total', help: 'Provider calls by outcome', labelNames: ['provider', 'model', 'outcome'] });
      this.latency = histogramOn(registry, {
        name: 'parley_provider_latency_seconds',
        help: 'Provider call latency',
        labelNames: ['provider', 'model'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30],
      });
      const snapshot = () => this.snapshot();
      gaugeOn(registry, {
        name: 'parley_provider_failure_rate',
        help: 'Failure rate over the health window',
        labelNames: ['provider', 'model'],
        collect() {
          this.reset();
          for (const entry of snapshot()) this.set({ provider: entry.provider, model: entry.model }, entry.failureRate);
        },
      });
      gaugeOn(registry, {
        name: 'parley_provider_circuit_open',
        help: '1 while the circuit of a provider+model is open or half-open',
        labelNames: ['provider', 'model'],
        collect() {
          this.reset();
          for (const entry of snapshot()) this.set({ provider: entry.provider, model: entry.model }, entry.circuit === 'closed' ? 0 : 1);
        },
      });
    }
  }

  /**
   * Whether a call may be made now. In half-open state the first caller gets
   * the probe and others are refused until its outcome is recorded.
   */
  tryAcquire(provider: ProviderId, model: string): { allowed: true; probe: boolean } | { allowed: false; reason: string } {
    const entry = this.entries.get(key(provider, model));
    if (!entry || entry.circuit === 'closed') return { allowed: true, probe: false };
    const now = this.now();
    if (entry.circuit === 'open') {
      const waited = now - (entry.openedAt ?? now);
      if (waited < this.options.cooldownMs) return { allowed: false, reason: `circuit open (retry in ${Math.ceil((this.options.cooldownMs - waited) / 1000)} s)` };
      entry.circuit = 'half-open';
    }
    if (entry.probeInFlight) return { allowed: false, reason: 'circuit half-open (probe in flight)' };
    entry.probeInFlight = true;
    return { allowed: true, probe: true };
  }

  record(provider: ProviderId, model: string, result: { ok: boolean; latencyMs: number; errorCode?: string | null }): void {
    const entry = this.entryFor(provider, model);
    const now = this.now();
    entry.outcomes.push({ at: now, ok: result.ok, latencyMs: result.latencyMs });
    if (entry.outcomes.length > MAX_OUTCOMES) entry.outcomes.splice(0, entry.outcomes.length - MAX_OUTCOMES);
    this.calls?.inc({ provider, model, outcome: result.ok ? 'success' : 'failure' });
    this.latency?.observe({ provider, model }, result.latencyMs / 1000);
    if (!result.ok) {
      entry.lastErrorCode = result.errorCode ?? 'error';
      entry.lastFailureAt = now;
    }
    if (entry.circuit === 'half-open') {
      entry.probeInFlight = false;
      if (result.ok) this.close(entry, now);
      else this.open(entry, now);
      return;
    }
    if (entry.circuit === 'open') return;
    const since = Math.max(entry.countSince, now - this.options.windowMs);
    let calls = 0;
    let failures = 0;
    for (const outcome of entry.outcomes) {
      if (outcome.at < since) continue;
      calls++;
      if (!outcome.ok) failures++;
    }
    if (calls >= this.options.minCalls && failures / calls >= this.options.failureRate) this.open(entry, now);
  }

  /** Clears stats and closes circuits, for one provider or all. */
  reset(provider?: ProviderId): void {
    for (const [name, entry] of this.entries) if (!provider || entry.provider === provider) this.entries.delete(name);
  }

  circuitOf(provider: ProviderId, model: string): CircuitState {
    const entry = this.entries.get(key(provider, model));
    if (!entry) return 'closed';
    if (entry.circuit === 'open' && this.now() - (entry.openedAt ?? 0) >= this.options.cooldownMs) return 'half-open';
    return entry.circuit;
  }

  snapshot(): ProviderHealthSnapshot[] {
    const now = this.now();
    const since = now - this.options.windowMs;
    const result: ProviderHealthSnapshot[] = [];
    for (const entry of this.entries.values()) {
      const first = entry.outcomes.findIndex((outcome) => outcome.at >= since);
      // Drop what left the window, so memory follows the window.
      entry.outcomes.splice(0, first === -1 ? entry.outcomes.length : first);
      const latencies = entry.outcomes.map((outcome) => outcome.latencyMs).sort((a, b) => a - b);
      const failures = entry.outcomes.filter((outcome) => !outcome.ok).length;
      const calls = entry.outcomes.length;
      result.push({
        provider: entry.provider,
        model: entry.model,
        windowMinutes: this.options.windowMs / 60_000,
        successes: calls - failures,
        failures,
        calls,
        failureRate: calls ? failures / calls : 0,
        averageLatencyMs: calls ? latencies.reduce((sum, value) => sum + value, 0) / calls : null,
        p95LatencyMs: calls ? latencies[Math.min(calls - 1, Math.ceil(calls * 0.95) - 1)]! : null,
        circuit: this.circuitOf(entry.provider, entry.model),
        circuitOpenedAt: entry.openedAt === null ? null : new Date(entry.openedAt),
        lastErrorCode: entry.lastErrorCode,
        lastFailureAt: entry.lastFailureAt === null ? null : new Date(entry.lastFailureAt),
      });
    }
    return result.sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
  }

  private open(entry: Entry, now: number): void {
    entry.circuit = 'open';
    entry.openedAt = now;
  }

  private close(entry: Entry, now: number): void {
    entry.circuit = 'closed';
    entry.countSince = now;
  }

  private entryFor(provider: ProviderId, model: string): Entry {
    const name = key(provider, model);
    let entry = this.entries.get(name);
    if (!entry) {
      entry = { provider, model, outcomes: [], circuit: 'closed', openedAt: null, countSince: 0, probeInFlight: false, lastErrorCode: null, lastFailureAt: null };
      this.entries.set(name, entry);
    }
    return entry;
  }
}

function key(provider: ProviderId, model: string): string {
  return `${provider}\u0000${model}`;
}
