import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChannelName, MessageKind } from '../db/entities';
import type { SendClaim } from '../conversations/delivery-store';

/**
 * The seam between channels and the engine. A channel maps its platform's
 * payload to an InboundMessage, stores it with `receive` (durable, idempotent
 * on channelMessageId) and asks for the turn with `processMessage`, or does
 * both at once with `handleTurn`.
 */
export interface InboundMessage {
  tenantId: string;
  channel: ChannelName;
  /** The customer's id on the channel (a WhatsApp number or business-scoped id). */
  externalId: string;
  displayName?: string | null;
  text: string;
  kind?: MessageKind;
  /** The platform's message id; a second delivery of the same id is recognised. */
  channelMessageId?: string | null;
  /** Raw fields worth keeping (media URLs, button payloads). */
  payload?: Record<string, unknown> | null;
  receivedAt?: Date;
}

export interface ReceiveResult {
  messageId: string;
  conversationId: string;
  contactId: string;
  /** The platform delivered this message before; nothing new was stored. */
  duplicate: boolean;
}

export type TurnStatus =
  /** The bot answered; `reply` holds the stored outbound message to deliver. */
  | 'replied'
  /** The customer asked for a human (or the bot could not answer): `reply` tells them a person will answer. */
  | 'handed_off'
  /** The conversation is with a human: no bot reply. */
  | 'with_human'
  /** Another worker already processed (or is processing) this message. */
  | 'already_processed'
  /**
   * Only with `ifBlocked: 'defer'`: an earlier message of the conversation is being answered (here or on another
   * instance); this one stays stored and is answered after it (see ProcessOptions.ifBlocked).
   */
  | 'waiting';

export interface TurnResult {
  status: TurnStatus;
  conversationId: string;
  inboundMessageId: string;
  interactionId: string | null;
  /** `sendClaim`: the reply claimed for sending by the turn itself (ProcessOptions.claimReply), else null. */
  reply: { messageId: string; text: string; sendClaim?: SendClaim | null } | null;
  handoffReason: string | null;
  /**
   * Earlier waiting messages of the conversation this call answered first (so replies stay in order), oldest
   * first. Their replies are the caller's to deliver too, before this one's.
   */
  earlier?: TurnResult[];
  /** How the reply was produced, for display (terminal chat) and logs. */
  route: {
    provider: string;
    model: string;
    complexity: number;
    reason: string;
    latencyMs: number;
    inputTokens: number;
    outputTokens: number;
    costUsd: number;
    failover: boolean;
    cacheHit: boolean;
  } | null;
}

export interface ProcessOptions {
  /**
   * The caller makes a synchronous commit (e.g. claiming the reply for sending) before anything
   * leaves the database, and that commit also flushes this turn, so the turn's own commit need not
   * wait for its WAL flush. Until then a PostgreSQL crash may lose the turn, and recovery answers the
   * message again, as if the turn had never run. Default false: the turn is durable on return.
   */
  deferTurnFlush?: boolean;
  /**
   * What to do when an earlier message of the conversation is being answered elsewhere: `wait` for it
   * (default; the call holds its caller until then), or `defer`: return at once with status `waiting`, leaving the
   * message stored. The caller then answers it once the earlier one is done (whoever finishes a message of a
   * conversation looks for the next one), so a waiting conversation holds no worker and polls nothing.
   */
  ifBlocked?: 'wait' | 'defer';
  /**
   * Claim the reply for sending in the turn's own statement, for this service instance (null: none), as
   * claimForSending (src/conversations/delivery-store.ts) would: the result's `reply.sendClaim` is then the claim,
   * so the caller sends without claiming (one statement and one commit fewer). Not claimed (null) while an
   * earlier reply of the conversation is unsent. The turn then commits synchronously even with deferTurnFlush.
   */
  claimReply?: { instanceId: string | null } | null;
}

export interface ConversationEngine {
  /** Store an inbound message (find or create contact and conversation). Never calls a provider. */
  receive(inbound: InboundMessage): Promise<ReceiveResult>;
  /** Answer a stored inbound message, exactly once even with several workers. */
  processMessage(messageId: string, options?: ProcessOptions): Promise<TurnResult>;
  /** receive + processMessage. */
  handleTurn(inbound: InboundMessage): Promise<TurnResult & { duplicate: boolean }>;
  /**
   * Answers a stored inbound message without a provider turn (a channel's own feedback vote, preference
   * command or notice). In one transaction: `answer` runs for the channel's own writes and returns the
   * reply, the reply is stored for delivery and the message is marked processed. Returns the reply's
   * message id, or null (and `answer` never runs) when the message is already answered or being answered.
   */
  answerWithoutTurn(messageId: string, answer: (tx: EntityManager) => Promise<DirectAnswer>): Promise<string | null>;
}

/** A channel's answer to a message it handles itself: see ConversationEngine.answerWithoutTurn. */
export interface DirectAnswer {
  /** The reply to store for delivery (author `system`). */
  text: string;
  /** What happened, kept on the inbound message's payload (who handled it and the outcome). */
  note: Record<string, unknown>;
}
