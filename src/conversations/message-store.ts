import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChannelName, ConversationStatus, MessageKind } from '../db/entities';

/**
 * Reads of messages and conversations that channels need around a turn (which
 * reply a 👍 is about, what a stored message was). The writes live in
 * inbound-store, turn-store, turn-write-store and delivery-store.
 */

/** A stored inbound message with its conversation, as a channel plans its answer. */
export interface StoredInboundMessage {
  id: string;
  tenantId: string;
  conversationId: string;
  kind: MessageKind;
  text: string;
  payload: Record<string, unknown> | null;
  processedAt: Date | null;
  createdAt: Date;
  conversationStatus: ConversationStatus;
  contactId: string;
}

export async function findInboundMessage(
  em: EntityManager,
  messageId: string,
  channel: ChannelName,
): Promise<StoredInboundMessage | null> {
  const rows = await em.getConnection().execute<
    {
      id: string;
      tenant_id: string;
      conversation_id: string;
      kind: MessageKind;
      text: string;
      payload: Record<string, unknown> | null;
      processed_at: string | Date | null;
      created_at: string | Date;
      conversation_status: ConversationStatus;
      contact_id: string;
    }[]
  >(
    `select m.id, m.tenant_id, m.conversation_id, m.kind, m.text, m.payload, m.processed_at, m.created_at,
            conv.status as conversation_status, conv.contact_id
       from message m join conversation conv on conv.id = m.conversation_id
      where m.id = ? and m.direction = 'inbound' and m.channel = ?`,
    [messageId, channel],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    conversationId: row.conversation_id,
    kind: row.kind,
    text: row.text,
    payload: row.payload,
    processedAt: row.processed_at === null ? null : new Date(row.processed_at),
    createdAt: new Date(row.created_at),
    conversationStatus: row.conversation_status,
    contactId: row.contact_id,
  };
}

/**
 * The interaction of the bot reply just before `messageId` in its conversation.
 * With `immediately`, only when the very last message before it is that reply
 * (a typed 👍 counts as a vote only right after a bot message).
 */
export async function previousBotInteraction(
  em: EntityManager,
  conversationId: string,
  messageId: string,
  immediately: boolean,
): Promise<string | null> {
  const rows = await em.getConnection().execute<{ interaction_id: string | null }[]>(
    `select (select ai.id from agent_interaction ai where ai.conversation_id = m.conversation_id and ai.reply_message_id = m.id limit 1) as interaction_id
       from message m
      where m.conversation_id = ? and m.created_at < (select created_at from message where id = ?) ${immediately ? '' : "and m.direction = 'outbound' and m.author = 'bot'"}
      order by m.created_at desc limit 1`,
    // The timestamp is compared in SQL: a JS Date would drop PostgreSQL's microseconds.
    [conversationId, messageId],
  );
  return rows[0]?.interaction_id ?? null;
}

/** The interaction `interactionId` when it answered one of the contact's conversations, else null. */
export async function interactionOfContact(
  em: EntityManager,
  tenantId: string,
  contactId: string,
  interactionId: string,
): Promise<string | null> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `select ai.id from agent_interaction ai join conversation conv on conv.id = ai.conversation_id
      where ai.id = ? and ai.tenant_id = ? and conv.contact_id = ?`,
    [interactionId, tenantId, contactId],
  );
  return rows[0]?.id ?? null;
}

/** The interaction whose reply the platform knows as `channelMessageId`, when it was sent to this contact. */
export async function interactionOfSentReply(
  em: EntityManager,
  tenantId: string,
  contactId: string,
  channel: ChannelName,
  channelMessageId: string,
): Promise<string | null> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `select ai.id from message m join agent_interaction ai on ai.reply_message_id = m.id join conversation conv on conv.id = m.conversation_id
      where m.channel = ? and m.channel_message_id = ? and m.tenant_id = ? and conv.contact_id = ?`,
    [channel, channelMessageId, tenantId, contactId],
  );
  return rows[0]?.id ?? null;
}

/** Handed-off conversations of a tenant with no open workspace post of `purpose`, longest waiting first. */
export async function handedOffWithoutPost(
  em: EntityManager,
  tenantId: string,
  purpose: string,
  limit: number,
): Promise<string[]> {
  const rows = await em.getConnection().execute<Array<{ id: string }>>(
    `select c.id from conversation c
      where c.tenant_id = ? and c.status = 'handed_off'
        and not exists (select 1 from workspace_post p where p.conversation_id = c.id and p.purpose = ? and p.closed_at is null)
      order by c.handed_off_at asc nulls last limit ?`,
    [tenantId, purpose, limit],
  );
  return rows.map((row) => row.id);
}
