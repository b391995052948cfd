/**
 * Percentile by the nearest-rank method (the one the benchmarks use): the
 * smallest value such that at least p % of the values are at or below it.
 * Null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  if (p <= 0) return Math.min(...values);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}
