import { Registry, collectDefaultMetrics, Counter, Histogram } from 'prom-client';

/**
 * One Prometheus registry for the process. Modules register their own metrics
 * on it (`metrics.registry`) so tests can create a fresh one per app.
 */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
}

export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'parley_http_requests_total',
      help: 'HTTP requests served, by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
