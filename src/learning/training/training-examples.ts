import type { EntityManager } from '@mikro-orm/postgresql';
import type { TrainingExample, TrainingMessage, TrainingSetSettings } from '../../db/entities';
import { maskCustomerData } from '../../engine/prompt';
import { normalizeQuestion } from '../../knowledge/normalize';
import { splitOf } from './training-format';

/** Earlier turns of the conversation kept as context per example. */
export const CONTEXT_MESSAGES = 10;

interface Candidate {
  id: string;
  source: TrainingExample['source'];
  question: string;
  reply: string;
  topic: string | null;
  category: string | null;
  interactionId: string | null;
  /** When it was approved (a correction) or rated (a 👍 reply): the newest wins a duplicate. */
  at: Date;
}

interface CorrectionRow {
  id: string;
  customer_message: string | null;
  corrected_reply: string;
  quality_score: number | null;
  category: string | null;
  decided_at: Date | null;
  created_at: Date;
  interaction_id: string | null;
  topic: string | null;
}

interface ThumbsUpRow {
  interaction_id: string;
  question: string;
  reply: string;
  implicit_satisfaction: number | null;
  corrected: boolean;
  voted_at: Date | null;
  created_at: Date;
  topic: string | null;
}

interface ContextRow {
  interaction_id: string;
  direction: 'inbound' | 'outbound';
  text: string;
}

export interface SelectedExamples {
  examples: TrainingExample[];
  filteredOut: Record<string, number>;
  maskedValues: number;
}

function note(filteredOut: Record<string, number>, reason: string): void {
  filteredOut[reason] = (filteredOut[reason] ?? 0) + 1;
}

async function correctionCandidates(
  em: EntityManager,
  tenantId: string,
  settings: TrainingSetSettings,
  filteredOut: Record<string, number>,
): Promise<Candidate[]> {
  const rows = await em.getConnection().execute<CorrectionRow[]>(
    `select c.id, c.customer_message, c.corrected_reply, c.quality_score, c.category, c.decided_at, c.created_at,
            c.interaction_id, (select a.topic from knowledge_article a where a.correction_id = c.id limit 1) as topic
     from human_correction c where c.tenant_id = ? and c.status = 'approved'`,
    [tenantId],
  );
  const kept: Candidate[] = [];
  for (const row of rows) {
    if (!row.customer_message?.trim()) note(filteredOut, 'correction without the customer message');
    else if (!row.corrected_reply.trim()) note(filteredOut, 'empty corrected reply');
    else if (row.quality_score === null) note(filteredOut, 'correction without a quality score');
    else if (row.quality_score < settings.minQuality) note(filteredOut, `quality score below ${settings.minQuality}`);
    else
      kept.push({
        id: `correction:${row.id}`,
        source: 'correction',
        question: row.customer_message,
        reply: row.corrected_reply,
        topic: row.topic,
        category: row.category,
        interactionId: row.interaction_id,
        at: new Date(row.decided_at ?? row.created_at),
      });
  }
  return kept;
}

async function thumbsUpCandidates(
  em: EntityManager,
  tenantId: string,
  settings: TrainingSetSettings,
  filteredOut: Record<string, number>,
): Promise<Candidate[]> {
  const rows = await em.getConnection().execute<ThumbsUpRow[]>(
    `select i.id as interaction_id, m.text as question, i.reply_text as reply, f.implicit_satisfaction, f.voted_at, i.created_at,
            exists (select 1 from human_correction c where c.interaction_id = i.id) as corrected,
            (select a.topic from knowledge_article a where a.id::text = i.article_ids->>0 limit 1) as topic
     from interaction_feedback f
     join agent_interaction i on i.id = f.interaction_id
     join message m on m.id = i.inbound_message_id
     where f.tenant_id = ? and f.helpful = true`,
    [tenantId],
  );
  const kept: Candidate[] = [];
  for (const row of rows) {
    if (row.corrected) note(filteredOut, '👍 reply with a later correction');
    else if ((row.implicit_satisfaction ?? 0) < settings.minImplicitSatisfaction)
      note(filteredOut, `👍 reply with implicit satisfaction below ${settings.minImplicitSatisfaction}`);
    else if (!row.question.trim() || !row.reply.trim()) note(filteredOut, '👍 reply without text');
    else
      kept.push({
        id: `interaction:${row.interaction_id}`,
        source: 'thumbs_up',
        question: row.question,
        reply: row.reply,
        topic: row.topic,
        category: null,
        interactionId: row.interaction_id,
        at: new Date(row.voted_at ?? row.created_at),
      });
  }
  return kept;
}

