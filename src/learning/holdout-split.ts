import { createHash } from 'node:crypto';

/** One labelled question with its reference answer (a row of the shared customer-support dataset). */
export interface LabelledExample {
  question: string;
  topic: string;
  answer: string;
}

/** Per cent of the examples held out for evaluation. */
export const HELD_OUT_PERCENT = 20;

/**
 * Deterministic 80/20 split by a hash of the example's question and topic
 * (SHA-1, first 32 bits, modulo 100 < 20 → held out). Not stratified: with 27
 * topics of 110–165 rows each the held-out share per topic stays near 20 %.
 * Hashing the content (not the row number) keeps identical questions on one
 * side, so no held-out question is also in the knowledge, and the split does
 * not change when rows are added or reordered.
 */
export function isHeldOut(example: Pick<LabelledExample, 'question' | 'topic'>): boolean {
  const digest = createHash('sha1').update(`${example.question}\u0000${example.topic}`).digest();
  return digest.readUInt32BE(0) % 100 < HELD_OUT_PERCENT;
}

export function splitExamples<T extends Pick<LabelledExample, 'question' | 'topic'>>(
  examples: readonly T[],
): { train: T[]; heldOut: T[] } {
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const example of examples) (isHeldOut(example) ? heldOut : train).push(example);
  return { train, heldOut };
}

/** Keeps the first `percent` % of `examples` in a fixed pseudo-random order (a hash of the question), so smaller stages nest in larger ones. */
export function sampleExamples<T extends Pick<LabelledExample, 'question' | 'topic'>>(
  examples: readonly T[],
  percent: number,
): T[] {
  const ranked = examples.map((example) => ({
    example,
    key: createHash('sha1').update(`stage\u0000${example.question}\u0000${example.topic}`).digest().readUInt32BE(0),
  }));
  ranked.sort((a, b) => a.key - b.key);
  return ranked.slice(0, Math.round((examples.length * percent) / 100)).map((entry) => entry.example);
}
