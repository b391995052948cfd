import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../audit/audit-service';
import { Conversation } from '../db/entities';
import { notFound } from '../errors';
import type { DomainEvents } from '../events';
import { botBackNotice, type HandoffLanguage } from './handoff';
import type { CustomerChannelRegistry, DeliveryReceipt } from './outbound';

/** Input of {@link releaseConversation}. */
export interface ReleaseConversationInput {
  tenantId: string;
  conversationId: string;
  /** Who gave it back: `slack:<user>` (Give back to bot), `system:idle-release`, `apikey:<id>`. */
  by: Actor;
  /**
   * Release only when nothing happened since this time (no message, handoff or
   * take): checked under the row lock, so a customer writing while the idle
   * job runs keeps their human.
   */
  quietSince?: Date;
}

export interface ReleaseConversationResult {
  conversation: Conversation;
  /** False when the conversation was not with a human (already released): nothing changed. */
  released: boolean;
  /** The "you're back with the bot" notice, when one was sent (see `notify`). */
  notice?: DeliveryReceipt | null;
}

export interface ReleaseOptions {
  events?: DomainEvents;
  /**
   * Tell the customer the bot is back, through their channel, when it runs in
   * this process (a channel that is not running is skipped, never an error).
   */
  notify?: { customers: CustomerChannelRegistry; language?: HandoffLanguage; onError?: (error: unknown) => void };
}

/**
 * Gives a handed-off conversation back to the bot: status `bot`, audited, and
 * after commit `conversation.released` is emitted so channels (the Slack
 * handoff post) follow. Idempotent: releasing a conversation that is not
 * handed off changes nothing and emits nothing. The row lock makes two people
 * pressing "Give back" at once release it once.
 */
export async function releaseConversation(
  em: EntityManager,
  input: ReleaseConversationInput,
  options: ReleaseOptions = {},
): Promise<ReleaseConversationResult> {
  const result = await em.transactional(async (tx) => {
    const conversation = await tx.findOne(
      Conversation,
      { id: input.conversationId, tenant: input.tenantId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!conversation) throw notFound('Conversation', input.conversationId);
    if (conversation.status !== 'handed_off') return { conversation, released: false };
    if (input.quietSince) {
      const [latest] = await tx.execute<Array<{ last: Date | null }>>(
        'select max(created_at) as last from message where conversation_id = ?',
        [conversation.id],
      );
      const activity = Math.max(
        latest?.last ? new Date(latest.last).getTime() : 0,
        conversation.handedOffAt?.getTime() ?? 0,
        conversation.assignedAt?.getTime() ?? 0,
      );
      if (activity > input.quietSince.getTime()) return { conversation, released: false };
    }
    const assignee = conversation.assignee;
    conversation.status = 'bot';
    conversation.assignee = null;
    conversation.assignedAt = null;
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.by,
      action: 'conversation.release',
      targetType: 'Conversation',
      targetId: conversation.id,
      before: { status: 'handed_off', handoffReason: conversation.handoffReason, assignee },
      after: { status: 'bot' },
    });
    await tx.flush();
    return { conversation, released: true };
  });
  if (!result.released) return result;
  options.events?.emit('conversation.released', {
    tenantId: input.tenantId,
    conversationId: input.conversationId,
    by: input.by,
  });
  const notify = options.notify;
  if (!notify || !notify.customers.has(result.conversation.channel)) return { ...result, notice: null };
  try {
    const notice = await notify.customers.deliver(
      result.conversation.channel,
      result.conversation.id,
      botBackNotice(notify.language),
      { author: 'system' },
    );
    return { ...result, notice };
  } catch (error) {
    // The release stands: the customer hears from the bot at their next message anyway.
    notify.onError?.(error);
    return { ...result, notice: null };
  }
}
