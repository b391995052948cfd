import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  assignArm,
  bucketRanges,
  chooseArm,
  equalWeights,
  hashToUnit,
  type BucketRange,
} from '../../../src/learning/experiments/assignment';

// GrowthBook's cross-SDK cases (packages/sdk-js/test/cases.json), kept verbatim.
const cases = JSON.parse(
  readFileSync(path.join(__dirname, '../../fixtures/upstream/growthbook-cases.json'), 'utf8'),
) as {
  hash: [string, string, number, number | null][];
  getBucketRange: [string, [number, number, number[] | null], [number, number][]][];
  chooseVariation: [string, number, [number, number][], number][];
  getEqualWeights: [number, number[]][];
};

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

describe('GrowthBook hash (cases.json "hash")', () => {
  test.each(cases.hash)('hash(%j, %j, v%i) = %p', (seed, value, version, expected) => {
    expect(hashToUnit(seed, value, version)).toBe(expected);
  });
});

describe('GrowthBook bucket ranges (cases.json "getBucketRange")', () => {
  test.each(cases.getBucketRange)('%s', (_name, [count, coverage, weights], expected) => {
    const ranges = bucketRanges(count, coverage, weights ?? undefined).map(([start, end]) => [
      round(start, 6),
      round(end, 6),
    ]);
    expect(ranges).toEqual(expected);
  });
});

describe('GrowthBook chooseVariation (cases.json "chooseVariation")', () => {
  test.each(cases.chooseVariation)('%s', (_name, bucket, ranges, expected) => {
    expect(chooseArm(bucket, ranges as BucketRange[])).toBe(expected);
  });
});

describe('GrowthBook equal weights (cases.json "getEqualWeights")', () => {
  test.each(cases.getEqualWeights)('getEqualWeights(%i)', (count, expected) => {
    expect(equalWeights(count).map((weight) => round(weight, 8))).toEqual(expected);
  });
});

describe('sticky assignment', () => {
  const ids = Array.from({ length: 10_000 }, (_, index) => `contact-${index}-${(index * 7919) % 104729}`);

  test('raising coverage 10 % → 50 % → 100 % never moves an assigned customer', () => {
    const stages = [0.1, 0.5, 1].map((coverage) => ids.map((id) => assignArm({ seed: 'exp-1', coverage }, id).arm));
    let moved = 0;
    let added = 0;
    for (let stage = 1; stage < stages.length; stage++) {
      ids.forEach((_id, index) => {
        const before = stages[stage - 1][index];
        const after = stages[stage][index];
        if (before !== null && after !== before) moved++;
        if (before === null && after !== null) added++;
      });
    }
    expect(moved).toBe(0);
    expect(added).toBeGreaterThan(8_000);
    expect(stages[2].every((arm) => arm !== null)).toBe(true);
  });

  test('coverage and weights give the configured shares (within sampling error)', () => {
    const arms = ids.map((id) => assignArm({ seed: 'exp-2', coverage: 0.5, weights: [0.5, 0.5] }, id).arm);
    const share = (arm: string | null) => arms.filter((value) => value === arm).length / ids.length;
    // 10,000 draws: a binomial share's standard error is at most 0.005; allow 4 of them.
    expect(Math.abs(share(null) - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(share('control') - 0.25)).toBeLessThan(0.02);
    expect(Math.abs(share('candidate') - 0.25)).toBeLessThan(0.02);
  });

  test('a different seed reshuffles customers', () => {
    const first = ids.map((id) => assignArm({ seed: 'a', coverage: 1 }, id).arm);
    const second = ids.map((id) => assignArm({ seed: 'b', coverage: 1 }, id).arm);
    const same = first.filter((arm, index) => arm === second[index]).length / ids.length;
    expect(same).toBeGreaterThan(0.45);
    expect(same).toBeLessThan(0.55);
  });
});
