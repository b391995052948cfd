import { exportComparison, modelComparison } from '../../../src/analytics/model-comparison';
import { createTenant } from '../../../src/tenants/tenant-service';
import { createApiKey } from '../../../src/auth/api-keys';
import { Tenant } from '../../../src/db/entities';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { startGraphqlServer } from '../../helpers/graphql-server';
import { seedConversation } from '../../helpers/analytics-seed';

describe('model comparison on live traffic: side by side, significance, frontier, recommendation, exports', () => {
  let database: TestDatabase;
  let tenantId: string;
  const range = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-08T00:00:00Z') };

  beforeAll(async () => {
    database = await createTestDatabase();
    tenantId = (await createTenant(database.orm.em.fork(), { name: 'comparison' })).id;
    /** `count` one-reply conversations of a version: costs and latencies alternate around their means, `up` of them 👍. */
    const arm = async (
      version: string,
      model: string,
      spec: { count: number; cost: number; costSpread: number; latency: number; up: number; handedOff: number },
    ) => {
      for (let index = 0; index < spec.count; index += 1) {
        const sign = index % 2 === 0 ? -1 : 1;
        const at = new Date(Date.parse('2026-11-02T00:00:00Z') + index * 60_000).toISOString();
        await seedConversation(database.orm.em.fork(), tenantId, {
          at,
          handedOffAt: index < spec.handedOff ? at : undefined,
          replies: [
            {
              modelVersionId: version,
              provider: model.split('/')[0],
              model: model.split('/')[1],
              costUsd: spec.cost + sign * spec.costSpread,
              latencyMs: spec.latency + sign * 100,
              helpful: index < spec.up,
            },
          ],
        });
      }
    };
    await arm('mv-a', 'openai/gpt-4o', {
      count: 40,
      cost: 0.01,
      costSpread: 0.001,
      latency: 1000,
      up: 30,
      handedOff: 2,
    });
    await arm('mv-b', 'gemini/gemini-2.5-flash', {
      count: 40,
      cost: 0.004,
      costSpread: 0.0005,
      latency: 1000,
      up: 30,
      handedOff: 0,
    });
    await arm('mv-c', 'openai/gpt-4.1', {
      count: 20,
      cost: 0.02,
      costSpread: 0.001,
      latency: 2000,
      up: 10,
      handedOff: 5,
    });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('puts the versions side by side, tests each against the baseline and recommends the cheaper equal one', async () => {
    const comparison = await modelComparison(database.orm.em.fork(), { tenantId, range, dimension: 'version' });
    expect(comparison.baseline).toBe('mv-a'); // most replies (tie broken by key)
    const byKey = Object.fromEntries(comparison.arms.map((arm) => [arm.key, arm]));
    expect(byKey['mv-a']).toMatchObject({
      replies: 40,
      conversations: 40,
      votes: 40,
      positiveFeedbackRate: 0.75,
      qualityScore: 4, // 1 + 4 × 30/40
      handoffRate: 2 / 40,
      averageResponseMs: 1000,
      onFrontier: false, // mv-b is as good and cheaper
    });
    expect(byKey['mv-a']!.costPerReplyUsd).toBeCloseTo(0.01);
    expect(byKey['mv-b']).toMatchObject({ qualityScore: 4, handoffRate: 0, onFrontier: true });
    expect(byKey['mv-b']!.costPerReplyUsd).toBeCloseTo(0.004);
    expect(byKey['mv-c']).toMatchObject({
      positiveFeedbackRate: 0.5,
      qualityScore: 3,
      handoffRate: 0.25,
      onFrontier: false,
    });
    // p95 of 20 latencies, ten 1900 and ten 2100 (continuous): position 0.95 × 19 = 18.05 → 2100.
    expect(byKey['mv-c']!.p95ResponseMs).toBe(2100);

    const diff = (key: string, metric: string) =>
      comparison.differences.find((entry) => entry.key === key && entry.metric === metric)!;
    // Cost of mv-b against mv-a by hand: relative −0.6; Welch with the delta method:
    // s² = 40 × 0.001² / 39 (a), 40 × 0.0005² / 39 (b); var = s²_b/40/0.01² + s²_a/40 × 0.004²/0.01⁴.
    const varA = (40 * 0.001 ** 2) / 39;
    const varB = (40 * 0.0005 ** 2) / 39;
    const se = Math.sqrt(varB / 40 / 0.01 ** 2 + ((varA / 40) * 0.004 ** 2) / 0.01 ** 4);
    const cost = diff('mv-b', 'costPerReplyUsd');
    expect(cost.relativeDifference).toBeCloseTo(-0.6, 6);
    expect(cost.significant).toBe(true);
    // Half-width = t(0.975, Welch dof) × se; the dof lies between 39 and 78, so t is between 1.991 and 2.023.
    expect(-0.6 - cost.ciLow).toBeGreaterThan(1.99 * se);
    expect(-0.6 - cost.ciLow).toBeLessThan(2.03 * se);
    expect(diff('mv-b', 'qualityScore')).toMatchObject({ relativeDifference: 0, significant: false, error: null });
    expect(diff('mv-b', 'handoffRate').error).toBe('ZERO_NEGATIVE_VARIANCE'); // no handoff at all in mv-b
    expect(diff('mv-c', 'qualityScore').relativeDifference).toBeCloseTo(-0.25); // (3 − 4) / 4

    expect(comparison.recommended).toBe('mv-b');
    expect(comparison.reasoning).toContain('mv-b: quality +0 %, cost 60 % cheaper, within the threshold');
    expect(comparison.reasoning).toContain('mv-c: quality −25 %');
    expect(comparison.reasoning).toMatch(/→ recommend mv-b over mv-a$/);
  });

  it('compares provider models, keeps only the asked arms, and keeps the baseline when nothing beats it', async () => {
    const models = await modelComparison(database.orm.em.fork(), { tenantId, range, dimension: 'model' });
    expect(models.arms.map((arm) => arm.key)).toEqual(['gemini/gemini-2.5-flash', 'openai/gpt-4o', 'openai/gpt-4.1']);
    const two = await modelComparison(database.orm.em.fork(), {
      tenantId,
      range,
      dimension: 'version',
      keys: ['mv-a', 'mv-c'],
    });
    expect(two.arms.map((arm) => arm.key)).toEqual(['mv-a', 'mv-c']);
    expect(two.recommended).toBe('mv-a');
    expect(two.reasoning).toMatch(/→ keep mv-a \(the baseline\)$/);
    await expect(
      modelComparison(database.orm.em.fork(), { tenantId, range, dimension: 'version', baseline: 'mv-z' }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('exports CSV, Markdown and JSON, and is served over GraphQL to analytics:view keys', async () => {
    const comparison = await modelComparison(database.orm.em.fork(), { tenantId, range, dimension: 'version' });
    const csv = exportComparison(comparison, 'csv').trim().split('\n');
    expect(csv[0]).toBe(
      'key,replies,conversations,votes,positiveFeedbackRate,qualityScore,handoffRate,costPerReplyUsd,averageResponseMs,p95ResponseMs,onFrontier',
    );
    expect(csv).toHaveLength(4);
    expect(csv[1]).toMatch(/^mv-a,40,40,40,0.75,4,0.05,/);
    const markdown = exportComparison(comparison, 'markdown');
    expect(markdown).toContain('| mv-b | 40 | 40 | 40 | 0.75 | 4 | 0 |');
    expect(markdown).toContain('Recommendation: mv-b.');
    expect(JSON.parse(exportComparison(comparison, 'json')).recommended).toBe('mv-b');

    const em = database.orm.em.fork();
    const { key } = await createApiKey(em, {
      tenant: em.getReference(Tenant, tenantId),
      name: 'bi',
      scopes: ['analytics:view'],
    });
    const server = await startGraphqlServer(database.orm);
    try {
      const result = await server.query(
        key,
        `{ modelComparison(range: { from: "2026-11-01T00:00:00Z", to: "2026-11-08T00:00:00Z" }) {
          dimension baseline recommended arms { key onFrontier } differences { key metric significant } csv markdown json } }`,
      );
      expect(result.errors).toBeUndefined();
      const served = result.data!.modelComparison;
      expect(served).toMatchObject({ dimension: 'VERSION', baseline: 'mv-a', recommended: 'mv-b' });
      expect(served.csv).toBe(exportComparison(comparison, 'csv'));
      const bad = await server.query(
        key,
        '{ modelComparison(range: { from: "2026-11-01T00:00:00Z", to: "2026-11-08T00:00:00Z" }, maxQualityDrop: 2) { baseline } }',
      );
      expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    } finally {
      await server.close();
    }
  });
});
