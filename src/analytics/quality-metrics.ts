import type { EntityManager } from '@mikro-orm/postgresql';
import { bucketSql, checkRange, type TimeBucketName, type TimeRange } from './time-range';

/**
 * Quality and business figures of a tenant's conversations. Conversations
 * count in the bucket they started in; replies in the bucket they were sent.
 * Rates are in [0, 1] and null when their denominator is 0.
 */
export interface QualityFigures {
  conversations: number;
  botReplies: number;
  /** Conversations with at least one bot reply / conversations. */
  answerRate: number | null;
  /** Conversations handed to a human / conversations (target < 15 %). */
  handoffRate: number | null;
  /** Conversations the bot answered, never handed off / conversations. */
  automationRate: number | null;
  /** Conversations the bot answered, never handed off and without any 👎 / conversations (Fin's resolution, without its confirmation step). */
  resolutionRate: number | null;
  /** 👍 / votes over bot replies (target > 70 %). */
  positiveFeedbackRate: number | null;
  /** Conversations with votes and no 👎 / conversations with votes. */
  csat: number | null;
  /** 1 + 4 × mean reply score, the score being 1 for 👍, 0 for 👎, else the implicit satisfaction in [0, 1]; 1–5. */
  qualityScore: number | null;
  averageResponseMs: number | null;
  p95ResponseMs: number | null;
  costUsd: number;
  /** Cost / conversations. */
  costPerConversation: number | null;
  /** Cost / resolved conversations. */
  costPerResolution: number | null;
}

export interface QualityPoint extends QualityFigures {
  bucketStart: Date;
}

export interface QualityTargets {
  positiveFeedbackRate: number;
  handoffRate: number;
}

export type QualityTrend = Record<(typeof TREND_FIELDS)[number], number | null>;

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

export interface QualityMetrics {
  totals: QualityFigures;
  trend: QualityTrend;
  positiveFeedbackOnTarget: boolean;
  handoffOnTarget: boolean;
  /** The same figures over the period of the same length just before `range`. */
  previous: QualityFigures;
  series: QualityPoint[];
  targets: QualityTargets;
}

export const DEFAULT_QUALITY_TARGETS: QualityTargets = { positiveFeedbackRate: 0.7, handoffRate: 0.15 };

type Row = Record<string, string | number | null | Date>;

/**
 * Optional cuts: one channel, one model version, one topic (conversations with
 * at least one reply from that version / on that topic; those replies).
 */
export interface QualityFilter {
  channel?: string | null;
  modelVersionId?: string | null;
  topic?: string | null;
}

/** SQL conditions and their parameters for the cuts, on conversation `c` and interaction `i`. */
function cuts(filter: QualityFilter & { tenantId: string }) {
  const conversation: string[] = [];
  const conversationParams: unknown[] = [];
  const reply: string[] = [];
  const replyParams: unknown[] = [];
  if (filter.channel) {
    conversation.push('c.channel = ?');
    conversationParams.push(filter.channel);
    reply.push('exists (select 1 from conversation rc where rc.id = i.conversation_id and rc.channel = ?)');
    replyParams.push(filter.channel);
  }
  if (filter.modelVersionId) {
    // Scoped to the tenant, so the planner reads its replies through (tenant_id, created_at), not every tenant's.
    conversation.push(
      'exists (select 1 from agent_interaction mi where mi.conversation_id = c.id and mi.tenant_id = ? and mi.model_version_id = ?)',
    );
    conversationParams.push(filter.tenantId, filter.modelVersionId);
    reply.push('i.model_version_id = ?');
    replyParams.push(filter.modelVersionId);
  }
  if (filter.topic) {
    // A reply's topic is that of the first (best) knowledge article it used; a conversation has every topic of its replies.
    const topical = `i.article_ids->>0 in (select ka.id::text from knowledge_article ka where ka.tenant_id = ? and ka.topic = ?)`;
    conversation.push(
      `exists (select 1 from agent_interaction i where i.conversation_id = c.id and i.tenant_id = ? and ${topical})`,
    );
    conversationParams.push(filter.tenantId, filter.tenantId, filter.topic.toLowerCase());
    reply.push(topical);
    replyParams.push(filter.tenantId, filter.topic.toLowerCase());
  }
  const and = (conditions: string[]) => conditions.map((condition) => ` and ${condition}`).join('');
  return { conversation: and(conversation), conversationParams, reply: and(reply), replyParams };
}

