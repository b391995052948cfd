import { Field, InputType, registerEnumType } from 'type-graphql';

@InputType({ description: 'A time range, from inclusive to exclusive. Both ends are ISO-8601 DateTimes.' })
export class DateRangeInput {
  @Field(() => Date, { description: 'Start (inclusive).' })
  from!: Date;

  @Field(() => Date, { description: 'End (exclusive).' })
  to!: Date;
}

export enum TimeBucket {
  DAY = 'day',
  WEEK = 'week',
  MONTH = 'month',
}

registerEnumType(TimeBucket, {
  name: 'TimeBucket',
  description: 'Size of the buckets of a time series (UTC, weeks start on Monday, as PostgreSQL date_trunc).',
});
