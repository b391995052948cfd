import {
  compareArms,
  ZERO_VARIANCE,
  type ArmStatistic,
  type TestOptions,
} from '../../../src/learning/experiments/frequentist';
import { hasSampleRatioMismatch, sampleRatioPValue } from '../../../src/learning/experiments/sample-ratio';

/**
 * gbstats' own frequentist cases (growthbook packages/stats/tests/frequentist/test_tests.py),
 * compared as gbstats compares them: every number rounded to 5 decimals.
 */
const mean = (sum: number, sumSquares: number, n: number): ArmStatistic => ({ kind: 'mean', sum, sumSquares, n });
const proportion = (sum: number, n: number): ArmStatistic => ({ kind: 'proportion', sum, n });
const INF = Infinity;

interface Case {
  name: string;
  a: ArmStatistic;
  b: ArmStatistic;
  options: TestOptions;
  expected: number;
  ci: [number, number];
  stddev: number;
  pValue: number;
}

const a3407 = mean(1396.87, 52377.9767, 3407);
const a3000 = mean(1396.87, 52377.9767, 3000);
const b3461 = mean(2422.7, 134698.29, 3461);

const cases: Case[] = [
  {
    name: 'TwoSidedTTest relative',
    a: a3407,
    b: b3461,
    options: {},
    expected: 0.70732,
    ci: [-0.03526, 1.44989],
    stddev: 0.37879,
    pValue: 0.06191,
  },
  {
    name: 'TwoSidedTTest absolute',
    a: a3407,
    b: b3461,
    options: { differenceType: 'absolute' },
    expected: 0.29,
    ci: [0.04538, 0.53462],
    stddev: 0.12478,
    pValue: 0.02016,
  },
  {
    name: 'TwoSidedTTest binomial',
    a: proportion(14, 28),
    b: proportion(16, 30),
    options: {},
    expected: 0.06667,
    ci: [-0.47767, 0.61101],
    stddev: 0.2717,
    pValue: 0.80707,
  },
  {
    name: 'SequentialTwoSidedTTest, tuning 1000',
    a: a3000,
    b: b3461,
    options: { kind: 'sequential-two-sided', sequentialTuning: 1000 },
    expected: 0.50336,
    ci: [-0.55844, 1.56516],
    stddev: 0.33341,
    pValue: 1,
  },
  {
    name: 'SequentialTwoSidedTTest proportions',
    a: proportion(1396, 3000),
    b: proportion(2422, 3461),
    options: { kind: 'sequential-two-sided' },
    expected: 0.50386,
    ci: [0.40098, 0.60675],
    stddev: 0.03386,
    pValue: 0,
  },
  {
    name: 'OneSidedTreatmentGreaterTTest relative',
    a: a3000,
    b: b3461,
    options: { kind: 'one-sided-greater' },
    expected: 0.5033610858562358,
    ci: [-0.045136675850396046, INF],
    stddev: 0.3334122146400735,
    pValue: 0.06558262868467746,
  },
  {
    name: 'OneSidedTreatmentGreaterTTest absolute',
    a: a3000,
    b: b3461,
    options: { kind: 'one-sided-greater', differenceType: 'absolute' },
    expected: 0.23437666666666668,
    ci: [0.020791480063255735, INF],
    stddev: 0.12983081254184736,
    pValue: 0.03554272489873023,
  },
  {
    name: 'OneSidedTreatmentLesserTTest relative',
    a: a3000,
    b: b3461,
    options: { kind: 'one-sided-lesser' },
    expected: 0.5033610858562358,
    ci: [-INF, 1.0518588475628676],
    stddev: 0.3334122146400735,
    pValue: 0.9344173713153225,
  },
  {
    name: 'OneSidedTreatmentLesserTTest absolute',
    a: a3000,
    b: b3461,
    options: { kind: 'one-sided-lesser', differenceType: 'absolute' },
    expected: 0.23437666666666668,
    ci: [-INF, 0.44796185327007765],
    stddev: 0.12983081254184736,
    pValue: 0.9644572751012698,
  },
  {
    name: 'SequentialOneSidedTreatmentGreaterTTest relative',
    a: a3000,
    b: b3461,
    options: { kind: 'sequential-one-sided-greater' },
    expected: 0.5033610858562358,
    ci: [-0.42356454602790883, INF],
    stddev: 0.3334122146400735,
    pValue: 0.4999,
  },
  {
    name: 'SequentialOneSidedTreatmentGreaterTTest absolute',
    a: a3000,
    b: b3461,
    options: { kind: 'sequential-one-sided-greater', differenceType: 'absolute' },
    expected: 0.23437666666666668,
    ci: [-0.12656844172804982, INF],
    stddev: 0.12983081254184736,
    pValue: 0.46316491943359384,
  },
  {
    name: 'SequentialOneSidedTreatmentLesserTTest relative',
    a: a3000,
    b: b3461,
    options: { kind: 'sequential-one-sided-lesser' },
    expected: 0.5033610858562358,
    ci: [-INF, 1.4302867177403806],
    stddev: 0.3334122146400735,
    pValue: 0.4999,
  },
  {
    name: 'SequentialOneSidedTreatmentLesserTTest absolute',
    a: a3000,
    b: b3461,
    options: { kind: 'sequential-one-sided-lesser', differenceType: 'absolute' },
    expected: 0.23437666666666668,
    ci: [-INF, 0.5953217750613832],
    stddev: 0.12983081254184736,
    pValue: 0.4999,
  },
];

