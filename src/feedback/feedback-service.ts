import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { FEEDBACK_SOURCES, InteractionFeedback, type FeedbackSource } from '../db/entities';
import { badInput, notFound } from '../errors';
import { mergeSignals } from './implicit-satisfaction';

export { implicitSatisfaction, mergeSignals, type ImplicitSignals } from './implicit-satisfaction';

/** An explicit 👍/👎 on one bot reply. */
export interface RecordVoteInput {
  tenantId: string;
  interactionId: string;
  helpful: boolean;
  /** Free text the customer or agent added; trimmed, at most 2,000 characters kept. */
  comment?: string | null;
  source: FeedbackSource;
  /** When the vote was cast (default: now). */
  at?: Date;
}

/** Implicit signals on one bot reply; absent fields keep their stored value. */
export interface RecordImplicitSignalsInput {
  tenantId: string;
  interactionId: string;
  continuedConversation?: boolean;
  completedAction?: boolean;
  requestedHandoff?: boolean;
  responseTimeMs?: number | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_COMMENT_LENGTH = 2_000;
/**
 * Earlier votes kept per reply (the newest ones). Without a bound, a token
 * voted at the rate limit all day grew its JSON history by ~59 MB; with it a
 * row holds at most 20 × 2,000 characters of comments.
 */
export const MAX_VOTE_HISTORY = 20;
const SOURCES: readonly FeedbackSource[] = FEEDBACK_SOURCES;

/**
 * Records a vote on an interaction of `tenantId`: the latest vote becomes the
 * row's `helpful`/`comment`/`source`/`votedAt`, and the vote is appended to
 * `history` (the newest {@link MAX_VOTE_HISTORY} are kept), so a customer who
 * changes their mind leaves a trail. Emits no
 * event (the caller does, after its transaction commits). Throws NOT_FOUND when
 * the interaction does not exist for this tenant.
 */
export async function recordVote(em: EntityManager, input: RecordVoteInput): Promise<InteractionFeedback> {
  if (typeof input.helpful !== 'boolean') throw badInput('helpful must be true or false');
  if (!SOURCES.includes(input.source)) throw badInput(`source must be one of ${SOURCES.join(', ')}`);
  const comment = normaliseComment(input.comment);
  const at = input.at ?? new Date();
  return em.transactional(async (tx) => {
    const feedback = await lockFeedbackRow(tx, input.tenantId, input.interactionId);
    feedback.helpful = input.helpful;
    feedback.comment = comment;
    feedback.source = input.source;
    feedback.votedAt = at;
    // A new array, so the change set sees the JSON column change.
    // The newest MAX_VOTE_HISTORY votes only.
    feedback.history = [
      ...feedback.history,
      { helpful: input.helpful, comment, source: input.source, at: at.toISOString() },
    ].slice(-MAX_VOTE_HISTORY);
    await tx.flush();
    return feedback;
  });
}

/**
 * Merges implicit signals into an interaction's feedback row (creating it when
 * needed) and recomputes `implicitSatisfaction` from the merged signals.
 */
export async function recordImplicitSignals(
  em: EntityManager,
  input: RecordImplicitSignalsInput,
): Promise<InteractionFeedback> {
  return em.transactional((tx) => applyImplicitSignals(tx, input));
}

/**
 * `recordImplicitSignals` for a caller already inside a transaction (the
 * conversation engine's turn): locks and changes the row; the caller's flush
 * and commit write it, together with the rest of its work.
 */
export async function applyImplicitSignals(
  tx: EntityManager,
  input: RecordImplicitSignalsInput,
): Promise<InteractionFeedback> {
  if (input.responseTimeMs != null && (!Number.isFinite(input.responseTimeMs) || input.responseTimeMs < 0)) {
    throw badInput('responseTimeMs must be a non-negative number of milliseconds');
  }
  const feedback = await lockFeedbackRow(tx, input.tenantId, input.interactionId);
  Object.assign(feedback, mergeSignals(feedback, input));
  return feedback;
}

/**
 * The feedback row of an interaction of `tenantId`, created if missing and
 * locked for update, so concurrent votes and signals serialise instead of
 * overwriting each other. Creation is `insert … on conflict do nothing`, which
 * is safe when two first votes race.
 */
async function lockFeedbackRow(
  tx: EntityManager,
  tenantId: string,
  interactionId: string,
): Promise<InteractionFeedback> {
  if (!UUID.test(interactionId) || !UUID.test(tenantId)) throw notFound('Interaction', interactionId);
  // Creates the row only for an interaction of this tenant; the locking read below then finds
  // nothing for an unknown or foreign interaction.
  await tx.execute(
    `insert into interaction_feedback (id, tenant_id, created_at, interaction_id, history, updated_at)
     select ?::uuid, tenant_id, now(), id, '[]'::jsonb, now() from agent_interaction where id = ? and tenant_id = ?
     on conflict (interaction_id) do nothing`,
    [randomUUID(), interactionId, tenantId],
    'run',
  );
  const feedback = await tx.findOne(
    InteractionFeedback,
    { interaction: interactionId, tenant: tenantId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
  if (!feedback) throw notFound('Interaction', interactionId);
  return feedback;
}

function normaliseComment(comment: string | null | undefined): string | null {
  const trimmed = comment?.trim();
  return trimmed ? trimmed.slice(0, MAX_COMMENT_LENGTH) : null;
}

/** For callers that hold an interaction entity: its feedback row, or null when nothing was recorded yet. */
export async function findFeedback(
  em: EntityManager,
  tenantId: string,
  interactionId: string,
): Promise<InteractionFeedback | null> {
  if (!UUID.test(interactionId)) return null;
  return em.findOne(InteractionFeedback, { interaction: interactionId, tenant: tenantId });
}
