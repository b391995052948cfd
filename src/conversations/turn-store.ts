import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type {
  ChannelName,
  ConversationStatus,
  DeliveryStatus,
  MessageAuthor,
  MessageDirection,
  MessageKind,
  TenantSettings,
  TierModels,
} from '../db/entities';
import { runHot } from '../db/hot-sql';
import type { DirectAnswer } from '../engine/types';

/** The driver hands timestamps over as PostgreSQL's text (MikroORM turns pg's date parsing off). */
type Timestamp = string | Date;

function toDate(value: Timestamp): Date {
  return value instanceof Date ? value : new Date(value);
}

function toText(value: Timestamp): string {
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * The SQL of a turn's claim and reads: few statements, each doing as much as it
 * safely can, because they sit on the path of every customer message.
 */
export interface ClaimedMessage {
  id: string;
  tenantId: string;
  conversationId: string;
  channel: ChannelName;
  kind: MessageKind;
  text: string;
  createdAt: Date;
  /** created_at as PostgreSQL printed it: compared back in SQL without losing microseconds. */
  createdAtText: string;
  conversationStatus: ConversationStatus;
  tenantSettings: TenantSettings;
  /** The tenant's active model version (null only for a tenant created before versions existed and never migrated). */
  modelVersion: ActiveModelVersion | null;
  /** The customer: the unit experiments assign. */
  contactId: string;
  /** The instance holding the claim (null without one): the turn commits only while it still does. */
  claimedBy: string | null;
  /** The tenant's running experiment, if any. */
  experiment: RunningExperiment | null;
}

/** What a turn needs of the running experiment: the assignment spec and both arms' versions. */
export interface RunningExperiment {
  id: string;
  key: string;
  seed: string;
  coverage: number;
  weights: [number, number];
  control: ActiveModelVersion;
  candidate: ActiveModelVersion;
}

/** What a turn needs of the active model version. */
export interface ActiveModelVersion {
  id: string;
  number: number;
  systemPrompt: string | null;
  tierModels: TierModels;
  retrievalK: number;
  retrievalMinScore: number;
  /** The trained offline model the knowledge base answers with (issue 13), when the version names one. */
  offlineModelArtifactId?: string | null;
}

/**
 * Takes an inbound message for processing, or returns null. One UPDATE decides,
 * so two workers (in this process or another) can never both take a message:
 * the loser's UPDATE re-checks the row after the winner commits and finds it
 * no longer 'received'. A message is also not taken while an earlier message of
 * its conversation is still waiting or being answered, so turns of one
 * conversation are answered in order.
 *
 * The same statement returns the conversation's status, the tenant's settings
 * and the recent history (one round trip). It commits with
 * synchronous_commit off: a claim lost in a crash only means the message is
 * claimed again, and the turn's own (synchronous) commit flushes it anyway.
 */
export async function claimMessage(
  em: EntityManager,
  messageId: string,
  now: Date,
  historyLimit: number,
  /** The service instance making the claim (ServiceInstance): when it dies, others take the claim over. */
  claimedBy: string | null = null,
): Promise<{ message: ClaimedMessage; history: HistoryRow[] } | null> {
  const rows = await runHot<{
    id: string;
    tenant_id: string;
    conversation_id: string;
    channel: ChannelName;
    kind: MessageKind;
    text: string;
    created_at: Timestamp;
    status: ConversationStatus;
    settings: TenantSettings;
    model_version: ActiveModelVersion | null;
    contact_id: string;
    experiment: RunningExperiment | null;
    h_id: string | null;
    h_direction: MessageDirection;
    h_author: MessageAuthor;
    h_text: string;
    h_created_at: Timestamp;
    h_interaction_id: string | null;
  }>(
    em,
    `with claimed as (
       update message m set delivery_status = 'processing', processing_started_at = ?, claimed_by = ?::uuid
       from conversation c, tenant t
       where m.id = ? and m.direction = 'inbound' and m.processed_at is null and m.delivery_status = 'received'
         and c.id = m.conversation_id and t.id = m.tenant_id
         and not exists (
           select 1 from message e
           where e.conversation_id = m.conversation_id and e.direction = 'inbound' and e.processed_at is null
             and e.delivery_status in ('received', 'processing') and e.id <> m.id
             and (e.created_at, e.id) < (m.created_at, m.id))
         and set_config('synchronous_commit', 'off', true) is not null
       returning m.id, m.tenant_id, m.conversation_id, m.channel, m.kind, m.text, m.created_at, c.status, t.settings,
         -- The active model version, read in the same statement: an activation or rollback applies from the next turn, on every instance.
         (select json_build_object('id', v.id, 'number', v.number, 'systemPrompt', v.system_prompt, 'tierModels', v.tier_models,
            'retrievalK', v.retrieval_k, 'retrievalMinScore', v.retrieval_min_score, 'offlineModelArtifactId', v.offline_model_artifact_id)
          from model_version v where v.tenant_id = t.id and v.status = 'active') as model_version,
         -- The running experiment (at most one per tenant, through its partial unique index), read here for the same reason:
         -- starting, stopping or rolling one back applies from the next turn on every instance, with no extra round trip.
         c.contact_id,
         (select json_build_object('id', x.id, 'key', x.key, 'seed', x.seed, 'coverage', x.coverage, 'weights', x.weights,
            'control', json_build_object('id', cv.id, 'number', cv.number, 'systemPrompt', cv.system_prompt, 'tierModels', cv.tier_models,
              'retrievalK', cv.retrieval_k, 'retrievalMinScore', cv.retrieval_min_score, 'offlineModelArtifactId', cv.offline_model_artifact_id),
            'candidate', json_build_object('id', dv.id, 'number', dv.number, 'systemPrompt', dv.system_prompt, 'tierModels', dv.tier_models,
              'retrievalK', dv.retrieval_k, 'retrievalMinScore', dv.retrieval_min_score, 'offlineModelArtifactId', dv.offline_model_artifact_id))
          from experiment x join model_version cv on cv.id = x.control_version_id join model_version dv on dv.id = x.candidate_version_id
          where x.tenant_id = t.id and x.status = 'running') as experiment)
     select claimed.*, h.id as h_id, h.direction as h_direction, h.author as h_author, h.text as h_text, h.created_at as h_created_at,
       h.interaction_id as h_interaction_id
     from claimed left join lateral (
       -- The interaction is looked up only for the rows kept by the limit (PostgreSQL evaluates the
       -- subquery after the sort), one probe each of the reply_message_id index: a join here read
       -- every interaction of the conversation for every message of it.
       select m.id, m.direction, m.author, m.text, m.created_at,
         (select ai.id from agent_interaction ai where ai.reply_message_id = m.id and ai.conversation_id = m.conversation_id limit 1) as interaction_id
       from message m
       where m.conversation_id = claimed.conversation_id and m.id <> claimed.id
         and ((m.direction = 'inbound' and (m.created_at, m.id) < (claimed.created_at, claimed.id))
           or (m.direction = 'outbound' and coalesce(m.delivery_status, '') not in ('failed', 'not_sent', 'undelivered')))
       order by m.created_at desc, m.id desc
       limit ?) h on true
     order by h.created_at asc nulls first, h.id asc`,
    [now, claimedBy, messageId, Math.max(0, historyLimit)],
  );
  const row = rows[0];
  if (!row) return null;
  const message: ClaimedMessage = {
    id: row.id,
    tenantId: row.tenant_id,
    conversationId: row.conversation_id,
    channel: row.channel,
    kind: row.kind,
    text: row.text,
    createdAt: toDate(row.created_at),
    createdAtText: toText(row.created_at),
    conversationStatus: row.status,
    tenantSettings: row.settings ?? {},
    modelVersion: row.model_version ?? null,
    contactId: row.contact_id,
    claimedBy,
    experiment: row.experiment ?? null,
  };
  const history = rows
    .filter((entry) => entry.h_id !== null)
    .map((entry) => ({
      id: entry.h_id!,
      direction: entry.h_direction,
      author: entry.h_author,
      text: entry.h_text,
      createdAt: toDate(entry.h_created_at),
      interactionId: entry.h_interaction_id,
    }));
  return { message, history };
}

export interface MessageState {
  id: string;
  conversationId: string;
  direction: MessageDirection;
  deliveryStatus: DeliveryStatus | null;
  processedAt: Date | null;
  createdAt: Date;
  createdAtText: string;
}

export async function messageState(em: EntityManager, messageId: string): Promise<MessageState | null> {
  const rows = await em.execute<
    Array<{
      id: string;
      conversation_id: string;
      direction: MessageDirection;
      delivery_status: DeliveryStatus | null;
      processed_at: Timestamp | null;
      created_at: Timestamp;
    }>
  >('select id, conversation_id, direction, delivery_status, processed_at, created_at from message where id = ?', [
    messageId,
  ]);
  const row = rows[0];
  return row
    ? {
        id: row.id,
        conversationId: row.conversation_id,
        direction: row.direction,
        deliveryStatus: row.delivery_status,
        processedAt: row.processed_at === null ? null : toDate(row.processed_at),
        createdAt: toDate(row.created_at),
        createdAtText: toText(row.created_at),
      }
    : null;
}

/** The earliest inbound message of the conversation before `message` still waiting or being answered. */
export async function earliestPendingBefore(
  em: EntityManager,
  message: MessageState,
): Promise<{ id: string; deliveryStatus: DeliveryStatus } | null> {
  const rows = await em.execute<Array<{ id: string; delivery_status: DeliveryStatus }>>(
    `select id, delivery_status from message
     where conversation_id = ? and direction = 'inbound' and processed_at is null
       and delivery_status in ('received', 'processing') and id <> ?
       and (created_at, id) < (?::timestamptz, ?::uuid)
     order by created_at, id limit 1`,
    [message.conversationId, message.id, message.createdAtText, message.id],
  );
  return rows[0] ? { id: rows[0].id, deliveryStatus: rows[0].delivery_status } : null;
}

export interface HistoryRow {
  id: string;
  direction: MessageDirection;
  author: MessageAuthor;
  text: string;
  createdAt: Date;
  /** Set on bot replies: the interaction that produced it. */
  interactionId: string | null;
}

/** Gives a claim back after a failed turn, so the message is answered later; records why. */
export async function releaseClaim(em: EntityManager, messageId: string, reason: string): Promise<void> {
  await em.execute(
    `update message set delivery_status = 'received', processing_started_at = null, claimed_by = null, delivery_error = ?
     where id = ? and delivery_status = 'processing' and processed_at is null`,
    [reason.slice(0, 1_000), messageId],
    'run',
  );
}

/** Claims older than `cutoff` made without an instance id belong to a worker that died: make their messages claimable again. */
export async function expireClaims(em: EntityManager, cutoff: Date): Promise<string[]> {
  const rows = await em.execute<Array<{ id: string }>>(
    `update message set delivery_status = 'received', processing_started_at = null,
       delivery_error = 'claim expired: the worker answering it stopped'
     where delivery_status = 'processing' and direction = 'inbound' and processed_at is null
       -- Claims naming an instance are judged by its heartbeat instead (takeOverDeadClaims): never taken from a live one.
       and claimed_by is null
       and (processing_started_at is null or processing_started_at < ?)
     returning id`,
    [cutoff],
  );
  return rows.map((row) => row.id);
}

/**
 * Claims of instances that stopped heart-beating (ServiceInstance) go back to
 * 'received', oldest first; returns them so the caller answers them now. A
 * live instance never loses a claim this way, and a turn that still finishes
 * on a presumed-dead instance cannot commit twice (writeTurn only marks a
 * message processed once).
 */
export async function takeOverDeadClaims(
  em: EntityManager,
  staleAfterMs: number,
): Promise<Array<{ id: string; conversationId: string; channel: ChannelName }>> {
  // Reads the 'processing' partial index: only messages being answered right now.
  const rows = await em.execute<
    Array<{ id: string; conversation_id: string; channel: ChannelName; created_at: Timestamp }>
  >(
    `update message m set delivery_status = 'received', processing_started_at = null, claimed_by = null,
       delivery_error = 'claim taken over: the instance answering it stopped'
     where m.delivery_status = 'processing' and m.direction = 'inbound' and m.processed_at is null
       and m.claimed_by is not null
       and not exists (select 1 from service_instance i
                        where i.id = m.claimed_by and i.heartbeat_at > now() - (? * interval '1 millisecond'))
     returning m.id, m.conversation_id, m.channel, m.created_at`,
    [staleAfterMs],
  );
  return rows
    .sort((a, b) => toDate(a.created_at).getTime() - toDate(b.created_at).getTime())
    .map((row) => ({ id: row.id, conversationId: row.conversation_id, channel: row.channel }));
}

/** Inbound messages still to be answered, oldest first (the recovery order). */
export async function waitingMessages(em: EntityManager, limit: number): Promise<string[]> {
  const rows = await em.execute<Array<{ id: string }>>(
    `select id from message
     where direction = 'inbound' and processed_at is null and delivery_status = 'received'
     order by created_at, id limit ?`,
    [limit],
  );
  return rows.map((row) => row.id);
}

/**
 * Answers an inbound message without a provider: under the message's row lock
 * (concurrent workers, or recovery racing a live queue, answer once) and only
 * while it is still 'received' ('processing' means a turn holds it), runs
 * `answer` in the same transaction for the caller's own writes, stores the reply
 * and marks the message processed. Returns the reply's id, or null when the
 * message was already answered or taken (then nothing is written).
 */
export async function answerWithoutTurn(
  em: EntityManager,
  messageId: string,
  answer: (tx: EntityManager) => Promise<DirectAnswer>,
): Promise<string | null> {
  return em.transactional(async (tx) => {
    const locked = await tx.execute<
      {
        tenant_id: string;
        conversation_id: string;
        channel: ChannelName;
        processed_at: Timestamp | null;
        delivery_status: string | null;
      }[]
    >(
      `select tenant_id, conversation_id, channel, processed_at, delivery_status from message where id = ? and direction = 'inbound' for update`,
      [messageId],
    );
    const row = locked[0];
    if (!row || row.processed_at || row.delivery_status !== 'received') return null;
    const { text, note } = await answer(tx);
    const id = randomUUID();
    await tx.execute(
      `insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, delivery_status)
       values (?, ?, clock_timestamp(), ?, ?, 'outbound', 'system', 'text', ?, 'pending')`,
      [id, row.tenant_id, row.conversation_id, row.channel, text],
    );
    await tx.execute(
      `update message set processed_at = now(), delivery_status = 'processed', payload = coalesce(payload, '{}'::jsonb) || ?::jsonb where id = ?`,
      [JSON.stringify(note), messageId],
    );
    return id;
  });
}
