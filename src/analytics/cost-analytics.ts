import type { EntityManager } from '@mikro-orm/postgresql';
import { Tenant } from '../db/entities';
import { badInput } from '../errors';
import { defaultCatalogue, mergeCatalogue, type ModelCatalogue } from '../providers/model-catalogue';
import { bucketSql, checkRange, type TimeBucketName, type TimeRange } from './time-range';

/** The model everything is compared with when a tenant names no balanced model. */
export const DEFAULT_BALANCED_MODEL = 'gpt-4o';

export interface CostByModel {
  provider: string;
  model: string;
  calls: number;
  failedCalls: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** US dollars. */
  costUsd: number;
  /** What these calls' tokens would have cost on the balanced model (successful calls only). */
  balancedCostUsd: number;
}

export interface CostSeriesPoint {
  bucketStart: Date;
  calls: number;
  totalTokens: number;
  costUsd: number;
  balancedCostUsd: number;
}

export interface CostAnalytics {
  /** The model the saving is measured against (the tenant's balanced model, default gpt-4o). */
  baselineModel: string;
  calls: number;
  totalTokens: number;
  costUsd: number;
  /** Conversations with at least one bot reply in the range. */
  conversations: number;
  costPerConversationUsd: number | null;
  /** Cost had every successful call gone to the baseline model at its list price. */
  balancedCostUsd: number;
  /** balancedCostUsd - costUsd (negative when routing cost more). */
  savingUsd: number;
  /** savingUsd / balancedCostUsd, null when the baseline cost is 0. */
  savingRate: number | null;
  byModel: CostByModel[];
  series: CostSeriesPoint[];
}

/** Per-token prices of the baseline model's first price band. */
function baselinePrices(catalogue: ModelCatalogue, model: string): { input: number; cachedInput: number; output: number } {
  const spec = catalogue[model];
  if (!spec) throw badInput(`The baseline model ${model} is not in the model catalogue`);
  const band = spec.prices[0]!;
  return { input: band.input / 1e6, cachedInput: band.cachedInput / 1e6, output: band.output / 1e6 };
}

/**
 * One index-only scan of the tenant's usage in the range
 * (provider_usage_analytics_index), grouped two ways at once: by provider and
 * model, and by time bucket. The baseline cost is linear in the token counts,
 * so the query returns the successful calls' uncached, cached and output
 * tokens and the prices are applied afterwards; that keeps the statement
 * independent of the tenant's settings, so it runs in parallel with their lookup.
 */
export function costAggregateSql(bucket: TimeBucketName): string {
  const bucketExpression = `date_trunc('${bucketSql(bucket)}', u.created_at at time zone 'UTC') at time zone 'UTC'`;
  return `select grouping(u.provider, u.model) = 0 as by_model, u.provider, u.model, ${bucketExpression} as bucket,
  count(*) as calls, count(*) filter (where not u.success) as failed_calls,
  sum(u.input_tokens) as input_tokens, sum(u.cached_input_tokens) as cached_input_tokens, sum(u.output_tokens) as output_tokens,
  sum(u.total_tokens) as total_tokens, sum(u.estimated_cost_usd) as cost_usd,
  coalesce(sum(greatest(u.input_tokens - u.cached_input_tokens, 0)) filter (where u.success), 0) as ok_uncached,
  coalesce(sum(least(u.cached_input_tokens, u.input_tokens)) filter (where u.success), 0) as ok_cached,
  coalesce(sum(u.output_tokens) filter (where u.success), 0) as ok_output
  from provider_usage u where u.tenant_id = ? and u.created_at >= ? and u.created_at < ?
  group by grouping sets ((u.provider, u.model), (${bucketExpression}))`;
}

export const conversationCountSql = `select count(distinct i.conversation_id) as conversations from agent_interaction i
  where i.tenant_id = ? and i.created_at >= ? and i.created_at < ?`;

interface AggregateRow {
  by_model: boolean;
  provider: string | null;
  model: string | null;
  bucket: Date | null;
  calls: string;
  failed_calls: string;
  input_tokens: string;
  cached_input_tokens: string;
  output_tokens: string;
  total_tokens: string;
  cost_usd: number;
  ok_uncached: string;
  ok_cached: string;
  ok_output: string;
}

/**
 * Cost, tokens and calls by provider and model, cost per conversation, and the
 * saving against sending every call to the balanced model, for one tenant.
 * All sums in SQL over provider_usage (index (tenant_id, created_at)).
 */
export async function costAnalytics(
  em: EntityManager,
  input: { tenantId: string; range: TimeRange; groupBy: TimeBucketName; catalogue?: ModelCatalogue },
): Promise<CostAnalytics> {
  const range = checkRange(input.range);
  const scope = [input.tenantId, range.from, range.to];
  const connection = em.getConnection();
  const [tenant, rows, conversationRows] = await Promise.all([
    em.findOne(Tenant, { id: input.tenantId }, { fields: ['settings'] }),
    connection.execute<AggregateRow[]>(costAggregateSql(input.groupBy), scope),
    connection.execute<{ conversations: string }[]>(conversationCountSql, scope),
  ]);
  // The tenant's own catalogue override (settings.routing.catalogue) prices its baseline, as it prices its calls.
  const override = tenant?.settings.routing?.catalogue;
  const catalogue = override ? mergeCatalogue(input.catalogue ?? defaultCatalogue, override).catalogue : (input.catalogue ?? defaultCatalogue);
  const configured = tenant?.settings.routing?.models?.balanced;
  const baselineModel = typeof configured === 'string' && catalogue[configured] ? configured : DEFAULT_BALANCED_MODEL;
  const prices = baselinePrices(catalogue, baselineModel);
  const balanced = (row: AggregateRow) => Number(row.ok_uncached) * prices.input + Number(row.ok_cached) * prices.cachedInput + Number(row.ok_output) * prices.output;
  const byModel: CostByModel[] = rows
    .filter((row) => row.by_model)
    .map((row) => ({
      provider: String(row.provider),
      model: String(row.model),
      calls: Number(row.calls),
      failedCalls: Number(row.failed_calls),
      inputTokens: Number(row.input_tokens),
      cachedInputTokens: Number(row.cached_input_tokens),
      outputTokens: Number(row.output_tokens),
      totalTokens: Number(row.total_tokens),
      costUsd: Number(row.cost_usd),
      balancedCostUsd: balanced(row),
    }))
    .sort((a, b) => b.costUsd - a.costUsd || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
  const series: CostSeriesPoint[] = rows
    .filter((row) => !row.by_model)
    .map((row) => ({
      bucketStart: new Date(row.bucket!),
      calls: Number(row.calls),
      totalTokens: Number(row.total_tokens),
      costUsd: Number(row.cost_usd),
      balancedCostUsd: balanced(row),
    }))
    .sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime());
  const sum = (pick: (row: CostByModel) => number) => byModel.reduce((total, row) => total + pick(row), 0);
  const costUsd = sum((row) => row.costUsd);
  const balancedCostUsd = sum((row) => row.balancedCostUsd);
  const conversations = Number(conversationRows[0]?.conversations ?? 0);
  return {
    baselineModel,
    calls: sum((row) => row.calls),
    totalTokens: sum((row) => row.totalTokens),
    costUsd,
    conversations,
    costPerConversationUsd: conversations > 0 ? costUsd / conversations : null,
    balancedCostUsd,
    savingUsd: balancedCostUsd - costUsd,
    savingRate: balancedCostUsd > 0 ? (balancedCostUsd - costUsd) / balancedCostUsd : null,
    byModel,
    series,
  };
}
