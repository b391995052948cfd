import type { MessageAuthor, MessageDirection } from '../db/entities';
import type { ChatMessage } from '../providers/types';

/** One stored message of the conversation, oldest first, as the prompt builder needs it. */
export interface HistoryEntry {
  direction: MessageDirection;
  author: MessageAuthor;
  text: string;
}

export interface PromptInput {
  systemPrompt: string;
  /** Earlier messages of the conversation, oldest first (the new message excluded). */
  history: readonly HistoryEntry[];
  /** The customer's new message: always the last prompt message. */
  message: string;
  /** Tokens the history may take; the system prompt and the new message are always sent. */
  historyTokenBudget: number;
  /** Token counter; defaults to a fast estimate (see `estimateTokens`). */
  countTokens?: (text: string) => number;
}

export interface Prompt {
  messages: ChatMessage[];
  /** False when a customer message in the prompt carries customer-specific data (see `customerDataKinds`). */
  cacheable: boolean;
  /** History messages that fitted in the budget. */
  historyUsed: number;
  /** Estimated tokens of the whole prompt. */
  estimatedTokens: number;
}

export const DEFAULT_SYSTEM_PROMPT =
  "You are a helpful customer-service assistant. Answer briefly and kindly, in the customer's language. " +
  'If you are not sure, offer to hand the conversation over to a human.';

/** Chat formats add a few tokens per message for the role and separators. */
const TOKENS_PER_MESSAGE = 4;

/**
 * About four characters per token for English text (OpenAI's rule of thumb),
 * rounded up. Trimming history only needs a safe estimate, and this costs
 * nothing per turn; the router counts exactly with a tokenizer before the call.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * System prompt first, then as much recent history as fits in the budget
 * (newest kept, whole messages only), the customer's new message last.
 * Customer messages are `user`; bot, agent and system messages are `assistant`
 * (they are the business's side of the conversation).
 */
export function buildPrompt(input: PromptInput): Prompt {
  const count = input.countTokens ?? estimateTokens;
  const kept: ChatMessage[] = [];
  let historyTokens = 0;
  for (let index = input.history.length - 1; index >= 0; index -= 1) {
    const entry = input.history[index];
    if (!entry.text) continue;
    const tokens = count(entry.text) + TOKENS_PER_MESSAGE;
    if (historyTokens + tokens > input.historyTokenBudget) break;
    historyTokens += tokens;
    kept.push({ role: entry.direction === 'inbound' ? 'user' : 'assistant', content: entry.text });
  }
  kept.reverse();
  const messages: ChatMessage[] = [
    { role: 'system', content: input.systemPrompt },
    ...kept,
    { role: 'user', content: input.message },
  ];
  const cacheable = messages.every(
    (message) => message.role !== 'user' || customerDataKinds(message.content).length === 0,
  );
  return {
    messages,
    cacheable,
    historyUsed: kept.length,
    estimatedTokens: count(input.systemPrompt) + historyTokens + count(input.message) + 2 * TOKENS_PER_MESSAGE,
  };
}

export type CustomerDataKind = 'email' | 'phone' | 'order_number' | 'long_number' | 'url';

