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
  bucket?: Date;
  bot_replies: string;
  votes: string;
  helpful: string;
  not_helpful: string;
  with_comment: string;
  continued: string;
  completed: string;
  handoff: string;
  satisfaction: number | null;
}

/**
 * The aggregate both the totals and the series use; one scan of the tenant's
 * interactions in the range (index agent_interaction(tenant_id, created_at))
 * with their feedback row (unique index on interaction_id).
 */
const FIGURES = `count(*) as bot_replies,
  count(f.helpful) as votes,
  count(*) filter (where f.helpful) as helpful,
  count(*) filter (where f.helpful = false) as not_helpful,
  count(*) filter (where f.helpful is not null and f.comment is not null) as with_comment,
  count(*) filter (where f.continued_conversation) as continued,
  count(*) filter (where f.completed_action) as completed,
  count(*) filter (where f.requested_handoff) as handoff,
  avg(f.implicit_satisfaction) as satisfaction`;

const FROM = `from agent_interaction i left join interaction_feedback f on f.interaction_id = i.id
  where i.tenant_id = ? and i.created_at >= ? and i.created_at < ?`;

/** The SQL of the series, exported so the benchmark times exactly what the service runs. */
export function feedbackSeriesSql(bucket: TimeBucketName): string {
  return `select date_trunc('${bucketSql(bucket)}', i.created_at at time zone 'UTC') at time zone 'UTC' as bucket, ${FIGURES} ${FROM} group by 1 order by 1`;
}

export const feedbackTotalsSql = `select ${FIGURES} ${FROM}`;

/** Totals and a DAY/WEEK/MONTH series of the tenant's feedback, computed in SQL. */
export async function feedbackAnalytics(
  em: EntityManager,
  input: { tenantId: string; range: TimeRange; groupBy: TimeBucketName },
): Promise<FeedbackAnalytics> {
  const range = checkRange(input.range);
  const parameters = [input.tenantId, range.from, range.to];
  const connection = em.getConnection();
  const [totals, series] = await Promise.all([
    connection.execute<FiguresRow[]>(feedbackTotalsSql, parameters),
    connection.execute<FiguresRow[]>(feedbackSeriesSql(input.groupBy), parameters),
  ]);
  return {
    totals: toFigures(totals[0]!),
    series: series.map((row) => ({ bucketStart: new Date(row.bucket!), ...toFigures(row) })),
  };
}

function toFigures(row: FiguresRow): FeedbackFigures {
  const replies = Number(row.bot_replies);
  const votes = Number(row.votes);
  const helpful = Number(row.helpful);
  const notHelpful = Number(row.not_helpful);
  const ratio = (count: number, total: number) => (total > 0 ? count / total : null);
  return {
    botReplies: replies,
    totalFeedback: votes,
    helpfulCount: helpful,
    notHelpfulCount: notHelpful,
    helpfulRate: ratio(helpful, votes),
    notHelpfulRate: ratio(notHelpful, votes),
    averageImplicitSatisfaction: row.satisfaction === null ? null : Number(row.satisfaction),
    feedbackWithComments: Number(row.with_comment),
    continuationRate: ratio(Number(row.continued), replies),
    actionCompletionRate: ratio(Number(row.completed), replies),
    handoffRequestRate: ratio(Number(row.handoff), replies),
    feedbackCollectionRate: ratio(votes, replies),
  };
}
