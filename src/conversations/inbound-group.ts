import type { EntityManager } from '@mikro-orm/postgresql';
import type { ConversationStatus } from '../db/entities';
import { GroupedWriter } from '../db/grouped-writer';
import { runHot } from '../db/hot-sql';

/** One inbound message for a known customer's open conversation (see storeForOpenConversation in inbound-store.ts). */
export interface OpenConversationInsert {
  messageId: string;
  tenantId: string;
  channel: string;
  externalId: string;
  receivedAt: Date;
  kind: string;
  text: string;
  channelMessageId: string | null;
  /** JSON text, or null. */
  payload: string | null;
}

/** The customer's open conversation, and the stored message's id (null: a redelivery, nothing stored); null when none is open. */
export interface OpenConversationRow {
  conversation_id: string;
  contact_id: string;
  status: ConversationStatus;
  message_id: string | null;
}

/** The one-message statement: the contact's open conversation, the message (unless redelivered), its last activity. */
const ONE = `with open as (
       select c.id, c.contact_id, c.status from contact k
       join conversation c on c.contact_id = k.id and c.status <> 'closed'
       where k.tenant_id = ? and k.channel = ? and k.external_id = ?),
     inserted as (
       insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, channel_message_id, delivery_status, payload)
       select ?::uuid, ?::uuid, ?::timestamptz, open.id, ?, 'inbound', 'customer', ?, ?, ?, 'received', ?::jsonb from open
       on conflict (channel, channel_message_id) do nothing
       returning id, conversation_id),
     touched as (
       update conversation set last_activity_at = greatest(last_activity_at, ?::timestamptz)
       where id = (select conversation_id from inserted) returning id)
     select open.id as conversation_id, open.contact_id, open.status, (select id from inserted) as message_id from open`;

/**
 * The same for a group of messages, in one statement (one commit). Conversations are locked in id order before
 * they are touched, so two groups (two instances) touching the same conversations cannot deadlock.
 */
const GROUP = `with input as (
       select * from unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::jsonb[])
         with ordinality as i (message_id, tenant_id, channel, external_id, received_at, kind, text, channel_message_id, payload, n)),
     open as (
       select i.n, c.id, c.contact_id, c.status from input i
       join contact k on k.tenant_id = i.tenant_id and k.channel = i.channel and k.external_id = i.external_id
       join conversation c on c.contact_id = k.id and c.status <> 'closed'),
     inserted as (
       insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, channel_message_id, delivery_status, payload)
       select i.message_id, i.tenant_id, i.received_at, open.id, i.channel, 'inbound', 'customer', i.kind, i.text, i.channel_message_id, 'received', i.payload
       from input i join open on open.n = i.n
       order by i.n
       on conflict (channel, channel_message_id) do nothing
       returning id, conversation_id, created_at),
     latest as (
       select conversation_id, max(created_at) as at from inserted group by conversation_id),
     locked as (
       select c.id from conversation c where c.id in (select conversation_id from latest) order by c.id for update),
     touched as (
       update conversation set last_activity_at = greatest(conversation.last_activity_at, latest.at)
       from latest where conversation.id = latest.conversation_id and exists (select 1 from locked where locked.id = latest.conversation_id)
       returning conversation.id)
     select i.n, open.id as conversation_id, open.contact_id, open.status,
       (select ins.id from inserted ins where ins.id = i.message_id) as message_id
     from input i left join open on open.n = i.n
     order by i.n`;

async function storeOne(em: EntityManager, item: OpenConversationInsert): Promise<OpenConversationRow | null> {
  const rows = await runHot<OpenConversationRow>(em, ONE, [
    item.tenantId,
    item.channel,
    item.externalId,
    item.messageId,
    item.tenantId,
    item.receivedAt,
    item.channel,
    item.kind,
    item.text,
    item.channelMessageId,
    item.payload,
    item.receivedAt,
  ]);
  return rows[0] ?? null;
}

/** The group statement (exported for its test: the writer falls back to single statements when it fails). */
export async function storeGroup(
  em: EntityManager,
  items: OpenConversationInsert[],
): Promise<Array<OpenConversationRow | null>> {
  const column = <K extends keyof OpenConversationInsert>(key: K) => items.map((item) => item[key]);
  const rows = await runHot<OpenConversationRow & { n: string | number; conversation_id: string | null }>(em, GROUP, [
    column('messageId'),
    column('tenantId'),
    column('channel'),
    column('externalId'),
    column('receivedAt'),
    column('kind'),
    column('text'),
    column('channelMessageId'),
    column('payload'),
  ]);
  const byPosition = new Map(rows.map((row) => [Number(row.n), row]));
  return items.map((_item, index) => {
    const row = byPosition.get(index + 1);
    return row && row.conversation_id !== null ? row : null;
  });
}

/** One grouped writer per connection pool (an ORM): concurrent webhooks of a process share commits. */
const writers = new WeakMap<object, GroupedWriter<OpenConversationInsert, OpenConversationRow | null>>();

/**
 * Stores an inbound message of a known customer with an open conversation, grouped with the messages other
 * webhooks of this process are storing at the same moment (GroupedWriter); resolves after the commit. Null when
 * the customer or the open conversation does not exist yet; a null message_id is a redelivery.
 */
export function storeInOpenConversation(
  em: EntityManager,
  item: OpenConversationInsert,
): Promise<OpenConversationRow | null> {
  const pool = em.getConnection().getKnex().client as object;
  let writer = writers.get(pool);
  if (!writer) {
    // The writer outlives this request's EntityManager: it runs on the pool, through a fork of its own.
    const own = em.fork();
    writer = new GroupedWriter(
      (items) => storeGroup(own, items),
      (one) => storeOne(own, one),
    );
    writers.set(pool, writer);
  }
  return writer.submit(item);
}