const DETECTORS: Array<{ kind: CustomerDataKind; pattern: RegExp }> = [
  { kind: 'email', pattern: /[^\s@<>()]+@[^\s@<>()]+\.[a-z]{2,}/i },
  // Seven or more digits, optionally with + and the usual separators: phone numbers in any national format.
  { kind: 'phone', pattern: /(?:\+|\b)\d(?:[\s().-]{0,2}\d){6,}/ },
  // "order 12345", "order #A-1234", "tracking: XY12345", "pedido 5531", "commande n° 44321".
  {
    kind: 'order_number',
    pattern:
      /\b(?:order|ord|invoice|receipt|tracking|parcel|shipment|ref|reference|booking|ticket|account|case|pedido|factura|commande|facture|bestellung|rechnung|encomenda|ordine|bestelling)\b\W{0,4}(?:n[or°º]\.?\s*|number\s*|no\.?\s*|nr\.?\s*|num\.?\s*)?[#:]?\s*[a-z]{0,4}-?\d{3,}/i,
  },
  { kind: 'order_number', pattern: /#\s?[a-z]{0,4}-?\d{3,}/i },
  // Codes mixing letters and at least four digits (tracking numbers, booking codes).
  { kind: 'order_number', pattern: /\b(?=[a-z-]*\d)(?=(?:[^\d\s]*\d){4})[a-z]{1,4}-?\d[a-z0-9-]{4,}\b/i },
  // Any run of five or more digits (postcodes, amounts, card fragments): not worth caching either.
  { kind: 'long_number', pattern: /\d{5,}/ },
  { kind: 'url', pattern: /\bhttps?:\/\/\S+/i },
];

/**
 * The kinds of customer-specific data in `text`. A reply to such a message may
 * depend on who asked, so it is neither served from nor stored in the response
 * cache. Errs on the side of "specific": a missed cache hit costs a call, a
 * wrong one leaks another customer's answer.
 */
export function customerDataKinds(text: string): CustomerDataKind[] {
  const found = new Set<CustomerDataKind>();
  for (const { kind, pattern } of DETECTORS) if (pattern.test(text)) found.add(kind);
  return [...found];
}

/** The kinds masked in training data: personal data of one customer (URLs and plain long numbers are kept). */
const MASKED_KINDS: ReadonlyArray<{ kind: CustomerDataKind; label: string }> = [
  { kind: 'email', label: '[email]' },
  { kind: 'order_number', label: '[order number]' },
  { kind: 'phone', label: '[phone]' },
];

/**
 * `text` with the emails, order numbers and phone numbers that `customerDataKinds`
 * detects replaced by `[email]`, `[order number]` and `[phone]` (in that order, so an
 * order number is not read as a phone number), and how many values were replaced.
 */
export function maskCustomerData(text: string): { text: string; masked: number } {
  let masked = 0;
  let result = text;
  for (const { kind, label } of MASKED_KINDS)
    for (const detector of DETECTORS.filter((entry) => entry.kind === kind)) {
      const global = new RegExp(
        detector.pattern.source,
        detector.pattern.flags.includes('g') ? detector.pattern.flags : `${detector.pattern.flags}g`,
      );
      result = result.replace(global, () => {
        masked += 1;
        return label;
      });
    }
  return { text: result, masked };
}

/** A retrieved knowledge article as the prompt shows it. */
export interface ReferenceAnswer {
  question: string;
  answer: string;
}

export const REFERENCE_INSTRUCTION =
  "Reference answers approved by this business follow, most relevant first. When one answers the customer's question, " +
  "base your reply on it: keep its facts, steps and policy, adapt the wording to the conversation and the customer's language, " +
  'and never contradict it. If none of them fits, do not guess: say you are not sure and offer to hand over to a colleague.';

/**
 * The prompt with the tenant's most similar approved answers added to the
 * system message (retrieval-augmented prompting): every provider answers as
 * the business taught it. Without references the messages are returned as they are.
 */
export function withReferenceAnswers(
  messages: readonly ChatMessage[],
  references: readonly ReferenceAnswer[],
): ChatMessage[] {
  if (references.length === 0) return [...messages];
  const block = references
    .map(
      (reference, index) =>
        `[${index + 1}] Customer question: ${reference.question}\nApproved answer: ${reference.answer}`,
    )
    .join('\n\n');
  const knowledge = `${REFERENCE_INSTRUCTION}\n\n${block}`;
  const [first, ...rest] = messages;
  if (first?.role === 'system') return [{ role: 'system', content: `${first.content}\n\n${knowledge}` }, ...rest];
  return [{ role: 'system', content: knowledge }, ...messages];
}
