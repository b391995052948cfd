import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChannelName, DeliveryEvent, DeliveryStatus } from '../db/entities';

/**
 * Delivery status after the send: what a message's status is, which outbound message a platform's status
 * callback is about, and the callback's record on it (split from delivery-store.ts).
 */

/** The delivery status of a message and why it failed, if it did. */
export async function deliveryOf(
  em: EntityManager,
  messageId: string,
): Promise<{ status: DeliveryStatus | null; reason: string | null } | null> {
  const rows = await em
    .getConnection()
    .execute<{ delivery_status: DeliveryStatus | null; delivery_error: string | null }[]>(
      'select delivery_status, delivery_error from message where id = ?',
      [messageId],
    );
  return rows[0] ? { status: rows[0].delivery_status, reason: rows[0].delivery_error } : null;
}

/** An outbound message a status callback is about. */
export interface SentMessage {
  id: string;
  deliveryStatus: DeliveryStatus | null;
  /** True when the callback is about the part that carries the message's status (the last one). */
  isMainPart: boolean;
}

/** Finds the outbound message a part id belongs to: its last part, else any earlier part sent in the last 7 days. */
export async function findSentMessage(
  em: EntityManager,
  tenantId: string,
  channel: ChannelName,
  partId: string,
): Promise<SentMessage | null> {
  const connection = em.getConnection();
  const main = await connection.execute<{ id: string; delivery_status: DeliveryStatus | null }[]>(
    `select id, delivery_status from message where channel = ? and channel_message_id = ? and tenant_id = ? and direction = 'outbound'`,
    [channel, partId, tenantId],
  );
  if (main[0]) return { id: main[0].id, deliveryStatus: main[0].delivery_status, isMainPart: true };
  const earlier = await connection.execute<{ id: string; delivery_status: DeliveryStatus | null }[]>(
    `select id, delivery_status from message where tenant_id = ? and channel = ? and direction = 'outbound'
        and created_at > now() - interval '7 days' and sent_part_ids @> to_jsonb(?::text)`,
    [tenantId, channel, partId],
  );
  return earlier[0] ? { id: earlier[0].id, deliveryStatus: earlier[0].delivery_status, isMainPart: false } : null;
}

/** Appends a status callback to the message's history and, when `apply` is set, moves its status (and error) on. */
export async function recordDeliveryEvent(
  em: EntityManager,
  messageId: string,
  event: DeliveryEvent,
  change: { apply: boolean; status: DeliveryStatus; error: string | null },
): Promise<void> {
  await em.getConnection().execute(
    `update message set
        delivery_status = case when ? then ?::varchar else delivery_status end,
        delivery_error = case when ? and ?::text is not null then ?::text else delivery_error end,
        status_history = coalesce(status_history, '[]'::jsonb) || jsonb_build_array(?::jsonb)
      where id = ?`,
    [change.apply, change.status, change.apply, change.error, change.error, JSON.stringify(event), messageId],
  );
}

/** Whether a platform id is already recorded on an outbound message other than `messageId` (a found send is not ours). */
export async function partIdBelongsToOther(
  em: EntityManager,
  tenantId: string,
  channel: ChannelName,
  partId: string,
  messageId: string,
): Promise<boolean> {
  const found = await findSentMessage(em, tenantId, channel, partId);
  return found !== null && found.id !== messageId;
}
