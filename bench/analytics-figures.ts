/**
 * The figures a benchmarked analytics query answers, flattened to one map
 * (`series.2026-11-02T00:00:00.000Z.handoffRate` → 0.12), so the service's
 * answer and the hand-written SQL's can be compared key by key.
 */
export type Figure = number | string | boolean | null;
export type Figures = Record<string, Figure>;

/** Rows from pg come with bigint counts as strings and timestamps as Dates. */
export type Row = Record<string, unknown>;

/** A number column (count, sum) of a pg row; 0 when absent. */
export const num = (row: Row | undefined, key: string): number => Number(row?.[key] ?? 0);

/** A nullable number column (average, percentile) of a pg row. */
export const numOrNull = (row: Row | undefined, key: string): number | null => {
  const value = row?.[key];
  return value === null || value === undefined ? null : Number(value);
};

export const ratio = (numerator: number, denominator: number): number | null =>
  denominator ? numerator / denominator : null;

export const iso = (value: unknown): string => new Date(value as Date).toISOString();

/** Copies `fields` of `source` into `into` under `prefix.` (Dates as ISO strings). */
export function put(into: Figures, prefix: string, source: object, fields: readonly string[]): Figures {
  const record = source as Record<string, unknown>;
  for (const field of fields) {
    const value = record[field];
    into[`${prefix}.${field}`] =
      value instanceof Date ? value.toISOString() : value === undefined ? null : (value as Figure);
  }
  return into;
}

/** Same figure: equal strings/booleans/nulls, numbers within 1e-9 relative (sums in another order round differently). */
function same(a: Figure, b: Figure): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}

/** The differences between the service's figures and the baseline's (empty: they agree), at most `limit`. */
export function differences(service: Figures, baseline: Figures, limit = 5): string[] {
  const found: string[] = [];
  const keys = [...new Set([...Object.keys(service), ...Object.keys(baseline)])].sort();
  for (const key of keys) {
    if (!(key in service)) found.push(`${key}: only in the baseline (${String(baseline[key])})`);
    else if (!(key in baseline)) found.push(`${key}: only in the service (${String(service[key])})`);
    else if (!same(service[key]!, baseline[key]!))
      found.push(`${key}: service ${String(service[key])}, baseline ${String(baseline[key])}`);
    if (found.length >= limit) break;
  }
  return found;
}
