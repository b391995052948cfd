import { Enum, Entity, Index, ManyToOne, OptionalProps, Property, Unique } from '@mikro-orm/core';
import type { ChannelName } from './contact.entity';
import { Conversation } from './conversation.entity';
import { TenantScoped } from './tenant-scoped';

export const MESSAGE_DIRECTIONS = ['inbound', 'outbound'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];
export const MESSAGE_AUTHORS = ['customer', 'bot', 'agent', 'system'] as const;
export type MessageAuthor = (typeof MESSAGE_AUTHORS)[number];
export type MessageKind = 'text' | 'button' | 'media' | 'location' | 'other';
/**
 * Inbound: received → processing → processed (or failed). Outbound: pending →
 * queued → sent → delivered → read (or failed / undelivered / not_sent).
 */
export type DeliveryStatus =
  | 'received'
  | 'processing'
  | 'processed'
  | 'pending'
  | 'queued'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'failed'
  | 'undelivered'
  | 'not_sent';

/** How an outbound reply asked for 👍/👎: a Content template with buttons, a line of text, or not at all. */
export type FeedbackPromptStyle = 'template' | 'text' | 'none';

/** One failed attempt to hand an outbound message to the platform (retried or not). */
export interface SendAttemptFailure {
  at: string;
  reason: string;
}

/** One delivery status callback as the platform sent it, in arrival order (they may arrive out of order). */
export interface DeliveryEvent {
  /** The platform's id of the part the callback is about. */
  sid: string;
  status: string;
  errorCode: string | null;
  at: string;
}

/** One message in or out. `channelMessageId` is unique per channel, so a redelivered webhook is recognised. */
@Entity({ tableName: 'message' })
// Inbound messages still to be answered: the inbox recovery scan after a restart.
@Index({
  name: 'message_unprocessed_inbound_index',
  expression: `create index "message_unprocessed_inbound_index" on "message" ("created_at") where "direction" = 'inbound' and "processed_at" is null`,
})
// Claims still being worked on: the engine's expired-lease recovery scan.
@Index({
  name: 'message_processing_started_at_index',
  expression: `create index "message_processing_started_at_index" on "message" ("processing_started_at") where "delivery_status" = 'processing'`,
})
// Replies waiting to go out (now or at a scheduled retry): the recovery scan.
@Index({
  name: 'message_pending_outbound_index',
  expression: `create index "message_pending_outbound_index" on "message" ("created_at") where "direction" = 'outbound' and "delivery_status" = 'pending'`,
})
@Unique({ properties: ['channel', 'channelMessageId'] })
@Index({ properties: ['conversation', 'createdAt'] })
@Index({ properties: ['tenant', 'createdAt'] })
export class Message extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'kind'
    | 'channelMessageId'
    | 'deliveryStatus'
    | 'deliveryError'
    | 'processedAt'
    | 'processingStartedAt'
    | 'payload'
    | 'author'
    | 'sendClaimedAt'
    | 'sentPartIds'
    | 'failedAttempts'
    | 'statusHistory'
    | 'feedbackPrompt'
    | 'claimedBy'
    | 'nextAttemptAt';

  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation!: Conversation;

  @Property({ type: 'string' })
  channel!: ChannelName;

  @Enum({ items: ['inbound', 'outbound'] })
  direction!: MessageDirection;

  @Property({ type: 'string' })
  author: MessageAuthor = 'customer';

  @Property({ type: 'string' })
  kind: MessageKind = 'text';

  @Property({ type: 'text' })
  text!: string;

  @Property({ type: 'string', nullable: true })
  channelMessageId: string | null = null;

  @Property({ type: 'string', nullable: true })
  deliveryStatus: DeliveryStatus | null = null;

  @Property({ type: 'text', nullable: true })
  deliveryError: string | null = null;

  /** For inbound messages: when the turn was answered. Null means still to be processed. */
  @Property({ type: 'datetime', nullable: true })
  processedAt: Date | null = null;

  /** For inbound messages being answered: when the engine claimed it (a claim older than the lease is taken back). */
  @Property({ type: 'datetime', nullable: true })
  processingStartedAt: Date | null = null;

  /** The channel's raw fields worth keeping (media URLs, button payloads). */
  @Property({ type: 'json', nullable: true })
  payload: Record<string, unknown> | null = null;

  /** Outbound: when a sender took the message to send it. A claim older than the lease belongs to a process that died mid-send. */
  @Property({ type: 'datetime', nullable: true })
  sendClaimedAt: Date | null = null;

  /** Outbound: the platform's ids of the parts already accepted, in order (a resumed send skips them; the last is `channelMessageId`). */
  @Property({ type: 'json', nullable: true })
  sentPartIds: string[] | null = null;

  /** Outbound: every failed attempt to hand the message to the platform. */
  @Property({ type: 'json', nullable: true })
  failedAttempts: SendAttemptFailure[] | null = null;

  /** Outbound: the platform's status callbacks, in arrival order. */
  @Property({ type: 'json', nullable: true })
  statusHistory: DeliveryEvent[] | null = null;

  /** The service instance holding this message's claim (answering it, or sending it); see ServiceInstance. */
  @Property({ type: 'uuid', nullable: true })
  claimedBy: string | null = null;

  /** Outbound, pending: not sent before this time (a retry after a platform outage is scheduled here, not slept on). */
  @Property({ type: 'datetime', nullable: true })
  nextAttemptAt: Date | null = null;

  /** Outbound bot replies: how the customer was asked for feedback. */
  @Property({ type: 'string', nullable: true })
  feedbackPrompt: FeedbackPromptStyle | null = null;
}
