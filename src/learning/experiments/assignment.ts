/**
 * Experiment assignment with GrowthBook's hashing and bucket ranges, so an
 * arm assigned here is the arm any GrowthBook SDK would assign for the same
 * seed, key and coverage. Pure functions, checked against GrowthBook's own
 * cross-SDK cases (test/fixtures/upstream/growthbook-cases.json).
 *
 * Coverage shrinks every arm's range from its start: [start, start + coverage·w).
 * Raising coverage 10 % → 50 % → 100 % therefore only adds customers to each
 * arm; a customer already inside a range stays in it.
 */

/** [start, end) of one arm on the unit interval. */
export type BucketRange = readonly [number, number];

/** 32-bit FNV-1a over UTF-16 code units, as GrowthBook computes it. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    // Multiplication by the FNV prime 16777619 written as shifts (exact in 32 bits).
    hash += (hash << 1) + (hash << 4) + (hash << 7) + (hash << 8) + (hash << 24);
  }
  return hash >>> 0;
}

/**
 * GrowthBook's hash of a unit into [0, 1): version 2 (unbiased, double FNV,
 * 4 decimals) or version 1 (the original, 3 decimals). Unknown versions give null.
 */
export function hashToUnit(seed: string, value: string, version: number): number | null {
  if (version === 2) return (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000;
  if (version === 1) return (fnv1a32(value + seed) % 1000) / 1000;
  return null;
}

export function equalWeights(count: number): number[] {
  if (count <= 0) return [];
  return new Array<number>(count).fill(1 / count);
}

/**
 * Ranges for `count` arms. Coverage is clamped to [0, 1]; weights that are
 * missing, of the wrong length or not summing to 1 (±0.01) fall back to equal
 * weights, exactly as GrowthBook does.
 */
export function bucketRanges(count: number, coverage = 1, weights?: readonly number[]): BucketRange[] {
  const clamped = Math.min(1, Math.max(0, coverage));
  const equal = equalWeights(count);
  let chosen: readonly number[] = weights ?? equal;
  if (chosen.length !== count) chosen = equal;
  const total = chosen.reduce((sum, weight) => sum + weight, 0);
  if (total < 0.99 || total > 1.01) chosen = equal;
  let cumulative = 0;
  return chosen.map((weight) => {
    const start = cumulative;
    cumulative += weight;
    return [start, start + clamped * weight] as const;
  });
}

/** Index of the range holding `bucket`, or -1 when it falls outside coverage. */
export function chooseArm(bucket: number, ranges: readonly BucketRange[]): number {
  for (let index = 0; index < ranges.length; index++) {
    const [start, end] = ranges[index];
    if (bucket >= start && bucket < end) return index;
  }
  return -1;
}

export const EXPERIMENT_ARMS = ['control', 'candidate'] as const;
export type ExperimentArm = (typeof EXPERIMENT_ARMS)[number];

export interface AssignmentSpec {
  /** Hash seed; GrowthBook uses the experiment key when no seed is set. */
  seed: string;
  /** Share of customers in the experiment, 0–1. */
  coverage: number;
  /** Weights of [control, candidate]; default 50/50. */
  weights?: readonly [number, number];
}

export interface Assignment {
  /** null: outside coverage, served by the active version as usual. */
  arm: ExperimentArm | null;
  /** The customer's bucket in [0, 1), stable for a seed. */
  bucket: number;
}

/** The arm of one customer (the contact id is the hash unit, so a customer keeps one arm). */
export function assignArm(spec: AssignmentSpec, unitId: string): Assignment {
  const bucket = hashToUnit(spec.seed, unitId, 2) as number;
  const index = chooseArm(bucket, bucketRanges(EXPERIMENT_ARMS.length, spec.coverage, spec.weights));
  return { arm: index < 0 ? null : EXPERIMENT_ARMS[index], bucket };
}
