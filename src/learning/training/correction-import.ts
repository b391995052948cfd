import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../audit/audit-service';
import { approveCorrection, createCorrection } from '../../corrections/correction-service';
import type { DomainEvents } from '../../events';
import { normalizeTopic } from '../../knowledge/normalize';
import { HANDOVER_REPLY } from '../../providers/knowledge-base';

/** A question with its approved answer and topic (a row of the shared customer-support CSV). */
export interface CorrectionRow {
  question: string;
  answer: string;
  topic: string | null;
}

/**
 * Writes each row as a correction of a handed-off reply and approves it with
 * `quality` (the approval creates the knowledge article, which gets the row's
 * topic): the history of corrections a tenant accumulates, for demos and tests.
 */
export async function importApprovedCorrectionRows(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; rows: readonly CorrectionRow[]; quality: number; events?: DomainEvents },
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  let done = 0;
  for (const row of input.rows) {
    const correction = await createCorrection(em.fork(), {
      tenantId: input.tenantId,
      actor: input.actor,
      customerMessage: row.question,
      originalReply: HANDOVER_REPLY,
      correctedReply: row.answer,
      reason: 'imported',
      qualityScore: input.quality,
    });
    const { article } = await approveCorrection(
      em.fork(),
      { tenantId: input.tenantId, actor: input.actor, correctionId: correction.id, qualityScore: input.quality },
      { events: input.events },
    );
    const topic = normalizeTopic(row.topic);
    if (topic)
      await em
        .fork()
        .getConnection()
        .execute(`update knowledge_article set topic = ?, updated_at = now() where id = ?`, [topic, article.id]);
    done += 1;
    onProgress?.(done, input.rows.length);
  }
  return done;
}
