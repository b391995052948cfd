import type { EntityManager } from '@mikro-orm/postgresql';
import {
  AgentInteraction,
  Conversation,
  InteractionFeedback,
  Message,
  type ChannelName,
  type ConversationStatus,
} from '../db/entities';
import { pinnedToTenant } from '../db/tenant-pinned';
import { AppError } from '../errors';
import { isUuid } from '../ids';
import { keysetPage, pageSize, type Page, type PageRequest } from '../pagination/cursor-page';

/**
 * Read side of conversations for review (the control plane, the Slack app):
 * lists, one conversation, and batch loaders for messages, the interaction
 * behind each bot reply and its feedback. Batch functions take many ids and
 * return one query's worth, so a page of conversations costs a fixed number
 * of queries (DataLoader in the GraphQL layer calls them).
 */

export interface ConversationFilter {
  status?: ConversationStatus | null;
  channel?: ChannelName | null;
  /** createdAt >= from */
  from?: Date | null;
  /** createdAt < to */
  to?: Date | null;
  contactId?: string | null;
}

/** The tenant's conversations, newest first, keyset-paginated, with their contact. */
export async function listConversations(
  em: EntityManager,
  input: { tenantId: string; filter?: ConversationFilter | null } & PageRequest,
): Promise<Page<Conversation>> {
  const size = pageSize(input.first);
  const filter = input.filter ?? {};
  const where: Record<string, unknown> = { tenant: input.tenantId };
  const createdAt: Record<string, Date> = {};
  if (filter.from) createdAt.$gte = filter.from;
  if (filter.to) createdAt.$lt = filter.to;
  if (Object.keys(createdAt).length) where.createdAt = createdAt;
  if (filter.status) where.status = filter.status;
  if (filter.channel) where.channel = filter.channel;
  if (filter.contactId) where.contact = isUuid(filter.contactId) ? filter.contactId : null;
  return keysetPage(
    em,
    Conversation,
    where,
    { size, after: input.after },
    { ...pinnedToTenant, populate: ['contact'] },
  );
}

/** One conversation of the tenant with its contact, or null (also for another tenant's id). */
export async function findConversation(
  em: EntityManager,
  input: { tenantId: string; conversationId: string },
): Promise<Conversation | null> {
  if (!isUuid(input.conversationId)) return null;
  return em.findOne(Conversation, { id: input.conversationId, tenant: input.tenantId }, { populate: ['contact'] });
}

/** The most messages one conversation's `messages` returns at once. */
export const MAX_MESSAGES_PER_PAGE = 200;

/**
 * Messages of many conversations, oldest first, grouped by conversation id:
 * the `last` latest of each (default and most {@link MAX_MESSAGES_PER_PAGE}),
 * optionally only those older than the message `before` (to page back).
 * Limited in SQL, one index walk per conversation: a 50,000-message
 * conversation costs what a 200-message one does.
 */
export async function messagesByConversation(
  em: EntityManager,
  tenantId: string,
  conversationIds: readonly string[],
  options: { last?: number | null; before?: string | null } = {},
): Promise<Map<string, Message[]>> {
  const grouped = new Map<string, Message[]>(conversationIds.map((id) => [id, []]));
  const last = options.last ?? MAX_MESSAGES_PER_PAGE;
  if (!Number.isInteger(last) || last < 1 || last > MAX_MESSAGES_PER_PAGE) {
    throw new AppError('BAD_USER_INPUT', `last must be an integer between 1 and ${MAX_MESSAGES_PER_PAGE}`);
  }
  const ids = conversationIds.filter(isUuid);
  if (!ids.length || (options.before && !isUuid(options.before))) return grouped;
  const before = options.before
    ? 'and (created_at, id) < (select b.created_at, b.id from message b where b.id = ? and b.conversation_id = c.id and b.tenant_id = ?)'
    : '';
  const picked = await em.getConnection().execute<{ id: string }[]>(
    `select m.id from unnest(?::uuid[]) as c(id)
       cross join lateral (
         select id from message
          where conversation_id = c.id and tenant_id = ? ${before}
          order by created_at desc, id desc limit ?
       ) m`,
    [`{${ids.join(',')}}`, tenantId, ...(options.before ? [options.before, tenantId] : []), last],
  );
  if (!picked.length) return grouped;
  const rows = await em.find(
    Message,
    { tenant: tenantId, id: { $in: picked.map((row) => row.id) } },
    { ...pinnedToTenant, orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  for (const message of rows) grouped.get(message.conversation.id)?.push(message);
  return grouped;
}

/** The bot turn that produced each reply message, keyed by reply message id. */
export async function interactionsByReplyMessage(
  em: EntityManager,
  tenantId: string,
  messageIds: readonly string[],
): Promise<Map<string, AgentInteraction>> {
  if (!messageIds.length) return new Map();
  const rows = await em.find(
    AgentInteraction,
    { tenant: tenantId, replyMessage: { $in: [...messageIds] } },
    pinnedToTenant,
  );
  return new Map(rows.map((interaction) => [interaction.replyMessage!.id, interaction]));
}

/** Interactions by id. */
export async function interactionsById(
  em: EntityManager,
  tenantId: string,
  ids: readonly string[],
): Promise<Map<string, AgentInteraction>> {
  if (!ids.length) return new Map();
  const rows = await em.find(AgentInteraction, { tenant: tenantId, id: { $in: [...ids] } }, pinnedToTenant);
  return new Map(rows.map((interaction) => [interaction.id, interaction]));
}

/** The feedback row of each interaction, keyed by interaction id (absent when none was recorded). */
export async function feedbackByInteraction(
  em: EntityManager,
  tenantId: string,
  interactionIds: readonly string[],
): Promise<Map<string, InteractionFeedback>> {
  if (!interactionIds.length) return new Map();
  const rows = await em.find(
    InteractionFeedback,
    { tenant: tenantId, interaction: { $in: [...interactionIds] } },
    pinnedToTenant,
  );
  return new Map(rows.map((feedback) => [feedback.interaction.id, feedback]));
}
