import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import {
  findConversation,
  listConversations,
  messagesByConversation,
} from '../../src/conversations/conversation-review';
import type { Conversation, Message } from '../../src/db/entities';
import { toConnection } from '../common/connection.types';
import { callerOf, type GraphqlContext } from '../common/context';
import type { ChannelEnum, ConversationStatusEnum, MessageAuthorEnum, MessageDirectionEnum } from '../common/enums';
import { toFeedback } from '../feedback/feedback.resolver';
import { ConversationFilterInput } from './conversations.input';
import { BotReplyType, ConversationConnection, ConversationType, MessageType } from './conversations.types';

// Enum casts below: the columns hold exactly the enums' string values.
export function toConversation(row: Conversation): ConversationType {
  return {
    id: row.id,
    channel: row.channel as ChannelEnum,
    status: row.status as ConversationStatusEnum,
    customerName: row.contact.displayName ?? null,
    contactId: row.contact.id,
    handoffReason: row.handoffReason,
    handedOffAt: row.handedOffAt,
    assignee: row.assignee,
    assignedAt: row.assignedAt,
    startedAt: row.startedAt,
    lastActivityAt: row.lastActivityAt,
    closedAt: row.closedAt,
    createdAt: row.createdAt,
  };
}

export function toMessage(row: Message): MessageType {
  return {
    id: row.id,
    direction: row.direction as MessageDirectionEnum,
    author: row.author as MessageAuthorEnum,
    text: row.text,
    deliveryStatus: row.deliveryStatus,
    deliveryError: row.direction === 'outbound' ? row.deliveryError : null,
    sendAttempts: row.failedAttempts?.length ?? 0,
    nextAttemptAt: row.deliveryStatus === 'pending' ? row.nextAttemptAt : null,
    createdAt: row.createdAt,
  };
}

@Resolver(() => ConversationType)
export class ConversationsResolver {
  @Authorized('analytics:view')
  @Query(() => ConversationConnection, {
    description: 'Conversations, newest first, for review. Scope: analytics:view.',
  })
  async conversations(
    @Ctx() context: GraphqlContext,
    @Arg('filter', () => ConversationFilterInput, { nullable: true, description: 'Filters; all optional.' })
    filter: ConversationFilterInput | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' })
    after: string | null,
  ) {
    const page = await listConversations(context.em, { tenantId: callerOf(context).tenantId, filter, first, after });
    return toConnection({ ...page, nodes: page.nodes.map(toConversation) });
  }

  @Authorized('analytics:view')
  @Query(() => ConversationType, {
    nullable: true,
    description: 'One conversation, or null when there is none with this id. Scope: analytics:view.',
  })
  async conversation(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Conversation id.' }) id: string,
  ): Promise<ConversationType | null> {
    const row = await findConversation(context.em, { tenantId: callerOf(context).tenantId, conversationId: id });
    return row ? toConversation(row) : null;
  }

  @FieldResolver(() => [MessageType], {
    description:
      'Messages, oldest first: the latest `last` (default and at most 200). To read further back, pass the id of the oldest message you have as `before`.',
  })
  async messages(
    @Root() conversation: ConversationType,
    @Ctx() context: GraphqlContext,
    @Arg('last', () => Int, { nullable: true, description: 'How many of the latest messages, 1–200 (default 200).' })
    last: number | null,
    @Arg('before', () => ID, {
      nullable: true,
      description: 'Only messages older than this message of the conversation (page backwards).',
    })
    before: string | null,
  ): Promise<MessageType[]> {
    // The default page goes through the batch loader (one query for a whole page of conversations); other pages ask directly.
    if ((last === null || last === undefined) && !before)
      return (await context.loaders.messagesOfConversation.load(conversation.id)).map(toMessage);
    const rows = await messagesByConversation(context.em, callerOf(context).tenantId, [conversation.id], {
      last,
      before,
    });
    return (rows.get(conversation.id) ?? []).map(toMessage);
  }
}

@Resolver(() => MessageType)
export class MessageResolver {
  @FieldResolver(() => BotReplyType, {
    nullable: true,
    description: 'For a bot reply: provider, model, cost (USD) and feedback. Null for other messages.',
  })
  async botReply(@Root() message: MessageType, @Ctx() context: GraphqlContext): Promise<BotReplyType | null> {
    if (message.author !== 'bot' || message.direction !== 'outbound') return null;
    const interaction = await context.loaders.interactionOfReply.load(message.id);
    if (!interaction) return null;
    const feedback = await context.loaders.feedbackOfInteraction.load(interaction.id);
    return {
      interactionId: interaction.id,
      provider: interaction.provider,
      model: interaction.model,
      costUsd: interaction.costUsd,
      latencyMs: interaction.latencyMs,
      totalTokens: interaction.totalTokens,
      complexityScore: interaction.complexityScore,
      routingReason: interaction.routingReason,
      failover: interaction.failover,
      cacheHit: interaction.cacheHit,
      feedback: feedback ? toFeedback(feedback) : null,
    };
  }
}
