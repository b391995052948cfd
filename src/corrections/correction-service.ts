import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { recordAudit, type Actor } from '../audit/audit-service';
import {
  AgentInteraction,
  HumanCorrection,
  KnowledgeArticle,
  type CorrectionCategory,
  type CorrectionStatus,
} from '../db/entities';
import { AppError, badInput, notFound } from '../errors';
import type { DomainEvents } from '../events';
import { isUuid, NO_SUCH_ID } from '../ids';
import { pinnedToTenant } from '../db/tenant-pinned';
import { learnFromCorrection } from '../knowledge/knowledge-service';
import { keysetPage, pageSize, type Page, type PageRequest } from '../pagination/cursor-page';

/**
 * Human corrections of bot replies and their approval workflow. Called by the
 * GraphQL control plane, the Slack app and tests alike; every function takes
 * the tenant explicitly and filters by it, so it is safe on any EntityManager
 * (a `tenantScope` fork or a plain one). Every change writes an AuditLog row
 * in the same transaction.
 */

export const CORRECTION_CATEGORIES = [
  'wrong_facts',
  'tone',
  'incomplete',
  'policy',
  'other',
] as const satisfies readonly CorrectionCategory[];
export const CORRECTION_STATUSES = ['pending', 'approved', 'rejected'] as const satisfies readonly CorrectionStatus[];

const text = (max: number) => z.string().trim().min(1).max(max);
const qualityScore = z.number().int().min(0).max(5);

/** Input of {@link createCorrection}. */
export interface CreateCorrectionInput {
  tenantId: string;
  /** Who writes it: `apikey:<id>` or `slack:<user id>`. Stored as the author. */
  actor: Actor;
  /** Display name of the author (e.g. the Slack user's real name). */
  authorName?: string | null;
  /**
   * The bot turn being corrected. When given, `originalReply` and
   * `customerMessage` default to that turn's reply and customer message.
   */
  interactionId?: string | null;
  /** What the customer asked; required when there is no `interactionId`. */
  customerMessage?: string | null;
  /** The bot's reply; required when there is no `interactionId`. */
  originalReply?: string | null;
  /** The better reply (1–4000 characters). */
  correctedReply: string;
  reason?: string | null;
  /** Default `other`. */
  category?: CorrectionCategory | null;
  /** 0–5, proposed by the author; the approver may overwrite it. */
  qualityScore?: number | null;
}

const createSchema = z.object({
  correctedReply: text(4000),
  customerMessage: text(4000).nullish(),
  originalReply: text(8000).nullish(),
  reason: z.string().trim().max(1000).nullish(),
  category: z.enum(CORRECTION_CATEGORIES).nullish(),
  qualityScore: qualityScore.nullish(),
  authorName: z.string().trim().max(200).nullish(),
});

/**
 * Creates a pending correction. Throws BAD_USER_INPUT for invalid fields and
 * NOT_FOUND when `interactionId` is not a bot turn of this tenant.
 */
export async function createCorrection(em: EntityManager, input: CreateCorrectionInput): Promise<HumanCorrection> {
  const fields = parse(createSchema, input);
  return em.transactional(async (tx) => {
    let interaction: AgentInteraction | null = null;
    if (input.interactionId) {
      interaction = await tx.findOne(
        AgentInteraction,
        { id: input.interactionId, tenant: input.tenantId },
        { populate: ['inboundMessage'] },
      );
      if (!interaction) throw notFound('Interaction', input.interactionId);
    }
    const customerMessage = fields.customerMessage ?? interaction?.inboundMessage.text ?? null;
    const originalReply = fields.originalReply ?? interaction?.replyText ?? null;
    if (!customerMessage)
      throw badInput('customerMessage is required when no interactionId is given', { field: 'customerMessage' });
    if (!originalReply)
      throw badInput('originalReply is required when no interactionId is given', { field: 'originalReply' });
    const correction = tx.create(HumanCorrection, {
      tenant: input.tenantId,
      interaction,
      customerMessage,
      originalReply,
      correctedReply: fields.correctedReply,
      reason: fields.reason || null,
      category: fields.category ?? 'other',
      qualityScore: fields.qualityScore ?? null,
      authorId: input.actor,
      authorName: fields.authorName ?? null,
    });
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'correction.create',
      targetType: 'HumanCorrection',
      targetId: correction.id,
      after: snapshot(correction),
    });
    await tx.flush();
    return correction;
  });
}

/** Input of {@link approveCorrection}. */
export interface ApproveCorrectionInput {
  tenantId: string;
  /** The approver: `apikey:<id>` (scope users:manage) or `slack:<user id>` (a mapped approver). */
  actor: Actor;
  correctionId: string;
  /** 0–5; when omitted the author's proposed score is kept. */
  qualityScore?: number | null;
}

export interface ApproveCorrectionResult {
  correction: HumanCorrection;
  /** The active knowledge-base answer created or updated from the correction. */
  article: KnowledgeArticle;
}

/**
 * Approves a pending correction: records who and when, creates an active
 * KnowledgeArticle (source `correction`, question = the customer's message,
 * answer = the corrected reply) that supersedes any article answering the same
 * normalised question (see learnFromCorrection), audits it, commits, and then emits
 * `correction.approved` so the knowledge-base provider refreshes at once.
 * Throws NOT_FOUND for an unknown id (or another tenant's), CONFLICT when the
 * correction is not pending (it was already decided).
 */
