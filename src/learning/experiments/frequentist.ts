/**
 * Two-sample tests of the difference between a control arm (a) and a
 * candidate arm (b), with the semantics of GrowthBook's frequentist engine
 * (gbstats `frequentist/tests.py`): Welch's t-test with Welch–Satterthwaite
 * degrees of freedom, the relative difference (b − a)/|a| with its variance by
 * the delta method, proportions with variance p(1 − p), and the always-valid
 * sequential test of Waudby-Smith et al. (arXiv 2103.06476, eqs. 9, 134, 155,
 * 161) so results can be looked at every hour without inflating false alarms.
 * Distributions come from stdlib (t, chi-squared); checked against gbstats'
 * own test cases (test/unit/learning/experiment-statistics.test.ts).
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** Sufficient statistics of a metric that is a mean of per-unit values. */
export interface MeanStatistic {
  kind: 'mean';
  n: number;
  sum: number;
  sumSquares: number;
}

/** Sufficient statistics of a proportion (units with the event / units). */
export interface ProportionStatistic {
  kind: 'proportion';
  n: number;
  sum: number;
}

export type ArmStatistic = MeanStatistic | ProportionStatistic;

export function statisticMean(stat: ArmStatistic): number {
  return stat.n === 0 ? 0 : stat.sum / stat.n;
}

/** Sample variance (n − 1) of a mean; p(1 − p) of a proportion. */
export function statisticVariance(stat: ArmStatistic): number {
  if (stat.kind === 'proportion') {
    const mean = statisticMean(stat);
    return mean * (1 - mean);
  }
  if (stat.n <= 1) return 0;
  return (stat.sumSquares - (stat.sum * stat.sum) / stat.n) / (stat.n - 1);
}

export type DifferenceType = 'relative' | 'absolute';
export type TestKind =
  | 'two-sided'
  | 'one-sided-greater'
  | 'one-sided-lesser'
  | 'sequential-two-sided'
  | 'sequential-one-sided-greater'
  | 'sequential-one-sided-lesser';

export interface TestOptions {
  kind?: TestKind;
  differenceType?: DifferenceType;
  /** Two-sided 5 % by default. */
  alpha?: number;
  /** Sequential tests: the sample size the boundary is tuned for (gbstats default 5000). */
  sequentialTuning?: number;
  /** Sequential tests: a fixed ρ instead of one derived from alpha and the tuning. */
  rho?: number;
}

export interface TestResult {
  /** Estimated difference (relative: a fraction, −0.1 = 10 % lower). */
  expected: number;
  /** Confidence interval of the difference; ±Infinity for one-sided tests. */
  ci: [number, number];
  /** null when the one-sided sequential p-value did not converge. */
  pValue: number | null;
  standardError: number;
  /** Set when the arms cannot be compared (no variance, a zero baseline). */
  error: string | null;
}

export const ZERO_VARIANCE = 'ZERO_NEGATIVE_VARIANCE';
export const ZERO_BASELINE = 'BASELINE_VARIATION_ZERO';

interface Moments {
  estimate: number;
  standardError: number;
  error: string | null;
}

function moments(a: ArmStatistic, b: ArmStatistic, relative: boolean): Moments {
  const meanA = statisticMean(a);
  const meanB = statisticMean(b);
  const varA = statisticVariance(a);
  const varB = statisticVariance(b);
  let variance: number;
  if (relative) {
    // Delta method for (mean_b / mean_a) − 1 with independent arms.
    variance = meanA === 0 ? 0 : varB / b.n / meanA ** 2 + ((varA / a.n) * meanB ** 2) / meanA ** 4;
  } else {
    variance = varB / b.n + varA / a.n;
  }
  if (varA <= 0 || varB <= 0 || variance <= 0) return { estimate: 0, standardError: 0, error: ZERO_VARIANCE };
  if (meanA === 0) return { estimate: 0, standardError: 0, error: ZERO_BASELINE };
  const estimate = relative ? (meanB - meanA) / Math.abs(meanA) : meanB - meanA;
  return { estimate, standardError: Math.sqrt(variance), error: null };
}

/** Welch–Satterthwaite degrees of freedom. */
function welchDof(a: ArmStatistic, b: ArmStatistic): number {
  const varA = statisticVariance(a);
  const varB = statisticVariance(b);
  return (varB / b.n + varA / a.n) ** 2 / (varB ** 2 / (b.n ** 2 * (b.n - 1)) + varA ** 2 / (a.n ** 2 * (a.n - 1)));
}

/** ρ of the normal-mixture boundary (eq. 161). */
export function sequentialRho(alpha: number, tuning: number, twoSided = true): number {
  const alphaArg = twoSided ? alpha : 2 * alpha;
  return Math.sqrt((-2 * Math.log(alphaArg) + Math.log(-2 * Math.log(alphaArg) + 1)) / tuning);
}

