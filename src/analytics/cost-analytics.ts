import type { EntityManager } from '@mikro-orm/postgresql';
import type { TenantSettings } from '../db/entities';
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
function baselinePrices(
  catalogue: ModelCatalogue,
  model: string,
): { input: number; cachedInput: number; output: number } {
  const spec = catalogue[model];
  if (!spec) throw badInput(`The baseline model ${model} is not in the model catalogue`);
  const band = spec.prices[0]!;
  return { input: band.input / 1e6, cachedInput: band.cachedInput / 1e6, output: band.output / 1e6 };
}

/** Columns both sources deliver, in this order. */
const ROW_COLUMNS = `calls, failed_calls, input_tokens, cached_input_tokens, output_tokens, total_tokens, cost_usd, ok_uncached_tokens, ok_cached_tokens, ok_output_tokens`;

/** One usage row in the rollup's shape. */
const RAW_ROW = `u.provider, u.model, (u.created_at at time zone 'UTC')::date as day, 1 as calls, case when u.success then 0 else 1 end as failed_calls,
  u.input_tokens, u.cached_input_tokens, u.output_tokens, u.total_tokens, u.estimated_cost_usd as cost_usd,
  case when u.success then greatest(u.input_tokens - u.cached_input_tokens, 0) else 0 end as ok_uncached_tokens,
  case when u.success then least(u.cached_input_tokens, u.input_tokens) else 0 end as ok_cached_tokens,
  case when u.success then u.output_tokens else 0 end as ok_output_tokens`;

/**
 * Sums by provider, model and bucket. Whole UTC days come from the
 * trigger-maintained rollup (ProviderUsageRollup: a few shards per day and model),
 * the partial days at the range's edges from provider_usage through its
 * covering index; both are exact. The baseline cost is linear in the
 * successful calls' uncached, cached and output tokens, so prices are applied
 * afterwards and the statement does not wait for the tenant's settings.
 * Parameters: tenant, first whole day, end of whole days (dates); tenant,
 * from, first whole day; tenant, end of whole days, to (timestamps).
 */
export function costAggregateSql(bucket: TimeBucketName): string {
  const sums = ROW_COLUMNS.split(', ')
    .map((column) => `sum(x.${column}) as ${column}`)
    .join(', ');
  return `select x.provider, x.model, date_trunc('${bucketSql(bucket)}', x.day::timestamp) at time zone 'UTC' as bucket, ${sums}
  from (
    select r.provider, r.model, r.day, ${ROW_COLUMNS.split(', ')
      .map((column) => `r.${column}`)
      .join(', ')}
      from provider_usage_rollup r where r.tenant_id = ? and r.day >= ?::date and r.day < ?::date
    union all
    select ${RAW_ROW} from provider_usage u where u.tenant_id = ? and u.created_at >= ? and u.created_at < ? and not u.evaluation
    union all
    select ${RAW_ROW} from provider_usage u where u.tenant_id = ? and u.created_at >= ? and u.created_at < ? and not u.evaluation
  ) x group by x.provider, x.model, 3`;
}

/** The parameters of {@link costAggregateSql} for a range: whole days from the rollup, the edges from raw rows. */
export function costAggregateParameters(tenantId: string, range: TimeRange): unknown[] {
  const day = 86_400_000;
  const firstWholeDay = new Date(Math.ceil(range.from.getTime() / day) * day);
  const endOfWholeDays = new Date(Math.floor(range.to.getTime() / day) * day);
  if (firstWholeDay >= endOfWholeDays) {
    // No whole day inside: everything from raw rows, the second edge empty.
    return [
      tenantId,
      isoDay(range.from),
      isoDay(range.from),
      tenantId,
      range.from,
      range.to,
      tenantId,
      range.to,
      range.to,
    ];
  }
  return [
    tenantId,
    isoDay(firstWholeDay),
    isoDay(endOfWholeDays),
    tenantId,
    range.from,
    firstWholeDay,
    tenantId,
    endOfWholeDays,
    range.to,
  ];
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export const conversationCountSql = `select count(distinct i.conversation_id) as conversations from agent_interaction i
  where i.tenant_id = ? and i.created_at >= ? and i.created_at < ?`;

interface AggregateRow {
  provider: string;
  model: string;
  bucket: Date;
  calls: string;
  failed_calls: string;
  input_tokens: string;
  cached_input_tokens: string;
  output_tokens: string;
  total_tokens: string;
  cost_usd: number;
  ok_uncached_tokens: string;
  ok_cached_tokens: string;
  ok_output_tokens: string;
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
    // Raw: only the settings column is needed, and this runs on every request.
    connection
      .execute<{ settings: TenantSettings }[]>('select settings from tenant where id = ?', [input.tenantId])
      .then((found) => found[0] ?? null),
    connection.execute<AggregateRow[]>(costAggregateSql(input.groupBy), costAggregateParameters(input.tenantId, range)),
    connection.execute<{ conversations: string }[]>(conversationCountSql, scope),
  ]);
  // The tenant's own catalogue override (settings.routing.catalogue) prices its baseline, as it prices its calls.
  const override = tenant?.settings.routing?.catalogue;
  const catalogue = override
    ? mergeCatalogue(input.catalogue ?? defaultCatalogue, override).catalogue
    : (input.catalogue ?? defaultCatalogue);
  const configured = tenant?.settings.routing?.models?.balanced;
  const baselineModel = typeof configured === 'string' && catalogue[configured] ? configured : DEFAULT_BALANCED_MODEL;
  const prices = baselinePrices(catalogue, baselineModel);
  const models = new Map<string, CostByModel>();
  const buckets = new Map<number, CostSeriesPoint>();
  for (const row of rows) {
    const balancedCostUsd =
      Number(row.ok_uncached_tokens) * prices.input +
      Number(row.ok_cached_tokens) * prices.cachedInput +
      Number(row.ok_output_tokens) * prices.output;
    const key = `${row.provider}\u0000${row.model}`;
    const byModelRow = models.get(key) ?? {
      provider: row.provider,
      model: row.model,
      calls: 0,
      failedCalls: 0,
      inputTokens: 0,
      cachedInputTokens: 0,
      outputTokens: 0,
      totalTokens: 0,
      costUsd: 0,
      balancedCostUsd: 0,
    };
    byModelRow.calls += Number(row.calls);
    byModelRow.failedCalls += Number(row.failed_calls);
    byModelRow.inputTokens += Number(row.input_tokens);
    byModelRow.cachedInputTokens += Number(row.cached_input_tokens);
    byModelRow.outputTokens += Number(row.output_tokens);
    byModelRow.totalTokens += Number(row.total_tokens);
    byModelRow.costUsd += Number(row.cost_usd);
    byModelRow.balancedCostUsd += balancedCostUsd;
    models.set(key, byModelRow);
    const start = new Date(row.bucket).getTime();
    const point = buckets.get(start) ?? {
      bucketStart: new Date(start),
      calls: 0,
      totalTokens: 0,
      costUsd: 0,
      balancedCostUsd: 0,
    };
    point.calls += Number(row.calls);
    point.totalTokens += Number(row.total_tokens);
    point.costUsd += Number(row.cost_usd);
    point.balancedCostUsd += balancedCostUsd;
    buckets.set(start, point);
  }
  const byModel = [...models.values()].sort(
    (a, b) => b.costUsd - a.costUsd || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model),
  );
  const series = [...buckets.values()].sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime());
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