/**
 * Conversation-level counts per bucket and in total, for the range and the
 * period before it in the same scan (`current` tells them apart; buckets of the
 * previous period are not used). The replies are joined on the tenant too, so
 * the planner reads only the tenant's (not a hash of every tenant's replies).
 * Parameters: start of the range, tenant, start of the previous period, end of
 * the range, then the cuts'.
 */
export function conversationSql(bucket: TimeBucketName, where = ''): string {
  return `with conv as (
    select c.id, c.tenant_id, c.started_at >= ? as current,
           date_trunc('${bucketSql(bucket)}', c.started_at at time zone 'UTC') at time zone 'UTC' as bucket, c.handed_off_at is not null as handed_off
      from conversation c where c.tenant_id = ? and c.started_at >= ? and c.started_at < ?${where}),
  per_conversation as (
    select conv.id, conv.current, conv.bucket, conv.handed_off, count(i.id) as replies, coalesce(sum(i.cost_usd), 0) as cost,
           count(f.helpful) as votes, count(*) filter (where f.helpful = false) as down
      from conv left join agent_interaction i on i.conversation_id = conv.id and i.tenant_id = conv.tenant_id
      left join interaction_feedback f on f.interaction_id = i.id
     group by conv.id, conv.current, conv.bucket, conv.handed_off)
  select current, bucket, count(*)::int as conversations,
         count(*) filter (where replies > 0)::int as answered,
         count(*) filter (where handed_off)::int as handed_off,
         count(*) filter (where replies > 0 and not handed_off)::int as automated,
         count(*) filter (where replies > 0 and not handed_off and down = 0)::int as resolved,
         count(*) filter (where votes > 0)::int as voted,
         count(*) filter (where votes > 0 and down = 0)::int as satisfied,
         sum(cost)::float8 as cost
    from per_conversation group by grouping sets ((current, bucket), (current))`;
}

/** Reply-level figures per bucket and in total, for the range and the period before it (parameters as conversationSql's). */
export function replySql(bucket: TimeBucketName, where = ''): string {
  return `select i.created_at >= ? as current, date_trunc('${bucketSql(bucket)}', i.created_at at time zone 'UTC') at time zone 'UTC' as bucket,
         count(*)::int as replies, count(f.helpful)::int as votes, count(*) filter (where f.helpful)::int as up,
         avg(coalesce(case when f.helpful then 1.0 when not f.helpful then 0.0 end, f.implicit_satisfaction))::float8 as score,
         avg(i.latency_ms)::float8 as average_ms,
         percentile_cont(0.95) within group (order by i.latency_ms)::float8 as p95_ms
    from agent_interaction i left join interaction_feedback f on f.interaction_id = i.id
   where i.tenant_id = ? and i.created_at >= ? and i.created_at < ?${where}
   group by grouping sets ((1, 2), (1))`;
}

const ratio = (numerator: number, denominator: number) => (denominator ? numerator / denominator : null);

function figures(conversation: Row | undefined, reply: Row | undefined): QualityFigures {
  const n = (row: Row | undefined, key: string) => Number(row?.[key] ?? 0);
  const conversations = n(conversation, 'conversations');
  const resolved = n(conversation, 'resolved');
  const cost = n(conversation, 'cost');
  const score = reply?.score === null || reply?.score === undefined ? null : Number(reply.score);
  return {
    conversations,
    botReplies: n(reply, 'replies'),
    answerRate: ratio(n(conversation, 'answered'), conversations),
    handoffRate: ratio(n(conversation, 'handed_off'), conversations),
    automationRate: ratio(n(conversation, 'automated'), conversations),
    resolutionRate: ratio(resolved, conversations),
    positiveFeedbackRate: ratio(n(reply, 'up'), n(reply, 'votes')),
    csat: ratio(n(conversation, 'satisfied'), n(conversation, 'voted')),
    qualityScore: score === null ? null : 1 + 4 * score,
    averageResponseMs: reply?.average_ms === null || reply?.average_ms === undefined ? null : Number(reply.average_ms),
    p95ResponseMs: reply?.p95_ms === null || reply?.p95_ms === undefined ? null : Number(reply.p95_ms),
    costUsd: cost,
    costPerConversation: ratio(cost, conversations),
    costPerResolution: ratio(cost, resolved),
  };
}

