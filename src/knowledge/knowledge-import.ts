import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../audit/audit-service';
import { randomUUID } from 'node:crypto';
import { KnowledgeArticle } from '../db/entities';
import { pinnedToTenant } from '../db/tenant-pinned';
import type { DomainEvents } from '../events';
import type { ImportRow } from './knowledge-file';
import {
  addRevision,
  createSuperseding,
  lockTenantKnowledge,
  MAX_ANSWER_LENGTH,
  MAX_QUESTION_LENGTH,
} from './knowledge-service';
import { normalizeQuestion, normalizeTopic, sameAnswer } from './normalize';

/** What an import did. Re-running the same file adds and updates nothing: every row is skipped as unchanged. */
export interface ImportSummary {
  rows: number;
  added: number;
  updated: number;
  skipped: number;
  /** Skipped rows counted by reason. */
  skippedReasons: Record<string, number>;
  /** The first skipped rows with their reason (at most 20), to find them in the file. */
  skippedExamples: Array<{ row: number; reason: string }>;
  durationMs: number;
}

export interface ImportOptions {
  tenantId: string;
  actor: Actor;
  rows: ImportRow[];
  /** Named in revisions and the audit row (a file name). */
  label?: string;
  /** Rows written per transaction (default 1000); progress is reported after each. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  events?: DomainEvents;
}

interface ExistingRow {
  id: string;
  normalized_question: string;
  answer: string;
  topic: string | null;
  active: boolean;
  retired_reason: string | null;
}

export const SKIP_REASONS = {
  noQuestion: 'no question',
  noAnswer: 'no answer',
  questionTooLong: `question longer than ${MAX_QUESTION_LENGTH} characters`,
  answerTooLong: `answer longer than ${MAX_ANSWER_LENGTH} characters`,
  laterDuplicate: 'the same question appears again later in the file (the last one is imported)',
  unchanged: 'unchanged (already in the knowledge base)',
  retired: 'this answer was retired by an operator (restore it to use it again)',
  replaced: 'this answer was replaced by a newer one since',
} as const;

/**
 * Imports rows as knowledge articles (source `import`), in batches of plain
 * INSERT/UPDATE statements. For each row (normalised question):
 * - no article yet → added;
 * - the active article has the same answer → skipped as unchanged (a new topic
 *   is applied in place and counts as updated);
 * - the same answer exists but was retired or replaced → skipped (an import
 *   never brings back what an operator or a newer correction removed);
 * - otherwise the row supersedes the active article → updated.
 * Rows repeating a question later in the file are skipped in favour of the last.
 */
export async function importArticles(em: EntityManager, options: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const summary: ImportSummary = {
    rows: options.rows.length,
    added: 0,
    updated: 0,
    skipped: 0,
    skippedReasons: {},
    skippedExamples: [],
    durationMs: 0,
  };
  const skip = (row: number, reason: string) => {
    summary.skipped += 1;
    summary.skippedReasons[reason] = (summary.skippedReasons[reason] ?? 0) + 1;
    if (summary.skippedExamples.length < 20) summary.skippedExamples.push({ row, reason });
  };

  // Validate, and keep only the last row of each normalised question.
  const valid: Array<ImportRow & { normalized: string }> = [];
  const lastIndex = new Map<string, number>();
  for (const row of options.rows) {
    const normalized = normalizeQuestion(row.question);
    if (!normalized) skip(row.row, SKIP_REASONS.noQuestion);
    else if (!row.answer.trim()) skip(row.row, SKIP_REASONS.noAnswer);
    else if (row.question.length > MAX_QUESTION_LENGTH) skip(row.row, SKIP_REASONS.questionTooLong);
    else if (row.answer.length > MAX_ANSWER_LENGTH) skip(row.row, SKIP_REASONS.answerTooLong);
    else {
      lastIndex.set(normalized, valid.length);
      valid.push({ ...row, normalized });
    }
  }
  const unique = valid.filter((row, index) => {
    if (lastIndex.get(row.normalized) === index) return true;
    skip(row.row, SKIP_REASONS.laterDuplicate);
    return false;
  });

  const batchSize = Math.max(1, options.batchSize ?? 1000);
  const changedIds: string[] = [];
  let done = options.rows.length - unique.length;
  options.onProgress?.(done, options.rows.length);
  const note = options.label ? `import ${options.label}` : 'import';
  for (let start = 0; start < unique.length; start += batchSize) {
    const batch = unique.slice(start, start + batchSize);
    await em.transactional(async (tx) => {
      await lockTenantKnowledge(tx, options.tenantId);
      // Plain rows, not entities: hydrating thousands of unchanged articles is what made a re-run slow.
      const existing = await tx.execute<ExistingRow[]>(
        `select id, normalized_question, answer, topic, active, retired_reason from knowledge_article
          where tenant_id = ? and normalized_question in (select jsonb_array_elements_text(?::jsonb)) order by created_at, id`,
        [options.tenantId, JSON.stringify(batch.map((row) => row.normalized))],
      );
      const byQuestion = new Map<string, ExistingRow[]>();
      for (const article of existing)
        byQuestion.set(article.normalized_question, [...(byQuestion.get(article.normalized_question) ?? []), article]);
      const fresh: Array<{
        id: string;
        question: string;
        normalized_question: string;
        answer: string;
        topic: string | null;
      }> = [];
      const load = (id: string) => tx.findOneOrFail(KnowledgeArticle, { id, tenant: options.tenantId }, pinnedToTenant);
      for (const row of batch) {
        const articles = byQuestion.get(row.normalized) ?? [];
        const active = articles.find((article) => article.active);
        const topic = normalizeTopic(row.topic);
        if (active && sameAnswer(active.answer, row.answer)) {
          if (topic && topic !== active.topic) {
            const article = await load(active.id);
            article.topic = topic;
            article.version += 1;
            addRevision(tx, article, 'import', options.actor, note);
            summary.updated += 1;
            changedIds.push(article.id);
          } else skip(row.row, SKIP_REASONS.unchanged);
          continue;
        }
        const earlier = articles.find((article) => !article.active && sameAnswer(article.answer, row.answer));
        if (earlier) {
          skip(row.row, earlier.retired_reason === 'retired' ? SKIP_REASONS.retired : SKIP_REASONS.replaced);
          continue;
        }
        if (!active) {
          // The common case, written as one multi-row INSERT per batch (thousands of rows in a few seconds).
          const article = {
            id: randomUUID(),
            question: row.question,
            normalized_question: row.normalized,
            answer: row.answer,
            topic,
          };
          fresh.push(article);
          changedIds.push(article.id);
          summary.added += 1;
          continue;
        }
        const { article, superseded } = await createSuperseding(
          tx,
          {
            tenantId: options.tenantId,
            actor: options.actor,
            question: row.question,
            answer: row.answer,
            topic,
            source: 'import',
            action: 'import',
            note,
          },
          await load(active.id),
        );
        changedIds.push(article.id, superseded!.id);
        summary.updated += 1;
      }
      if (fresh.length) {
        // Plain INSERT … SELECT statements (a trigger on knowledge_article sees every row); columns as the entities declare them.
        await tx.execute(
          `insert into knowledge_article (id, tenant_id, created_at, updated_at, question, normalized_question, answer, topic, source, active, version)
           select r.id, ?, now(), now(), r.question, r.normalized_question, r.answer, r.topic, 'import', true, 1
             from jsonb_to_recordset(?::jsonb) as r(id uuid, question text, normalized_question text, answer text, topic text)`,
          [options.tenantId, JSON.stringify(fresh)],
        );
        await tx.execute(
          `insert into knowledge_article_revision (id, tenant_id, created_at, article_id, version, action, question, answer, topic, active, actor, note)
           select gen_random_uuid(), ?, now(), r.id, 1, 'import', r.question, r.answer, r.topic, true, ?, ?
             from jsonb_to_recordset(?::jsonb) as r(id uuid, question text, answer text, topic text)`,
          [options.tenantId, options.actor, note, JSON.stringify(fresh)],
        );
      }
      await tx.flush();
    });
    done += batch.length;
    options.onProgress?.(done, options.rows.length);
  }
  summary.durationMs = Date.now() - started;
  await em.transactional(async (tx) => {
    recordAudit(tx, {
      tenantId: options.tenantId,
      actor: options.actor,
      action: 'knowledge.import',
      targetType: 'KnowledgeArticle',
      after: {
        label: options.label ?? null,
        rows: summary.rows,
        added: summary.added,
        updated: summary.updated,
        skipped: summary.skipped,
        skippedReasons: summary.skippedReasons,
      },
    });
    await tx.flush();
  });
  if (changedIds.length)
    options.events?.emit('knowledge.changed', { tenantId: options.tenantId, articleIds: changedIds, action: 'import' });
  return summary;
}
