import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { recordAudit, type Actor } from '../audit/audit-service';
import {
  KnowledgeArticle,
  KnowledgeArticleRevision,
  type HumanCorrection,
  type KnowledgeRevisionAction,
  type KnowledgeSource,
} from '../db/entities';
import { pinnedToTenant } from '../db/tenant-pinned';
import { AppError, badInput, notFound } from '../errors';
import type { DomainEvents } from '../events';
import { isUuid } from '../ids';
import { afterCondition, pageOrder, pageSize, toPage, type Page, type PageRequest } from '../pagination/cursor-page';
import { normalizeQuestion, normalizeTopic } from './normalize';

/**
 * The tenant's knowledge articles: list, search, add, edit, retire, restore,
 * with a revision per change. One active article per normalised question
 * (see normalize.ts): a newer article for the same question (added, imported
 * or learnt from an approved correction) supersedes the older one, which stays
 * as history (inactive, `supersededBy` set).
 *
 * Writes are plain INSERT/UPDATE statements (never TRUNCATE or COPY), so a
 * trigger on knowledge_article sees every change. Writes of one tenant
 * serialise on an advisory lock, so two writers cannot both make an active
 * article for the same question. After a commit `knowledge.changed` is emitted.
 */

export const MAX_QUESTION_LENGTH = 2000;
export const MAX_ANSWER_LENGTH = 8000;

const fieldsSchema = z.object({
  question: z.string().trim().min(1, 'must not be empty').max(MAX_QUESTION_LENGTH),
  answer: z.string().trim().min(1, 'must not be empty').max(MAX_ANSWER_LENGTH),
  topic: z.string().trim().max(100).nullish(),
});

export interface ServiceOptions {
  events?: DomainEvents;
}

/** Serialises knowledge writes of one tenant until the transaction ends. */
export async function lockTenantKnowledge(tx: EntityManager, tenantId: string): Promise<void> {
  await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`knowledge:${tenantId}`]);
}

export function addRevision(
  tx: EntityManager,
  article: KnowledgeArticle,
  action: KnowledgeRevisionAction,
  actor: string,
  note: string | null = null,
): KnowledgeArticleRevision {
  return tx.create(KnowledgeArticleRevision, {
    tenant: article.tenant,
    article,
    version: article.version,
    action,
    question: article.question,
    answer: article.answer,
    topic: article.topic,
    active: article.active,
    actor,
    note,
  });
}

/** Marks `old` as replaced by `by`, with a revision. */
export function supersede(tx: EntityManager, old: KnowledgeArticle, by: KnowledgeArticle, actor: string): void {
  old.active = false;
  old.retiredAt = new Date();
  old.retiredReason = 'superseded';
  old.supersededBy = by;
  old.version += 1;
  addRevision(tx, old, 'supersede', actor, `superseded by ${by.id}`);
}

async function activeArticleFor(
  tx: EntityManager,
  tenantId: string,
  normalizedQuestion: string,
  except?: string,
): Promise<KnowledgeArticle | null> {
  return tx.findOne(
    KnowledgeArticle,
    { tenant: tenantId, normalizedQuestion, active: true, ...(except ? { id: { $ne: except } } : {}) },
    pinnedToTenant,
  );
}

interface NewArticle {
  tenantId: string;
  actor: string;
  question: string;
  answer: string;
  topic: string | null;
  source: KnowledgeSource;
  correction?: HumanCorrection | null;
  action?: KnowledgeRevisionAction;
  note?: string | null;
}

/**
 * Creates an active article inside `tx` (locked by the caller), superseding the
 * active one for the same question. `known` skips the look-up when the caller
 * already has the active article (or knows there is none: null).
 */
export async function createSuperseding(
  tx: EntityManager,
  input: NewArticle,
  known?: KnowledgeArticle | null,
): Promise<{ article: KnowledgeArticle; superseded: KnowledgeArticle | null }> {
  const normalizedQuestion = normalizeQuestion(input.question);
  const current = known !== undefined ? known : await activeArticleFor(tx, input.tenantId, normalizedQuestion);
  const article = tx.create(KnowledgeArticle, {
    tenant: input.tenantId,
    question: input.question,
    normalizedQuestion,
    answer: input.answer,
    // A newer answer to the same question keeps its topic label unless it brings its own.
    topic: input.topic ?? current?.topic ?? null,
    source: input.source,
    correction: input.correction ?? null,
  });
  addRevision(tx, article, input.action ?? 'create', input.actor, input.note ?? null);
  if (current) supersede(tx, current, article, input.actor);
  return { article, superseded: current };
}