/** Totals and series of the range, and totals of the period of the same length before it: one statement per level. */
async function scan(
  em: EntityManager,
  tenantId: string,
  range: TimeRange,
  previousFrom: Date,
  groupBy: TimeBucketName,
  filter: QualityFilter,
) {
  const connection = em.getConnection();
  const where = cuts({ ...filter, tenantId });
  const scope = [range.from, tenantId, previousFrom, range.to];
  const [conversations, replies] = await Promise.all([
    connection.execute<Row[]>(conversationSql(groupBy, where.conversation), [...scope, ...where.conversationParams]),
    connection.execute<Row[]>(replySql(groupBy, where.reply), [...scope, ...where.replyParams]),
  ]);
  const total = (rows: Row[], current: boolean) =>
    rows.find((row) => Boolean(row.current) === current && row.bucket === null);
  const byBucket = new Map<string, { conversation?: Row; reply?: Row }>();
  for (const [rows, level] of [
    [conversations, 'conversation'],
    [replies, 'reply'],
  ] as const) {
    for (const row of rows) {
      if (!row.current || row.bucket === null) continue;
      const key = new Date(row.bucket as Date).toISOString();
      byBucket.set(key, { ...byBucket.get(key), [level]: row });
    }
  }
  const series = [...byBucket.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([bucket, rows]) => ({ bucketStart: new Date(bucket), ...figures(rows.conversation, rows.reply) }));
  return {
    totals: figures(total(conversations, true), total(replies, true)),
    previous: figures(total(conversations, false), total(replies, false)),
    series,
  };
}

/** `settings.metricTargets` of a tenant: only numbers in [0, 1] are taken. */
export function targetsFrom(settings: Record<string, unknown> | null | undefined): Partial<QualityTargets> {
  const raw = settings?.metricTargets as Record<string, unknown> | undefined;
  const targets: Partial<QualityTargets> = {};
  for (const key of ['positiveFeedbackRate', 'handoffRate'] as const) {
    const value = raw?.[key];
    if (typeof value === 'number' && value >= 0 && value <= 1) targets[key] = value;
  }
  return targets;
}

/** Quality and business metrics of a tenant over `range`, with the previous period of equal length and the tenant's targets. */
export async function qualityMetrics(
  em: EntityManager,
  input: {
    tenantId: string;
    range: TimeRange;
    groupBy: TimeBucketName;
    targets?: Partial<QualityTargets>;
    filter?: QualityFilter;
  },
): Promise<QualityMetrics> {
  const range = checkRange(input.range);
  const previousFrom = new Date(2 * range.from.getTime() - range.to.getTime());
  const current = await scan(em, input.tenantId, range, previousFrom, input.groupBy, input.filter ?? {});
  const previous = { totals: current.previous };
  const targets = { ...DEFAULT_QUALITY_TARGETS, ...input.targets };
  const trend = {} as QualityTrend;
  for (const field of TREND_FIELDS) {
    const now = current.totals[field];
    const before = previous.totals[field];
    trend[field] = now === null || before === null ? null : now - before;
  }
  const { positiveFeedbackRate, handoffRate } = current.totals;
  return {
    totals: current.totals,
    previous: previous.totals,
    trend,
    series: current.series,
    targets,
    positiveFeedbackOnTarget: positiveFeedbackRate !== null && positiveFeedbackRate > targets.positiveFeedbackRate,
    handoffOnTarget: handoffRate !== null && handoffRate < targets.handoffRate,
  };
}