export async function approveCorrection(
  em: EntityManager,
  input: ApproveCorrectionInput,
  options: { events?: DomainEvents } = {},
): Promise<ApproveCorrectionResult> {
  const score =
    input.qualityScore === undefined || input.qualityScore === null ? null : parse(qualityScore, input.qualityScore);
  const result = await em.transactional(async (tx) => {
    const correction = await lockPending(tx, input.tenantId, input.correctionId);
    const before = snapshot(correction);
    correction.status = 'approved';
    correction.decidedBy = input.actor;
    correction.decidedAt = new Date();
    if (score !== null) correction.qualityScore = score;
    const article = await learnFromCorrection(tx, { tenantId: input.tenantId, actor: input.actor, correction });
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'correction.approve',
      targetType: 'HumanCorrection',
      targetId: correction.id,
      before,
      after: { ...snapshot(correction), knowledgeArticleId: article.id },
    });
    await tx.flush();
    return { correction, article };
  });
  options.events?.emit('correction.approved', { tenantId: input.tenantId, correctionId: input.correctionId });
  return result;
}

/** Input of {@link rejectCorrection}. */
export interface RejectCorrectionInput {
  tenantId: string;
  actor: Actor;
  correctionId: string;
  /** Why it is rejected (1–1000 characters), shown to the author. */
  reason: string;
}

/** Rejects a pending correction. Same errors as {@link approveCorrection}, plus BAD_USER_INPUT for an empty reason. */
export async function rejectCorrection(em: EntityManager, input: RejectCorrectionInput): Promise<HumanCorrection> {
  const reason = parse(text(1000), input.reason);
  return em.transactional(async (tx) => {
    const correction = await lockPending(tx, input.tenantId, input.correctionId);
    const before = snapshot(correction);
    correction.status = 'rejected';
    correction.decidedBy = input.actor;
    correction.decidedAt = new Date();
    correction.rejectionReason = reason;
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'correction.reject',
      targetType: 'HumanCorrection',
      targetId: correction.id,
      before,
      after: snapshot(correction),
    });
    await tx.flush();
    return correction;
  });
}

/** One correction of the tenant, or null (also for another tenant's id). */
export async function findCorrection(
  em: EntityManager,
  input: { tenantId: string; correctionId: string },
): Promise<HumanCorrection | null> {
  if (!isUuid(input.correctionId)) return null;
  return em.findOne(HumanCorrection, { id: input.correctionId, tenant: input.tenantId });
}

/** Filters of {@link listCorrections}; all optional, combined with AND. */
export interface CorrectionFilter {
  status?: CorrectionStatus | null;
  category?: CorrectionCategory | null;
  /** `apikey:<id>` or `slack:<user>`. */
  authorId?: string | null;
  interactionId?: string | null;
  /** createdAt >= from */
  from?: Date | null;
  /** createdAt < to */
  to?: Date | null;
}

/** Newest first, keyset-paginated (see src/pagination/cursor-page.ts). */
export async function listCorrections(
  em: EntityManager,
  input: { tenantId: string; filter?: CorrectionFilter | null } & PageRequest,
): Promise<Page<HumanCorrection>> {
  const size = pageSize(input.first);
  const filter = input.filter ?? {};
  const createdAt: Record<string, Date> = {};
  if (filter.from) createdAt.$gte = filter.from;
  if (filter.to) createdAt.$lt = filter.to;
  const where = {
    tenant: input.tenantId,
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.category ? { category: filter.category } : {}),
    ...(filter.authorId ? { authorId: filter.authorId } : {}),
    ...(filter.interactionId ? { interaction: isUuid(filter.interactionId) ? filter.interactionId : NO_SUCH_ID } : {}),
    ...(Object.keys(createdAt).length ? { createdAt } : {}),
  };
  return keysetPage(em, HumanCorrection, where, { size, after: input.after }, pinnedToTenant);
}

async function lockPending(tx: EntityManager, tenantId: string, correctionId: string): Promise<HumanCorrection> {
  if (!isUuid(correctionId)) throw notFound('Correction', correctionId);
  // A row lock makes two approvers deciding at once serialise: the second sees the first's decision.
  const correction = await tx.findOne(
    HumanCorrection,
    { id: correctionId, tenant: tenantId },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
  if (!correction) throw notFound('Correction', correctionId);
  if (correction.status !== 'pending') {
    throw new AppError(
      'CONFLICT',
      `Correction ${correctionId} was already ${correction.status}; only pending corrections can be approved or rejected`,
      {
        status: correction.status,
      },
    );
  }
  return correction;
}

function snapshot(correction: HumanCorrection): Record<string, unknown> {
  return {
    status: correction.status,
    correctedReply: correction.correctedReply,
    category: correction.category,
    qualityScore: correction.qualityScore,
    decidedBy: correction.decidedBy,
    decidedAt: correction.decidedAt,
    rejectionReason: correction.rejectionReason,
  };
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || 'value';
  throw badInput(`${field}: ${issue?.message ?? 'invalid'}`, { field });
}
