import { badInput } from '../errors';

export type TimeBucketName = 'day' | 'week' | 'month';

/** A half-open range [from, to). */
export interface TimeRange {
  from: Date;
  to: Date;
}

/** Longest range an analytics query accepts: two years keeps a daily series under ~730 points. */
export const MAX_RANGE_DAYS = 731;

export function checkRange(range: TimeRange): TimeRange {
  if (
    !(range.from instanceof Date) ||
    Number.isNaN(range.from.getTime()) ||
    !(range.to instanceof Date) ||
    Number.isNaN(range.to.getTime())
  ) {
    throw badInput('range.from and range.to must be ISO-8601 date-times');
  }
  if (range.to <= range.from) throw badInput('range.to must be after range.from');
  if (range.to.getTime() - range.from.getTime() > MAX_RANGE_DAYS * 86_400_000)
    throw badInput(`A range may span at most ${MAX_RANGE_DAYS} days`);
  return range;
}

/** The bucket name as a SQL literal for date_trunc; only these three values ever reach SQL. */
export function bucketSql(bucket: TimeBucketName): string {
  const allowed: Record<TimeBucketName, string> = { day: 'day', week: 'week', month: 'month' };
  const value = allowed[bucket];
  if (!value) throw badInput('groupBy must be DAY, WEEK or MONTH');
  return value;
}
