import { runAnalyticsBench, type CaseResult } from '../../../bench/analytics-bench-run';
import { differences } from '../../../bench/analytics-figures';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

/**
 * bench:analytics at a tiny scale, so its hand-written SQL baselines cannot
 * drift from the services: every query, every tenant, service figures equal to
 * the baseline's. No timing is asserted (speed belongs to the bench itself).
 */
describe('bench:analytics agreement check', () => {
  let database: TestDatabase;
  let results: CaseResult[];

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ results } = await runAnalyticsBench({
      orm: database.orm,
      url: database.url,
      scale: 0.01,
      // 20 runs: each of the 20 generated tenants once; GraphQL too, so the bench's queries stay valid.
      iterations: 20,
      warmup: 0,
      log: () => {},
    }));
  }, 240_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('covers every analytics query of the API', () => {
    const names = results.map((result) => result.name.split(' ')[0]);
    for (const query of [
      'feedbackAnalytics',
      'costAnalytics',
      'feedback',
      'providerUsage',
      'qualityMetrics',
      'businessMetrics',
      'versionBusinessMetrics',
      'modelComparison',
      'learningAnalytics',
    ])
      expect(names).toContain(query);
    expect(results.filter((result) => result.name.startsWith('qualityMetrics')).length).toBeGreaterThanOrEqual(5);
  });

  it('finds the same figures through the service and the hand-written SQL, for every tenant', () => {
    for (const result of results) {
      expect({ name: result.name, disagreements: result.disagreements, differences: result.firstDifferences }).toEqual({
        name: result.name,
        disagreements: 0,
        differences: [],
      });
      expect(result.runs).toBe(20);
      if (!result.name.startsWith('floor')) expect(result.figures).toBeGreaterThan(2);
    }
  });

  it('tells figures that differ apart (the check can fail)', () => {
    expect(differences({ a: 1, b: 'x' }, { a: 1, b: 'x' })).toEqual([]);
    expect(differences({ a: 0.1 + 0.2 }, { a: 0.3 })).toEqual([]);
    expect(differences({ a: 1 }, { a: 1.0001 })).toHaveLength(1);
    expect(differences({ a: 0 }, { a: '0' })).toHaveLength(1);
    expect(differences({ a: null }, { a: 0 })).toHaveLength(1);
    expect(differences({ a: 1 }, {})).toEqual(['a: only in the service (1)']);
  });
});
