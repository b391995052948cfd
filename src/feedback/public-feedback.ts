import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit } from '../audit/audit-service';
import { AgentInteraction, type InteractionFeedback } from '../db/entities';
import { AppError, notFound } from '../errors';
import type { DomainEvents } from '../events';
import type { HitLimiter } from '../security/shared-rate-limiter';
import { recordVote } from './feedback-service';

/** Input of {@link submitPublicFeedback}. */
export interface PublicFeedbackInput {
  /** The interaction's unguessable feedbackToken (sent with the reply's feedback link). */
  token: string;
  helpful: boolean;
  comment?: string | null;
  /** Caller address, for the rate limit. */
  ip: string;
}

/** FEEDBACK_TOKEN_TTL_DAYS default: a feedback link works for 30 days after the reply. */
export const DEFAULT_FEEDBACK_TOKEN_TTL_DAYS = 30;

/**
 * A vote from outside (a web page, an email link): no API key, only the
 * interaction's feedback token. Rate-limited per IP and per token, so tokens
 * cannot be brute-forced and one reply cannot be flooded. An unknown token and
 * a malformed one are the same NOT_FOUND, so the answer tells an attacker
 * nothing; so is a token older than `tokenTtlDays` (FEEDBACK_TOKEN_TTL_DAYS).
 * Audited as `public:feedback`.
 */
export async function submitPublicFeedback(
  em: EntityManager,
  limiter: HitLimiter,
  input: PublicFeedbackInput,
  options: { events?: DomainEvents; tokenTtlDays?: number; now?: Date } = {},
): Promise<InteractionFeedback> {
  for (const key of [`ip:${input.ip}`, `token:${input.token}`]) {
    const verdict = await limiter.hit(key);
    if (!verdict.allowed) {
      throw new AppError('RATE_LIMITED', `Too many feedback submissions; try again in ${verdict.retryAfterSeconds} s`, {
        retryAfterSeconds: verdict.retryAfterSeconds,
      });
    }
  }
  if (typeof input.token !== 'string' || input.token.length < 16 || input.token.length > 64)
    throw notFound('Feedback token');
  const interaction = await em.findOne(
    AgentInteraction,
    { feedbackToken: input.token },
    { fields: ['id', 'tenant', 'createdAt'] },
  );
  if (!interaction) throw notFound('Feedback token');
  // Tokens expire with their reply's age; an expired one answers like an unknown one.
  const ttlMs = (options.tokenTtlDays ?? DEFAULT_FEEDBACK_TOKEN_TTL_DAYS) * 86_400_000;
  if ((options.now ?? new Date()).getTime() - interaction.createdAt.getTime() > ttlMs) throw notFound('Feedback token');
  const tenantId = interaction.tenant.id;
  const feedback = await em.transactional(async (tx) => {
    const recorded = await recordVote(tx, {
      tenantId,
      interactionId: interaction.id,
      helpful: input.helpful,
      comment: input.comment,
      source: 'api',
    });
    recordAudit(tx, {
      tenantId,
      actor: 'public:feedback',
      action: 'feedback.submit',
      targetType: 'AgentInteraction',
      targetId: interaction.id,
      after: { helpful: recorded.helpful, comment: recorded.comment, source: recorded.source },
    });
    await tx.flush();
    return recorded;
  });
  options.events?.emit('feedback.recorded', {
    tenantId,
    interactionId: interaction.id,
    helpful: input.helpful,
    source: 'api',
  });
  return feedback;
}
