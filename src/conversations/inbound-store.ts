import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { ConversationStatus } from '../db/entities';
import { AppError, notFound } from '../errors';
import type { InboundMessage } from '../engine/types';
import { runHot } from '../db/hot-sql';
import { storeInOpenConversation } from './inbound-group';

export interface StoredInbound {
  messageId: string;
  conversationId: string;
  contactId: string;
  conversationStatus: ConversationStatus;
  duplicate: boolean;
}

/** Signals a redelivered message inside the transaction, so it rolls back and stores nothing. */
class DuplicateDelivery extends Error {}

/**
 * Stores one inbound message. A known customer with an open conversation takes
 * one statement (shared with the concurrent webhooks': inbound-group.ts), a
 * customer writing for the first time one more (storeForNewCustomer); otherwise
 * (a closed conversation, a race, a redelivery) a single short transaction of three statements:
 * contact (find or create), open conversation (find or create), message (with
 * the conversation's last activity). Each "find or create" is one
 * `insert … on conflict do nothing` that returns the existing row otherwise, so
 * concurrent first messages of a new customer never create two contacts or two
 * open conversations (a partial unique index allows one open conversation per
 * contact). A redelivered `channelMessageId` rolls everything back and returns
 * the first delivery's ids with `duplicate: true`.
 */
export async function storeInbound(
  em: EntityManager,
  inbound: InboundMessage,
  receivedAt: Date,
): Promise<StoredInbound> {
  const known =
    (await storeForOpenConversation(em, inbound, receivedAt)) ?? (await storeForNewCustomer(em, inbound, receivedAt));
  if (known) return known;
  try {
    return await em.transactional(async (tx) => {
      const contactId = await findOrCreateContact(tx, inbound, receivedAt);
      const conversation = await findOrCreateConversation(tx, inbound, contactId, receivedAt);
      const inserted = await tx.execute<{ id: string }[]>(
        `with inserted as (
           insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, channel_message_id, delivery_status, payload)
           values (?, ?, ?, ?, ?, 'inbound', 'customer', ?, ?, ?, 'received', ?::jsonb)
           on conflict (channel, channel_message_id) do nothing
           returning id),
         touched as (
           update conversation set last_activity_at = greatest(last_activity_at, ?)
           where id = ? and exists (select 1 from inserted) returning id)
         select id from inserted`,
        [
          randomUUID(),
          inbound.tenantId,
          receivedAt,
          conversation.id,
          inbound.channel,
          inbound.kind ?? 'text',
          inbound.text,
          inbound.channelMessageId ?? null,
          inbound.payload ? JSON.stringify(inbound.payload) : null,
          receivedAt,
          conversation.id,
        ],
      );
      if (inserted.length === 0) throw new DuplicateDelivery();
      return {
        messageId: inserted[0].id,
        conversationId: conversation.id,
        contactId,
        conversationStatus: conversation.status,
        duplicate: false,
      };
    });
  } catch (error) {
    if (error instanceof DuplicateDelivery) return firstDelivery(em, inbound);
    if (isForeignKeyViolation(error, 'contact_tenant_id_foreign')) throw notFound('Tenant', inbound.tenantId);
    throw error;
  }
}

/**
 * The common case in one statement (one round trip, one commit, shared with
 * the messages other webhooks store at the same moment): a known customer
 * with an open conversation. Returns null when the customer or the
 * open conversation does not exist yet (the caller then takes the creating
 * path); a redelivery is recognised here too.
 */
async function storeForOpenConversation(
  em: EntityManager,
  inbound: InboundMessage,
  receivedAt: Date,
): Promise<StoredInbound | null> {
  // Grouped with the concurrent webhooks' messages: one statement and one commit for all of them.
  const row = await storeInOpenConversation(em, {
    messageId: randomUUID(),
    tenantId: inbound.tenantId,
    channel: inbound.channel,
    externalId: inbound.externalId,
    receivedAt,
    kind: inbound.kind ?? 'text',
    text: inbound.text,
    channelMessageId: inbound.channelMessageId ?? null,
    payload: inbound.payload ? JSON.stringify(inbound.payload) : null,
  });
  if (!row) return null;
  if (!row.message_id) return firstDelivery(em, inbound);
  return {
    messageId: row.message_id,
    conversationId: row.conversation_id,
    contactId: row.contact_id,
    conversationStatus: row.status,
    duplicate: false,
  };
}

/**
 * A customer writing for the first time, in one statement (one round trip, one commit): contact, conversation and
 * message. Null (nothing written) unless all three are new: the contact exists already (a closed conversation, a
 * concurrent first message), the message id is known (a redelivery), or the tenant does not exist; the caller then
 * takes the transaction, which tells those apart. The division fails the statement, and so writes nothing, when the
 * message was not inserted after all (a concurrent delivery of the same id).
 */
