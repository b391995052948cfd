import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../audit/audit-service';
import { Conversation } from '../db/entities';
import { notFound } from '../errors';
import type { DomainEvents } from '../events';

/** Input of {@link releaseConversation}. */
export interface ReleaseConversationInput {
  tenantId: string;
  conversationId: string;
  /** Who gave it back: `slack:<user>` (Give back to bot), `system:idle-release`, `apikey:<id>`. */
  by: Actor;
}

export interface ReleaseConversationResult {
  conversation: Conversation;
  /** False when the conversation was not with a human (already released): nothing changed. */
  released: boolean;
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
  options: { events?: DomainEvents } = {},
): Promise<ReleaseConversationResult> {
  const result = await em.transactional(async (tx) => {
    const conversation = await tx.findOne(
      Conversation,
      { id: input.conversationId, tenant: input.tenantId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!conversation) throw notFound('Conversation', input.conversationId);
    if (conversation.status !== 'handed_off') return { conversation, released: false };
    conversation.status = 'bot';
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.by,
      action: 'conversation.release',
      targetType: 'Conversation',
      targetId: conversation.id,
      before: { status: 'handed_off', handoffReason: conversation.handoffReason },
      after: { status: 'bot' },
    });
    await tx.flush();
    return { conversation, released: true };
  });
  if (result.released) options.events?.emit('conversation.released', { tenantId: input.tenantId, conversationId: input.conversationId, by: input.by });
  return result;
}
