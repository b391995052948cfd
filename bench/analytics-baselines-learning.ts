import type pg from 'pg';
import { iso, num, numOrNull, put, ratio, type Figures, type Row } from './analytics-figures';
import type { Range } from './analytics-baselines';

/** Hand-written SQL for modelComparison and learningAnalytics (see analytics-baselines.ts). */

export const ARM_FIELDS = [
  'replies',
  'conversations',
  'votes',
  'positiveFeedbackRate',
  'qualityScore',
  'scoredReplies',
  'handoffRate',
  'costPerReplyUsd',
  'costUsd',
  'averageResponseMs',
  'p95ResponseMs',
] as const;

const SCORE = 'coalesce(case when f.helpful then 1.0 when not f.helpful then 0.0 end, f.implicit_satisfaction)';

/** modelComparison: one pass over the range's replies with their conversation, grouped by arm. */
export async function comparisonBaseline(
  db: pg.Pool,
  tenantId: string,
  range: Range,
  dimension: 'version' | 'model',
): Promise<Figures> {
  const key = dimension === 'version' ? `coalesce(i.model_version_id, 'unversioned')` : `i.provider || '/' || i.model`;
  const { rows } = await db.query<Row>(
    `select ${key} as key, count(*) as replies, count(distinct i.conversation_id) as conversations,
            count(distinct i.conversation_id) filter (where c.handed_off_at is not null) as handed_off,
            count(f.helpful) as votes, count(*) filter (where f.helpful) as up, count(${SCORE}) as scored, avg(${SCORE})::float8 as score,
            sum(i.cost_usd)::float8 as cost, avg(i.latency_ms)::float8 as average_ms,
            percentile_cont(0.95) within group (order by i.latency_ms) as p95_ms
       from agent_interaction i join conversation c on c.id = i.conversation_id
       left join interaction_feedback f on f.interaction_id = i.id
      where i.tenant_id = $1 and i.created_at >= $2 and i.created_at < $3
      group by 1 order by replies desc, key`,
    [tenantId, range.from, range.to],
  );
  const figures: Figures = { baseline: rows[0] ? String(rows[0].key) : null };
  rows.forEach((row, index) => {
    const replies = num(row, 'replies');
    const score = numOrNull(row, 'score');
    put(
      figures,
      `arms.${index}.${String(row.key)}`,
      {
        replies,
        conversations: num(row, 'conversations'),
        votes: num(row, 'votes'),
        positiveFeedbackRate: ratio(num(row, 'up'), num(row, 'votes')),
        qualityScore: score === null ? null : 1 + 4 * score,
        scoredReplies: num(row, 'scored'),
        handoffRate: ratio(num(row, 'handed_off'), num(row, 'conversations')),
        costPerReplyUsd: ratio(num(row, 'cost'), replies),
        costUsd: num(row, 'cost'),
        averageResponseMs: numOrNull(row, 'average_ms'),
        p95ResponseMs: numOrNull(row, 'p95_ms'),
      },
      ARM_FIELDS,
    );
  });
  return figures;
}

export function comparisonServiceFigures(result: { baseline: string | null; arms: ({ key: string } & object)[] }) {
  const figures: Figures = { baseline: result.baseline };
  result.arms.forEach((arm, index) => put(figures, `arms.${index}.${arm.key}`, arm, ARM_FIELDS));
  return figures;
}

export const LEARNING_FIELDS = [
  'botReplies',
  'feedbackCollectionRate',
  'commentedFeedbackShare',
  'downvotesCorrectedRate',
  'correctionsWritten',
  'correctionsApproved',
  'correctionsRejected',
  'correctionApprovalRate',
  'averageHoursToApproval',
  'medianHoursToApproval',
  'correctionsInEffect',
  'averageHoursToEffect',
  'medianHoursToEffect',
  'articlesFromCorrections',
  'learningVelocityPerWeek',
] as const;
export const WEEK_FIELDS = ['written', 'approved', 'rejected'] as const;
export const ARTICLE_FIELDS = [
  'question',
  'topic',
  'source',
  'uses',
  'conversations',
  'votes',
  'positiveFeedbackRate',
  'qualityScore',
  'handoffRate',
] as const;
export const GAP_FIELDS = [
  'replies',
  'downvotes',
  'handedOffConversations',
  'conversations',
  'handoffRate',
  'downvoteRate',
  'examples',
] as const;