async function storeForNewCustomer(
  em: EntityManager,
  inbound: InboundMessage,
  receivedAt: Date,
): Promise<StoredInbound | null> {
  const [contactId, conversationId, messageId] = [randomUUID(), randomUUID(), randomUUID()];
  try {
    const rows = await runHot<{ status: ConversationStatus }>(
      em,
      `with contact_new as (
         insert into contact (id, tenant_id, created_at, channel, external_id, display_name, feedback_opt_out)
         select ?::uuid, ?::uuid, ?::timestamptz, ?, ?, ?, false
         where not exists (select 1 from message where channel = ? and channel_message_id = ?)
         on conflict (tenant_id, channel, external_id) do nothing
         returning id),
       conversation_new as (
         insert into conversation (id, tenant_id, created_at, contact_id, channel, status, started_at, last_activity_at)
         select ?::uuid, ?::uuid, ?::timestamptz, id, ?, 'bot', ?::timestamptz, ?::timestamptz from contact_new
         returning id, status),
       inserted as (
         insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, channel_message_id, delivery_status, payload)
         select ?::uuid, ?::uuid, ?::timestamptz, id, ?, 'inbound', 'customer', ?, ?, ?, 'received', ?::jsonb from conversation_new
         on conflict (channel, channel_message_id) do nothing
         returning id)
       select status, 1 / (select count(*)::int from inserted) as stored from conversation_new`,
      [
        contactId,
        inbound.tenantId,
        receivedAt,
        inbound.channel,
        inbound.externalId,
        inbound.displayName ?? null,
        inbound.channel,
        inbound.channelMessageId ?? null,
        conversationId,
        inbound.tenantId,
        receivedAt,
        inbound.channel,
        receivedAt,
        receivedAt,
        messageId,
        inbound.tenantId,
        receivedAt,
        inbound.channel,
        inbound.kind ?? 'text',
        inbound.text,
        inbound.channelMessageId ?? null,
        inbound.payload ? JSON.stringify(inbound.payload) : null,
      ],
    );
    const row = rows[0];
    return row ? { messageId, conversationId, contactId, conversationStatus: row.status, duplicate: false } : null;
  } catch (error) {
    // 22012: the message was not inserted (see above); 23503: no such tenant. The transaction path says which.
    const code = (error as { code?: string }).code;
    if (code === '22012' || code === '23503') return null;
    throw error;
  }
}

async function findOrCreateContact(tx: EntityManager, inbound: InboundMessage, now: Date): Promise<string> {
  // The select in the same statement cannot see a row another transaction committed while this
  // insert waited on it (one snapshot per statement), so a lost race is simply asked again.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const rows = await tx.execute<{ id: string }[]>(
      `with inserted as (
         insert into contact (id, tenant_id, created_at, channel, external_id, display_name, feedback_opt_out)
         values (?, ?, ?, ?, ?, ?, false)
         on conflict (tenant_id, channel, external_id) do nothing
         returning id)
       select id from inserted
       union all
       select id from contact where tenant_id = ? and channel = ? and external_id = ?
       limit 1`,
      [
        randomUUID(),
        inbound.tenantId,
        now,
        inbound.channel,
        inbound.externalId,
        inbound.displayName ?? null,
        inbound.tenantId,
        inbound.channel,
        inbound.externalId,
      ],
    );
    if (rows.length) return rows[0].id;
  }
  throw new AppError('CONFLICT', 'Could not store the contact because of concurrent updates; retry the delivery');
}

async function findOrCreateConversation(
  tx: EntityManager,
  inbound: InboundMessage,
  contactId: string,
  now: Date,
): Promise<{ id: string; status: ConversationStatus }> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const rows = await tx.execute<{ id: string; status: ConversationStatus }[]>(
      `with open as (
         select id, status from conversation where contact_id = ? and status <> 'closed' limit 1),
       inserted as (
         insert into conversation (id, tenant_id, created_at, contact_id, channel, status, started_at, last_activity_at)
         select ?::uuid, ?::uuid, ?::timestamptz, ?::uuid, ?, 'bot', ?::timestamptz, ?::timestamptz where not exists (select 1 from open)
         on conflict (contact_id) where status <> 'closed' do nothing
         returning id, status)
       select id, status from open
       union all
       select id, status from inserted
       limit 1`,
      [contactId, randomUUID(), inbound.tenantId, now, contactId, inbound.channel, now, now],
    );
    if (rows.length) return rows[0];
  }
  throw new AppError('CONFLICT', 'Could not open the conversation because of concurrent updates; retry the delivery');
}

async function firstDelivery(em: EntityManager, inbound: InboundMessage): Promise<StoredInbound> {
  const rows = await em.execute<
    { id: string; conversation_id: string; contact_id: string; status: ConversationStatus; tenant_id: string }[]
  >(
    `select m.id, m.conversation_id, m.tenant_id, c.contact_id, c.status
     from message m join conversation c on c.id = m.conversation_id
     where m.channel = ? and m.channel_message_id = ?`,
    [inbound.channel, inbound.channelMessageId ?? null],
  );
  const row = rows[0];
  // Channel message ids are unique per platform; the same id under another tenant is a forged or misrouted delivery.
  if (!row || row.tenant_id !== inbound.tenantId) {
    throw new AppError(
      'CONFLICT',
      `Message ${inbound.channelMessageId} was already delivered to another tenant; check the channel routing`,
    );
  }
  return {
    messageId: row.id,
    conversationId: row.conversation_id,
    contactId: row.contact_id,
    conversationStatus: row.status,
    duplicate: true,
  };
}

function isForeignKeyViolation(error: unknown, constraint: string): boolean {
  // MikroORM wraps the driver error; the pg fields survive on it (code 23503 = foreign_key_violation).
  const candidate = error as { code?: string; constraint?: string; message?: string };
  return (
    candidate?.code === '23503' &&
    (candidate.constraint === constraint || String(candidate.message).includes(constraint))
  );
}
