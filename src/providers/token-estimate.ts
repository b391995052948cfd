import { countTokens } from 'gpt-tokenizer';
import { LRUCache } from 'lru-cache';
import type { ChatMessage } from './types';

/** Chat formats add a few tokens per message (role and separators); OpenAI documents about 3–4. */
export const TOKENS_PER_MESSAGE = 4;

/**
 * Token counts of message texts, remembered by text: a conversation's history
 * is the same from one turn to the next, so only the new message is encoded.
 * Bounded by total characters held, not just entries.
 */
const countsByText = new LRUCache<string, number>({
  max: 20_000,
  maxSize: 20_000_000,
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

/** Estimated prompt tokens of a conversation, before any call. */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const message of messages) total += tokensOf(message.content) + TOKENS_PER_MESSAGE;
  return total;
}
