import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { connectionOf } from '../common/connection.types';
import { ChannelEnum, ConversationStatusEnum, MessageAuthorEnum, MessageDirectionEnum } from '../common/enums';
import { FeedbackType } from '../feedback/feedback.types';

@ObjectType('BotReply', {
  simpleResolvers: true,
  description: 'How a bot reply was produced, what it cost (USD) and how it landed.',
})
export class BotReplyType {
  @Field(() => ID, { description: 'The bot turn (AgentInteraction) id; use it to create a correction.' })
  interactionId!: string;

  @Field(() => String, { description: 'Provider that answered.' })
  provider!: string;

  @Field(() => String, { description: 'Model that answered.' })
  model!: string;

  @Field(() => Float, { description: 'Cost of the turn in USD, failed attempts included.' })
  costUsd!: number;

  @Field(() => Int, { description: 'Latency of the turn, ms.' })
  latencyMs!: number;

  @Field(() => Int, { description: 'Tokens of the turn.' })
  totalTokens!: number;

  @Field(() => Float, { description: 'Complexity score in [0, 1].' })
  complexityScore!: number;

  @Field(() => String, { description: 'Why the router chose the model.' })
  routingReason!: string;

  @Field(() => Boolean, { description: 'A failover happened.' })
  failover!: boolean;

  @Field(() => Boolean, { description: 'Served from the response cache.' })
  cacheHit!: boolean;

  @Field(() => FeedbackType, { nullable: true, description: 'Feedback on this reply, if any.' })
  feedback!: FeedbackType | null;
}

@ObjectType('ConversationMessage', { simpleResolvers: true, description: 'One message of a conversation.' })
export class MessageType {
  @Field(() => ID, { description: 'Message id.' })
  id!: string;

  @Field(() => MessageDirectionEnum, { description: 'INBOUND from the customer, OUTBOUND to them.' })
  direction!: MessageDirectionEnum;

  @Field(() => MessageAuthorEnum, { description: 'Who wrote it.' })
  author!: MessageAuthorEnum;

  @Field(() => String, { description: 'Text of the message.' })
  text!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Delivery state of an outbound message (sent, delivered, read, failed, ...).',
  })
  deliveryStatus!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Outbound: why it is not delivered (yet): the last send error while retries go on (deliveryStatus pending), or why it was given up (failed, not_sent, undelivered).',
  })
  deliveryError!: string | null;

  @Field(() => Int, { description: 'Outbound: failed attempts to hand it to the platform so far (0 for inbound).' })
  sendAttempts!: number;

  @Field(() => Date, {
    nullable: true,
    description: 'Outbound, pending: when the next send attempt is scheduled (after a failure), if one is.',
  })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { description: 'When it was stored.' })
  createdAt!: Date;
}

@ObjectType('Conversation', { simpleResolvers: true, description: 'A conversation with one customer on one channel.' })
export class ConversationType {
  @Field(() => ID, { description: 'Conversation id.' })
  id!: string;

  @Field(() => ChannelEnum, { description: 'The channel.' })
  channel!: ChannelEnum;

  @Field(() => ConversationStatusEnum, { description: 'Who answers now.' })
  status!: ConversationStatusEnum;

  @Field(() => String, { nullable: true, description: 'Customer display name from the channel, if known.' })
  customerName!: string | null;

  @Field(() => ID, { description: 'Contact id of the customer.' })
  contactId!: string;

  @Field(() => String, { nullable: true, description: 'Why it was handed to a human.' })
  handoffReason!: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was handed to a human.' })
  handedOffAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Who has taken the handed-off conversation (apikey:<id>, slack:<user>); null while it waits.',
  })
  assignee!: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was taken.' })
  assignedAt!: Date | null;

  @Field(() => Date, { description: 'First message.' })
  startedAt!: Date;

  @Field(() => Date, { description: 'Last activity.' })
  lastActivityAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was closed.' })
  closedAt!: Date | null;

  @Field(() => Date, { description: 'When the row was created.' })
  createdAt!: Date;
}

export const ConversationConnection = connectionOf(ConversationType, 'Conversation', 'A page of conversations.');
