/**
 * ROUGE with Google's rouge-score semantics (google-research/rouge): the
 * default tokenizer lowercases, turns every run of characters other than
 * a–z and 0–9 into a space and drops empty tokens; ROUGE-N counts clipped
 * n-gram overlap; ROUGE-L uses the longest common subsequence. Argument order
 * follows `RougeScorer.score(target, prediction)`.
 */
export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

export type RougeType = 'rouge1' | 'rouge2' | 'rougeL';

export interface RougeOptions {
  /** Porter-stem tokens longer than 3 characters first (rouge-score's `use_stemmer`). */
  stemmer?: (token: string) => string;
}

export function tokenizeForRouge(text: string, options: RougeOptions = {}): string[] {
  const tokens = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(/\s+/);
  const stemmed = options.stemmer
    ? tokens.map((token) => (token.length > 3 ? options.stemmer!(token) : token))
    : tokens;
  return stemmed.filter((token) => /^[a-z0-9]+$/.test(token));
}

export function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function ngrams(tokens: string[], order: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let start = 0; start + order <= tokens.length; start++) {
    const key = tokens.slice(start, start + order).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export function rougeNFromTokens(target: string[], prediction: string[], order: number): RougeScore {
  const targetNgrams = ngrams(target, order);
  const predictionNgrams = ngrams(prediction, order);
  let overlap = 0;
  for (const [ngram, count] of targetNgrams) overlap += Math.min(count, predictionNgrams.get(ngram) ?? 0);
  const targetTotal = [...targetNgrams.values()].reduce((sum, count) => sum + count, 0);
  const predictionTotal = [...predictionNgrams.values()].reduce((sum, count) => sum + count, 0);
  const precision = overlap / Math.max(predictionTotal, 1);
  const recall = overlap / Math.max(targetTotal, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Length of the longest common subsequence, two rows of the dynamic-programming table at a time. */
export function lcsLength(first: readonly unknown[], second: readonly unknown[]): number {
  let previous = new Array<number>(second.length + 1).fill(0);
  for (let row = 1; row <= first.length; row++) {
    const current = new Array<number>(second.length + 1).fill(0);
    for (let column = 1; column <= second.length; column++) {
      current[column] =
        first[row - 1] === second[column - 1]
          ? previous[column - 1] + 1
          : Math.max(previous[column], current[column - 1]);
    }
    previous = current;
  }
  return previous[second.length];
}

export function rougeLFromTokens(target: string[], prediction: string[]): RougeScore {
  if (target.length === 0 || prediction.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const length = lcsLength(target, prediction);
  const precision = length / prediction.length;
  const recall = length / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

export function rougeScore(
  target: string,
  prediction: string,
  options: RougeOptions = {},
): Record<RougeType, RougeScore> {
  const targetTokens = tokenizeForRouge(target, options);
  const predictionTokens = tokenizeForRouge(prediction, options);
  return {
    rouge1: rougeNFromTokens(targetTokens, predictionTokens, 1),
    rouge2: rougeNFromTokens(targetTokens, predictionTokens, 2),
    rougeL: rougeLFromTokens(targetTokens, predictionTokens),
  };
}
