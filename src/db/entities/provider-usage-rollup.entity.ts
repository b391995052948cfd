import { BigIntType, Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Tenant } from './tenant.entity';

/** Rows a (tenant, day, provider, model) may be spread over; see ProviderUsageRollup. */
export const USAGE_ROLLUP_SHARDS = 16;

/**
 * THE rollup of provider usage: sums of provider_usage per tenant × UTC day ×
 * provider × model, exact at every commit. A statement-level trigger on
 * provider_usage (Migration20261124120100ProviderUsageRollup, sharded by
 * Migration20261201090100ShardedUsageRollup) adds each INSERT's sums in the
 * same transaction, to the shard `pg_backend_pid() % 16`: concurrent turns of
 * one tenant run on different connections and so update different rows
 * instead of queueing on one row lock. Readers sum the shards.
 *
 * costAnalytics reads whole days from here and the partial days at a range's
 * edges from provider_usage (src/analytics/cost-analytics.ts). The retention
 * cleanup deletes raw usage rows; the rollup keeps the history. The daily
 * job's ProviderDailySummary is a report built from raw rows (it adds latency
 * percentiles, which cannot be summed), not a second rollup to read sums from.
 * Written only by the trigger; never through the ORM.
 */
@Entity({ tableName: 'provider_usage_rollup' })
export class ProviderUsageRollup {
  @ManyToOne(() => Tenant, { primary: true, deleteRule: 'cascade', updateRule: 'cascade' })
  tenant!: Tenant;

  /** UTC day, YYYY-MM-DD. */
  @PrimaryKey({ type: 'date' })
  day!: string;

  @PrimaryKey({ type: 'string' })
  provider!: string;

  @PrimaryKey({ type: 'string' })
  model!: string;

  /** 0 … USAGE_ROLLUP_SHARDS - 1. */
  @PrimaryKey({ type: 'smallint' })
  shard!: number;

  @Property({ type: new BigIntType('number') })
  calls!: number;

  @Property({ type: new BigIntType('number') })
  failedCalls!: number;

  @Property({ type: new BigIntType('number') })
  inputTokens!: number;

  @Property({ type: new BigIntType('number') })
  cachedInputTokens!: number;

  @Property({ type: new BigIntType('number') })
  outputTokens!: number;

  @Property({ type: new BigIntType('number') })
  totalTokens!: number;

  @Property({ type: 'double' })
  costUsd!: number;

  /** Successful calls only: uncached input, cached input and output tokens (what the baseline-model cost is priced on). */
  @Property({ type: new BigIntType('number') })
  okUncachedTokens!: number;

  @Property({ type: new BigIntType('number') })
  okCachedTokens!: number;

  @Property({ type: new BigIntType('number') })
  okOutputTokens!: number;
}
