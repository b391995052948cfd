import type { EntityManager } from '@mikro-orm/postgresql';
import { checkRange, type TimeRange } from './time-range';

/** Feedback-loop figures of a range (formulas in docs/metrics.md and the schema). */
export interface LearningFigures {
  botReplies: number;
  feedbackCollectionRate: number | null;
  commentedFeedbackShare: number | null;
  downvotesCorrectedRate: number | null;
  correctionsWritten: number;
  correctionsApproved: number;
  correctionsRejected: number;
  correctionApprovalRate: number | null;
  averageHoursToApproval: number | null;
  medianHoursToApproval: number | null;
  correctionsInEffect: number;
  averageHoursToEffect: number | null;
  medianHoursToEffect: number | null;
  articlesFromCorrections: number;
  learningVelocityPerWeek: number;
}

export interface CorrectionWeek {
  weekStart: Date;
  written: number;
  approved: number;
  rejected: number;
}

export interface ArticlePerformance {
  articleId: string;
  question: string | null;
  topic: string | null;
  source: string | null;
  uses: number;
  conversations: number;
  votes: number;
  positiveFeedbackRate: number | null;
  qualityScore: number | null;
  handoffRate: number | null;
}

export interface TopicGap {
  topic: string;
  replies: number;
  downvotes: number;
  handedOffConversations: number;
  conversations: number;
  handoffRate: number | null;
  downvoteRate: number | null;
  /** Up to three conversations of the topic with a 👎 or a handoff, to read before teaching. */
  exampleConversationIds: string[];
}

export interface LearningAnalytics {
  totals: LearningFigures;
  weeks: CorrectionWeek[];
  articles: ArticlePerformance[];
  gaps: TopicGap[];
}

/** Replies of the range with feedback, comments and 👎 later corrected. */
export const learningFeedbackSql = `select count(*)::int as replies, count(f.helpful)::int as votes,
       count(*) filter (where f.helpful is not null and f.comment is not null)::int as commented,
       count(*) filter (where f.helpful = false)::int as down,
       count(*) filter (where f.helpful = false and i.id in (
         select h.interaction_id from human_correction h where h.tenant_id = ? and h.interaction_id is not null))::int as down_corrected
  from agent_interaction i left join interaction_feedback f on f.interaction_id = i.id
 where i.tenant_id = ? and i.created_at >= ? and i.created_at < ?`;

/**
 * Corrections written and decided in the range, the time to approval, and the time from approval to the first reply using its article.
 * `uses` is materialized: inlined, the planner (which cannot estimate the approved share of `decided`) re-ran it once per
 * approved correction, 2 s instead of 0.15 s for a tenant with 50 approvals in bench:analytics.
 */
export const learningCorrectionSql = `with decided as (
    select h.id, h.status, h.created_at, h.decided_at from human_correction h
     where h.tenant_id = ? and h.decided_at >= ? and h.decided_at < ?),
  correction_articles as (
    select ka.id::text as article_id, d.id, d.decided_at from decided d join knowledge_article ka on ka.correction_id = d.id
     where d.status = 'approved'),
  uses as materialized (
    select ca.id, min(i.created_at) as first_use
      from agent_interaction i cross join lateral jsonb_array_elements_text(i.article_ids) a(article_id)
      join correction_articles ca on ca.article_id = a.article_id
     where i.tenant_id = ? and i.created_at >= ? and i.created_at >= ca.decided_at
     group by ca.id),
  effect as (
    select d.id, d.decided_at, u.first_use from decided d left join uses u on u.id = d.id where d.status = 'approved')
  select (select count(*) from human_correction h where h.tenant_id = ? and h.created_at >= ? and h.created_at < ?)::int as written,
         (select count(*) from decided where status = 'approved')::int as approved,
         (select count(*) from decided where status = 'rejected')::int as rejected,
         (select avg(extract(epoch from decided_at - created_at)) / 3600 from decided where status = 'approved')::float8 as avg_approval_h,
         (select percentile_cont(0.5) within group (order by extract(epoch from decided_at - created_at)) / 3600 from decided where status = 'approved')::float8 as median_approval_h,
         (select count(first_use) from effect)::int as in_effect,
         (select avg(extract(epoch from first_use - decided_at)) / 3600 from effect)::float8 as avg_effect_h,
         (select percentile_cont(0.5) within group (order by extract(epoch from first_use - decided_at)) / 3600 from effect where first_use is not null)::float8 as median_effect_h,
         (select count(*) from knowledge_article ka where ka.tenant_id = ? and ka.source = 'correction' and ka.created_at >= ? and ka.created_at < ?)::int as articles`;

