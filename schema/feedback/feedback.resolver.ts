import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { listFeedback } from '../../src/analytics/feedback-listing';
import type { InteractionFeedback } from '../../src/db/entities';
import { submitPublicFeedback } from '../../src/feedback/public-feedback';
import { toConnection } from '../common/connection.types';
import { callerOf, type GraphqlContext } from '../common/context';
import type { FeedbackSourceEnum } from '../common/enums';
import { FeedbackFilterInput } from './feedback.input';
import { FeedbackConnection, FeedbackReceipt, FeedbackType } from './feedback.types';

export function toFeedback(row: InteractionFeedback): FeedbackType {
  return {
    id: row.id,
    interactionId: row.interaction.id,
    helpful: row.helpful,
    comment: row.comment,
    // The column holds exactly the enum's values (both come from FeedbackSource).
    source: row.source as FeedbackSourceEnum | null,
    votedAt: row.votedAt,
    voteCount: row.history.length,
    continuedConversation: row.continuedConversation,
    completedAction: row.completedAction,
    requestedHandoff: row.requestedHandoff,
    responseTimeMs: row.responseTimeMs,
    implicitSatisfaction: row.implicitSatisfaction,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

@Resolver()
export class FeedbackResolver {
  @Authorized('analytics:view')
  @Query(() => FeedbackConnection, {
    description: 'Feedback on bot replies, newest first, as a Relay connection. Scope: analytics:view.',
  })
  async feedback(
    @Ctx() context: GraphqlContext,
    @Arg('filter', () => FeedbackFilterInput, { nullable: true, description: 'Filters; all optional.' })
    filter: FeedbackFilterInput | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' })
    after: string | null,
  ) {
    const page = await listFeedback(context.em, { tenantId: callerOf(context).tenantId, filter, first, after });
    return toConnection({ ...page, nodes: page.nodes.map(toFeedback) });
  }

  @Mutation(() => FeedbackReceipt, {
    description:
      "Public: records a 👍/👎 on one bot reply, addressed by the reply's unguessable feedback token (no API key needed). " +
      'Rate-limited per client address and per token (RATE_LIMITED with extensions.retryAfterSeconds). A token works for FEEDBACK_TOKEN_TTL_DAYS after the reply (NOT_FOUND after). ' +
      'Voting again replaces the vote; the newest 20 votes are kept as history.',
  })
  async submitFeedback(
    @Ctx() context: GraphqlContext,
    @Arg('token', () => String, { description: 'The feedback token sent with the reply.' }) token: string,
    @Arg('helpful', () => Boolean, { description: 'true 👍, false 👎.' }) helpful: boolean,
    @Arg('comment', () => String, { nullable: true, description: 'Optional comment (at most 2,000 characters kept).' })
    comment: string | null,
  ): Promise<FeedbackReceipt> {
    const recorded = await submitPublicFeedback(
      context.services.orm.em.fork(),
      context.services.feedbackRateLimiter,
      { token, helpful, comment, ip: context.ip },
      { events: context.services.events, tokenTtlDays: context.services.feedbackTokenTtlDays },
    );
    return {
      helpful: recorded.helpful ?? helpful,
      comment: recorded.comment,
      recordedAt: recorded.votedAt ?? new Date(),
    };
  }
}
