import type { EntityManager } from '@mikro-orm/postgresql';
import { bucketSql, checkRange, type TimeBucketName, type TimeRange } from './time-range';

/** Feedback figures over a set of bot replies. Rates are in [0, 1]; null when their denominator is 0. */
export interface FeedbackFigures {
  /** Bot replies (agent interactions) in the range: the denominator of the per-reply rates. */
  botReplies: number;
  /** Replies with an explicit vote. */
  totalFeedback: number;
  helpfulCount: number;
  notHelpfulCount: number;
  /** helpful / votes */
  helpfulRate: number | null;
  /** not helpful / votes */
  notHelpfulRate: number | null;
  averageImplicitSatisfaction: number | null;
  feedbackWithComments: number;
  /** Replies after which the customer wrote again / bot replies. */
  continuationRate: number | null;
  actionCompletionRate: number | null;
  handoffRequestRate: number | null;
  /** Votes per bot reply. */
  feedbackCollectionRate: number | null;
}

export interface FeedbackSeriesPoint extends FeedbackFigures {
  /** Start of the bucket (UTC). */
  bucketStart: Date;
}

export interface FeedbackAnalytics {
  totals: FeedbackFigures;
  series: FeedbackSeriesPoint[];
}

interface FiguresRow {
  bucket: Date;
  bot_replies: string;
  votes: string;
  helpful: string;
  not_helpful: string;
  with_comment: string;
  continued: string;
  completed: string;
  handoff: string;
  satisfaction_sum: number | null;
  satisfaction_count: string;
}

/**
 * One grouped scan per request; the totals are the sums of the buckets. Every
 * access is index-only (Migration20261124120000AnalyticsCoveringIndexes): the
 * tenant's interactions in the range from (tenant_id, created_at) including
 * id, their feedback by interaction_id including the signal columns, and
 * commented votes from a partial index. Exported so the benchmark times
 * exactly this statement against the same statement through GraphQL.
 */
export function feedbackSeriesSql(bucket: TimeBucketName): string {
  return `select date_trunc('${bucketSql(bucket)}', i.created_at at time zone 'UTC') at time zone 'UTC' as bucket,
  count(*) as bot_replies,
  count(f.helpful) as votes,
  count(*) filter (where f.helpful) as helpful,
  count(*) filter (where f.helpful = false) as not_helpful,
  count(c.interaction_id) as with_comment,
  count(*) filter (where f.continued_conversation) as continued,
  count(*) filter (where f.completed_action) as completed,
  count(*) filter (where f.requested_handoff) as handoff,
  sum(f.implicit_satisfaction) as satisfaction_sum,
  count(f.implicit_satisfaction) as satisfaction_count
  from agent_interaction i
  left join interaction_feedback f on f.interaction_id = i.id and f.tenant_id = i.tenant_id
  left join interaction_feedback c on c.interaction_id = i.id and c.tenant_id = i.tenant_id and c.comment is not null and c.helpful is not null
  where i.tenant_id = ? and i.created_at >= ? and i.created_at < ?
  group by 1 order by 1`;
}

interface Counts {
  replies: number;
  votes: number;
  helpful: number;
  notHelpful: number;
  withComment: number;
  continued: number;
  completed: number;
  handoff: number;
  satisfactionSum: number;
  satisfactionCount: number;
}

/** Totals and a DAY/WEEK/MONTH series of the tenant's feedback, computed in SQL. */
export async function feedbackAnalytics(
  em: EntityManager,
  input: { tenantId: string; range: TimeRange; groupBy: TimeBucketName },
): Promise<FeedbackAnalytics> {
  const range = checkRange(input.range);
  const rows = await em
    .getConnection()
    .execute<FiguresRow[]>(feedbackSeriesSql(input.groupBy), [input.tenantId, range.from, range.to]);
  const series = rows.map((row) => ({ bucketStart: new Date(row.bucket), counts: countsOf(row) }));
  const totals = series.reduce<Counts>(
    (sum, point) => {
      for (const key of Object.keys(sum) as (keyof Counts)[]) sum[key] += point.counts[key];
      return sum;
    },
    {
      replies: 0,
      votes: 0,
      helpful: 0,
      notHelpful: 0,
      withComment: 0,
      continued: 0,
      completed: 0,
      handoff: 0,
      satisfactionSum: 0,
      satisfactionCount: 0,
    },
  );
  return {
    totals: toFigures(totals),
    series: series.map((point) => ({ bucketStart: point.bucketStart, ...toFigures(point.counts) })),
  };
}

function countsOf(row: FiguresRow): Counts {
  return {
    replies: Number(row.bot_replies),
    votes: Number(row.votes),
    helpful: Number(row.helpful),
    notHelpful: Number(row.not_helpful),
    withComment: Number(row.with_comment),
    continued: Number(row.continued),
    completed: Number(row.completed),
    handoff: Number(row.handoff),
    satisfactionSum: Number(row.satisfaction_sum ?? 0),
    satisfactionCount: Number(row.satisfaction_count),
  };
}

function toFigures(counts: Counts): FeedbackFigures {
  const ratio = (count: number, total: number) => (total > 0 ? count / total : null);
  return {
    botReplies: counts.replies,
    totalFeedback: counts.votes,
    helpfulCount: counts.helpful,
    notHelpfulCount: counts.notHelpful,
    helpfulRate: ratio(counts.helpful, counts.votes),
    notHelpfulRate: ratio(counts.notHelpful, counts.votes),
    averageImplicitSatisfaction: ratio(counts.satisfactionSum, counts.satisfactionCount),
    feedbackWithComments: counts.withComment,
    continuationRate: ratio(counts.continued, counts.replies),
    actionCompletionRate: ratio(counts.completed, counts.replies),
    handoffRequestRate: ratio(counts.handoff, counts.replies),
    feedbackCollectionRate: ratio(counts.votes, counts.replies),
  };
}
