import type { LabelledExample } from '../src/learning/holdout-split';

/**
 * The baseline: scikit-learn's TfidfVectorizer defaults (lower case, tokens of
 * two or more word characters, raw counts, smooth IDF, L2 norm) over the
 * questions, answering with the cosine-nearest question. No stemming, no typo
 * handling, no votes.
 */
export class PlainTfidfNeighbour {
  private readonly vectors: Array<{ topic: string; answer: string; weights: Map<string, number> }>;
  private readonly idf = new Map<string, number>();

  constructor(examples: readonly LabelledExample[]) {
    const counts = examples.map((example) => termCounts(example.question));
    const df = new Map<string, number>();
    for (const terms of counts) for (const term of terms.keys()) df.set(term, (df.get(term) ?? 0) + 1);
    for (const [term, frequency] of df) this.idf.set(term, Math.log((1 + examples.length) / (1 + frequency)) + 1);
    this.vectors = counts.map((terms, index) => ({
      topic: examples[index]!.topic,
      answer: examples[index]!.answer,
      weights: this.weigh(terms),
    }));
  }

  best(question: string): { topic: string | null; answer: string; score: number } {
    const query = this.weigh(termCounts(question));
    let best: { topic: string | null; answer: string; score: number } = { topic: null, answer: '', score: 0 };
    for (const vector of this.vectors) {
      let dot = 0;
      for (const [term, weight] of query) dot += weight * (vector.weights.get(term) ?? 0);
      if (dot > best.score) best = { topic: vector.topic, answer: vector.answer, score: dot };
    }
    return best;
  }

  private weigh(terms: Map<string, number>): Map<string, number> {
    const weights = new Map<string, number>();
    let norm = 0;
    for (const [term, count] of terms) {
      const idf = this.idf.get(term);
      if (idf === undefined) continue;
      weights.set(term, count * idf);
      norm += (count * idf) ** 2;
    }
    norm = Math.sqrt(norm);
    for (const [term, weight] of weights) weights.set(term, weight / norm);
    return weights;
  }
}

function termCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const token of text.toLowerCase().match(/\b\w\w+\b/g) ?? []) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}
