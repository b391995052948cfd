/**
 * Sample-ratio mismatch: a chi-squared goodness-of-fit test of the observed
 * units per arm against the configured weights (GrowthBook's `check_srm`).
 * A p-value below 0.001 means assignment or logging is broken and the
 * experiment's results are not to be trusted.
 */
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';

export const SRM_ALARM_P_VALUE = 0.001;

/** p-value of the observed split; 1 when nothing was observed. Arms with weight ≤ 0 are skipped. */
export function sampleRatioPValue(units: readonly number[], weights: readonly number[]): number {
  const observed = units.reduce((sum, count) => sum + count, 0);
  if (!observed) return 1;
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  let statistic = 0;
  units.forEach((count, index) => {
    if (weights[index] <= 0) return;
    const expected = (weights[index] / totalWeight) * observed;
    statistic += (count - expected) ** 2 / expected;
  });
  return 1 - chisquareCdf(statistic, units.length - 1);
}

export function hasSampleRatioMismatch(units: readonly number[], weights: readonly number[]): boolean {
  return sampleRatioPValue(units, weights) < SRM_ALARM_P_VALUE;
}