/** Corrections per UTC week: written (by creation), approved and rejected (by decision). */
export const correctionWeeksSql = `select week, sum(written)::int as written, sum(approved)::int as approved, sum(rejected)::int as rejected from (
    select date_trunc('week', h.created_at at time zone 'UTC') at time zone 'UTC' as week, 1 as written, 0 as approved, 0 as rejected
      from human_correction h where h.tenant_id = ? and h.created_at >= ? and h.created_at < ?
    union all
    select date_trunc('week', h.decided_at at time zone 'UTC') at time zone 'UTC', 0, (h.status = 'approved')::int, (h.status = 'rejected')::int
      from human_correction h where h.tenant_id = ? and h.decided_at >= ? and h.decided_at < ?
  ) w group by week order by week`;

/** Each article the replies of the range used (any position), with how those replies did; most used first. */
export const articlePerformanceSql = `with used as (
    select a.article_id, i.id, i.conversation_id, f.helpful,
           coalesce(case when f.helpful then 1.0 when not f.helpful then 0.0 end, f.implicit_satisfaction) as score
      from agent_interaction i cross join lateral jsonb_array_elements_text(i.article_ids) a(article_id)
      left join interaction_feedback f on f.interaction_id = i.id
     where i.tenant_id = ? and i.created_at >= ? and i.created_at < ?)
  select u.article_id, ka.question, ka.topic, ka.source, count(*)::int as uses,
         count(distinct u.conversation_id)::int as conversations,
         count(distinct u.conversation_id) filter (where c.handed_off_at is not null)::int as handed_off,
         count(u.helpful)::int as votes, count(*) filter (where u.helpful)::int as up, avg(u.score)::float8 as score
    from used u join conversation c on c.id = u.conversation_id
    left join knowledge_article ka on ka.id::text = u.article_id and ka.tenant_id = ?
   group by u.article_id, ka.question, ka.topic, ka.source
   order by uses desc, u.article_id limit ?`;

/** Per topic of the replies (their first article's topic; '(no article)' without one): 👎 and handoffs; worst first. */
export const topicGapSql = `with replies as (
    select i.conversation_id, f.helpful, coalesce(ka.topic, case when ka.id is null then '(no article)' else '(no topic)' end) as topic
      from agent_interaction i left join interaction_feedback f on f.interaction_id = i.id
      left join knowledge_article ka on ka.id::text = i.article_ids->>0 and ka.tenant_id = i.tenant_id
     where i.tenant_id = ? and i.created_at >= ? and i.created_at < ?)
  select r.topic, count(*)::int as replies, count(*) filter (where r.helpful = false)::int as down,
         count(distinct r.conversation_id)::int as conversations,
         count(distinct r.conversation_id) filter (where c.handed_off_at is not null)::int as handed_off,
         (array_agg(distinct r.conversation_id::text) filter (where r.helpful = false or c.handed_off_at is not null))[1:3] as examples
    from replies r join conversation c on c.id = r.conversation_id
   group by r.topic
   order by count(distinct r.conversation_id) filter (where c.handed_off_at is not null) + count(*) filter (where r.helpful = false) desc, r.topic
   limit ?`;

