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

/**
 * Parameters of the baseline price expression: uncached input, cached input
 * and output tokens at the baseline model's first price band, per token.
 */
function baselinePrices(catalogue: ModelCatalogue, model: string): [number, number, number] {
  const spec = catalogue[model];
  if (!spec) throw badInput(`The baseline model ${model} is not in the model catalogue`);
  const band = spec.prices[0]!;
  return [band.input / 1e6, band.cachedInput / 1e6, band.output / 1e6];
}

/** Baseline cost of one row, in SQL; `?` are the three per-token prices (input, cached input, output). */
const BASELINE = `case when u.success then (greatest(u.input_tokens - u.cached_input_tokens, 0) * ?::float8
  + least(u.cached_input_tokens, u.input_tokens) * ?::float8 + u.output_tokens * ?::float8) else 0 end`;

export const costByModelSql = `select u.provider, u.model, count(*) as calls, count(*) filter (where not u.success) as failed_calls,
  sum(u.input_tokens) as input_tokens, sum(u.cached_input_tokens) as cached_input_tokens, sum(u.output_tokens) as output_tokens,
  sum(u.total_tokens) as total_tokens, sum(u.estimated_cost_usd) as cost_usd, sum(${BASELINE}) as balanced_cost_usd
  from provider_usage u where u.tenant_id = ? and u.created_at >= ? and u.created_at < ?
  group by u.provider, u.model order by cost_usd desc, u.provider, u.model`;

export function costSeriesSql(bucket: TimeBucketName): string {
  return `select date_trunc('${bucketSql(bucket)}', u.created_at at time zone 'UTC') at time zone 'UTC' as bucket, count(*) as calls,
  sum(u.total_tokens) as total_tokens, sum(u.estimated_cost_usd) as cost_usd, sum(${BASELINE}) as balanced_cost_usd
  from provider_usage u where u.tenant_id = ? and u.created_at >= ? and u.created_at < ? group by 1 order by 1`;
}

export const conversationCountSql = `select count(distinct i.conversation_id) as conversations from agent_interaction i
  where i.tenant_id = ? and i.created_at >= ? and i.created_at < ?`;

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
  const tenant = await em.findOne(Tenant, { id: input.tenantId }, { fields: ['settings'] });
  // The tenant's own catalogue override (settings.routing.catalogue) prices its baseline, as it prices its calls.
  const override = tenant?.settings.routing?.catalogue;
  const catalogue = override ? mergeCatalogue(input.catalogue ?? defaultCatalogue, override).catalogue : (input.catalogue ?? defaultCatalogue);
  const configured = tenant?.settings.routing?.models?.balanced;
  const baselineModel = typeof configured === 'string' && catalogue[configured] ? configured : DEFAULT_BALANCED_MODEL;
  const prices = baselinePrices(catalogue, baselineModel);
  const scope = [input.tenantId, range.from, range.to];
  const connection = em.getConnection();
  const [modelRows, seriesRows, conversationRows] = await Promise.all([
    connection.execute<Record<string, string | number>[]>(costByModelSql, [...prices, ...scope]),
    connection.execute<Record<string, string | number | Date>[]>(costSeriesSql(input.groupBy), [...prices, ...scope]),
    connection.execute<{ conversations: string }[]>(conversationCountSql, scope),
  ]);
  const byModel: CostByModel[] = modelRows.map((row) => ({
    provider: String(row.provider),
    model: String(row.model),
    calls: Number(row.calls),
    failedCalls: Number(row.failed_calls),
    inputTokens: Number(row.input_tokens),
    cachedInputTokens: Number(row.cached_input_tokens),
    outputTokens: Number(row.output_tokens),
    totalTokens: Number(row.total_tokens),
    costUsd: Number(row.cost_usd),
    balancedCostUsd: Number(row.balanced_cost_usd),
  }));
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
    series: seriesRows.map((row) => ({
      bucketStart: new Date(row.bucket as Date),
      calls: Number(row.calls),
      totalTokens: Number(row.total_tokens),
      costUsd: Number(row.cost_usd),
      balancedCostUsd: Number(row.balanced_cost_usd),
    })),
  };
}