function parseFields(input: { question: string; answer: string; topic?: string | null }) {
  const parsed = fieldsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'input';
    throw badInput(`${field}: ${issue.message}`, { field });
  }
  const normalized = normalizeQuestion(parsed.data.question);
  if (!normalized) throw badInput('question: must contain letters or digits', { field: 'question' });
  return { question: parsed.data.question, answer: parsed.data.answer, topic: normalizeTopic(parsed.data.topic) };
}

function snapshot(article: KnowledgeArticle): Record<string, unknown> {
  return {
    question: article.question,
    answer: article.answer,
    topic: article.topic,
    active: article.active,
    version: article.version,
    retiredReason: article.retiredReason,
  };
}

function changed(options: ServiceOptions, tenantId: string, articleIds: string[], action: string): void {
  if (articleIds.length) options.events?.emit('knowledge.changed', { tenantId, articleIds, action });
}

/**
 * Adds an article (source `manual`). When an active article already answers
 * the same normalised question, the new one supersedes it. Audited.
 */
export async function addArticle(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; question: string; answer: string; topic?: string | null },
  options: ServiceOptions = {},
): Promise<{ article: KnowledgeArticle; superseded: KnowledgeArticle | null }> {
  const fields = parseFields(input);
  const result = await em.transactional(async (tx) => {
    await lockTenantKnowledge(tx, input.tenantId);
    const created = await createSuperseding(tx, {
      ...fields,
      tenantId: input.tenantId,
      actor: input.actor,
      source: 'manual',
    });
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'knowledge.create',
      targetType: 'KnowledgeArticle',
      targetId: created.article.id,
      after: { ...snapshot(created.article), supersededArticleId: created.superseded?.id ?? null },
    });
    await tx.flush();
    return created;
  });
  changed(options, input.tenantId, [result.article.id, ...(result.superseded ? [result.superseded.id] : [])], 'create');
  return result;
}

async function lockedArticle(tx: EntityManager, tenantId: string, articleId: string): Promise<KnowledgeArticle> {
  if (!isUuid(articleId)) throw notFound('Knowledge article', articleId);
  await lockTenantKnowledge(tx, tenantId);
  const article = await tx.findOne(
    KnowledgeArticle,
    { id: articleId, tenant: tenantId },
    { ...pinnedToTenant, refresh: true },
  );
  if (!article) throw notFound('Knowledge article', articleId);
  return article;
}

/**
 * Edits an article in place (version + 1, a revision). Changing the question
 * to one another active article already answers is a CONFLICT naming it.
 */
export async function editArticle(
  em: EntityManager,
  input: {
    tenantId: string;
    actor: Actor;
    articleId: string;
    question?: string | null;
    answer?: string | null;
    topic?: string | null;
  },
  options: ServiceOptions = {},
): Promise<KnowledgeArticle> {
  const article = await em.transactional(async (tx) => {
    const row = await lockedArticle(tx, input.tenantId, input.articleId);
    const before = snapshot(row);
    const fields = parseFields({
      question: input.question ?? row.question,
      answer: input.answer ?? row.answer,
      topic: input.topic === undefined ? row.topic : input.topic,
    });
    const normalizedQuestion = normalizeQuestion(fields.question);
    if (row.active && normalizedQuestion !== row.normalizedQuestion) {
      const rival = await activeArticleFor(tx, input.tenantId, normalizedQuestion, row.id);
      if (rival)
        throw new AppError(
          'CONFLICT',
          `Article ${rival.id} already answers this question: edit that one, or retire it first`,
          { articleId: rival.id },
        );
    }
    if (fields.question === row.question && fields.answer === row.answer && fields.topic === row.topic) return row;
    row.question = fields.question;
    row.normalizedQuestion = normalizedQuestion;
    row.answer = fields.answer;
    row.topic = fields.topic;
    row.version += 1;
    addRevision(tx, row, 'edit', input.actor);
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'knowledge.edit',
      targetType: 'KnowledgeArticle',
      targetId: row.id,
      before,
      after: snapshot(row),
    });
    await tx.flush();
    return row;
  });
  changed(options, input.tenantId, [article.id], 'edit');
  return article;
}

