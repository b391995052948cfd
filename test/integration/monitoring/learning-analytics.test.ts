import { learningAnalytics } from '../../../src/analytics/learning-analytics';
import { qualityMetrics } from '../../../src/analytics/quality-metrics';
import { createApiKey } from '../../../src/auth/api-keys';
import { Tenant } from '../../../src/db/entities';
import { createTenant } from '../../../src/tenants/tenant-service';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { startGraphqlServer } from '../../helpers/graphql-server';
import { seedArticle, seedConversation, seedCorrection } from '../../helpers/analytics-seed';

describe('feedback-loop analytics and the topic cut, against hand-computed values', () => {
  let database: TestDatabase;
  let tenantId: string;
  let refunds: string;
  let delivery: string;
  let r2Conversation: string;
  let r5Conversation: string;
  // Two weeks, Monday 2 November to Monday 16 November 2026.
  const range = { from: new Date('2026-11-02T00:00:00Z'), to: new Date('2026-11-16T00:00:00Z') };

  beforeAll(async () => {
    database = await createTestDatabase();
    tenantId = (await createTenant(database.orm.em.fork(), { name: 'learning' })).id;
    const em = () => database.orm.em.fork();
    refunds = (await seedArticle(em(), tenantId, { question: 'Refund?', topic: 'refunds', at: '2026-10-01T00:00:00Z' }))
      .id;
    // R1: refunds article, 👍 with a comment.
    await seedConversation(em(), tenantId, {
      at: '2026-11-02T10:00:00Z',
      replies: [{ articleIds: [refunds], helpful: true, comment: 'great' }],
    });
    // R2: refunds article, 👎, handed off; corrected by X1 (written 3 Nov 10:00, approved 14:00: 4 h).
    const r2 = await seedConversation(em(), tenantId, {
      at: '2026-11-02T11:00:00Z',
      handedOffAt: '2026-11-02T11:05:00Z',
      replies: [{ articleIds: [refunds], helpful: false }],
    });
    r2Conversation = r2.conversation.id;
    const x1 = await seedCorrection(em(), tenantId, {
      at: '2026-11-03T10:00:00Z',
      author: 'slack:U1',
      status: 'approved',
      decidedBy: 'slack:U2',
      decidedAt: '2026-11-03T14:00:00Z',
      interaction: r2.interactions[0],
    });
    delivery = (
      await seedArticle(em(), tenantId, {
        question: 'Delivery?',
        topic: 'delivery',
        source: 'correction',
        at: '2026-11-03T14:00:00Z',
        correction: x1,
      })
    ).id;
    // X2: written 4 Nov, rejected 10 Nov. X3: written 10 Nov 08:00, approved 20:00 (12 h), no article.
    await seedCorrection(em(), tenantId, {
      at: '2026-11-04T00:00:00Z',
      author: 'slack:U1',
      status: 'rejected',
      decidedBy: 'slack:U2',
      decidedAt: '2026-11-10T00:00:00Z',
    });
    await seedCorrection(em(), tenantId, {
      at: '2026-11-10T08:00:00Z',
      author: 'slack:U3',
      status: 'approved',
      decidedBy: 'slack:U2',
      decidedAt: '2026-11-10T20:00:00Z',
    });
    // R3: uses the correction's article first (6 h after approval) and the refunds one, 👍.
    await seedConversation(em(), tenantId, {
      at: '2026-11-03T20:00:00Z',
      replies: [{ articleIds: [delivery, refunds], helpful: true }],
    });
    // R4: no article, no vote. R5: the delivery article, 👎 without a comment.
    await seedConversation(em(), tenantId, { at: '2026-11-10T09:00:00Z', replies: [{}] });
    const r5 = await seedConversation(em(), tenantId, {
      at: '2026-11-11T09:00:00Z',
      replies: [{ articleIds: [delivery], helpful: false }],
    });
    r5Conversation = r5.conversation.id;
  });
  afterAll(async () => {
    await database.drop();
  });

  it('computes collection, corrections, time to approval and to effect, velocity, articles and gaps', async () => {
    const analytics = await learningAnalytics(database.orm.em.fork(), { tenantId, range });
    expect(analytics.totals).toEqual({
      botReplies: 5,
      feedbackCollectionRate: 4 / 5,
      commentedFeedbackShare: 1 / 4,
      downvotesCorrectedRate: 1 / 2, // R2 corrected, R5 not
      correctionsWritten: 3,
      correctionsApproved: 2,
      correctionsRejected: 1,
      correctionApprovalRate: 2 / 3,
      averageHoursToApproval: 8, // (4 + 12) / 2
      medianHoursToApproval: 8,
      correctionsInEffect: 1, // X1's article used by R3
      averageHoursToEffect: 6,
      medianHoursToEffect: 6,
      articlesFromCorrections: 1,
      learningVelocityPerWeek: 1, // 2 approvals over 2 weeks
    });
    expect(analytics.weeks).toEqual([
      { weekStart: new Date('2026-11-02T00:00:00Z'), written: 2, approved: 1, rejected: 0 },
      { weekStart: new Date('2026-11-09T00:00:00Z'), written: 1, approved: 1, rejected: 1 },
    ]);
    expect(analytics.articles).toHaveLength(2);
    expect(analytics.articles[0]).toMatchObject({
      articleId: refunds,
      question: 'Refund?',
      topic: 'refunds',
      source: 'seed',
      uses: 3, // R1, R2, R3
      conversations: 3,
      votes: 3,
      positiveFeedbackRate: 2 / 3,
      handoffRate: 1 / 3,
    });
    expect(analytics.articles[0]!.qualityScore).toBeCloseTo(1 + (4 * 2) / 3);
    expect(analytics.articles[1]).toMatchObject({
      articleId: delivery,
      source: 'correction',
      uses: 2,
      positiveFeedbackRate: 0.5,
      qualityScore: 3,
      handoffRate: 0,
    });
    const gaps = analytics.gaps.map((gap) => ({ ...gap, exampleConversationIds: undefined }));
    // Examples: the conversations of the topic with a 👎 or a handoff (refunds: R2's; delivery: R5's; none without an article).
    expect(analytics.gaps.map((gap) => gap.exampleConversationIds)).toEqual([[r2Conversation], [r5Conversation], []]);
    expect(gaps).toEqual([
      {
        topic: 'refunds',
        replies: 2,
        downvotes: 1,
        handedOffConversations: 1,
        conversations: 2,
        handoffRate: 0.5,
        downvoteRate: 0.5,
      },
      {
        topic: 'delivery',
        replies: 2,
        downvotes: 1,
        handedOffConversations: 0,
        conversations: 2,
        handoffRate: 0,
        downvoteRate: 0.5,
      },
      {
        topic: '(no article)',
        replies: 1,
        downvotes: 0,
        handedOffConversations: 0,
        conversations: 1,
        handoffRate: 0,
        downvoteRate: 0,
      },
    ]);
  });

  it('cuts the quality metrics by topic (the first article of a reply)', async () => {
    const cut = (topic: string) =>
      qualityMetrics(database.orm.em.fork(), { tenantId, range, groupBy: 'week', filter: { topic } });
    expect((await cut('refunds')).totals).toMatchObject({
      conversations: 2, // R1's and R2's (R3's first article is the delivery one)
      botReplies: 2,
      handoffRate: 0.5,
      positiveFeedbackRate: 0.5,
    });
    expect((await cut('Delivery')).totals).toMatchObject({
      conversations: 2,
      botReplies: 2,
      positiveFeedbackRate: 0.5,
    });
    expect((await cut('billing')).totals).toMatchObject({ conversations: 0, botReplies: 0 });
  });

  it('is served over GraphQL, scoped to the caller, with limits checked', async () => {
    const em = database.orm.em.fork();
    const { key } = await createApiKey(em, {
      tenant: em.getReference(Tenant, tenantId),
      name: 'bi',
      scopes: ['analytics:view'],
    });
    const server = await startGraphqlServer(database.orm);
    try {
      const query = `query($limit: Int!) { learningAnalytics(range: { from: "2026-11-02T00:00:00Z", to: "2026-11-16T00:00:00Z" }, articleLimit: $limit) {
        totals { correctionsApproved learningVelocityPerWeek } weeks { weekStart written } articles { articleId uses } gaps { topic } } }`;
      const result = await server.query(key, query, { limit: 1 });
      expect(result.errors).toBeUndefined();
      expect(result.data!.learningAnalytics.totals).toEqual({ correctionsApproved: 2, learningVelocityPerWeek: 1 });
      expect(result.data!.learningAnalytics.articles).toEqual([{ articleId: refunds, uses: 3 }]);
      expect((await server.query(key, query, { limit: 0 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const topic = await server.query(
        key,
        '{ qualityMetrics(range: { from: "2026-11-02T00:00:00Z", to: "2026-11-16T00:00:00Z" }, filter: { topic: "refunds" }) { totals { conversations } } }',
      );
      expect(topic.data!.qualityMetrics.totals.conversations).toBe(2);
    } finally {
      await server.close();
    }
  });
});
