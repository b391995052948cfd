import { BigIntType, Entity, Index, OptionalProps, Property, Unique } from '@mikro-orm/core';
import { TenantScoped } from './tenant-scoped';

/**
 * The daily provider report per day × tenant × provider × model, written by the daily job from raw usage
 * rows (idempotent upsert): latency percentiles and failovers next to the day's totals. Sums for analytics
 * come from ProviderUsageRollup, the one rollup; this report is what outlives the raw rows' percentiles.
 */
@Entity({ tableName: 'provider_daily_summary' })
@Unique({ properties: ['tenant', 'day', 'provider', 'model'] })
@Index({ properties: ['tenant', 'day'] })
export class ProviderDailySummary extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt';

  /** UTC day, YYYY-MM-DD. */
  @Property({ type: 'date' })
  day!: string;

  @Property({ type: 'string' })
  provider!: string;

  @Property({ type: 'string' })
  model!: string;

  @Property({ type: 'integer' })
  calls!: number;

  @Property({ type: 'integer' })
  successes!: number;

  @Property({ type: 'integer' })
  failures!: number;

  @Property({ type: new BigIntType('number') })
  inputTokens!: number;

  @Property({ type: new BigIntType('number') })
  outputTokens!: number;

  @Property({ type: new BigIntType('number') })
  totalTokens!: number;

  @Property({ type: 'double' })
  costUsd!: number;

  @Property({ type: 'double', fieldName: 'latency_p50_ms' })
  latencyP50Ms!: number;

  @Property({ type: 'double', fieldName: 'latency_p95_ms' })
  latencyP95Ms!: number;

  @Property({ type: 'double', fieldName: 'latency_p99_ms' })
  latencyP99Ms!: number;

  @Property({ type: 'integer' })
  failoverCount!: number;
}