/** Takes an article out of answering (kept, restorable). CONFLICT when it is not active. */
export async function retireArticle(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; articleId: string; reason?: string | null },
  options: ServiceOptions = {},
): Promise<KnowledgeArticle> {
  const reason = input.reason?.trim().slice(0, 1000) || null;
  const article = await em.transactional(async (tx) => {
    const row = await lockedArticle(tx, input.tenantId, input.articleId);
    if (!row.active)
      throw new AppError(
        'CONFLICT',
        `Article ${row.id} is not active (${row.retiredReason ?? 'retired'}); nothing to retire`,
      );
    const before = snapshot(row);
    row.active = false;
    row.retiredAt = new Date();
    row.retiredReason = 'retired';
    row.version += 1;
    addRevision(tx, row, 'retire', input.actor, reason);
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'knowledge.retire',
      targetType: 'KnowledgeArticle',
      targetId: row.id,
      before,
      after: { ...snapshot(row), reason },
    });
    await tx.flush();
    return row;
  });
  changed(options, input.tenantId, [article.id], 'retire');
  return article;
}

/**
 * Makes a retired or superseded article active again. If another article now
 * answers the same question, that one is superseded by the restored one (the
 * operator chose this answer). CONFLICT when it is already active.
 */
export async function restoreArticle(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; articleId: string },
  options: ServiceOptions = {},
): Promise<{ article: KnowledgeArticle; superseded: KnowledgeArticle | null }> {
  const result = await em.transactional(async (tx) => {
    const row = await lockedArticle(tx, input.tenantId, input.articleId);
    if (row.active) throw new AppError('CONFLICT', `Article ${row.id} is already active`);
    const before = snapshot(row);
    const current = await activeArticleFor(tx, input.tenantId, row.normalizedQuestion, row.id);
    row.active = true;
    row.retiredAt = null;
    row.retiredReason = null;
    row.supersededBy = null;
    row.version += 1;
    addRevision(tx, row, 'restore', input.actor, current ? `replaces ${current.id}` : null);
    if (current) supersede(tx, current, row, input.actor);
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'knowledge.restore',
      targetType: 'KnowledgeArticle',
      targetId: row.id,
      before,
      after: { ...snapshot(row), supersededArticleId: current?.id ?? null },
    });
    await tx.flush();
    return { article: row, superseded: current };
  });
  changed(
    options,
    input.tenantId,
    [result.article.id, ...(result.superseded ? [result.superseded.id] : [])],
    'restore',
  );
  return result;
}

/**
 * The article an approved correction teaches, inside the approval's
 * transaction: the article already learnt from this correction is edited;
 * otherwise a new `correction` article supersedes whatever answers the same
 * normalised question (a seed answer, an import, an older correction).
 */
export async function learnFromCorrection(
  tx: EntityManager,
  input: { tenantId: string; actor: Actor; correction: HumanCorrection },
): Promise<KnowledgeArticle> {
  const { correction } = input;
  const question = (correction.customerMessage ?? correction.originalReply).trim().slice(0, MAX_QUESTION_LENGTH);
  const answer = correction.correctedReply;
  await lockTenantKnowledge(tx, input.tenantId);
  const linked = await tx.findOne(
    KnowledgeArticle,
    { tenant: input.tenantId, correction: correction.id },
    pinnedToTenant,
  );
  if (linked && linked.active) {
    linked.answer = answer;
    linked.version += 1;
    addRevision(tx, linked, 'edit', input.actor, `correction ${correction.id}`);
    return linked;
  }
  const { article } = await createSuperseding(tx, {
    tenantId: input.tenantId,
    actor: input.actor,
    question,
    answer,
    topic: null,
    source: 'correction',
    correction,
    note: `correction ${correction.id}`,
  });
  return article;
}