/** Up to CONTEXT_MESSAGES earlier messages of each interaction's conversation, oldest first. */
async function contexts(em: EntityManager, interactionIds: string[]): Promise<Map<string, ContextRow[]>> {
  const byInteraction = new Map<string, ContextRow[]>();
  if (!interactionIds.length) return byInteraction;
  const rows = await em.getConnection().execute<ContextRow[]>(
    `select i.id as interaction_id, earlier.direction, earlier.text
     from agent_interaction i
     join message inbound on inbound.id = i.inbound_message_id
     join lateral (
       select m.direction, m.text, m.created_at from message m
       where m.conversation_id = i.conversation_id and m.created_at < inbound.created_at and m.text <> ''
       order by m.created_at desc limit ${CONTEXT_MESSAGES}
     ) earlier on true
     where i.id = any(?::uuid[])
     order by i.id, earlier.created_at asc`,
    [`{${interactionIds.join(',')}}`],
  );
  for (const row of rows) {
    const list = byInteraction.get(row.interaction_id) ?? [];
    list.push(row);
    byInteraction.set(row.interaction_id, list);
  }
  return byInteraction;
}

/**
 * The tenant's training examples: approved corrections at or above the quality
 * threshold and, when enabled, 👍 replies with a high implicit satisfaction
 * that no one corrected later. One example per normalised question (a
 * correction beats a 👍 reply; otherwise the newest wins). Each example is the
 * system prompt, up to ten earlier turns (assistant turns weight 0), the
 * customer's message and the reply to learn (weight 1); personal data masked
 * unless the settings say not to. Sorted by id, so the result is reproducible.
 */
export async function selectTrainingExamples(
  em: EntityManager,
  tenantId: string,
  settings: TrainingSetSettings,
  systemPrompt: string,
): Promise<SelectedExamples> {
  const filteredOut: Record<string, number> = {};
  const candidates = await correctionCandidates(em, tenantId, settings, filteredOut);
  if (settings.includeThumbsUp) candidates.push(...(await thumbsUpCandidates(em, tenantId, settings, filteredOut)));

  const rank = (candidate: Candidate) => (candidate.source === 'correction' ? 1 : 0);
  const byQuestion = new Map<string, Candidate>();
  for (const candidate of candidates) {
    const key = normalizeQuestion(candidate.question);
    const kept = byQuestion.get(key);
    const newer =
      !kept ||
      rank(candidate) > rank(kept) ||
      (rank(candidate) === rank(kept) && candidate.at.getTime() > kept.at.getTime());
    if (kept) note(filteredOut, 'duplicate question (the newest approved answer is kept)');
    if (newer) byQuestion.set(key, candidate);
  }

  const chosen = [...byQuestion.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const context = await contexts(
    em,
    chosen.flatMap((candidate) => (candidate.interactionId ? [candidate.interactionId] : [])),
  );
  let maskedValues = 0;
  const mask = (text: string): string => {
    if (!settings.maskPersonalData) return text;
    const result = maskCustomerData(text);
    maskedValues += result.masked;
    return result.text;
  };
  const examples = chosen.map((candidate): TrainingExample => {
    const earlier = (candidate.interactionId ? context.get(candidate.interactionId) : undefined) ?? [];
    const messages: TrainingMessage[] = [
      { role: 'system', content: systemPrompt },
      ...earlier.map((row): TrainingMessage =>
        row.direction === 'inbound'
          ? { role: 'user', content: mask(row.text) }
          : { role: 'assistant', content: mask(row.text), weight: 0 },
      ),
      { role: 'user', content: mask(candidate.question) },
      { role: 'assistant', content: mask(candidate.reply), weight: 1 },
    ];
    return {
      id: candidate.id,
      source: candidate.source,
      split: splitOf(candidate.id),
      topic: candidate.topic,
      category: candidate.category,
      messages,
    };
  });
  return { examples, filteredOut, maskedValues };
}
