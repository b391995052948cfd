import type { CorrectionCategory, CorrectionStatus } from '../../src/db/entities';
import { actorMention, button, clip, context, escapeMrkdwn, section, slackDate, type Block } from './slack-text';

export const REVIEW_CORRECT = 'review_correct';
export const CORRECTION_APPROVE = 'correction_approve';
export const CORRECTION_REJECT = 'correction_reject';

export const CATEGORY_LABELS: Record<CorrectionCategory, string> = {
  wrong_facts: 'Wrong facts',
  tone: 'Tone',
  incomplete: 'Incomplete',
  policy: 'Policy',
  other: 'Other',
};

const LABELS: Record<string, string> = {
  thumbs_down: '👎 The customer marked this reply unhelpful',
  handoff: '🙋 This reply led to a handoff',
  sample: '🔎 Sampled for review',
};

export interface ReviewView {
  interactionId: string;
  customerMessage: string;
  reply: string;
  provider: string;
  model: string;
  costUsd: number;
  labels: string[];
  corrections: Array<{ authorId: string; status: CorrectionStatus }>;
}

/** A bot reply for review: the exchange, how it was produced, why it is here, and a Correct button. */
export function reviewBlocks(view: ReviewView): Block[] {
  const why = view.labels
    .map((label) => LABELS[label])
    .filter(Boolean)
    .join('  ·  ');
  const blocks: Block[] = [
    section(`*Customer*\n${escapeMrkdwn(clip(view.customerMessage, 1200))}`),
    section(`*Bot reply*\n${escapeMrkdwn(clip(view.reply, 1500))}`),
    context(
      `${escapeMrkdwn(view.provider)} · ${escapeMrkdwn(view.model)} · $${view.costUsd.toFixed(6)}${why ? `  ·  ${why}` : ''}`,
    ),
  ];
  for (const correction of view.corrections) {
    const state = correction.status === 'pending' ? 'pending approval' : correction.status;
    blocks.push(context(`✏️ Correction by ${actorMention(correction.authorId)}: ${state}`));
  }
  blocks.push({
    type: 'actions',
    block_id: 'review_actions',
    elements: [button('Correct', REVIEW_CORRECT, view.interactionId, 'primary')],
  });
  return blocks;
}

export interface CorrectionCardView {
  correctionId: string;
  originalReply: string;
  correctedReply: string;
  category: CorrectionCategory;
  reason: string | null;
  authorId: string;
  authorName: string | null;
  qualityScore: number | null;
  status: CorrectionStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  rejectionReason: string | null;
}

/** A correction awaiting (or past) a decision; Approve / Reject only while pending. */
export function correctionCardBlocks(view: CorrectionCardView): Block[] {
  const blocks: Block[] = [
    section(
      `*Correction* by ${actorMention(view.authorId)}${view.authorName ? ` (${escapeMrkdwn(view.authorName)})` : ''} · ${CATEGORY_LABELS[view.category]}`,
    ),
    section(`*Was*\n${escapeMrkdwn(clip(view.originalReply, 1200))}`),
    section(`*Should be*\n${escapeMrkdwn(clip(view.correctedReply, 1500))}`),
  ];
  const facts = [
    view.reason ? `Reason: ${escapeMrkdwn(clip(view.reason, 500))}` : null,
    view.qualityScore !== null ? `Quality ${view.qualityScore}/5` : null,
  ].filter(Boolean);
  if (facts.length) blocks.push(context(facts.join('  ·  ')));
  if (view.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: 'correction_actions',
      elements: [
        button('Approve', CORRECTION_APPROVE, view.correctionId, 'primary'),
        button('Reject', CORRECTION_REJECT, view.correctionId, 'danger'),
      ],
    });
    blocks.push(context('Approvers only. Approving adds the corrected reply to the knowledge base at once.'));
  } else if (view.status === 'approved') {
    blocks.push(
      context(
        `✅ Approved by ${actorMention(view.decidedBy)}${view.decidedAt ? ` ${slackDate(view.decidedAt)}` : ''} · quality ${view.qualityScore ?? '–'}/5`,
      ),
    );
  } else {
    blocks.push(
      context(
        `❌ Rejected by ${actorMention(view.decidedBy)}${view.decidedAt ? ` ${slackDate(view.decidedAt)}` : ''}: ${escapeMrkdwn(view.rejectionReason ?? '')}`,
      ),
    );
  }
  return blocks;
}
