import { businessMetrics, businessValuesFrom } from '../../../src/analytics/business-metrics';
import { recordConversion } from '../../../src/business/conversions';
import { createTenant } from '../../../src/tenants/tenant-service';
import { makeControlPlaneTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { startGraphqlServer } from '../../helpers/graphql-server';
import { seedConversation, seedCorrection } from '../../helpers/analytics-seed';

describe('business metrics: CSAT, conversions, cost, ROI and agent productivity against hand-computed values', () => {
  let database: TestDatabase;
  let tenantId: string;
  const range = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-08T00:00:00Z') };
  const settings = { business: { conversionValueUsd: 50, humanConversationCostUsd: 4 } };

  beforeAll(async () => {
    database = await createTestDatabase();
    tenantId = (await createTenant(database.orm.em.fork(), { name: 'business', settings })).id;
    const seed = (spec: Parameters<typeof seedConversation>[2]) =>
      seedConversation(database.orm.em.fork(), tenantId, spec);
    // C1: two 👍, survey 5, an order worth 120 → resolved, satisfied, converted (bot revenue 120).
    await seed({
      at: '2026-11-02T09:00:00Z',
      replies: [
        { costUsd: 0.01, helpful: true },
        { costUsd: 0.01, helpful: true },
      ],
      surveys: [{ askedAt: '2026-11-02T10:00:00Z', score: 5, answeredAt: '2026-11-02T10:01:00Z' }],
      conversions: [{ kind: 'order', valueUsd: 120 }],
    });
    // C2: 👎, survey 2, an order without value (→ 50) → not resolved, not satisfied, bot revenue 50.
    await seed({
      at: '2026-11-03T09:00:00Z',
      replies: [{ costUsd: 0.02, helpful: false }],
      surveys: [{ askedAt: '2026-11-03T10:00:00Z', score: 2, answeredAt: '2026-11-03T10:02:00Z' }],
      conversions: [{ kind: 'order' }],
    });
    // C3: 👍, handed off at 10:00, taken by slack:U1 at 10:02, who replies at 10:05 and 10:20; an order worth 30 (assisted).
    await seed({
      at: '2026-11-03T09:30:00Z',
      replies: [{ costUsd: 0.03, helpful: true }],
      handedOffAt: '2026-11-03T10:00:00Z',
      assignee: 'slack:U1',
      assignedAt: '2026-11-03T10:02:00Z',
      agentMessages: [
        { at: '2026-11-03T10:05:00Z', by: 'slack:U1' },
        { at: '2026-11-03T10:20:00Z', by: 'slack:U1' },
      ],
      conversions: [{ kind: 'booking', valueUsd: 30 }],
    });
    // C4: unvoted reply, survey asked but not answered → resolved, not rated.
    await seed({
      at: '2026-11-04T09:00:00Z',
      replies: [{ costUsd: 0.04 }],
      surveys: [{ askedAt: '2026-11-04T10:00:00Z' }],
    });
    // C5: no bot reply, handed off at 09:00, taken by apikey:K at 09:10, first agent reply at 09:30.
    await seed({
      at: '2026-11-05T08:59:00Z',
      handedOffAt: '2026-11-05T09:00:00Z',
      assignee: 'apikey:K',
      assignedAt: '2026-11-05T09:10:00Z',
      agentMessages: [{ at: '2026-11-05T09:30:00Z', by: 'apikey:K' }],
    });
    // Outside the range: counts nowhere.
    await seed({
      at: '2026-10-30T09:00:00Z',
      replies: [{ costUsd: 1, helpful: true }],
      conversions: [{ kind: 'order' }],
    });
    const em = database.orm.em.fork();
    await seedCorrection(em, tenantId, {
      at: '2026-11-04T12:00:00Z',
      author: 'slack:U1',
      status: 'approved',
      decidedBy: 'apikey:K',
      decidedAt: '2026-11-05T12:00:00Z',
    });
    await seedCorrection(em, tenantId, { at: '2026-11-04T13:00:00Z', author: 'slack:U1' });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('computes every figure by its documented formula', async () => {
    const metrics = await businessMetrics(database.orm.em.fork(), {
      tenantId,
      range,
      values: businessValuesFrom(settings),
    });
    const totals = metrics.totals;
    expect(totals).toMatchObject({
      conversations: 5,
      ratedConversations: 3, // C1 (survey), C2 (survey and vote), C3 (vote)
      csat: 2 / 3, // C1 (survey 5) and C3 (👍, no survey); C2's survey 2 decides against it
      thumbsCsat: 2 / 3, // voted C1, C2, C3; no 👎 in C1 and C3
      surveysAsked: 3,
      surveyResponses: 2,
      surveyResponseRate: 2 / 3,
      surveyAverageScore: 3.5,
      surveyCsat: 1 / 2,
      conversions: 3,
      convertedConversations: 3,
      conversionRate: 3 / 5,
      resolvedConversations: 2, // C1, C4
      handedOffConversations: 2, // C3, C5
      botAttributedRevenueUsd: 170, // 120 + 50 (the tenant's value of an order without one)
      assistedRevenueUsd: 30,
      humanCostAvoidedUsd: 8, // 2 resolutions × 4
    });
    expect(totals.costUsd).toBeCloseTo(0.11);
    expect(totals.costPerConversation).toBeCloseTo(0.022);
    expect(totals.costPerResolution).toBeCloseTo(0.055);
    expect(totals.netBenefitUsd).toBeCloseTo(8 + 170 - 0.11);
    expect(totals.roi).toBeCloseTo((8 + 170 - 0.11) / 0.11);
    expect(metrics.values).toEqual({ conversionValueUsd: 50, humanConversationCostUsd: 4 });
    expect(metrics.agents).toEqual([
      {
        agent: 'apikey:K',
        handoffsTaken: 1,
        agentReplies: 1,
        firstRepliesGiven: 1,
        averageFirstReplySeconds: 1800,
        medianFirstReplySeconds: 1800,
        correctionsWritten: 0,
        correctionsApproved: 0,
        correctionsReviewed: 1,
      },
      {
        agent: 'slack:U1',
        handoffsTaken: 1,
        agentReplies: 2,
        firstRepliesGiven: 1,
        averageFirstReplySeconds: 300,
        medianFirstReplySeconds: 300,
        correctionsWritten: 2,
        correctionsApproved: 1,
        correctionsReviewed: 0,
      },
    ]);
  });

  it('counts unset values as 0 and answers nulls for rates of an empty period', async () => {
    const unset = await businessMetrics(database.orm.em.fork(), { tenantId, range, values: businessValuesFrom({}) });
    expect(unset.totals).toMatchObject({
      botAttributedRevenueUsd: 120,
      assistedRevenueUsd: 30,
      humanCostAvoidedUsd: 0,
    });
    const empty = await businessMetrics(database.orm.em.fork(), {
      tenantId,
      range: { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-02T00:00:00Z') },
      values: businessValuesFrom(settings),
    });
    expect(empty.totals).toMatchObject({ conversations: 0, csat: null, conversionRate: null, roi: null });
    expect(empty.agents).toEqual([]);
    expect(businessValuesFrom({ business: { conversionValueUsd: -1 } })).toEqual({
      conversionValueUsd: null,
      humanConversationCostUsd: null,
    });
  });

  it('records conversions over GraphQL (idempotent on externalId, scoped, validated) and serves businessMetrics', async () => {
    const shop = await makeControlPlaneTenant(database.orm.em.fork(), 'business-shop', { turns: 1 });
    const other = await makeControlPlaneTenant(database.orm.em.fork(), 'business-other', { turns: 1 });
    const server = await startGraphqlServer(database.orm);
    try {
      const record = (key: string, input: Record<string, unknown>) =>
        server.query(
          key,
          'mutation($input: RecordConversionInput!) { recordConversion(input: $input) { id created } }',
          { input },
        );
      const input = { conversationId: shop.conversation.id, kind: 'Order', valueUsd: 25, externalId: 'A-1' };
      const first = await record(shop.keys['corrections:write'], input);
      expect(first.errors).toBeUndefined();
      expect(first.data!.recordConversion.created).toBe(true);
      const again = await record(shop.keys['corrections:write'], { ...input, valueUsd: 99 });
      expect(again.data!.recordConversion).toEqual({ id: first.data!.recordConversion.id, created: false });
      // Another tenant's conversation is not found; a bad kind or value changes nothing.
      expect((await record(other.keys['corrections:write'], input)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(
        (await record(shop.keys['corrections:write'], { ...input, kind: 'no spaces', externalId: 'B' })).errors?.[0]
          ?.extensions?.code,
      ).toBe('BAD_USER_INPUT');
      expect(
        (await record(shop.keys['corrections:write'], { ...input, valueUsd: -5, externalId: 'C' })).errors?.[0]
          ?.extensions?.code,
      ).toBe('BAD_USER_INPUT');
      expect((await record(shop.keys['analytics:view'], input)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const rows = await database.orm.em
        .fork()
        .getConnection()
        .execute<{ kind: string; value_usd: number }[]>('select kind, value_usd from conversion where tenant_id = ?', [
          shop.tenant.id,
        ]);
      expect(rows).toEqual([{ kind: 'order', value_usd: 25 }]);

      const result = await server.query(
        shop.keys['analytics:view'],
        `{ businessMetrics(range: { from: "2026-10-01T00:00:00Z", to: "2026-12-01T00:00:00Z" }) {
          totals { conversations convertedConversations conversionRate botAttributedRevenueUsd roi } values { conversionValueUsd } agents { agent } } }`,
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.businessMetrics.totals).toMatchObject({
        conversations: 1,
        convertedConversations: 1,
        conversionRate: 1,
        botAttributedRevenueUsd: 25,
      });
      expect(result.data!.businessMetrics.values).toEqual({ conversionValueUsd: null });
    } finally {
      await server.close();
    }
  });

  it('refuses a conversion on an unknown conversation id', async () => {
    await expect(
      recordConversion(database.orm.em.fork(), {
        tenantId,
        conversationId: 'not-a-uuid',
        kind: 'order',
        by: 'system:test',
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
