import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChannelName } from '../db/entities';

/**
 * What is left to send or answer: the rules that say when a send claim is free, and the queries a channel's
 * recovery, takeover and "what next in this conversation" read (split from delivery-store.ts).
 */

/** A claim made without an instance id (see ServiceInstance) older than this is taken to be from a process that died mid-send. */
export const SEND_CLAIM_LEASE = '10 minutes';

/** Who claims and when: the instance (its claims are taken over once its heartbeat is stale) and the sender's clock. */
export interface SendClaimer {
  instanceId: string | null;
  staleAfterMs: number;
  now: Date;
}

/** A claim is free when nobody holds it, its holder's heartbeat stopped, or (holder unknown) its lease ran out. */
export const CLAIM_IS_FREE = `(send_claimed_at is null
    or (claimed_by is null and send_claimed_at < now() - interval '${SEND_CLAIM_LEASE}')
    or (claimed_by is not null and not exists (select 1 from service_instance i
          where i.id = message.claimed_by and i.heartbeat_at > now() - (?::int * interval '1 millisecond'))))`;

/** The driver hands timestamps over as PostgreSQL's text (MikroORM turns pg's date parsing off). */
type Timestamp = string | Date;

/** A stored message still to be answered (inbound) or sent (outbound). */
export interface UnfinishedMessage {
  id: string;
  conversationId: string;
  direction: 'inbound' | 'outbound';
}

/**
 * Unanswered customer messages and stored-but-unsent replies of a channel older than `olderThanMs`,
 * oldest first (so each conversation keeps its order): what a restarted channel picks up.
 */
export async function unfinishedMessages(
  em: EntityManager,
  channel: ChannelName,
  olderThanMs: number,
  limit: number,
  /** Replies whose next attempt is scheduled later than this are not due yet. */
  now: Date = new Date(),
): Promise<UnfinishedMessage[]> {
  const rows = await em
    .getConnection()
    .execute<{ id: string; conversation_id: string; direction: 'inbound' | 'outbound' }[]>(
      `select id, conversation_id, direction, created_at from message
      where channel = ? and direction = 'inbound' and processed_at is null and created_at < now() - (? * interval '1 millisecond')
     union all
     select id, conversation_id, direction, created_at from message
      where channel = ? and direction = 'outbound' and delivery_status = 'pending' and created_at < now() - (? * interval '1 millisecond')
        and (next_attempt_at is null or next_attempt_at <= ?::timestamptz)
     order by created_at limit ?`,
      [channel, olderThanMs, channel, olderThanMs, now, limit],
    );
  return rows.map((row) => ({ id: row.id, conversationId: row.conversation_id, direction: row.direction }));
}

/**
 * conversationBacklog's condition on `message` (placeholders: conversation id, the claimer's clock, its stale-after
 * milliseconds), for a statement that reads the backlog along with other work (finishSend).
 */
export const BACKLOG_CONDITION = `conversation_id = ? and ((direction = 'inbound' and processed_at is null and delivery_status = 'received')
        or (direction = 'outbound' and delivery_status = 'pending' and (next_attempt_at is null or next_attempt_at <= ?::timestamptz)
            and ${CLAIM_IS_FREE}))`;

export interface BacklogRow {
  id: string;
  conversation_id: string;
  direction: 'inbound' | 'outbound';
}

export const toUnfinished = (row: BacklogRow): UnfinishedMessage => ({
  id: row.id,
  conversationId: row.conversation_id,
  direction: row.direction,
});

/**
 * What a conversation has left to do, oldest first: customer messages still waiting for a turn ('received', not
 * being answered) and replies due to be sent that nobody (alive) is sending. Whoever finishes a message of the
 * conversation reads this and takes the next one, so a message left waiting behind another (here or on another
 * instance) needs no polling.
 */
export async function conversationBacklog(
  em: EntityManager,
  conversationId: string,
  claimer: Pick<SendClaimer, 'now' | 'staleAfterMs'>,
  limit = 20,
): Promise<UnfinishedMessage[]> {
  const rows = await em
    .getConnection()
    .execute<BacklogRow[]>(
      `select id, conversation_id, direction from message where ${BACKLOG_CONDITION} order by created_at limit ?`,
      [conversationId, claimer.now, claimer.staleAfterMs, limit],
    );
  return rows.map(toUnfinished);
}

/** Replies whose sender's instance stopped heart-beating mid-send: to be sent (after a look for them) by a live one. */
export async function deadSendClaims(
  em: EntityManager,
  channel: ChannelName,
  staleAfterMs: number,
): Promise<UnfinishedMessage[]> {
  const rows = await em
    .getConnection()
    .execute<{ id: string; conversation_id: string; direction: 'inbound' | 'outbound' }[]>(
      `select id, conversation_id, direction from message
      where direction = 'outbound' and delivery_status = 'pending' and channel = ? and claimed_by is not null
        and not exists (select 1 from service_instance i
          where i.id = message.claimed_by and i.heartbeat_at > now() - (?::int * interval '1 millisecond'))
      order by created_at limit 1000`,
      [channel, staleAfterMs],
    );
  return rows.map((row) => ({ id: row.id, conversationId: row.conversation_id, direction: row.direction }));
}

/** The next scheduled send attempts of a channel's pending replies (a restarted instance sets its timers from it). */
export async function scheduledRetries(
  em: EntityManager,
  channel: ChannelName,
  limit = 1000,
  /** Only those due before this time (overdue: the timer that should have sent them died with its instance). */
  dueBefore: Date | null = null,
): Promise<Array<UnfinishedMessage & { nextAttemptAt: Date }>> {
  const rows = await em.getConnection().execute<{ id: string; conversation_id: string; next_attempt_at: Timestamp }[]>(
    `select id, conversation_id, next_attempt_at from message
      where direction = 'outbound' and delivery_status = 'pending' and channel = ? and next_attempt_at is not null
        and (?::timestamptz is null or next_attempt_at < ?::timestamptz)
      order by next_attempt_at limit ?`,
    [channel, dueBefore, dueBefore, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    conversationId: row.conversation_id,
    direction: 'outbound',
    nextAttemptAt: new Date(row.next_attempt_at),
  }));
}