function sequentialHalfwidth(s2: number, n: number, alpha: number, rho: number, twoSided: boolean): number {
  const nr2 = n * rho * rho;
  if (twoSided)
    return Math.sqrt(s2) * Math.sqrt((2 * (nr2 + 1) * Math.log(Math.sqrt(nr2 + 1) / alpha)) / (n * rho) ** 2);
  return Math.sqrt(s2 * ((2 * (nr2 + 1)) / (n * rho) ** 2) * Math.log(1 + Math.sqrt(nr2 + 1) / (2 * alpha)));
}

function failed(error: string): TestResult {
  return { expected: 0, ci: [0, 0], pValue: 1, standardError: 0, error };
}

/** Runs one test of candidate (b) against control (a). */
export function compareArms(a: ArmStatistic, b: ArmStatistic, options: TestOptions = {}): TestResult {
  const kind = options.kind ?? 'two-sided';
  const alpha = options.alpha ?? 0.05;
  const m = moments(a, b, (options.differenceType ?? 'relative') === 'relative');
  if (m.error) return failed(m.error);
  const base = { expected: m.estimate, standardError: m.standardError, error: null };

  if (!kind.startsWith('sequential')) {
    const dof = welchDof(a, b);
    const critical = m.estimate / m.standardError;
    if (kind === 'two-sided') {
      const half = tQuantile(1 - alpha / 2, dof) * m.standardError;
      return { ...base, ci: [m.estimate - half, m.estimate + half], pValue: 2 * (1 - tCdf(Math.abs(critical), dof)) };
    }
    const half = tQuantile(1 - alpha, dof) * m.standardError;
    if (kind === 'one-sided-greater') {
      return { ...base, ci: [m.estimate - half, Infinity], pValue: 1 - tCdf(critical, dof) };
    }
    return { ...base, ci: [-Infinity, m.estimate + half], pValue: tCdf(critical, dof) };
  }

  const n = a.n + b.n;
  const tuning = options.sequentialTuning ?? 5000;
  const twoSided = kind === 'sequential-two-sided';
  const rho = options.rho ?? sequentialRho(alpha, tuning, twoSided);
  const s2 = m.standardError ** 2 * n;
  if (twoSided) {
    const half = sequentialHalfwidth(s2, n, alpha, rho, true);
    // Always-valid p-value: the reciprocal of the mixture e-value (eq. 155).
    const st2 = (m.estimate ** 2 * n) / m.standardError ** 2;
    const tr2p1 = n * rho * rho + 1;
    const evalue = Math.exp((rho * rho * st2) / (2 * tr2p1)) / Math.sqrt(tr2p1);
    return { ...base, ci: [m.estimate - half, m.estimate + half], pValue: Math.min(1 / evalue, 1) };
  }
  if (alpha >= 0.5) return failed('ALPHA_GREATER_THAN_0.5_FOR_SEQUENTIAL_ONE_SIDED_TEST');
  const lesser = kind === 'sequential-one-sided-lesser';
  const bound = (level: number): number => {
    const half = sequentialHalfwidth(s2, n, level, rho, false);
    return lesser ? m.estimate + half : m.estimate - half;
  };
  const half = sequentialHalfwidth(s2, n, alpha, rho, false);
  const ci: [number, number] = lesser ? [-Infinity, m.estimate + half] : [m.estimate - half, Infinity];
  return { ...base, ci, pValue: sequentialOneSidedPValue(bound, lesser) };
}

/**
 * The one-sided sequential p-value has no closed form: gbstats finds by
 * bisection the alpha at which the interval's finite end touches 0, between
 * 1e-5 and 0.4999, to 1e-6.
 */
function sequentialOneSidedPValue(bound: (alpha: number) => number, lesser: boolean): number | null {
  let minAlpha = 1e-5;
  let maxAlpha = 0.4999;
  const small = bound(minAlpha);
  if (lesser ? small < 0 : small > 0) return minAlpha;
  const big = bound(maxAlpha);
  if (lesser ? big > 0 : big < 0) return maxAlpha;
  let alpha = 0.5 * (minAlpha + maxAlpha);
  let diff = 0;
  for (let iteration = 0; iteration < 100; iteration++) {
    diff = bound(alpha);
    const raise = lesser ? diff > 0 : diff < 0;
    if (raise) minAlpha = alpha;
    else maxAlpha = alpha;
    alpha = 0.5 * (minAlpha + maxAlpha);
    if (Math.abs(diff) < 1e-6) break;
  }
  return Math.abs(diff) < 1e-6 ? alpha : null;
}