export type ArticleStatusFilter = 'active' | 'retired' | 'superseded' | 'inactive' | 'all';

export interface ArticleFilter {
  /** Default `active`. `inactive` = retired or superseded. */
  status?: ArticleStatusFilter | null;
  topic?: string | null;
  source?: KnowledgeSource | null;
  /** Words to look for: in the question (case, punctuation and spacing ignored) or the answer. */
  search?: string | null;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

function whereOf(tenantId: string, filter: ArticleFilter): Record<string, unknown> {
  const status = filter.status ?? 'active';
  const statusCondition =
    status === 'active'
      ? { active: true }
      : status === 'retired'
        ? { active: false, retiredReason: 'retired' }
        : status === 'superseded'
          ? { active: false, retiredReason: 'superseded' }
          : status === 'inactive'
            ? { active: false }
            : {};
  const search = filter.search?.trim();
  const normalized = search ? normalizeQuestion(search) : '';
  return {
    tenant: tenantId,
    ...statusCondition,
    ...(filter.topic ? { topic: normalizeTopic(filter.topic) } : {}),
    ...(filter.source ? { source: filter.source } : {}),
    ...(search
      ? {
          $or: [
            ...(normalized ? [{ normalizedQuestion: { $like: likePattern(normalized) } }] : []),
            { answer: { $ilike: likePattern(search) } },
          ],
        }
      : {}),
  };
}

/** Articles of the tenant, newest first, keyset-paginated. */
export async function listArticles(
  em: EntityManager,
  input: { tenantId: string; filter?: ArticleFilter | null } & PageRequest,
): Promise<Page<KnowledgeArticle>> {
  const size = pageSize(input.first);
  const where = whereOf(input.tenantId, input.filter ?? {});
  const [rows, totalCount] = await Promise.all([
    em.find(
      KnowledgeArticle,
      { $and: [where, afterCondition(input.after)] },
      { ...pinnedToTenant, orderBy: pageOrder, limit: size + 1 },
    ),
    em.count(KnowledgeArticle, where, pinnedToTenant),
  ]);
  return toPage(rows, size, totalCount);
}

/** Every article matching the filter (for placeholder reports); at most `limit`. */
export async function allArticles(
  em: EntityManager,
  input: { tenantId: string; filter?: ArticleFilter | null; limit?: number },
): Promise<KnowledgeArticle[]> {
  return em.find(KnowledgeArticle, whereOf(input.tenantId, input.filter ?? {}), {
    ...pinnedToTenant,
    orderBy: pageOrder,
    limit: input.limit ?? 100_000,
  });
}

export async function findArticle(
  em: EntityManager,
  input: { tenantId: string; articleId: string },
): Promise<KnowledgeArticle | null> {
  if (!isUuid(input.articleId)) return null;
  return em.findOne(KnowledgeArticle, { id: input.articleId, tenant: input.tenantId }, pinnedToTenant);
}

/**
 * The history of an article: its own revisions and those of the articles it
 * superseded (the earlier answers to the same question), newest first.
 */
export async function articleHistory(
  em: EntityManager,
  input: { tenantId: string; articleId: string },
): Promise<KnowledgeArticleRevision[]> {
  const article = await findArticle(em, input);
  if (!article) throw notFound('Knowledge article', input.articleId);
  const ids = new Set([article.id]);
  let frontier = [article.id];
  // Follow the supersession chain backwards; bounded so a cycle (restore after restore) cannot loop.
  for (let depth = 0; depth < 50 && frontier.length; depth++) {
    const older = await em.find(
      KnowledgeArticle,
      { tenant: input.tenantId, supersededBy: { $in: frontier } },
      { ...pinnedToTenant, fields: ['id'] },
    );
    frontier = older.map((row) => row.id).filter((id) => !ids.has(id));
    frontier.forEach((id) => ids.add(id));
  }
  return em.find(
    KnowledgeArticleRevision,
    { tenant: input.tenantId, article: { $in: [...ids] } },
    { ...pinnedToTenant, orderBy: { createdAt: 'desc', version: 'desc', id: 'desc' } },
  );
}
