import { Entity, Index, OptionalProps, Property } from '@mikro-orm/core';
import { TenantScoped } from './tenant-scoped';

/** One call to one provider (successful or not), with its tokens, cost and latency. */
@Entity({ tableName: 'provider_usage' })
@Index({ properties: ['tenant', 'createdAt'] })
@Index({ properties: ['tenant', 'provider', 'model', 'createdAt'] })
@Index({ properties: ['createdAt'] })
// Covering index for control-plane analytics (Migration20261124120000AnalyticsCoveringIndexes).
@Index({
  name: 'provider_usage_analytics_index',
  expression:
    'create index "provider_usage_analytics_index" on "provider_usage" ("tenant_id", "created_at") include ("provider", "model", "success", "input_tokens", "cached_input_tokens", "output_tokens", "total_tokens", "estimated_cost_usd")',
})
export class ProviderUsage extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'interactionId'
    | 'inputTokens'
    | 'cachedInputTokens'
    | 'outputTokens'
    | 'totalTokens'
    | 'estimatedCostUsd'
    | 'errorCode'
    | 'failover'
    | 'routingReason'
    | 'complexity'
    | 'evaluation';

  /** The turn this call served, when it served one (a plain uuid: usage rows outlive interactions in retention). */
  @Property({ type: 'uuid', nullable: true })
  @Index()
  interactionId: string | null = null;

  @Property({ type: 'string' })
  provider!: string;

  @Property({ type: 'string' })
  model!: string;

  @Property({ type: 'integer' })
  inputTokens: number = 0;

  @Property({ type: 'integer' })
  cachedInputTokens: number = 0;

  @Property({ type: 'integer' })
  outputTokens: number = 0;

  @Property({ type: 'integer' })
  totalTokens: number = 0;

  /** US dollars from the model catalogue's prices. */
  @Property({ type: 'double' })
  estimatedCostUsd: number = 0;

  @Property({ type: 'integer' })
  latencyMs!: number;

  @Property({ type: 'boolean' })
  success!: boolean;

  @Property({ type: 'string', nullable: true })
  errorCode: string | null = null;

  @Property({ type: 'boolean' })
  failover: boolean = false;

  @Property({ type: 'text', nullable: true })
  routingReason: string | null = null;

  @Property({ type: 'double', nullable: true })
  complexity: number | null = null;

  /** Evaluation traffic (an offline evaluation run), never a customer's: left out of customer analytics and the daily rollup. */
  @Property({ type: 'boolean', default: false })
  evaluation: boolean = false;
}