const round5 = (value: number) => (Number.isFinite(value) ? Math.round(value * 1e5) / 1e5 : value);

describe('gbstats frequentist cases, to 5 decimals', () => {
  test.each(cases)('$name', ({ a, b, options, expected, ci, stddev, pValue }) => {
    const result = compareArms(a, b, options);
    expect(result.error).toBeNull();
    expect(round5(result.expected)).toBe(round5(expected));
    expect(result.ci.map(round5)).toEqual(ci.map(round5));
    expect(round5(result.standardError)).toBe(round5(stddev));
    expect(round5(result.pValue as number)).toBe(round5(pValue));
  });

  test('missing variance (n = 2 against n = 3461 with one value) gives the default output', () => {
    // gbstats test_two_sided_ttest_missing_variance: n=2 with these sums has negative variance.
    const result = compareArms(mean(1396.87, 52377.9767, 2), b3461);
    expect(result).toEqual({ expected: 0, ci: [0, 0], pValue: 1, standardError: 0, error: ZERO_VARIANCE });
  });

  test('sequential tuning: a boundary tuned near the real n is the narrowest (gbstats test_sequential_test_tuning_as_expected)', () => {
    const width = (tuning: number) => {
      const { ci } = compareArms(a3000, b3461, { kind: 'sequential-two-sided', sequentialTuning: tuning });
      return ci;
    };
    const below = width(10);
    const near = width(6461);
    const above = width(10000);
    expect(below[0] < above[0] && below[1] > above[1]).toBe(true);
    expect(below[0] < near[0] && below[1] > near[1]).toBe(true);
    expect(above[0] < near[0] && above[1] > near[1]).toBe(true);
  });
});

describe('sample-ratio mismatch (chi-squared, reference values from scipy.stats.chi2.sf)', () => {
  test.each([
    [[1000, 1000], [0.5, 0.5], 1.0],
    [[1000, 1100], [0.5, 0.5], 0.029096331741252267],
    [[5000, 5200], [0.5, 0.5], 0.0476703806561615],
    [[980, 1020, 1000], [1 / 3, 1 / 3, 1 / 3], 0.6703200460356394],
    [[100, 300], [0.25, 0.75], 1.0],
    [[5050, 4950], [0.5, 0.5], 0.31731050786291115],
    [[900, 1100], [0.5, 0.5], 7.744216431044088e-6],
  ])('units %j with weights %j → p = %p', (units, weights, expected) => {
    expect(sampleRatioPValue(units, weights)).toBeCloseTo(expected, 10);
  });

  test('alarm only below p = 0.001', () => {
    expect(hasSampleRatioMismatch([900, 1100], [0.5, 0.5])).toBe(true);
    expect(hasSampleRatioMismatch([1000, 1100], [0.5, 0.5])).toBe(false);
    expect(sampleRatioPValue([0, 0], [0.5, 0.5])).toBe(1);
  });
});
