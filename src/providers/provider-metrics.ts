import { Counter, Gauge, Histogram, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration, type Registry } from 'prom-client';

/**
 * Metric constructors that reuse a metric already registered under the same
 * name, so building a second gateway on one registry (the service and a
 * benchmark, two test cases) does not throw "already registered".
 */
export function counterOn<T extends string>(registry: Registry, configuration: Omit<CounterConfiguration<T>, 'registers'>): Counter<T> {
  const existing = registry.getSingleMetric(configuration.name);
  // A metric of this name on our registry was created by this module with the same shape.
  if (existing) return existing as Counter<T>;
  return new Counter<T>({ ...configuration, registers: [registry] });
}

export function histogramOn<T extends string>(registry: Registry, configuration: Omit<HistogramConfiguration<T>, 'registers'>): Histogram<T> {
  const existing = registry.getSingleMetric(configuration.name);
  if (existing) return existing as Histogram<T>;
  return new Histogram<T>({ ...configuration, registers: [registry] });
}

/** Gauges read their value at scrape time (`collect`); the first gateway registered on a registry is the one reported. */
export function gaugeOn<T extends string>(registry: Registry, configuration: Omit<GaugeConfiguration<T>, 'registers'>): void {
  if (registry.getSingleMetric(configuration.name)) return;
  new Gauge<T>({ ...configuration, registers: [registry] });
}