/** learningAnalytics with 20 articles and 10 topics (the defaults). */
export async function learningBaseline(db: pg.Pool, tenantId: string, range: Range): Promise<Figures> {
  const scope = [tenantId, range.from, range.to];
  const week = (column: string) => `date_trunc('week', ${column} at time zone 'UTC') at time zone 'UTC'`;
  const hours = (later: string, earlier: string) => `extract(epoch from ${later} - ${earlier}) / 3600`;
  const [feedback, decided, written, effect, weeks, articles, gaps] = await Promise.all([
    db.query<Row>(
      `select count(*) as replies, count(f.helpful) as votes, count(f.helpful) filter (where f.comment is not null) as commented,
              count(*) filter (where f.helpful = false) as down,
              count(*) filter (where f.helpful = false and exists (select 1 from human_correction h where h.tenant_id = $1 and h.interaction_id = i.id)) as down_corrected
         from agent_interaction i left join interaction_feedback f on f.interaction_id = i.id
        where i.tenant_id = $1 and i.created_at >= $2 and i.created_at < $3`,
      scope,
    ),
    db.query<Row>(
      `select count(*) filter (where status = 'approved') as approved, count(*) filter (where status = 'rejected') as rejected,
              avg(${hours('decided_at', 'created_at')}) filter (where status = 'approved')::float8 as average_h,
              (percentile_cont(0.5) within group (order by ${hours('decided_at', 'created_at')}) filter (where status = 'approved'))::float8 as median_h
         from human_correction where tenant_id = $1 and decided_at >= $2 and decided_at < $3`,
      scope,
    ),
    db.query<Row>(
      `select (select count(*) from human_correction where tenant_id = $1 and created_at >= $2 and created_at < $3) as written,
              (select count(*) from knowledge_article where tenant_id = $1 and source = 'correction' and created_at >= $2 and created_at < $3) as articles`,
      scope,
    ),
    // First reply citing one of an approved correction's articles, from its approval on: the first match in time order.
    db.query<Row>(
      `with taught as (
         select h.id, h.decided_at, array_agg(ka.id::text) as articles
           from human_correction h join knowledge_article ka on ka.correction_id = h.id
          where h.tenant_id = $1 and h.status = 'approved' and h.decided_at >= $2 and h.decided_at < $3 group by h.id),
       first as (
         select t.decided_at, (select min(i.created_at) from agent_interaction i
                                where i.tenant_id = $1 and i.created_at >= t.decided_at and i.article_ids ?| t.articles) as used_at
           from taught t)
       select count(used_at) as in_effect, avg(${hours('used_at', 'decided_at')})::float8 as average_h,
              percentile_cont(0.5) within group (order by ${hours('used_at', 'decided_at')}) as median_h
         from first`,
      scope,
    ),
    db.query<Row>(
      `with w as (select ${week('created_at')} as week, count(*) as written from human_correction
                   where tenant_id = $1 and created_at >= $2 and created_at < $3 group by 1),
            d as (select ${week('decided_at')} as week, count(*) filter (where status = 'approved') as approved,
                         count(*) filter (where status = 'rejected') as rejected from human_correction
                   where tenant_id = $1 and decided_at >= $2 and decided_at < $3 group by 1)
       select week, coalesce(written, 0) as written, coalesce(approved, 0) as approved, coalesce(rejected, 0) as rejected
         from w full join d using (week) order by week`,
      scope,
    ),
    db.query<Row>(
      `with top as (
         select a.article_id, count(*) as uses, count(distinct i.conversation_id) as conversations,
                count(distinct i.conversation_id) filter (where c.handed_off_at is not null) as handed_off,
                count(f.helpful) as votes, count(*) filter (where f.helpful) as up, avg(${SCORE})::float8 as score
           from agent_interaction i cross join jsonb_array_elements_text(i.article_ids) a(article_id)
           join conversation c on c.id = i.conversation_id left join interaction_feedback f on f.interaction_id = i.id
          where i.tenant_id = $1 and i.created_at >= $2 and i.created_at < $3
          group by a.article_id order by uses desc, a.article_id limit 20)
       select top.*, ka.question, ka.topic, ka.source from top
         left join knowledge_article ka on ka.id::text = top.article_id and ka.tenant_id = $1 order by uses desc, article_id`,
      scope,
    ),
    db.query<Row>(
      `with r as (
         select i.conversation_id, f.helpful, c.handed_off_at is not null as handed_off,
                case when ka.id is null then '(no article)' else coalesce(ka.topic, '(no topic)') end as topic
           from agent_interaction i join conversation c on c.id = i.conversation_id
           left join interaction_feedback f on f.interaction_id = i.id
           left join knowledge_article ka on ka.id::text = i.article_ids->>0 and ka.tenant_id = $1
          where i.tenant_id = $1 and i.created_at >= $2 and i.created_at < $3)
       select topic, count(*) as replies, count(*) filter (where helpful = false) as down,
              count(distinct conversation_id) as conversations, count(distinct conversation_id) filter (where handed_off) as handed_off,
              (array_agg(distinct conversation_id::text) filter (where helpful = false or handed_off))[1:3] as examples
         from r group by topic
        order by count(distinct conversation_id) filter (where handed_off) + count(*) filter (where helpful = false) desc, topic limit 10`,
      scope,
    ),
  ]);
  const f = feedback.rows[0];
  const d = decided.rows[0];
  const e = effect.rows[0];
  const approved = num(d, 'approved');
  const figures = put(
    {},
    'totals',
    {
      botReplies: num(f, 'replies'),
      feedbackCollectionRate: ratio(num(f, 'votes'), num(f, 'replies')),
      commentedFeedbackShare: ratio(num(f, 'commented'), num(f, 'votes')),
      downvotesCorrectedRate: ratio(num(f, 'down_corrected'), num(f, 'down')),
      correctionsWritten: num(written.rows[0], 'written'),
      correctionsApproved: approved,
      correctionsRejected: num(d, 'rejected'),
      correctionApprovalRate: ratio(approved, approved + num(d, 'rejected')),
      averageHoursToApproval: numOrNull(d, 'average_h'),
      medianHoursToApproval: numOrNull(d, 'median_h'),
      correctionsInEffect: num(e, 'in_effect'),
      averageHoursToEffect: numOrNull(e, 'average_h'),
      medianHoursToEffect: numOrNull(e, 'median_h'),
      articlesFromCorrections: num(written.rows[0], 'articles'),
      learningVelocityPerWeek: approved / ((range.to.getTime() - range.from.getTime()) / (7 * 86_400_000)),
    },
    LEARNING_FIELDS,
  );
  for (const row of weeks.rows)
    put(
      figures,
      `weeks.${iso(row.week)}`,
      { written: num(row, 'written'), approved: num(row, 'approved'), rejected: num(row, 'rejected') },
      WEEK_FIELDS,
    );
  articles.rows.forEach((row, index) => {
    const score = numOrNull(row, 'score');
    put(
      figures,
      `articles.${index}.${String(row.article_id)}`,
      {
        question: row.question ?? null,
        topic: row.topic ?? null,
        source: row.source ?? null,
        uses: num(row, 'uses'),
        conversations: num(row, 'conversations'),
        votes: num(row, 'votes'),
        positiveFeedbackRate: ratio(num(row, 'up'), num(row, 'votes')),
        qualityScore: score === null ? null : 1 + 4 * score,
        handoffRate: ratio(num(row, 'handed_off'), num(row, 'conversations')),
      },
      ARTICLE_FIELDS,
    );
  });
  gaps.rows.forEach((row, index) =>
    put(
      figures,
      `gaps.${index}.${String(row.topic)}`,
      {
        replies: num(row, 'replies'),
        downvotes: num(row, 'down'),
        handedOffConversations: num(row, 'handed_off'),
        conversations: num(row, 'conversations'),
        handoffRate: ratio(num(row, 'handed_off'), num(row, 'conversations')),
        downvoteRate: ratio(num(row, 'down'), num(row, 'replies')),
        examples: ((row.examples as string[] | null) ?? []).join(','),
      },
      GAP_FIELDS,
    ),
  );
  return figures;
}

export function learningServiceFigures(result: {
  totals: object;
  weeks: { weekStart: Date; written: number; approved: number; rejected: number }[];
  articles: ({ articleId: string } & object)[];
  gaps: { topic: string; exampleConversationIds: string[] }[];
}): Figures {
  const figures = put({}, 'totals', result.totals, LEARNING_FIELDS);
  for (const week of result.weeks) put(figures, `weeks.${week.weekStart.toISOString()}`, week, WEEK_FIELDS);
  result.articles.forEach((article, index) =>
    put(figures, `articles.${index}.${article.articleId}`, article, ARTICLE_FIELDS),
  );
  result.gaps.forEach((gap, index) =>
    put(figures, `gaps.${index}.${gap.topic}`, { ...gap, examples: gap.exampleConversationIds.join(',') }, GAP_FIELDS),
  );
  return figures;
}
