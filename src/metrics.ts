import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

/**
 * One Prometheus registry for the process, and the one place metrics are made.
 * Modules register their own metrics on it (`metrics.registry`) through the
 * helpers below, so tests can create a fresh registry per app.
 *
 * Naming (https://prometheus.io/docs/practices/naming/): `parley_` prefix,
 * snake_case, the base unit as a suffix (`_seconds`, `_bytes`, `_usd`) and
 * `_total` on counters. The default process and Node.js metrics stay unprefixed
 * (`process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds`), as the
 * standard dashboards expect them.
 */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
}

/** Names we create must follow the conventions above; a wrong name is a bug found at start-up. */
const METRIC_NAME = /^parley_[a-z0-9]+(?:_[a-z0-9]+)*$/;

function checkName(name: string, kind: 'counter' | 'gauge' | 'histogram'): void {
  if (!METRIC_NAME.test(name)) throw new Error(`Metric ${name} must be snake_case with the parley_ prefix`);
  if (kind === 'counter' && !name.endsWith('_total')) throw new Error(`Counter ${name} must end in _total`);
  if (kind !== 'counter' && name.endsWith('_total')) throw new Error(`Only counters end in _total (${name})`);
}

/**
 * A counter on `registry`, or the one already registered under that name: two
 * gateways or channels on one registry (the service and a benchmark, two test
 * cases) share it instead of throwing "already registered".
 */
export function counterOn<T extends string>(
  registry: Registry,
  configuration: Omit<CounterConfiguration<T>, 'registers'>,
): Counter<T> {
  checkName(configuration.name, 'counter');
  const existing = registry.getSingleMetric(configuration.name);
  // A metric of this name on our registry was created here with the same shape.
  if (existing) return existing as Counter<T>;
  return new Counter<T>({ ...configuration, registers: [registry] });
}

export function histogramOn<T extends string>(
  registry: Registry,
  configuration: Omit<HistogramConfiguration<T>, 'registers'>,
): Histogram<T> {
  checkName(configuration.name, 'histogram');
  const existing = registry.getSingleMetric(configuration.name);
  if (existing) return existing as Histogram<T>;
  return new Histogram<T>({ ...configuration, registers: [registry] });
}

/** A gauge on `registry`, or the one already registered under that name (whose `collect` is the one reported). */
export function gaugeOn<T extends string>(
  registry: Registry,
  configuration: Omit<GaugeConfiguration<T>, 'registers'>,
): Gauge<T> {
  checkName(configuration.name, 'gauge');
  const existing = registry.getSingleMetric(configuration.name);
  if (existing) return existing as Gauge<T>;
  return new Gauge<T>({ ...configuration, registers: [registry] });
}

export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: counterOn(registry, {
      name: 'parley_http_requests_total',
      help: 'HTTP requests served, by route and status',
      labelNames: ['method', 'route', 'status'],
    }),
    httpDuration: histogramOn(registry, {
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
  };
}
