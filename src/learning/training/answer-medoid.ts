import { tokenizeForRouge } from '../metrics/rouge';

/**
 * Answer selection by ROUGE-L: the medoid of a topic's approved answers is the
 * answer with the highest mean ROUGE-L F against the others (the wording a
 * reference answer of that topic most resembles). Every pair needs a longest
 * common subsequence, so it is computed bit-parallel (Crochemore, Iliopoulos,
 * Pinzon and Reid 2001, "A fast and practical bit-vector algorithm for the
 * longest common subsequence problem": V' = (V + (V & M)) | (V & ~M), LCS =
 * zero bits of V), 32 positions of the first sequence per machine word.
 */

/** A token sequence as ids, with its per-token match masks (built once, compared with many). */
export class LcsPattern {
  readonly length: number;
  private readonly words: number;
  private readonly masks = new Map<number, Uint32Array>();

  constructor(readonly tokens: Int32Array) {
    this.length = tokens.length;
    this.words = Math.max(1, Math.ceil(tokens.length / 32));
    tokens.forEach((token, position) => {
      let mask = this.masks.get(token);
      if (!mask) this.masks.set(token, (mask = new Uint32Array(this.words)));
      mask[position >>> 5]! |= 1 << (position & 31);
    });
  }

  /** Length of the longest common subsequence of this pattern and `other`. */
  lcs(other: Int32Array): number {
    if (!this.length || !other.length) return 0;
    const vector = new Uint32Array(this.words).fill(0xffffffff);
    for (const token of other) {
      const mask = this.masks.get(token);
      if (!mask) continue; // V & M = 0: V is unchanged
      let carry = 0;
      for (let word = 0; word < this.words; word += 1) {
        const v = vector[word]!;
        const m = mask[word]!;
        const sum = v + ((v & m) >>> 0) + carry;
        carry = sum > 0xffffffff ? 1 : 0;
        vector[word] = (sum >>> 0) | (v & ~m);
      }
    }
    let ones = 0;
    for (let word = 0; word < this.words; word += 1) {
      let bits = vector[word]!;
      const used = Math.min(32, this.length - word * 32);
      if (used < 32) bits &= (1 << used) - 1;
      bits -= (bits >>> 1) & 0x55555555;
      bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
      ones += (((bits + (bits >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return this.length - ones;
  }

  /** ROUGE-L F of `prediction` against this pattern as the target (rouge-score's formula). */
  rougeL(prediction: Int32Array): number {
    const common = this.lcs(prediction);
    if (!common) return 0;
    const precision = common / prediction.length;
    const recall = common / this.length;
    return (2 * precision * recall) / (precision + recall);
  }
}

/** Maps ROUGE tokens to ids (one vocabulary per training run). */
export class TokenIds {
  private readonly ids = new Map<string, number>();

  of(text: string): Int32Array {
    return Int32Array.from(
      tokenizeForRouge(text).map((token) => {
        let id = this.ids.get(token);
        if (id === undefined) this.ids.set(token, (id = this.ids.size));
        return id;
      }),
    );
  }
}

/** Candidates examined per topic: the answers closest to the topic's bag-of-words centroid. */
export const MEDOID_CANDIDATES = 30;

/**
 * The index (into `answers`) of the ROUGE-L medoid of `answers`. Only the
 * MEDOID_CANDIDATES answers nearest the bag-of-words centroid are scored
 * (against every other answer), which keeps a topic of a few hundred answers
 * to a few thousand LCS computations.
 */
export function rougeMedoid(answers: readonly Int32Array[]): number {
  if (answers.length <= 2) return 0;
  const vectors = answers.map((tokens) => {
    const counts = new Map<number, number>();
    for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    let norm = 0;
    for (const count of counts.values()) norm += count * count;
    norm = Math.sqrt(norm) || 1;
    for (const [token, count] of counts) counts.set(token, count / norm);
    return counts;
  });
  const centroid = new Map<number, number>();
  for (const vector of vectors)
    for (const [token, weight] of vector) centroid.set(token, (centroid.get(token) ?? 0) + weight);
  const closeness = vectors.map((vector, position) => {
    let dot = 0;
    for (const [token, weight] of vector) dot += weight * (centroid.get(token) ?? 0);
    return { position, dot };
  });
  closeness.sort((a, b) => b.dot - a.dot || a.position - b.position);
  let best = { position: 0, score: -1 };
  for (const { position } of closeness.slice(0, MEDOID_CANDIDATES)) {
    const pattern = new LcsPattern(answers[position]!);
    let score = 0;
    answers.forEach((other, index) => {
      if (index !== position) score += pattern.rougeL(other);
    });
    if (score > best.score) best = { position, score };
  }
  return best.position;
}
