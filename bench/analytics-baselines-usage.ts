import type pg from 'pg';
import { defaultCatalogue } from '../src/providers/model-catalogue';
import { iso, num, put, ratio, type Figures, type Row } from './analytics-figures';
import type { Bucket, Range } from './analytics-baselines';

/** Hand-written SQL for costAnalytics, feedbackAnalytics and the feedback and provider-usage pages (see analytics-baselines.ts). */

export const COST_MODEL_FIELDS = [
  'calls',
  'failedCalls',
  'inputTokens',
  'cachedInputTokens',
  'outputTokens',
  'totalTokens',
  'costUsd',
  'balancedCostUsd',
] as const;
export const COST_SERIES_FIELDS = ['calls', 'totalTokens', 'costUsd', 'balancedCostUsd'] as const;
export const COST_FIELDS = [
  'baselineModel',
  'calls',
  'totalTokens',
  'costUsd',
  'conversations',
  'costPerConversationUsd',
  'balancedCostUsd',
  'savingUsd',
  'savingRate',
] as const;

/** costAnalytics straight from provider_usage (no rollup), priced on the list price of the default balanced model. */
export async function costBaseline(db: pg.Pool, tenantId: string, range: Range, bucket: Bucket): Promise<Figures> {
  const scope = [tenantId, range.from, range.to];
  const [settings, usage, conversations] = await Promise.all([
    db.query<{ settings: Record<string, unknown> }>('select settings from tenant where id = $1', [tenantId]),
    db.query<Row>(
      `select provider, model, date_trunc('${bucket}', created_at at time zone 'UTC') at time zone 'UTC' as bucket,
              count(*) as calls, count(*) filter (where not success) as failed_calls,
              sum(input_tokens) as input_tokens, sum(cached_input_tokens) as cached_input_tokens, sum(output_tokens) as output_tokens,
              sum(total_tokens) as total_tokens, sum(estimated_cost_usd)::float8 as cost_usd,
              coalesce(sum(greatest(input_tokens - cached_input_tokens, 0)) filter (where success), 0) as uncached,
              coalesce(sum(least(cached_input_tokens, input_tokens)) filter (where success), 0) as cached,
              coalesce(sum(output_tokens) filter (where success), 0) as output
         from provider_usage where tenant_id = $1 and created_at >= $2 and created_at < $3 and not evaluation
        group by 1, 2, 3`,
      scope,
    ),
    db.query<Row>(
      'select count(distinct conversation_id) as n from agent_interaction where tenant_id = $1 and created_at >= $2 and created_at < $3',
      scope,
    ),
  ]);
  if (settings.rows[0]?.settings.routing) throw new Error('the bench seeds no routing settings');
  const band = defaultCatalogue['gpt-4o']!.prices[0]!;
  const models = new Map<string, Record<string, number>>();
  const series = new Map<string, Record<string, number>>();
  const add = (into: Record<string, number>, values: Record<string, number>) => {
    for (const [key, value] of Object.entries(values)) into[key] = (into[key] ?? 0) + value;
  };
  for (const row of usage.rows) {
    const balanced =
      (num(row, 'uncached') * band.input + num(row, 'cached') * band.cachedInput + num(row, 'output') * band.output) /
      1e6;
    const modelKey = `${String(row.provider)}/${String(row.model)}`;
    if (!models.has(modelKey)) models.set(modelKey, {});
    add(models.get(modelKey)!, {
      calls: num(row, 'calls'),
      failedCalls: num(row, 'failed_calls'),
      inputTokens: num(row, 'input_tokens'),
      cachedInputTokens: num(row, 'cached_input_tokens'),
      outputTokens: num(row, 'output_tokens'),
      totalTokens: num(row, 'total_tokens'),
      costUsd: num(row, 'cost_usd'),
      balancedCostUsd: balanced,
    });
    const bucketKey = iso(row.bucket);
    if (!series.has(bucketKey)) series.set(bucketKey, {});
    const point = { calls: num(row, 'calls'), totalTokens: num(row, 'total_tokens'), costUsd: num(row, 'cost_usd') };
    add(series.get(bucketKey)!, { ...point, balancedCostUsd: balanced });
  }
  const total = { calls: 0, totalTokens: 0, costUsd: 0, balancedCostUsd: 0 };
  for (const entry of models.values())
    add(total, {
      calls: entry.calls!,
      totalTokens: entry.totalTokens!,
      costUsd: entry.costUsd!,
      balancedCostUsd: entry.balancedCostUsd!,
    });
  const conversationCount = num(conversations.rows[0], 'n');
  const figures = put(
    {},
    'totals',
    {
      baselineModel: 'gpt-4o',
      ...total,
      conversations: conversationCount,
      costPerConversationUsd: ratio(total.costUsd, conversationCount),
      savingUsd: total.balancedCostUsd - total.costUsd,
      savingRate: total.balancedCostUsd > 0 ? (total.balancedCostUsd - total.costUsd) / total.balancedCostUsd : null,
    },
    COST_FIELDS,
  );
  for (const [key, entry] of models) put(figures, `byModel.${key}`, entry, COST_MODEL_FIELDS);
  for (const [key, entry] of series) put(figures, `series.${key}`, entry, COST_SERIES_FIELDS);
  return figures;
}