type Row = Record<string, string | number | Date | null>;
const n = (row: Row | undefined, key: string) => Number(row?.[key] ?? 0);
const orNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const ratio = (numerator: number, denominator: number) => (denominator ? numerator / denominator : null);

/** The feedback loop of a tenant over `range`: collection, corrections, their approval and effect, articles, gaps. */
export async function learningAnalytics(
  em: EntityManager,
  input: { tenantId: string; range: TimeRange; articleLimit?: number; gapLimit?: number },
): Promise<LearningAnalytics> {
  const { from, to } = checkRange(input.range);
  const t = input.tenantId;
  const connection = em.getConnection();
  const [[feedback], [corrections], weeks, articles, gaps] = await Promise.all([
    connection.execute<Row[]>(learningFeedbackSql, [t, t, from, to]),
    connection.execute<Row[]>(learningCorrectionSql, [t, from, to, t, from, t, from, to, t, from, to]),
    connection.execute<Row[]>(correctionWeeksSql, [t, from, to, t, from, to]),
    connection.execute<Row[]>(articlePerformanceSql, [t, from, to, t, input.articleLimit ?? 20]),
    connection.execute<Row[]>(topicGapSql, [t, from, to, input.gapLimit ?? 10]),
  ]);
  const approved = n(corrections, 'approved');
  const rejected = n(corrections, 'rejected');
  const weeksInRange = (to.getTime() - from.getTime()) / (7 * 86_400_000);
  return {
    totals: {
      botReplies: n(feedback, 'replies'),
      feedbackCollectionRate: ratio(n(feedback, 'votes'), n(feedback, 'replies')),
      commentedFeedbackShare: ratio(n(feedback, 'commented'), n(feedback, 'votes')),
      downvotesCorrectedRate: ratio(n(feedback, 'down_corrected'), n(feedback, 'down')),
      correctionsWritten: n(corrections, 'written'),
      correctionsApproved: approved,
      correctionsRejected: rejected,
      correctionApprovalRate: ratio(approved, approved + rejected),
      averageHoursToApproval: orNull(corrections?.avg_approval_h),
      medianHoursToApproval: orNull(corrections?.median_approval_h),
      correctionsInEffect: n(corrections, 'in_effect'),
      averageHoursToEffect: orNull(corrections?.avg_effect_h),
      medianHoursToEffect: orNull(corrections?.median_effect_h),
      articlesFromCorrections: n(corrections, 'articles'),
      learningVelocityPerWeek: approved / weeksInRange,
    },
    weeks: weeks.map((row) => ({
      weekStart: new Date(row.week as Date),
      written: n(row, 'written'),
      approved: n(row, 'approved'),
      rejected: n(row, 'rejected'),
    })),
    articles: articles.map((row) => ({
      articleId: String(row.article_id),
      question: (row.question as string | null) ?? null,
      topic: (row.topic as string | null) ?? null,
      source: (row.source as string | null) ?? null,
      uses: n(row, 'uses'),
      conversations: n(row, 'conversations'),
      votes: n(row, 'votes'),
      positiveFeedbackRate: ratio(n(row, 'up'), n(row, 'votes')),
      qualityScore: row.score === null ? null : 1 + 4 * Number(row.score),
      handoffRate: ratio(n(row, 'handed_off'), n(row, 'conversations')),
    })),
    gaps: gaps.map((row) => ({
      topic: String(row.topic),
      replies: n(row, 'replies'),
      downvotes: n(row, 'down'),
      handedOffConversations: n(row, 'handed_off'),
      conversations: n(row, 'conversations'),
      handoffRate: ratio(n(row, 'handed_off'), n(row, 'conversations')),
      downvoteRate: ratio(n(row, 'down'), n(row, 'replies')),
      exampleConversationIds: (row.examples as unknown as string[] | null) ?? [],
    })),
  };
}
