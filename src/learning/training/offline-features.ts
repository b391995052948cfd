import { charGrams, stemOf, words } from '../text-features';

/** Features of the offline model: sparse TF-IDF vectors and the softmax (see offline-model.ts). */

/** Feature counts of a question: stems, stem bigrams and char 3–5-grams. */
export function featureCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
  const stems = words(text).map(stemOf);
  for (const stem of stems) add(`w:${stem}`);
  for (let index = 1; index < stems.length; index += 1) add(`b:${stems[index - 1]} ${stems[index]}`);
  for (const gram of charGrams(text)) add(`c:${gram}`);
  return counts;
}

export interface SparseVector {
  indexes: Int32Array;
  values: Float32Array;
}

/** A deterministic pseudo-random sequence (mulberry32), for the SGD order. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function vectorize(
  terms: Map<string, number>,
  featureIndex: Map<string, number>,
  idf: readonly number[],
): SparseVector {
  const indexes: number[] = [];
  const values: number[] = [];
  let norm = 0;
  for (const [term, count] of terms) {
    const position = featureIndex.get(term);
    if (position === undefined) continue;
    const value = (1 + Math.log(count)) * idf[position]!;
    indexes.push(position);
    values.push(value);
    norm += value * value;
  }
  norm = Math.sqrt(norm) || 1;
  return { indexes: Int32Array.from(indexes), values: Float32Array.from(values.map((value) => value / norm)) };
}

export function softmaxScores(
  vector: SparseVector,
  weights: Float32Array,
  bias: ArrayLike<number>,
  classes: number,
  into: Float64Array,
): void {
  for (let label = 0; label < classes; label += 1) into[label] = bias[label]!;
  for (let entry = 0; entry < vector.indexes.length; entry += 1) {
    const row = vector.indexes[entry]! * classes;
    const value = vector.values[entry]!;
    for (let label = 0; label < classes; label += 1) into[label]! += weights[row + label]! * value;
  }
  let max = -Infinity;
  for (let label = 0; label < classes; label += 1) max = Math.max(max, into[label]!);
  let sum = 0;
  for (let label = 0; label < classes; label += 1) {
    into[label] = Math.exp(into[label]! - max);
    sum += into[label]!;
  }
  for (let label = 0; label < classes; label += 1) into[label]! /= sum;
}
