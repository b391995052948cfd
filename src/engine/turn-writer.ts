import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { AgentInteraction, Message, ProviderUsage, type MessageAuthor } from '../db/entities';
import { applyImplicitSignals, type RecordImplicitSignalsInput } from '../feedback/feedback-service';
import type { ReplyOutcome } from '../providers/types';
import type { ClaimedMessage } from './turn-store';

/** Everything one turn writes; all of it commits together or not at all. */
export interface TurnWrite {
  message: ClaimedMessage;
  now: Date;
  /** The stored answer to the customer, if any (bot reply or system notice). */
  reply: { text: string; author: MessageAuthor } | null;
  /** Present when a provider produced the reply: the interaction and one usage row per attempt. */
  outcome: ReplyOutcome | null;
  /** Hand the conversation to a human, with this reason. */
  handoffReason: string | null;
  /** Implicit signals on the previous bot reply of the conversation. */
  signals: Omit<RecordImplicitSignalsInput, 'tenantId'> | null;
}

export interface WrittenTurn {
  replyMessageId: string | null;
  interactionId: string | null;
  /** False when the conversation was already with a human (nothing changed). */
  handedOff: boolean;
}

/** Another worker took the message back (expired lease) and may answer it: this turn must not commit. */
export class ClaimLostError extends Error {
  constructor(messageId: string) {
    super(`Message ${messageId} is no longer claimed by this worker`);
    this.name = 'ClaimLostError';
  }
}

/**
 * One transaction: mark the inbound message processed (only while this worker
 * still holds its claim), update the conversation (last activity, handoff),
 * merge the implicit signals, and insert the reply, the interaction and the
 * usage rows in one flush (MikroORM batches each table into one INSERT).
 */
export async function writeTurn(em: EntityManager, write: TurnWrite): Promise<WrittenTurn> {
  const { message, now } = write;
  return em.transactional(async (tx) => {
    const handoff = write.handoffReason !== null;
    const [state] = await tx.execute<Array<{ claimed: number; handed_off: number }>>(
      `with inbound as (
         update message set delivery_status = 'processed', processed_at = ?, processing_started_at = null, delivery_error = null
         where id = ? and delivery_status = 'processing' and processed_at is null
         returning id),
       conversation_update as (
         update conversation set
           last_activity_at = greatest(last_activity_at, ?),
           handoff_reason = case when ?::boolean and status = 'bot' then ? else handoff_reason end,
           handed_off_at = case when ?::boolean and status = 'bot' then ?::timestamptz else handed_off_at end,
           status = case when ?::boolean and status = 'bot' then 'handed_off' else status end
         where id = ? and exists (select 1 from inbound)
         returning (status = 'handed_off' and handed_off_at = ?::timestamptz) as handed_off_now)
       select (select count(*) from inbound)::int as claimed,
              (select count(*) from conversation_update where handed_off_now)::int as handed_off`,
      [now, message.id, now, handoff, write.handoffReason, handoff, now, handoff, message.conversationId, now],
    );
    if (!state || state.claimed !== 1) throw new ClaimLostError(message.id);

    if (write.signals) await applyImplicitSignals(tx, { ...write.signals, tenantId: message.tenantId });

    let replyMessageId: string | null = null;
    let interactionId: string | null = null;
    if (write.reply) {
      // A reply never sorts before its question, even when both fall in the same millisecond.
      const replyAt = new Date(Math.max(now.getTime(), message.createdAt.getTime() + 1));
      const reply = tx.create(Message, {
        id: randomUUID(),
        tenant: message.tenantId,
        conversation: message.conversationId,
        channel: message.channel,
        direction: 'outbound',
        author: write.reply.author,
        kind: 'text',
        text: write.reply.text,
        deliveryStatus: 'pending',
        createdAt: replyAt,
      });
      replyMessageId = reply.id;
      if (write.outcome) interactionId = createInteraction(tx, message, reply, write.outcome, replyAt);
    }
    await tx.flush();
    return { replyMessageId, interactionId, handedOff: state.handed_off === 1 };
  });
}

function createInteraction(tx: EntityManager, message: ClaimedMessage, reply: Message, outcome: ReplyOutcome, now: Date): string {
  const interaction = tx.create(AgentInteraction, {
    id: randomUUID(),
    tenant: message.tenantId,
    conversation: message.conversationId,
    inboundMessage: message.id,
    replyMessage: reply,
    replyText: outcome.text,
    provider: outcome.provider,
    model: outcome.model,
    complexityScore: outcome.complexity,
    routingReason: outcome.routingReason,
    latencyMs: Math.round(outcome.latencyMs),
    inputTokens: outcome.usage.inputTokens,
    outputTokens: outcome.usage.outputTokens,
    totalTokens: outcome.usage.totalTokens,
    costUsd: outcome.costUsd,
    failover: outcome.failover,
    cacheHit: outcome.cacheHit,
    createdAt: now,
  });
  for (const attempt of outcome.attempts) {
    tx.create(ProviderUsage, {
      id: randomUUID(),
      tenant: message.tenantId,
      interactionId: interaction.id,
      provider: attempt.provider,
      model: attempt.model,
      inputTokens: attempt.usage.inputTokens,
      cachedInputTokens: attempt.usage.cachedInputTokens,
      outputTokens: attempt.usage.outputTokens,
      totalTokens: attempt.usage.totalTokens,
      estimatedCostUsd: attempt.costUsd,
      latencyMs: Math.round(attempt.latencyMs),
      success: attempt.success,
      errorCode: attempt.errorCode,
      failover: attempt.failover,
      routingReason: attempt.routingReason,
      complexity: attempt.complexity,
      createdAt: attempt.startedAt,
    });
  }
  return interaction.id;
}
