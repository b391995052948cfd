import { evaluateGuard, seededRandom, simulateGuardedRollout } from '../../../src/learning/experiments/guard';

describe('rollout guard', () => {
  test('needs a minimum sample before deciding', () => {
    const result = evaluateGuard(
      'thumbs_up_rate',
      { kind: 'proportion', n: 50, sum: 40 },
      { kind: 'proportion', n: 50, sum: 10 },
    );
    expect(result.verdict).toBe('insufficient_data');
  });

  test('a large, significant drop is "worse"; the same drop on a lower-is-better metric is an improvement', () => {
    const control = { kind: 'proportion' as const, n: 4000, sum: 2800 };
    const candidate = { kind: 'proportion' as const, n: 4000, sum: 2400 };
    expect(evaluateGuard('thumbs_up_rate', control, candidate).verdict).toBe('worse');
    expect(evaluateGuard('handoff_rate', control, candidate).verdict).toBe('no_harm_detected');
    expect(evaluateGuard('handoff_rate', candidate, control).verdict).toBe('worse');
  });

  test('a significant drop smaller than the allowed 5 % does not roll back', () => {
    // 0.70 → 0.68 is −2.9 %: with 200k units it is significant, but within tolerance.
    const result = evaluateGuard(
      'thumbs_up_rate',
      { kind: 'proportion', n: 200_000, sum: 140_000 },
      { kind: 'proportion', n: 200_000, sum: 136_000 },
    );
    expect(result.ci[1]).toBeLessThan(0);
    expect(result.verdict).toBe('no_harm_detected');
  });

  // 200 simulated rollouts, each looked at 48 times (hourly for two days) with
  // 50 rated replies per arm per hour: 2,400 per arm at the end.
  const simulate = (candidateRate: number) => {
    const random = seededRandom(20261201);
    let rolledBack = 0;
    for (let run = 0; run < 200; run++) {
      if (simulateGuardedRollout({ controlRate: 0.7, candidateRate, looks: 48, unitsPerLook: 50 }, random) !== null)
        rolledBack++;
    }
    return rolledBack / 200;
  };

  test('an equal candidate is rolled back in under 5 % of 200 runs despite 48 looks each', () => {
    expect(simulate(0.7)).toBeLessThan(0.05);
  });

  test('a 10 % worse candidate (👍 0.70 → 0.63) is caught in at least 95 % of 200 runs', () => {
    expect(simulate(0.63)).toBeGreaterThanOrEqual(0.95);
  });
});
