import { BleuTokenizer, tokenizeForBleu } from './bleu-tokenizers';

/**
 * BLEU with sacreBLEU's semantics (mjpost/sacrebleu, `sacrebleu.metrics.bleu`):
 * case-sensitive, 13a tokenisation, up to 4-grams clipped by the maximum count
 * over the references, closest reference length for the brevity penalty, and
 * the `exp` smoothing of mteval-v13a by default. Scores are on sacreBLEU's
 * 0–100 scale.
 */
export type BleuSmoothing = 'none' | 'floor' | 'add-k' | 'exp';

export interface BleuOptions {
  tokenizer?: BleuTokenizer;
  lowercase?: boolean;
  smoothMethod?: BleuSmoothing;
  /** `floor` defaults to 0.1, `add-k` to 1 (sacreBLEU's SMOOTH_DEFAULTS). */
  smoothValue?: number;
  maxNgramOrder?: number;
  /** Stop at the highest order the hypothesis has n-grams of (sentence-level BLEU does). */
  effectiveOrder?: boolean;
}

export interface BleuResult {
  score: number;
  /** Matching n-grams per order (sacreBLEU's `counts`). */
  counts: number[];
  /** Hypothesis n-grams per order (sacreBLEU's `totals`). */
  totals: number[];
  precisions: number[];
  brevityPenalty: number;
  hypothesisLength: number;
  referenceLength: number;
}

const SMOOTH_DEFAULTS: Record<BleuSmoothing, number | undefined> = {
  none: undefined,
  floor: 0.1,
  'add-k': 1,
  exp: undefined,
};

