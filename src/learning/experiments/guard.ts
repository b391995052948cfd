/**
 * The guard of a rollout: is the candidate really worse than control on a
 * guarded metric? "Really" means two things at once, so noise never rolls a
 * version back:
 *  1. the estimated relative change is worse than the allowed drop (5 % by
 *     default), and
 *  2. the always-valid sequential test says the candidate is worse
 *     (two-sided sequential interval of the relative difference entirely on
 *     the worse side of 0), which stays valid however often it is looked at.
 * Metrics where lower is better (handoff rate, cost) count an increase as worse.
 */
import { compareArms, type ArmStatistic, type TestResult } from './frequentist';

export const GUARDED_METRICS = [
  'thumbs_up_rate',
  'implicit_satisfaction',
  'handoff_rate',
  'cost_per_conversation',
] as const;
export type GuardedMetric = (typeof GUARDED_METRICS)[number];

/** Direction of improvement of each guarded metric. */
export const HIGHER_IS_BETTER: Record<GuardedMetric, boolean> = {
  thumbs_up_rate: true,
  implicit_satisfaction: true,
  handoff_rate: false,
  cost_per_conversation: false,
};

export interface GuardOptions {
  /** Largest tolerated relative drop, 0.05 = 5 %. */
  maxRelativeDrop?: number;
  alpha?: number;
  /** Units per arm before the guard may decide anything. */
  minUnitsPerArm?: number;
  /** Sample size the sequential boundary is tuned for. */
  sequentialTuning?: number;
}

export type GuardVerdict = 'insufficient_data' | 'no_harm_detected' | 'worse';

export interface GuardResult {
  metric: GuardedMetric;
  verdict: GuardVerdict;
  /** Relative change candidate vs control (+0.1 = 10 % higher). */
  relativeChange: number;
  ci: [number, number];
  pValue: number | null;
  controlUnits: number;
  candidateUnits: number;
  reason: string;
}

export function evaluateGuard(
  metric: GuardedMetric,
  control: ArmStatistic,
  candidate: ArmStatistic,
  options: GuardOptions = {},
): GuardResult {
  const maxDrop = options.maxRelativeDrop ?? 0.05;
  const minUnits = options.minUnitsPerArm ?? 100;
  const base = { metric, controlUnits: control.n, candidateUnits: candidate.n };
  if (control.n < minUnits || candidate.n < minUnits) {
    return {
      ...base,
      verdict: 'insufficient_data',
      relativeChange: 0,
      ci: [0, 0],
      pValue: null,
      reason: `fewer than ${minUnits} units in an arm`,
    };
  }
  const test: TestResult = compareArms(control, candidate, {
    kind: 'sequential-two-sided',
    alpha: options.alpha ?? 0.05,
    sequentialTuning: options.sequentialTuning ?? 5000,
  });
  if (test.error) {
    return { ...base, verdict: 'insufficient_data', relativeChange: 0, ci: [0, 0], pValue: null, reason: test.error };
  }
  const higherBetter = HIGHER_IS_BETTER[metric];
  const harm = higherBetter ? -test.expected : test.expected;
  const significant = higherBetter ? test.ci[1] < 0 : test.ci[0] > 0;
  const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
  const change = `${metric} ${test.expected >= 0 ? '+' : ''}${percent(test.expected)} (CI ${percent(test.ci[0])} … ${percent(test.ci[1])}, sequential p ${test.pValue?.toPrecision(3)})`;
  const worse = harm > maxDrop && significant;
  return {
    ...base,
    verdict: worse ? 'worse' : 'no_harm_detected',
    relativeChange: test.expected,
    ci: test.ci,
    pValue: test.pValue,
    reason: worse ? `${change}: worse by more than ${percent(maxDrop)} and significant` : change,
  };
}

/** Seeded PRNG (mulberry32) so simulations are repeatable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GuardSimulation {
  controlRate: number;
  candidateRate: number;
  /** Looks at the data (e.g. hourly checks over the rollout). */
  looks: number;
  /** New rated replies per arm between two looks. */
  unitsPerLook: number;
  options?: GuardOptions;
}

/**
 * One simulated rollout of a proportion metric (👍 rate) checked `looks`
 * times; returns the look at which the guard rolled back, or null.
 */
export function simulateGuardedRollout(simulation: GuardSimulation, random: () => number): number | null {
  let controlUp = 0;
  let candidateUp = 0;
  let units = 0;
  for (let look = 1; look <= simulation.looks; look++) {
    for (let unit = 0; unit < simulation.unitsPerLook; unit++) {
      if (random() < simulation.controlRate) controlUp++;
      if (random() < simulation.candidateRate) candidateUp++;
    }
    units += simulation.unitsPerLook;
    const result = evaluateGuard(
      'thumbs_up_rate',
      { kind: 'proportion', n: units, sum: controlUp },
      { kind: 'proportion', n: units, sum: candidateUp },
      simulation.options,
    );
    if (result.verdict === 'worse') return look;
  }
  return null;
}
