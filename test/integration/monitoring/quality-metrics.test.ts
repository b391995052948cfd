import { qualityMetrics, targetsFrom } from '../../../src/analytics/quality-metrics';
import { recordVote } from '../../../src/feedback/feedback-service';
import { createTenant } from '../../../src/tenants/tenant-service';
import { makeControlPlaneTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { startGraphqlServer } from '../../helpers/graphql-server';
import { engineFor } from '../../helpers/engine-fixtures';
import { ScriptedGateway } from '../../helpers/scripted-gateway';

describe('quality and business metrics, computed in SQL from traffic through the engine', () => {
  let database: TestDatabase;
  let tenantId: string;
  let customer = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    tenantId = (
      await createTenant(database.orm.em.fork(), { name: 'quality', settings: { metricTargets: { handoffRate: 0.3 } } })
    ).id;
    const gateway = new ScriptedGateway();
    const { engine, clock } = engineFor(database.orm, gateway);
    /** One customer, one message: a bot reply with this latency and cost (then a vote), or a request for a human. */
    const conversation = async (
      at: string,
      reply: { latencyMs: number; costUsd: number; helpful?: boolean } | 'human',
    ) => {
      clock.now = Date.parse(at);
      if (reply !== 'human') gateway.enqueue({ latencyMs: reply.latencyMs, costUsd: reply.costUsd });
      const text = reply === 'human' ? 'I want to talk to a real person please' : 'Where is my parcel?';
      const turn = await engine.handleTurn({
        tenantId,
        channel: 'terminal',
        externalId: `quality-${(customer += 1)}`,
        text,
      });
      if (reply !== 'human' && reply.helpful !== undefined) {
        await recordVote(database.orm.em.fork(), {
          tenantId,
          interactionId: turn.interactionId!,
          helpful: reply.helpful,
          source: 'terminal',
          at: new Date(clock.now + 60_000),
        });
      }
    };
    // The previous week: one conversation, answered and liked.
    await conversation('2026-11-17T09:00:00Z', { latencyMs: 1000, costUsd: 0.01, helpful: true });
    // This week: liked, disliked, not voted, handed to a human.
    await conversation('2026-11-24T10:00:00Z', { latencyMs: 1000, costUsd: 0.01, helpful: true });
    await conversation('2026-11-24T10:05:00Z', { latencyMs: 2000, costUsd: 0.02, helpful: false });
    await conversation('2026-11-24T10:10:00Z', { latencyMs: 3000, costUsd: 0.03 });
    await conversation('2026-11-24T10:15:00Z', 'human');
  });
  afterAll(async () => {
    await database.drop();
  });

  it('computes every rate by its documented formula, with the previous period, the trend and the targets', async () => {
    const metrics = await qualityMetrics(database.orm.em.fork(), {
      tenantId,
      range: { from: new Date('2026-11-23T00:00:00Z'), to: new Date('2026-11-30T00:00:00Z') },
      groupBy: 'day',
      targets: targetsFrom({ metricTargets: { handoffRate: 0.3 } }),
    });
    const totals = metrics.totals;
    expect(totals).toMatchObject({
      conversations: 4,
      botReplies: 3,
      answerRate: 3 / 4, // three conversations got a bot reply
      handoffRate: 1 / 4,
      automationRate: 3 / 4,
      resolutionRate: 2 / 4, // answered, not handed off, no 👎: the liked one and the unvoted one
      positiveFeedbackRate: 1 / 2,
      csat: 1 / 2,
      qualityScore: 1 + 4 * 0.5, // scored replies: 👍 = 1, 👎 = 0 (the unvoted reply has no signal yet)
      averageResponseMs: 2000,
    });
    // percentile_cont over [1000, 2000, 3000]: 2000 + 0.9 × 1000.
    expect(totals.p95ResponseMs).toBeCloseTo(2900);
    expect(totals.costUsd).toBeCloseTo(0.06);
    expect(totals.costPerConversation).toBeCloseTo(0.015);
    expect(totals.costPerResolution).toBeCloseTo(0.03);

    expect(metrics.previous).toMatchObject({
      conversations: 1,
      handoffRate: 0,
      resolutionRate: 1,
      positiveFeedbackRate: 1,
      qualityScore: 5,
    });
    expect(metrics.trend.resolutionRate).toBeCloseTo(-0.5);
    expect(metrics.trend.handoffRate).toBeCloseTo(0.25);
    expect(metrics.trend.qualityScore).toBeCloseTo(-2);

    expect(
      metrics.series.map((point) => [point.bucketStart.toISOString(), point.conversations, point.botReplies]),
    ).toEqual([['2026-11-24T00:00:00.000Z', 4, 3]]);
    expect(metrics.targets).toEqual({ positiveFeedbackRate: 0.7, handoffRate: 0.3 });
    expect([metrics.positiveFeedbackOnTarget, metrics.handoffOnTarget]).toEqual([false, true]);
  });

  it('cuts by channel and by model version', async () => {
    const range = { from: new Date('2026-11-23T00:00:00Z'), to: new Date('2026-11-30T00:00:00Z') };
    const cut = (filter: { channel?: string; modelVersionId?: string }) =>
      qualityMetrics(database.orm.em.fork(), { tenantId, range, groupBy: 'week', filter });
    const all = await qualityMetrics(database.orm.em.fork(), { tenantId, range, groupBy: 'week' });
    expect((await cut({ channel: 'terminal' })).totals).toEqual(all.totals);
    expect((await cut({ channel: 'whatsapp' })).totals).toMatchObject({ conversations: 0, botReplies: 0 });
    // The engine has not stamped a model version on these replies: a version cut finds none of them.
    expect((await cut({ modelVersionId: 'mv-unknown' })).totals).toMatchObject({ conversations: 0, botReplies: 0 });
  });

  it('answers nulls, not zeros, for rates of an empty period', async () => {
    const metrics = await qualityMetrics(database.orm.em.fork(), {
      tenantId,
      range: { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-08T00:00:00Z') },
      groupBy: 'week',
    });
    expect(metrics.totals).toMatchObject({
      conversations: 0,
      answerRate: null,
      handoffRate: null,
      csat: null,
      qualityScore: null,
      p95ResponseMs: null,
      costPerResolution: null,
    });
    expect(metrics.series).toEqual([]);
    expect(metrics.trend.handoffRate).toBeNull();
  });

  it("is served over GraphQL to analytics:view keys, scoped to the caller's tenant", async () => {
    // The control-plane fixture: one WhatsApp conversation of five replies, voted 👍 👍 👎 👍 👍, costs 0.001 … 0.005.
    const shop = await makeControlPlaneTenant(database.orm.em.fork(), 'quality-shop', { turns: 5 });
    const server = await startGraphqlServer(database.orm);
    try {
      const query = `{ qualityMetrics(range: { from: "2026-10-01T00:00:00Z", to: "2026-12-01T00:00:00Z" }, groupBy: MONTH, filter: { channel: WHATSAPP }) {
        totals { conversations botReplies positiveFeedbackRate csat costUsd costPerConversation } series { bucketStart } targets { handoffRate } } }`;
      const result = await server.query(shop.keys['analytics:view'], query);
      expect(result.errors).toBeUndefined();
      const metrics = result.data!.qualityMetrics;
      expect(metrics.totals).toMatchObject({ conversations: 1, botReplies: 5, positiveFeedbackRate: 4 / 5, csat: 0 });
      expect(metrics.totals.costUsd).toBeCloseTo(0.015);
      expect(metrics.series).toEqual([{ bucketStart: '2026-11-01T00:00:00.000Z' }]);
      expect(metrics.targets).toEqual({ handoffRate: 0.15 });
      expect((await server.query(shop.keys['corrections:write'], query)).errors?.[0]?.extensions?.code).toBe(
        'FORBIDDEN',
      );
    } finally {
      await server.close();
    }
  });
});
