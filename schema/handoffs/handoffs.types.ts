import { Field, Int, ObjectType } from 'type-graphql';
import { ConversationType, MessageType } from '../conversations/conversations.types';

@ObjectType('QueuedHandoff', {
  simpleResolvers: true,
  description: 'A conversation waiting for (or being worked by) a human.',
})
export class QueuedHandoffType {
  @Field(() => ConversationType, { description: 'The handed-off conversation; `assignee` says who has it.' })
  conversation!: ConversationType;

  @Field(() => MessageType, {
    nullable: true,
    description: "The customer's latest message, or null when they have written nothing since.",
  })
  lastCustomerMessage!: MessageType | null;
}

@ObjectType('HandoffQueue', { simpleResolvers: true, description: 'Handed-off conversations, longest waiting first.' })
export class HandoffQueueType {
  @Field(() => [QueuedHandoffType], { description: 'The first conversations of the queue.' })
  nodes!: QueuedHandoffType[];

  @Field(() => Int, { description: 'How many conversations the whole queue holds (with the same filter).' })
  totalCount!: number;
}

@ObjectType('AgentReplyPayload', {
  simpleResolvers: true,
  description: 'An agent reply and what happened to its delivery.',
})
export class AgentReplyPayload {
  @Field(() => ConversationType, { description: 'The conversation, now assigned to the caller.' })
  conversation!: ConversationType;

  @Field(() => String, { description: 'The stored outbound message id.' })
  messageId!: string;

  @Field(() => String, {
    description:
      "Delivery state: queued or sent when the platform accepted it; not_sent when a platform rule forbids it (reason says which, e.g. WhatsApp's 24-hour window); failed.",
  })
  deliveryStatus!: string;

  @Field(() => String, { nullable: true, description: 'Why it was not sent or failed.' })
  reason!: string | null;
}

@ObjectType('ReleaseConversationPayload', {
  simpleResolvers: true,
  description: 'A conversation given back to the bot.',
})
export class ReleaseConversationPayload {
  @Field(() => ConversationType, { description: 'The conversation, now with the bot.' })
  conversation!: ConversationType;

  @Field(() => Boolean, { description: 'False when it was already with the bot (nothing changed).' })
  released!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'Delivery state of the "you are back with the bot" notice, or null when none was sent (channel not running here, or nothing released).',
  })
  noticeStatus!: string | null;
}
