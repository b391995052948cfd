import type pg from 'pg';
import { iso, num, numOrNull, put, ratio, type Figures, type Row } from './analytics-figures';

/**
 * Hand-written SQL for the quality, business and per-version queries: what
 * someone who knows the schema would write to get the same figures, sent
 * straight through `pg`, with the little arithmetic left done here. None of it
 * reuses the services' statements; the bench checks both give the same numbers.
 */

export type Bucket = 'day' | 'week' | 'month';
export interface Range {
  from: Date;
  to: Date;
}

export const QUALITY_FIELDS = [
  'conversations',
  'botReplies',
  'answerRate',
  'handoffRate',
  'automationRate',
  'resolutionRate',
  'positiveFeedbackRate',
  'csat',
  'qualityScore',
  'averageResponseMs',
  'p95ResponseMs',
  'costUsd',
  'costPerConversation',
  'costPerResolution',
] as const;
export const TREND_FIELDS = [
  'answerRate',
  'handoffRate',
  'automationRate',
  'resolutionRate',
  'positiveFeedbackRate',
  'csat',
  'qualityScore',
  'p95ResponseMs',
  'costPerConversation',
] as const;

export interface QualityCut {
  channel?: string;
  modelVersionId?: string;
  topic?: string;
}

function qualityFigures(conversation: Row | undefined, reply: Row | undefined): Record<string, number | null> {
  const conversations = num(conversation, 'conversations');
  const resolved = num(conversation, 'resolved');
  const cost = num(conversation, 'cost');
  const score = numOrNull(reply, 'score');
  return {
    conversations,
    botReplies: num(reply, 'replies'),
    answerRate: ratio(num(conversation, 'answered'), conversations),
    handoffRate: ratio(num(conversation, 'handed_off'), conversations),
    automationRate: ratio(num(conversation, 'automated'), conversations),
    resolutionRate: ratio(resolved, conversations),
    positiveFeedbackRate: ratio(num(reply, 'up'), num(reply, 'votes')),
    csat: ratio(num(conversation, 'satisfied'), num(conversation, 'voted')),
    qualityScore: score === null ? null : 1 + 4 * score,
    averageResponseMs: numOrNull(reply, 'average_ms'),
    p95ResponseMs: numOrNull(reply, 'p95_ms'),
    costUsd: cost,
    costPerConversation: ratio(cost, conversations),
    costPerResolution: ratio(cost, resolved),
  };
}

/**
 * qualityMetrics: the range and the period of equal length before it in one
 * statement per level (conversations, replies), `current` telling them apart.
 * Parameters: tenant, from, previous from, to, then the cut's value.
 */
