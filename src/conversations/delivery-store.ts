import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type {
  ChannelName,
  ConversationStatus,
  DeliveryStatus,
  FeedbackPromptStyle,
  MessageAuthor,
} from '../db/entities';
import { runHot } from '../db/hot-sql';
import {
  BACKLOG_CONDITION,
  CLAIM_IS_FREE,
  toUnfinished,
  type BacklogRow,
  type SendClaimer,
  type UnfinishedMessage,
} from './delivery-backlog';

export {
  deliveryOf,
  findSentMessage,
  partIdBelongsToOther,
  recordDeliveryEvent,
  type SentMessage,
} from './delivery-status-store';
export {
  conversationBacklog,
  deadSendClaims,
  scheduledRetries,
  unfinishedMessages,
  type SendClaimer,
  type UnfinishedMessage,
} from './delivery-backlog';

/**
 * The SQL of outbound delivery: storing a message to send, claiming it so two
 * senders (in this process or another) never send it twice, recording attempts,
 * parts and the outcome, and applying the platform's status callbacks. Channels
 * decide what to send and how; this module only records it.
 */

/** The driver hands timestamps over as PostgreSQL's text (MikroORM turns pg's date parsing off). */
type Timestamp = string | Date;

/** Stores `text` as an outbound message of a conversation on `channel`; null when no such conversation exists. */
export async function storeOutbound(
  em: EntityManager,
  input: {
    conversationId: string;
    channel: ChannelName;
    text: string;
    author: Extract<MessageAuthor, 'agent' | 'bot' | 'system'>;
    authorId: string | null;
  },
): Promise<string | null> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, delivery_status, payload)
     select ?, conv.tenant_id, clock_timestamp(), conv.id, conv.channel, 'outbound', ?, 'text', ?, 'pending', ?::jsonb
       from conversation conv where conv.id = ? and conv.channel = ?
     returning id`,
    [
      randomUUID(),
      input.author,
      input.text,
      input.authorId ? JSON.stringify({ authorId: input.authorId }) : null,
      input.conversationId,
      input.channel,
    ],
  );
  return rows[0]?.id ?? null;
}

/** A claimed outbound message and what sending it needs. */
export interface SendClaim {
  id: string;
  tenantId: string;
  conversationId: string;
  text: string;
  author: MessageAuthor;
  /** Parts already accepted by the platform before a crash: not sent again. */
  sentPartIds: string[];
  /** The customer's id on the channel; null when the conversation or its contact is gone. */
  externalId: string | null;
  feedbackOptOut: boolean;
  conversationStatus: ConversationStatus | null;
  /** The customer's latest message in any of their conversations (the platform's session window runs from it). */
  lastInboundAt: Date | null;
  /** The business address the customer last wrote to (the inbound payload's `to`): replies come from it. */
  toAddress: string | null;
  /** Set on bot replies: the interaction that produced it. */
  interactionId: string | null;
  /** Failed attempts so far (the backoff grows with them). */
  attempts: number;
  /**
   * The last attempt's outcome is unknown: a process died holding the claim (mid-send), or the platform did not
   * answer in time. The message may have gone out: look for it before sending again.
   */
  outcomeUnknown: boolean;
  /** Since when a send of it may have happened (the earliest unknown attempt). */
  unknownSince: Date | null;
}

interface ClaimRow {
  id: string;
  tenant_id: string;
  conversation_id: string;
  text: string;
  author: MessageAuthor;
  sent_part_ids: string[] | null;
  external_id: string | null;
  feedback_opt_out: boolean | null;
  status: ConversationStatus | null;
  last_inbound_at: Timestamp | null;
  to_address: string | null;
  interaction_id: string | null;
  attempts: number;
  previous_claim_at: Timestamp | null;
  last_unknown_at: Timestamp | null;
}

/**
 * Claims a pending outbound message for sending and reads what the send needs,
 * in one round trip (a named prepared statement: it runs for every reply).
 * Null when another sender holds it, it was sent already, or an earlier reply of
 * its conversation is still unsent (replies leave in the order they were written).
 */
export async function claimForSending(
  em: EntityManager,
  messageId: string,
  channel: ChannelName,
  claimer: SendClaimer = { instanceId: null, staleAfterMs: 0, now: new Date() },
): Promise<SendClaim | null> {
  const rows = await runHot<ClaimRow>(
    em,
    `with previous as (select send_claimed_at as previous_claim_at from message where id = ?),
     claimed as (
       update message set send_claimed_at = now(), claimed_by = ?::uuid
        from previous
        where id = ? and channel = ? and direction = 'outbound' and delivery_status = 'pending'
          and (next_attempt_at is null or next_attempt_at <= ?::timestamptz)
          and ${CLAIM_IS_FREE}
          -- Not while an earlier reply of the conversation is unsent (another instance may be sending it right now).
          and not exists (select 1 from message earlier
                           where earlier.conversation_id = message.conversation_id and earlier.direction = 'outbound'
                             and earlier.channel = message.channel and earlier.delivery_status = 'pending'
                             and earlier.created_at < message.created_at)
        returning id, tenant_id, conversation_id, text, author, sent_part_ids, previous.previous_claim_at,
          coalesce(jsonb_array_length(failed_attempts), 0) as attempts,
          (select min((attempt->>'at')::timestamptz) from jsonb_array_elements(coalesce(failed_attempts, '[]'::jsonb)) attempt
            where (attempt->>'unknown')::boolean) as last_unknown_at)
     select claimed.*, c.external_id, c.feedback_opt_out, conv.status,
            -- The newest inbound message of each of the contact's conversations, read backwards from the
            -- (conversation_id, created_at) index: a max() over the join read every message of them.
            (select max(latest.created_at) from conversation cv cross join lateral (
                select m.created_at from message m where m.conversation_id = cv.id and m.direction = 'inbound'
                order by m.created_at desc limit 1) latest
              where cv.contact_id = conv.contact_id) as last_inbound_at,
            (select m.payload->>'to' from message m
              where m.conversation_id = conv.id and m.direction = 'inbound' order by m.created_at desc limit 1) as to_address,
            (select ai.id from agent_interaction ai where ai.reply_message_id = claimed.id and ai.conversation_id = conv.id limit 1) as interaction_id
       from claimed left join conversation conv on conv.id = claimed.conversation_id left join contact c on c.id = conv.contact_id`,
    [messageId, claimer.instanceId, messageId, channel, claimer.now, claimer.staleAfterMs],
  );
  const row = rows[0];
  if (!row) return null;
  const unknownSince = [row.previous_claim_at, row.last_unknown_at]
    .filter((value): value is Timestamp => value !== null)
    .map((value) => new Date(value))
    .sort((a, b) => a.getTime() - b.getTime())[0];
  return {
    id: row.id,
    tenantId: row.tenant_id,
    conversationId: row.conversation_id,
    text: row.text,
    author: row.author,
    sentPartIds: Array.isArray(row.sent_part_ids) ? [...row.sent_part_ids] : [],
    externalId: row.external_id,
    feedbackOptOut: row.feedback_opt_out === true,
    conversationStatus: row.status,
    lastInboundAt: row.last_inbound_at === null ? null : new Date(row.last_inbound_at),
    toAddress: row.to_address,
    interactionId: row.interaction_id,
    attempts: Number(row.attempts),
    outcomeUnknown: unknownSince !== undefined,
    unknownSince: unknownSince ?? null,
  };
}

/**
 * A retryable failure: records the attempt (and whether its outcome is unknown), keeps the parts accepted so
 * far, gives up the claim and schedules the next attempt at `nextAttemptAt`. The message stays pending; whoever
 * is due to retry it claims it again then. Only while `instanceId` still holds the claim.
 */
export async function scheduleRetry(
  em: EntityManager,
  messageId: string,
  retry: {
    instanceId: string | null;
    /** When the attempt failed, on the sender's clock. */
    failedAt: Date;
    nextAttemptAt: Date;
    reason: string;
    outcomeUnknown: boolean;
    partIds: string[];
  },
): Promise<void> {
  await em.getConnection().execute(
    `update message set send_claimed_at = null, claimed_by = null, next_attempt_at = ?, delivery_error = ?,
        sent_part_ids = ?::jsonb,
        failed_attempts = coalesce(failed_attempts, '[]'::jsonb)
          || jsonb_build_array(jsonb_build_object('at', ?::timestamptz, 'reason', ?::text, 'unknown', ?::boolean))
      where id = ? and delivery_status = 'pending' and claimed_by is not distinct from ?::uuid`,
    [
      retry.nextAttemptAt,
      retry.reason,
      JSON.stringify(retry.partIds),
      retry.failedAt,
      retry.reason,
      retry.outcomeUnknown,
      messageId,
      retry.instanceId,
    ],
  );
}

/** Records the parts accepted so far, so a resumed send does not send them again. */
export async function recordSentParts(em: EntityManager, messageId: string, partIds: string[]): Promise<void> {
  await em
    .getConnection()
    .execute(`update message set sent_part_ids = ?::jsonb where id = ?`, [JSON.stringify(partIds), messageId]);
}

export interface SendResult {
  status: DeliveryStatus;
  reason: string | null;
  /** Every part accepted, in order; the last one becomes the message's channel id (the one a button tap refers to). */
  partIds: string[];
  /** How feedback was asked for; null leaves what was recorded before. */
  feedbackPrompt: FeedbackPromptStyle | null;
}

/**
 * Records the outcome of a send and gives up the claim. With `next`, the same statement (one round trip, one
 * commit) reads what the conversation has left to do afterwards, as conversationBacklog does (without this
 * message): whoever finishes a message queues the conversation's next one.
 */
export async function finishSend(
  em: EntityManager,
  messageId: string,
  result: SendResult,
  next: { conversationId: string; claimer: Pick<SendClaimer, 'now' | 'staleAfterMs'>; limit?: number } | null = null,
): Promise<UnfinishedMessage[] | null> {
  const values = [
    result.status,
    result.reason,
    result.partIds.at(-1) ?? null,
    JSON.stringify(result.partIds),
    result.feedbackPrompt,
    messageId,
  ];
  const update = `update message set delivery_status = ?, delivery_error = ?, channel_message_id = coalesce(?, channel_message_id),
            send_claimed_at = null, claimed_by = null, next_attempt_at = null, sent_part_ids = ?::jsonb, feedback_prompt = coalesce(?, feedback_prompt)
      where id = ?`;
  if (!next) {
    await runHot(em, update, values);
    return null;
  }
  // The select reads the statement's snapshot, from before the update: the finished message is left out by id.
  const rows = await runHot<BacklogRow>(
    em,
    `with finished as (${update} returning id)
     select id, conversation_id, direction from message
      where id <> ?::uuid and ${BACKLOG_CONDITION}
      order by created_at limit ?`,
    [...values, messageId, next.conversationId, next.claimer.now, next.claimer.staleAfterMs, next.limit ?? 20],
  );
  return rows.map(toUnfinished);
}
