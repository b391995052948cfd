import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../audit/audit-service';
import { Conversation, Message } from '../db/entities';
import { pinnedToTenant } from '../db/tenant-pinned';
import { AppError, badInput, notFound } from '../errors';
import type { CustomerChannelRegistry, DeliveryReceipt } from '../engine/outbound';
import { isUuid } from '../ids';
import { pageSize } from '../pagination/cursor-page';

/**
 * The human side of a handoff, whatever the channel and with or without Slack:
 * the queue of conversations waiting for a person, taking one, and answering
 * the customer as an agent. Giving a conversation back to the bot is
 * `releaseConversation` (engine/handoff-service); the idle release is the
 * `handoff-idle-release` job. The Slack app only reflects this state.
 */

export interface QueuedHandoff {
  conversation: Conversation;
  /** The customer's latest message, or null when they have written nothing yet. */
  lastCustomerMessage: Message | null;
}

/** The tenant's handed-off conversations, longest waiting first, unassigned ones first when `unassignedOnly` is false. */
export async function handoffQueue(
  em: EntityManager,
  input: { tenantId: string; first?: number | null; unassignedOnly?: boolean | null },
): Promise<{ nodes: QueuedHandoff[]; totalCount: number }> {
  const where: Record<string, unknown> = { tenant: input.tenantId, status: 'handed_off' };
  if (input.unassignedOnly) where.assignee = null;
  const [rows, totalCount] = await Promise.all([
    em.find(Conversation, where, {
      ...pinnedToTenant,
      orderBy: { handedOffAt: 'asc', id: 'asc' },
      limit: pageSize(input.first),
      populate: ['contact'],
    }),
    em.count(Conversation, where, pinnedToTenant),
  ]);
  const latest = rows.length
    ? await em.getConnection().execute<Array<{ id: string; conversation_id: string }>>(
        `select distinct on (conversation_id) id, conversation_id from message
          where conversation_id in (${rows.map(() => '?').join(', ')}) and direction = 'inbound'
          order by conversation_id, created_at desc`,
        rows.map((row) => row.id),
      )
    : [];
  const messages = latest.length
    ? await em.find(Message, { id: { $in: latest.map((row) => row.id) }, tenant: input.tenantId }, pinnedToTenant)
    : [];
  const byConversation = new Map(
    latest.map((row) => [row.conversation_id, messages.find((message) => message.id === row.id) ?? null]),
  );
  return {
    nodes: rows.map((conversation) => ({
      conversation,
      lastCustomerMessage: byConversation.get(conversation.id) ?? null,
    })),
    totalCount,
  };
}

async function lockHandedOff(tx: EntityManager, tenantId: string, conversationId: string): Promise<Conversation> {
  if (!isUuid(conversationId)) throw notFound('Conversation', conversationId);
  const conversation = await tx.findOne(
    Conversation,
    { id: conversationId, tenant: tenantId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
  if (!conversation) throw notFound('Conversation', conversationId);
  if (conversation.status !== 'handed_off')
    throw new AppError(
      'CONFLICT',
      `Conversation ${conversationId} is with the bot, not waiting for a human: nothing to take or answer`,
    );
  return conversation;
}

/**
 * `by` takes a handed-off conversation: it leaves the waiting queue and only
 * `by` answers it (CONFLICT when someone else has it, unless `force`).
 * Taking it again is a no-op. Audited.
 */
export async function takeConversation(
  em: EntityManager,
  input: { tenantId: string; conversationId: string; by: Actor; force?: boolean; now?: Date },
): Promise<Conversation> {
  return em.transactional(async (tx) => {
    const conversation = await lockHandedOff(tx, input.tenantId, input.conversationId);
    if (conversation.assignee === input.by) return conversation;
    if (conversation.assignee && !input.force) {
      throw new AppError(
        'CONFLICT',
        `${conversation.assignee} already has conversation ${conversation.id}; take it with force: true to take it over`,
      );
    }
    const before = { assignee: conversation.assignee };
    conversation.assignee = input.by;
    conversation.assignedAt = input.now ?? new Date();
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.by,
      action: 'conversation.take',
      targetType: 'Conversation',
      targetId: conversation.id,
      before,
      after: { assignee: input.by },
    });
    await tx.flush();
    return conversation;
  });
}

export const MAX_AGENT_REPLY_LENGTH = 4_000;

/**
 * An agent answers the customer: the conversation must be handed off and not
 * held by someone else (it is taken by `by` when nobody has it). The reply is
 * audited, then stored and sent by the conversation's channel through the
 * registry; the receipt says whether the platform accepted it.
 */
export async function replyAsAgent(
  em: EntityManager,
  customers: CustomerChannelRegistry,
  input: { tenantId: string; conversationId: string; text: string; by: Actor },
): Promise<{ conversation: Conversation; receipt: DeliveryReceipt }> {
  const text = input.text.trim();
  if (!text) throw badInput('The reply is empty: write what the customer should read', { field: 'text' });
  if (text.length > MAX_AGENT_REPLY_LENGTH)
    throw badInput(`The reply is longer than ${MAX_AGENT_REPLY_LENGTH} characters`, { field: 'text' });
  const conversation = await em.transactional(async (tx) => {
    const row = await lockHandedOff(tx, input.tenantId, input.conversationId);
    if (row.assignee && row.assignee !== input.by)
      throw new AppError('CONFLICT', `${row.assignee} has conversation ${row.id}: take it (force) before answering`);
    if (!row.assignee) {
      row.assignee = input.by;
      row.assignedAt = new Date();
    }
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.by,
      action: 'conversation.agent_reply',
      targetType: 'Conversation',
      targetId: row.id,
      after: { length: text.length },
    });
    await tx.flush();
    return row;
  });
  // The registry throws CONFIG_INVALID when the conversation's channel does not run in this process.
  const receipt = await customers.deliver(conversation.channel, conversation.id, text, {
    author: 'agent',
    authorId: input.by,
  });
  return { conversation, receipt };
}
