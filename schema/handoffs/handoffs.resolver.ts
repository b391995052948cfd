import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { releaseConversation } from '../../src/engine/handoff-service';
import { CustomerChannelRegistry } from '../../src/engine/outbound';
import { handoffQueue, replyAsAgent, takeConversation } from '../../src/handoffs/handoff-desk';
import { findConversation } from '../../src/conversations/conversation-review';
import { callerOf, type GraphqlContext } from '../common/context';
import { toConversation, toMessage } from '../conversations/conversations.resolver';
import { AgentReplyPayload, HandoffQueueType, ReleaseConversationPayload } from './handoffs.types';

/** Conversations re-read with their contact, for the payloads. */
async function conversationView(context: GraphqlContext, tenantId: string, conversationId: string) {
  const row = await findConversation(context.em.fork(), { tenantId, conversationId });
  return toConversation(row!);
}

@Resolver()
export class HandoffsResolver {
  @Authorized('analytics:view')
  @Query(() => HandoffQueueType, {
    description: 'Conversations handed to a human, longest waiting first, on every channel. Scope: analytics:view.',
  })
  async handoffQueue(
    @Ctx() context: GraphqlContext,
    @Arg('first', () => Int, { nullable: true, description: 'How many, 1–100 (default 20).' }) first: number | null,
    @Arg('unassignedOnly', () => Boolean, { nullable: true, description: 'Only conversations nobody has taken yet.' })
    unassignedOnly: boolean | null,
  ): Promise<HandoffQueueType> {
    const queue = await handoffQueue(context.em, { tenantId: callerOf(context).tenantId, first, unassignedOnly });
    return {
      totalCount: queue.totalCount,
      nodes: queue.nodes.map((node) => ({
        conversation: toConversation(node.conversation),
        lastCustomerMessage: node.lastCustomerMessage ? toMessage(node.lastCustomerMessage) : null,
      })),
    };
  }

  @Authorized('corrections:write')
  @Mutation(() => ID, {
    description:
      'Takes a handed-off conversation: only the caller answers it from now on (CONFLICT when someone else has it, unless force). Returns its id. Audited. Scope: corrections:write.',
  })
  async takeConversation(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Conversation id.' }) id: string,
    @Arg('force', () => Boolean, { nullable: true, description: 'Take it over from whoever has it.' })
    force: boolean | null,
  ): Promise<string> {
    const caller = callerOf(context);
    const row = await takeConversation(context.em, {
      tenantId: caller.tenantId,
      conversationId: id,
      by: caller.actor,
      force: force ?? false,
    });
    return row.id;
  }

  @Authorized('corrections:write')
  @Mutation(() => AgentReplyPayload, {
    description:
      "Answers the customer of a handed-off conversation as a human agent, through the conversation's channel (taking it when nobody has it; CONFLICT when someone else has it or it is with the bot). Audited. Scope: corrections:write.",
  })
  async replyAsAgent(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Conversation id.' }) id: string,
    @Arg('text', () => String, { description: 'What the customer reads (plain text, up to 4,000 characters).' })
    text: string,
  ): Promise<AgentReplyPayload> {
    const caller = callerOf(context);
    const customers = context.services.customers ?? new CustomerChannelRegistry();
    const { receipt } = await replyAsAgent(context.em, customers, {
      tenantId: caller.tenantId,
      conversationId: id,
      text,
      by: caller.actor,
    });
    return {
      conversation: await conversationView(context, caller.tenantId, id),
      messageId: receipt.messageId,
      deliveryStatus: receipt.status,
      reason: receipt.reason,
    };
  }

  @Authorized('corrections:write')
  @Mutation(() => ReleaseConversationPayload, {
    description:
      'Gives a handed-off conversation back to the bot and tells the customer so. Idempotent. Audited. Scope: corrections:write.',
  })
  async releaseConversation(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Conversation id.' }) id: string,
  ): Promise<ReleaseConversationPayload> {
    const caller = callerOf(context);
    const customers = context.services.customers;
    const result = await releaseConversation(
      context.em,
      { tenantId: caller.tenantId, conversationId: id, by: caller.actor },
      {
        events: context.services.events,
        notify: customers
          ? {
              customers,
              onError: (error) =>
                context.services.logger.warn(
                  { err: error, conversationId: id },
                  'released, but the customer could not be told',
                ),
            }
          : undefined,
      },
    );
    return {
      conversation: await conversationView(context, caller.tenantId, id),
      released: result.released,
      noticeStatus: result.notice?.status ?? null,
    };
  }
}
