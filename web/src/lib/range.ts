export type Bucket = 'DAY' | 'WEEK' | 'MONTH';

export interface Period {
  id: '7d' | '30d' | '90d' | '12m';
  label: string;
  days: number;
  bucket: Bucket;
}

export const PERIODS: Period[] = [
  { id: '7d', label: 'Last 7 days', days: 7, bucket: 'DAY' },
  { id: '30d', label: 'Last 30 days', days: 30, bucket: 'DAY' },
  { id: '90d', label: 'Last 90 days', days: 90, bucket: 'WEEK' },
  { id: '12m', label: 'Last 12 months', days: 365, bucket: 'MONTH' },
];

/**
 * The API range of a period ending now: `to` is the start of the next UTC
 * minute (exclusive end, stable for a minute so caches and tests agree),
 * `from` is `days` before it.
 */
export function rangeOf(period: Period, now: Date = new Date()): { from: string; to: string } {
  const to = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 60_000);
  const from = new Date(to.getTime() - period.days * 86_400_000);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** The previous period of the same length (for trends: this period against the one before). */
export function previousRangeOf(period: Period, now: Date = new Date()): { from: string; to: string } {
  const current = rangeOf(period, now);
  const to = new Date(current.from);
  return { from: new Date(to.getTime() - period.days * 86_400_000).toISOString(), to: to.toISOString() };
}

/** Relative change from `before` to `now` (0.1 = +10 %), or null when there is nothing to compare. */
export function trend(now: number | null | undefined, before: number | null | undefined): number | null {
  if (
    now === null ||
    now === undefined ||
    before === null ||
    before === undefined ||
    !Number.isFinite(now) ||
    !Number.isFinite(before) ||
    before === 0
  )
    return null;
  return (now - before) / Math.abs(before);
}

/** Start of the UTC bucket holding `date`, as PostgreSQL's date_trunc does (weeks start on Monday). */
export function bucketStart(date: Date, bucket: Bucket): Date {
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (bucket === 'DAY') return new Date(day);
  if (bucket === 'MONTH') return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return new Date(day - weekday * 86_400_000);
}

/** Every bucket start from the one holding `from` up to (excluding) `to`, so charts show empty days as gaps, not as nothing. */
export function bucketStarts(range: { from: string; to: string }, bucket: Bucket): Date[] {
  const end = new Date(range.to).getTime();
  const starts: Date[] = [];
  let current = bucketStart(new Date(range.from), bucket);
  while (current.getTime() < end && starts.length < 1000) {
    starts.push(current);
    current =
      bucket === 'DAY'
        ? new Date(current.getTime() + 86_400_000)
        : bucket === 'WEEK'
          ? new Date(current.getTime() + 7 * 86_400_000)
          : new Date(Date.UTC(current.getUTCFullYear(), current.getUTCMonth() + 1, 1));
  }
  return starts;
}

/** A series' values on every bucket of `starts` (null where the API returned no point). */
export function alignSeries<T extends { bucketStart: string }>(
  starts: Date[],
  points: readonly T[],
  value: (point: T) => number | null,
): (number | null)[] {
  const byTime = new Map(points.map((point) => [new Date(point.bucketStart).getTime(), point]));
  return starts.map((start) => {
    const point = byTime.get(start.getTime());
    return point ? value(point) : null;
  });
}