export async function qualityBaseline(
  db: pg.Pool,
  tenantId: string,
  range: Range,
  bucket: Bucket,
  cut: QualityCut = {},
): Promise<Figures> {
  const previousFrom = new Date(2 * range.from.getTime() - range.to.getTime());
  const parameters: unknown[] = [tenantId, range.from, previousFrom, range.to];
  let conversationCut = '';
  let replyJoin = '';
  let replyCut = '';
  if (cut.channel) {
    parameters.push(cut.channel);
    conversationCut = 'and c.channel = $5';
    replyJoin = 'join conversation rc on rc.id = i.conversation_id and rc.channel = $5';
  } else if (cut.modelVersionId) {
    parameters.push(cut.modelVersionId);
    conversationCut = `and c.id in (select v.conversation_id from agent_interaction v where v.tenant_id = $1 and v.model_version_id = $5)`;
    replyCut = 'and i.model_version_id = $5';
  } else if (cut.topic) {
    parameters.push(cut.topic);
    conversationCut = `and c.id in (select t.conversation_id from agent_interaction t
      join knowledge_article ta on ta.id::text = t.article_ids->>0 and ta.tenant_id = $1 and ta.topic = $5 where t.tenant_id = $1)`;
    replyJoin = 'join knowledge_article ka on ka.id::text = i.article_ids->>0 and ka.tenant_id = $1 and ka.topic = $5';
  }
  const truncate = (column: string) => `date_trunc('${bucket}', ${column} at time zone 'UTC') at time zone 'UTC'`;
  const [conversations, replies] = await Promise.all([
    db.query<Row>(
      `with c as (
         select c.id, c.started_at >= $2 as current, ${truncate('c.started_at')} as bucket, c.handed_off_at is not null as handed_off
           from conversation c where c.tenant_id = $1 and c.started_at >= $3 and c.started_at < $4 ${conversationCut}),
       r as (
         select i.conversation_id as id, sum(i.cost_usd) as cost, count(f.helpful) as votes, count(*) filter (where f.helpful = false) as down
           from agent_interaction i left join interaction_feedback f on f.interaction_id = i.id
          where i.tenant_id = $1 and i.conversation_id in (select id from c) group by i.conversation_id)
       select c.current, c.bucket, count(*) as conversations, count(r.id) as answered,
              count(*) filter (where c.handed_off) as handed_off,
              count(r.id) filter (where not c.handed_off) as automated,
              count(r.id) filter (where not c.handed_off and r.down = 0) as resolved,
              count(*) filter (where r.votes > 0) as voted,
              count(*) filter (where r.votes > 0 and r.down = 0) as satisfied,
              coalesce(sum(r.cost), 0)::float8 as cost
         from c left join r using (id) group by grouping sets ((c.current, c.bucket), (c.current))`,
      parameters,
    ),
    db.query<Row>(
      `select i.created_at >= $2 as current, ${truncate('i.created_at')} as bucket,
              count(*) as replies, count(f.helpful) as votes, count(*) filter (where f.helpful) as up,
              avg(coalesce(case when f.helpful then 1.0 when not f.helpful then 0.0 end, f.implicit_satisfaction))::float8 as score,
              avg(i.latency_ms)::float8 as average_ms, percentile_cont(0.95) within group (order by i.latency_ms) as p95_ms
         from agent_interaction i ${replyJoin} left join interaction_feedback f on f.interaction_id = i.id
        where i.tenant_id = $1 and i.created_at >= $3 and i.created_at < $4 ${replyCut}
        group by grouping sets ((1, 2), (1))`,
      parameters,
    ),
  ]);
  const find = (rows: Row[], current: boolean) => rows.find((row) => row.current === current && row.bucket === null);
  const totals = qualityFigures(find(conversations.rows, true), find(replies.rows, true));
  const previous = qualityFigures(find(conversations.rows, false), find(replies.rows, false));
  const figures: Figures = {};
  put(figures, 'totals', totals, QUALITY_FIELDS);
  put(figures, 'previous', previous, QUALITY_FIELDS);
  for (const field of TREND_FIELDS) {
    const [now, before] = [totals[field], previous[field]];
    figures[`trend.${field}`] = now === null || before === null ? null : now - before;
  }
  const buckets = new Map<string, { conversation?: Row; reply?: Row }>();
  for (const [rows, level] of [
    [conversations.rows, 'conversation'],
    [replies.rows, 'reply'],
  ] as const) {
    for (const row of rows) {
      if (row.current !== true || row.bucket === null) continue;
      const key = iso(row.bucket);
      buckets.set(key, { ...buckets.get(key), [level]: row });
    }
  }
  for (const [key, rows] of buckets)
    put(figures, `series.${key}`, qualityFigures(rows.conversation, rows.reply), QUALITY_FIELDS);
  return figures;
}

/** Service → figures: totals, previous period, trend and every bucket of the series. */
export function qualityServiceFigures(result: {
  totals: object;
  previous: object;
  trend: object;
  series: ({ bucketStart: Date } & object)[];
}): Figures {
  const figures: Figures = {};
  put(figures, 'totals', result.totals, QUALITY_FIELDS);
  put(figures, 'previous', result.previous, QUALITY_FIELDS);
  put(figures, 'trend', result.trend, TREND_FIELDS);
  for (const point of result.series) put(figures, `series.${point.bucketStart.toISOString()}`, point, QUALITY_FIELDS);
  return figures;
}
