import { countTokens } from 'gpt-tokenizer';
import { LRUCache } from 'lru-cache';
import type { ChatMessage } from './types';

/** Chat formats add a few tokens per message (role and separators); OpenAI documents about 3–4. */
export const TOKENS_PER_MESSAGE = 4;

/** Texts up to this many characters are always counted at once (a few microseconds). */
const COUNT_NOW_MAX_CHARS = 400;

/**
 * Token counts of message texts, remembered by text: a conversation's history
 * is the same from one turn to the next, so only the new message is encoded.
 * Bounded by total characters held, not just entries.
 */
const countsByText = new LRUCache<string, number>({
  max: 50_000,
  maxSize: 50_000_000,
  sizeCalculation: (_count, text) => Math.max(1, text.length),
});

/** Tokens of one text with the o200k encoding (gpt-4o family); a close estimate for Gemini too. */
export function tokensOf(text: string): number {
  if (text.length === 0) return 0;
  const known = countsByText.get(text);
  if (known !== undefined) return known;
  const count = countTokens(text);
  countsByText.set(text, count);
  return count;
}

/** Exact prompt tokens of a conversation (counts every text not yet memoised). */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const message of messages) total += tokensOf(message.content) + TOKENS_PER_MESSAGE;
  return total;
}

export interface PromptEstimate {
  /** Exact when `exact`, otherwise exact for the memoised texts plus bytes / 4 for the others. */
  tokens: number;
  exact: boolean;
  /** Never below the exact count: a BPE token covers at least one UTF-8 byte. */
  upperBound: number;
}

const pending = new Set<string>();
let drainScheduled = false;

function drainPending(): void {
  drainScheduled = false;
  for (const text of pending) tokensOf(text);
  pending.clear();
}

/**
 * The prompt size for the routing decision, without stalling it on long texts
 * never seen before (a restarted process, or history served by another
 * instance): those are bounded by their UTF-8 byte length (tokens ≤ bytes) and
 * counted with the tokenizer right after the decision, off the hot path. When
 * the bound could exceed `exactAbove` (the long-context threshold, or the
 * smallest context window), everything is counted exactly at once, so the
 * long-context rule and context-window checks always see real token counts.
 */
export function estimatePrompt(messages: readonly ChatMessage[], exactAbove: number): PromptEstimate {
  let tokens = 0;
  let upperBound = 0;
  let uncounted: string[] | null = null;
  for (const message of messages) {
    const text = message.content;
    tokens += TOKENS_PER_MESSAGE;
    upperBound += TOKENS_PER_MESSAGE;
    const known = text.length <= COUNT_NOW_MAX_CHARS ? tokensOf(text) : countsByText.get(text);
    if (known !== undefined) {
      tokens += known;
      upperBound += known;
      continue;
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    tokens += Math.ceil(bytes / 4);
    upperBound += bytes;
    (uncounted ??= []).push(text);
  }
  if (!uncounted) return { tokens, exact: true, upperBound };
  if (upperBound > exactAbove) {
    const exact = estimatePromptTokens(messages);
    return { tokens: exact, exact: true, upperBound: exact };
  }
  for (const text of uncounted) countLater(text);
  return { tokens, exact: false, upperBound };
}

/** Count a text soon, off the current call path (a reply that will be history on the next turn). */
export function countLater(text: string): void {
  if (text.length <= COUNT_NOW_MAX_CHARS || countsByText.has(text)) return;
  pending.add(text);
  if (!drainScheduled) {
    drainScheduled = true;
    setImmediate(drainPending);
  }
}
