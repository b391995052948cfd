import type { ChatMessage } from './types';

/**
 * How hard a turn is, in [0, 1], from the customer's newest message and the
 * conversation around it. Pure and allocation-light: it runs on every turn
 * inside the routing decision (budget: a few microseconds).
 *
 * Each feature fᵢ is scaled to [0, 1] and has a weight wᵢ; the score is a
 * "noisy OR" of them, so one strong signal is enough to leave the cheap tier
 * and several together push towards the reasoning tier:
 *
 *     score = 1 − ∏ᵢ (1 − wᵢ · fᵢ)
 *
 * | feature      | fᵢ                                                      | wᵢ   |
 * |--------------|---------------------------------------------------------|------|
 * | conversation | min(1, earlier customer + assistant messages / 20)      | 0.25 |
 * | length       | min(1, words in the new message / 150)                  | 0.35 |
 * | keywords     | min(1, complex keywords found / 3) (explain, compare, why, …) | 0.50 |
 * | questions    | min(1, (question marks − 1) / 2)                        | 0.30 |
 * | multi-step   | min(1, step markers / 2) ("first … then", "step 2", lists) | 0.40 |
 * | code         | 1 when the message holds code (fences, `=>`, SQL, stack traces) | 0.50 |
 * | numbers      | min(1, numbers to reason about / 4)                     | 0.35 |
 */
export interface ComplexityFeatures {
  conversation: number;
  length: number;
  keywords: number;
  questions: number;
  multiStep: number;
  code: number;
  numbers: number;
}

export interface Complexity {
  score: number;
  features: ComplexityFeatures;
}

export const complexityWeights: Readonly<ComplexityFeatures> = Object.freeze({
  conversation: 0.25,
  length: 0.35,
  keywords: 0.5,
  questions: 0.3,
  multiStep: 0.4,
  code: 0.5,
  numbers: 0.35,
});

const featureNames = Object.keys(complexityWeights) as (keyof ComplexityFeatures)[];

// Words that signal analysis rather than lookup. Matched on word boundaries, case-insensitive.
const complexKeywords =
  /\b(?:explain|why|compare|comparison|difference|differences|versus|vs|analy[sz]e|analysis|calculate|calculation|estimate|troubleshoot|diagnose|debug|integrate|integration|configure|configuration|migrate|optimi[sz]e|pros and cons|trade-?offs?|recommend|evaluate|justify|legal|contract|liability|compliance|gdpr|warranty claim|dispute|chargeback|discrepancy|inconsistent|prorated?|pro-rata)\b/gi;
const stepMarkers =
  /\b(?:first(?:ly)?|then|after that|afterwards|next|finally|step \d+|secondly|thirdly)\b|^\s*(?:\d+[.)]|[-*•])\s+/gim;
// Only constructs that do not occur in ordinary English ("return", "let me", "select a size" must not count).
const codeMarkers =
  /```|=>|\b(?:function\s*\w*\s*\(|(?:const|let|var)\s+\w+\s*=|def\s+\w+\s*\(|class\s+\w+\s*[{(:]|console\.log|System\.out|printf\(|select\s+[\w*, ]+\s+from\s+\w+\s+where|traceback \(most recent call last\)|at\s+[\w.]+\s*\([^)]*:\d+:\d+\)|null ?pointer ?exception|undefined is not a function)|\w+\([^()]*\)\s*;|<\/?(?:div|span|script|html|body|p|a)\b[^>]*>/i;
const numberPattern = /(?:[$€£]\s?)?\b\d+(?:[.,]\d+)*%?/g;

function countMatches(text: string, pattern: RegExp): number {
  pattern.lastIndex = 0;
  let count = 0;
  while (pattern.exec(text) !== null) count++;
  return count;
}

/** Whitespace-separated words, counted without allocating (a regex would create one match object per word). */
function countWords(text: string): number {
  let count = 0;
  let inWord = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const space = code === 32 || (code >= 9 && code <= 13) || code === 160;
    if (!space && !inWord) count++;
    inWord = !space;
  }
  return count;
}

function countChar(text: string, char: string): number {
  let count = 0;
  for (let index = text.indexOf(char); index !== -1; index = text.indexOf(char, index + 1)) count++;
  return count;
}

/** The customer's newest message: the last `user` message. */
export function latestUserMessage(messages: readonly ChatMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index--)
    if (messages[index]!.role === 'user') return messages[index]!.content;
  return '';
}

export function scoreComplexity(messages: readonly ChatMessage[]): Complexity {
  const text = latestUserMessage(messages);
  let earlier = 0;
  for (const message of messages) if (message.role !== 'system') earlier++;
  earlier = Math.max(0, earlier - 1);
  const features: ComplexityFeatures = {
    conversation: Math.min(1, earlier / 20),
    length: Math.min(1, countWords(text) / 150),
    keywords: Math.min(1, countMatches(text, complexKeywords) / 3),
    questions: Math.min(1, Math.max(0, countChar(text, '?') - 1) / 2),
    multiStep: Math.min(1, countMatches(text, stepMarkers) / 2),
    code: codeMarkers.test(text) ? 1 : 0,
    numbers: Math.min(1, countMatches(text, numberPattern) / 4),
  };
  let remaining = 1;
  for (const name of featureNames) remaining *= 1 - complexityWeights[name] * features[name];
  return { score: round(1 - remaining), features };
}

/** The features that contributed most, for the human-readable routing reason (no sorting or arrays: it runs every turn). */
export function describeComplexity(complexity: Complexity, limit = 3): string {
  let text = '';
  let used = 0;
  for (let taken = 0; taken < limit; taken++) {
    let bestIndex = -1;
    let best = 0;
    for (let index = 0; index < featureNames.length; index++) {
      const name = featureNames[index]!;
      const contribution = complexityWeights[name] * complexity.features[name];
      if (contribution > best && !(used & (1 << index))) {
        best = contribution;
        bestIndex = index;
      }
    }
    if (bestIndex < 0) break;
    used |= 1 << bestIndex;
    text += `${text ? ', ' : ''}${featureNames[bestIndex]} ${best.toFixed(2)}`;
  }
  return text || 'no complexity signals';
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