export function costServiceFigures(result: {
  byModel: ({ provider: string; model: string } & object)[];
  series: ({ bucketStart: Date } & object)[];
}): Figures {
  const figures = put({}, 'totals', result, COST_FIELDS);
  for (const entry of result.byModel)
    put(figures, `byModel.${entry.provider}/${entry.model}`, entry, COST_MODEL_FIELDS);
  for (const point of result.series)
    put(figures, `series.${point.bucketStart.toISOString()}`, point, COST_SERIES_FIELDS);
  return figures;
}

export const FEEDBACK_FIELDS = [
  'botReplies',
  'totalFeedback',
  'helpfulCount',
  'notHelpfulCount',
  'helpfulRate',
  'notHelpfulRate',
  'averageImplicitSatisfaction',
  'feedbackWithComments',
  'continuationRate',
  'actionCompletionRate',
  'handoffRequestRate',
  'feedbackCollectionRate',
] as const;

/** feedbackAnalytics: the range's replies with their feedback row, per bucket and in total (grouping sets). */
export async function feedbackBaseline(db: pg.Pool, tenantId: string, range: Range, bucket: Bucket): Promise<Figures> {
  const { rows } = await db.query<Row>(
    `select date_trunc('${bucket}', i.created_at at time zone 'UTC') at time zone 'UTC' as bucket,
            count(*) as replies, count(f.helpful) as votes, count(*) filter (where f.helpful) as up,
            count(*) filter (where not f.helpful) as down, count(f.helpful) filter (where f.comment is not null) as commented,
            count(*) filter (where f.continued_conversation) as continued, count(*) filter (where f.completed_action) as completed,
            count(*) filter (where f.requested_handoff) as handoff, avg(f.implicit_satisfaction)::float8 as satisfaction
       from agent_interaction i left join interaction_feedback f on f.interaction_id = i.id
      where i.tenant_id = $1 and i.created_at >= $2 and i.created_at < $3
      group by grouping sets ((1), ())`,
    [tenantId, range.from, range.to],
  );
  const figures: Figures = {};
  for (const row of rows) {
    const replies = num(row, 'replies');
    const votes = num(row, 'votes');
    put(
      figures,
      row.bucket === null ? 'totals' : `series.${iso(row.bucket)}`,
      {
        botReplies: replies,
        totalFeedback: votes,
        helpfulCount: num(row, 'up'),
        notHelpfulCount: num(row, 'down'),
        helpfulRate: ratio(num(row, 'up'), votes),
        notHelpfulRate: ratio(num(row, 'down'), votes),
        averageImplicitSatisfaction: row.satisfaction === null ? null : Number(row.satisfaction),
        feedbackWithComments: num(row, 'commented'),
        continuationRate: ratio(num(row, 'continued'), replies),
        actionCompletionRate: ratio(num(row, 'completed'), replies),
        handoffRequestRate: ratio(num(row, 'handoff'), replies),
        feedbackCollectionRate: ratio(votes, replies),
      },
      FEEDBACK_FIELDS,
    );
  }
  return figures;
}

export function feedbackServiceFigures(result: { totals: object; series: ({ bucketStart: Date } & object)[] }) {
  const figures = put({}, 'totals', result.totals, FEEDBACK_FIELDS);
  for (const point of result.series) put(figures, `series.${point.bucketStart.toISOString()}`, point, FEEDBACK_FIELDS);
  return figures;
}

/** A first page of 50 (newest first) and the count, of `table`'s rows of the tenant. */
export async function pageBaseline(db: pg.Pool, tenantId: string, table: 'interaction_feedback' | 'provider_usage') {
  const where = table === 'provider_usage' ? 'tenant_id = $1 and not evaluation' : 'tenant_id = $1';
  const [page, count] = await Promise.all([
    // Whole rows, as the page returns them.
    db.query<{ id: string }>(`select * from ${table} where ${where} order by created_at desc, id desc limit 51`, [
      tenantId,
    ]),
    db.query<Row>(`select count(*) as n from ${table} where ${where}`, [tenantId]),
  ]);
  return pageFigures(
    page.rows.slice(0, 50).map((row) => row.id),
    page.rows.length > 50,
    num(count.rows[0], 'n'),
  );
}

export function pageFigures(ids: string[], hasNextPage: boolean, totalCount: number): Figures {
  return { ids: ids.join(','), hasNextPage, totalCount };
}
