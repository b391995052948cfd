import type { types as SlackTypes } from '@slack/bolt';
import type { CorrectionCategory } from '../../src/db/entities';
import { CATEGORY_LABELS } from './review-blocks';
import { clip, escapeMrkdwn, plain, section } from './slack-text';

export const CORRECTION_MODAL = 'correction_modal';
export const APPROVE_MODAL = 'correction_approve_modal';
export const REJECT_MODAL = 'correction_reject_modal';

/** Slack's view state: block id → action id → the element's value. */
export type ViewValues = Record<
  string,
  Record<string, { type?: string; value?: string | null; selected_option?: { value: string } | null }>
>;

// Object.keys loses the key type; CATEGORY_LABELS is a Record over exactly the categories.
const CATEGORIES = Object.keys(CATEGORY_LABELS) as CorrectionCategory[];
const option = (text: string, value: string) => ({ text: plain(text), value });
const qualityOptions = [0, 1, 2, 3, 4, 5].map((score) => option(`${score}`, String(score)));

/** The correction form: the original reply, the corrected reply (pre-filled to edit), reason, category, optional quality. */
export function correctionModal(input: {
  privateMetadata: string;
  customerMessage: string;
  originalReply: string;
}): SlackTypes.ModalView {
  return {
    type: 'modal',
    callback_id: CORRECTION_MODAL,
    private_metadata: input.privateMetadata,
    title: plain('Correct this reply'),
    submit: plain('Submit correction'),
    close: plain('Cancel'),
    blocks: [
      section(`*Customer asked*\n${escapeMrkdwn(clip(input.customerMessage, 1200))}`),
      section(`*Bot replied*\n${escapeMrkdwn(clip(input.originalReply, 1500))}`),
      {
        type: 'input',
        block_id: 'corrected_reply',
        label: plain('Corrected reply'),
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          multiline: true,
          max_length: 4000,
          initial_value: clip(input.originalReply, 3000),
        },
      },
      {
        type: 'input',
        block_id: 'reason',
        optional: true,
        label: plain('Reason'),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 1000 },
      },
      {
        type: 'input',
        block_id: 'category',
        label: plain('Category'),
        element: {
          type: 'static_select',
          action_id: 'value',
          placeholder: plain('What was wrong?'),
          options: CATEGORIES.map((category) => option(CATEGORY_LABELS[category], category)),
        },
      },
      {
        type: 'input',
        block_id: 'quality',
        optional: true,
        label: plain('Quality of the corrected reply (0–5)'),
        element: { type: 'static_select', action_id: 'value', options: qualityOptions },
      },
    ],
  };
}

export interface CorrectionSubmission {
  correctedReply: string;
  reason: string | null;
  category: CorrectionCategory;
  qualityScore: number | null;
}

/** Parse and check a correction form; field errors are keyed by block id, as `response_action: errors` wants them. */
export function parseCorrectionSubmission(
  values: ViewValues,
  originalReply: string,
): { ok: true; value: CorrectionSubmission } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const corrected = (values.corrected_reply?.value?.value ?? '').trim();
  const reason = (values.reason?.value?.value ?? '').trim();
  const category = values.category?.value?.selected_option?.value ?? '';
  const quality = values.quality?.value?.selected_option?.value;
  if (!corrected) errors.corrected_reply = 'Write the reply the bot should have given.';
  else if (corrected.length > 4000) errors.corrected_reply = 'Keep the corrected reply under 4,000 characters.';
  else if (corrected === originalReply.trim())
    errors.corrected_reply = 'This is the same as the bot reply: change it, or cancel.';
  if (reason.length > 1000) errors.reason = 'Keep the reason under 1,000 characters.';
  // The cast only lets includes() test an arbitrary string against the list.
  if (!CATEGORIES.includes(category as CorrectionCategory)) errors.category = 'Choose what was wrong with the reply.';
  const score = quality === undefined || quality === null ? null : Number(quality);
  if (score !== null && !(Number.isInteger(score) && score >= 0 && score <= 5))
    errors.quality = 'Quality is a whole number from 0 to 5.';
  if (Object.keys(errors).length) return { ok: false, errors };
  // category was checked against CATEGORIES above (errors otherwise).
  return {
    ok: true,
    value: {
      correctedReply: corrected,
      reason: reason || null,
      category: category as CorrectionCategory,
      qualityScore: score,
    },
  };
}

/** Approving asks for the quality score (pre-selected with the author's proposal). */
export function approveModal(input: {
  privateMetadata: string;
  correctedReply: string;
  proposedScore: number | null;
}): SlackTypes.ModalView {
  const initial = input.proposedScore === null ? undefined : qualityOptions[input.proposedScore];
  return {
    type: 'modal',
    callback_id: APPROVE_MODAL,
    private_metadata: input.privateMetadata,
    title: plain('Approve correction'),
    submit: plain('Approve'),
    close: plain('Cancel'),
    blocks: [
      section(`*Corrected reply*\n${escapeMrkdwn(clip(input.correctedReply, 2000))}`),
      {
        type: 'input',
        block_id: 'quality',
        label: plain('Quality score (0–5)'),
        element: {
          type: 'static_select',
          action_id: 'value',
          options: qualityOptions,
          ...(initial ? { initial_option: initial } : {}),
        },
      },
    ],
  };
}

export function rejectModal(input: { privateMetadata: string; correctedReply: string }): SlackTypes.ModalView {
  return {
    type: 'modal',
    callback_id: REJECT_MODAL,
    private_metadata: input.privateMetadata,
    title: plain('Reject correction'),
    submit: plain('Reject'),
    close: plain('Cancel'),
    blocks: [
      section(`*Corrected reply*\n${escapeMrkdwn(clip(input.correctedReply, 2000))}`),
      {
        type: 'input',
        block_id: 'reason',
        label: plain('Why is it rejected?'),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 1000 },
      },
    ],
  };
}

export function parseQuality(
  values: ViewValues,
): { ok: true; score: number } | { ok: false; errors: Record<string, string> } {
  const raw = values.quality?.value?.selected_option?.value;
  const score = Number(raw);
  if (raw === undefined || !Number.isInteger(score) || score < 0 || score > 5)
    return { ok: false, errors: { quality: 'Choose a quality score from 0 to 5.' } };
  return { ok: true, score };
}

export function parseRejectReason(
  values: ViewValues,
): { ok: true; reason: string } | { ok: false; errors: Record<string, string> } {
  const reason = (values.reason?.value?.value ?? '').trim();
  if (!reason) return { ok: false, errors: { reason: 'Say why, so the author can learn from it.' } };
  if (reason.length > 1000) return { ok: false, errors: { reason: 'Keep the reason under 1,000 characters.' } };
  return { ok: true, reason };
}