function ngramCounts(tokens: string[], maxOrder: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let order = 1; order <= maxOrder; order++) {
    for (let start = 0; start + order <= tokens.length; start++) {
      // A separator that 13a output never contains keeps n-grams of different tokens apart.
      const key = tokens.slice(start, start + order).join('\u0001');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

function splitTokens(line: string): string[] {
  return line.split(' ').filter((token) => token.length > 0);
}

/** sacreBLEU's `my_log`: log of zero is a very negative number, not -Infinity. */
function safeLog(value: number): number {
  return value === 0 ? -9999999999 : Math.log(value);
}

/** sacreBLEU's `BLEU.compute_bleu` from sufficient statistics. */
export function computeBleu(
  correctIn: number[],
  totalIn: number[],
  hypothesisLength: number,
  referenceLength: number,
  options: Pick<BleuOptions, 'smoothMethod' | 'smoothValue' | 'effectiveOrder' | 'maxNgramOrder'> = {},
): BleuResult {
  const smoothMethod = options.smoothMethod ?? 'none';
  const smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[smoothMethod] ?? 0;
  const maxOrder = options.maxNgramOrder ?? 4;
  const correct = [...correctIn];
  const total = [...totalIn];
  let brevityPenalty = 1;
  if (hypothesisLength < referenceLength) {
    brevityPenalty = hypothesisLength > 0 ? Math.exp(1 - referenceLength / hypothesisLength) : 0;
  }
  const precisions = new Array<number>(maxOrder).fill(0);
  const result = (score: number): BleuResult => ({
    score,
    counts: correct,
    totals: total,
    precisions,
    brevityPenalty,
    hypothesisLength,
    referenceLength,
  });
  // No match at all scores 0 whatever the smoothing (sacreBLEU #141).
  if (!correct.some((count) => count > 0)) return result(0);

  let smoothMteval = 1;
  let effectiveOrder = maxOrder;
  for (let order = 1; order <= maxOrder; order++) {
    if (smoothMethod === 'add-k' && order > 1) {
      correct[order - 1] += smoothValue;
      total[order - 1] += smoothValue;
    }
    if (total[order - 1] === 0) break;
    if (options.effectiveOrder) effectiveOrder = order;
    if (correct[order - 1] === 0) {
      if (smoothMethod === 'exp') {
        smoothMteval *= 2;
        precisions[order - 1] = 100 / (smoothMteval * total[order - 1]);
      } else if (smoothMethod === 'floor') {
        precisions[order - 1] = (100 * smoothValue) / total[order - 1];
      }
    } else {
      precisions[order - 1] = (100 * correct[order - 1]) / total[order - 1];
    }
  }
  const logSum = precisions.slice(0, effectiveOrder).reduce((sum, precision) => sum + safeLog(precision), 0);
  return result(brevityPenalty * Math.exp(logSum / effectiveOrder));
}

interface SentenceStatistics {
  correct: number[];
  total: number[];
  hypothesisLength: number;
  referenceLength: number;
}

function sentenceStatistics(hypothesis: string, references: string[], options: BleuOptions): SentenceStatistics {
  const maxOrder = options.maxNgramOrder ?? 4;
  const prepare = (text: string) => {
    const cased = options.lowercase ? text.toLowerCase() : text;
    return splitTokens(tokenizeForBleu(cased.trimEnd(), options.tokenizer ?? '13a'));
  };
  const hypothesisTokens = prepare(hypothesis);
  const referenceMaxCounts = new Map<string, number>();
  let referenceLength = 0;
  let closestDifference = Number.POSITIVE_INFINITY;
  for (const reference of references) {
    const referenceTokens = prepare(reference);
    // Closest reference length; on a tie the shorter one (sacreBLEU's `_extract_reference_info`).
    const difference = Math.abs(hypothesisTokens.length - referenceTokens.length);
    if (difference < closestDifference) {
      closestDifference = difference;
      referenceLength = referenceTokens.length;
    } else if (difference === closestDifference && referenceTokens.length < referenceLength) {
      referenceLength = referenceTokens.length;
    }
    for (const [ngram, count] of ngramCounts(referenceTokens, maxOrder)) {
      referenceMaxCounts.set(ngram, Math.max(referenceMaxCounts.get(ngram) ?? 0, count));
    }
  }
  const correct = new Array<number>(maxOrder).fill(0);
  const total = new Array<number>(maxOrder).fill(0);
  for (const [ngram, count] of ngramCounts(hypothesisTokens, maxOrder)) {
    const order = ngram.split('\u0001').length;
    total[order - 1] += count;
    correct[order - 1] += Math.min(count, referenceMaxCounts.get(ngram) ?? 0);
  }
  return { correct, total, hypothesisLength: hypothesisTokens.length, referenceLength };
}

/**
 * Corpus BLEU. `referenceStreams[i][j]` is the i-th reference of hypothesis j,
 * as in `sacrebleu.corpus_bleu(hypotheses, [refs1, refs2])`.
 */
export function corpusBleu(hypotheses: string[], referenceStreams: string[][], options: BleuOptions = {}): BleuResult {
  const maxOrder = options.maxNgramOrder ?? 4;
  for (const stream of referenceStreams) {
    if (stream.length !== hypotheses.length)
      throw new Error('every reference stream needs one reference per hypothesis');
  }
  const correct = new Array<number>(maxOrder).fill(0);
  const total = new Array<number>(maxOrder).fill(0);
  let hypothesisLength = 0;
  let referenceLength = 0;
  hypotheses.forEach((hypothesis, index) => {
    const references = referenceStreams.map((stream) => stream[index]);
    const statistics = sentenceStatistics(hypothesis, references, options);
    for (let order = 0; order < maxOrder; order++) {
      correct[order] += statistics.correct[order];
      total[order] += statistics.total[order];
    }
    hypothesisLength += statistics.hypothesisLength;
    referenceLength += statistics.referenceLength;
  });
  return computeBleu(correct, total, hypothesisLength, referenceLength, {
    smoothMethod: options.smoothMethod ?? 'exp',
    smoothValue: options.smoothValue,
    effectiveOrder: options.effectiveOrder ?? false,
    maxNgramOrder: maxOrder,
  });
}

/** Sentence BLEU: sacreBLEU's `sentence_score`, which uses the effective order. */
export function sentenceBleu(hypothesis: string, references: string[], options: BleuOptions = {}): BleuResult {
  return corpusBleu(
    [hypothesis],
    references.map((reference) => [reference]),
    { ...options, effectiveOrder: options.effectiveOrder ?? true },
  );
}
