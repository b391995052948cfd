import { AuditLog, KnowledgeArticle, ApiKey } from '../../../src/db/entities';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { startGraphqlServer, type GraphqlJson, type GraphqlTestServer } from '../../helpers/graphql-server';

let database: TestDatabase;
let server: GraphqlTestServer;
let shop: TenantFixture;
let other: TenantFixture;
const range = { from: '2026-10-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };

beforeAll(async () => {
  database = await createTestDatabase();
  shop = await makeControlPlaneTenant(database.orm.em.fork(), 'shop', { turns: 5 });
  other = await makeControlPlaneTenant(database.orm.em.fork(), 'other', { turns: 2 });
  server = await startGraphqlServer(database.orm, { rateLimit: 3 });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

describe('GraphQL control plane over HTTP', () => {
  it('rejects missing and invalid keys as UNAUTHENTICATED, and keys without the scope as FORBIDDEN', async () => {
    const query = '{ feedback { totalCount } }';
    expect((await server.query(null, query)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await server.query('pk_forged', query)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const forbidden = await server.query(shop.keys['corrections:write'], query);
    expect(forbidden.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: ['analytics:view'] });
    expect(forbidden.data).toBeNull();
    expect((await server.query(shop.keys['analytics:view'], query)).data?.feedback.totalCount).toBe(5);
  });

  it('scope rules: analytics:view reads, corrections:write creates, users:manage decides and manages settings', async () => {
    const rules: [string, string, Record<string, unknown> | undefined, keyof TenantFixture['keys']][] = [
      [
        '{ costAnalytics(range: $range) { costUsd } }'.replace(
          '$range',
          '{from: "2026-10-01T00:00:00Z", to: "2026-12-01T00:00:00Z"}',
        ),
        'costAnalytics',
        undefined,
        'analytics:view',
      ],
      ['{ providerHealth { provider } }', 'providerHealth', undefined, 'analytics:view'],
      ['{ conversations { totalCount } }', 'conversations', undefined, 'analytics:view'],
      ['{ corrections { totalCount } }', 'corrections', undefined, 'analytics:view'],
      ['{ tenantSettings { tenantName } }', 'tenantSettings', undefined, 'users:manage'],
      ['mutation { resetProviderStats }', 'resetProviderStats', undefined, 'users:manage'],
      [
        'mutation($i: CreateCorrectionInput!) { createCorrection(input: $i) { id } }',
        'createCorrection',
        { i: { customerMessage: 'q', originalReply: 'a', correctedReply: 'b' } },
        'corrections:write',
      ],
    ];
    for (const [query, field, variables, scope] of rules) {
      const allowed = await server.query(shop.keys[scope], query, variables);
      expect({ field, errors: allowed.errors }).toEqual({ field, errors: undefined });
      for (const denied of (['analytics:view', 'corrections:write', 'users:manage'] as const).filter(
        (other) => other !== scope,
      )) {
        const result = await server.query(shop.keys[denied], query, variables);
        expect({ field, denied, code: result.errors?.[0]?.extensions?.code }).toEqual({
          field,
          denied,
          code: 'FORBIDDEN',
        });
      }
    }
  });

  it('pages through feedback with stable cursors, totalCount and filters', async () => {
    const query = `query($first: Int, $after: String, $filter: FeedbackFilterInput) {
      feedback(first: $first, after: $after, filter: $filter) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id helpful comment createdAt } } } }`;
    const all = await server.query(shop.keys.all, query, { first: 100 });
    const ids = all.data!.feedback.edges.map((edge: GraphqlJson) => edge.node.id);
    expect(ids).toHaveLength(5);
    const created = all.data!.feedback.edges.map((edge: GraphqlJson) => edge.node.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    const paged: string[] = [];
    let after: string | null = null;
    do {
      const page: GraphqlJson = await server.query(shop.keys.all, query, { first: 2, after });
      expect(page.data.feedback.totalCount).toBe(5);
      paged.push(...page.data.feedback.edges.map((edge: GraphqlJson) => edge.node.id));
      after = page.data.feedback.pageInfo.hasNextPage ? page.data.feedback.pageInfo.endCursor : null;
    } while (after);
    expect(paged).toEqual(ids);
    const notHelpful = await server.query(shop.keys.all, query, { filter: { helpful: false } });
    expect(notHelpful.data!.feedback.totalCount).toBe(1);
    const withComment = await server.query(shop.keys.all, query, {
      filter: { hasComment: true, channel: 'WHATSAPP', source: 'WHATSAPP' },
    });
    expect(withComment.data!.feedback.edges.map((edge: GraphqlJson) => edge.node.comment)).toEqual(['great, thanks']);
    const bad = await server.query(shop.keys.all, query, { after: 'nonsense' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('computes feedback analytics totals and series', async () => {
    const result = await server.query(
      shop.keys['analytics:view'],
      `query($range: DateRangeInput!) {
      feedbackAnalytics(range: $range, groupBy: DAY) {
        totals { botReplies totalFeedback helpfulCount notHelpfulCount helpfulRate feedbackWithComments continuationRate feedbackCollectionRate averageImplicitSatisfaction }
        series { bucketStart botReplies totalFeedback } } }`,
      { range },
    );
    const analytics = result.data!.feedbackAnalytics;
    expect(analytics.totals).toMatchObject({
      botReplies: 5,
      totalFeedback: 5,
      helpfulCount: 4,
      notHelpfulCount: 1,
      helpfulRate: 0.8,
      feedbackWithComments: 1,
      continuationRate: 0.8,
      feedbackCollectionRate: 1,
    });
    expect(analytics.totals.averageImplicitSatisfaction).toBeCloseTo(0.8);
    expect(analytics.series).toEqual([{ bucketStart: '2026-11-01T00:00:00.000Z', botReplies: 5, totalFeedback: 5 }]);
  });

  it('computes cost analytics by model with the saving against gpt-4o', async () => {
    const result = await server.query(
      shop.keys['analytics:view'],
      `query($range: DateRangeInput!) {
      costAnalytics(range: $range, groupBy: MONTH) { baselineModel calls costUsd conversations costPerConversationUsd balancedCostUsd savingUsd
        byModel { provider model calls costUsd balancedCostUsd } series { bucketStart calls } } }`,
      { range },
    );
    const cost = result.data!.costAnalytics;
    // 5 calls of 1000 input + 200 output tokens; gpt-4o: 1000 × 2.5/1M + 200 × 10/1M = 0.0045 each.
    expect(cost).toMatchObject({ baselineModel: 'gpt-4o', calls: 5, conversations: 1 });
    expect(cost.costUsd).toBeCloseTo(0.015);
    expect(cost.balancedCostUsd).toBeCloseTo(0.0225);
    expect(cost.savingUsd).toBeCloseTo(0.0075);
    expect(cost.costPerConversationUsd).toBeCloseTo(0.015);
    expect(cost.byModel.map((row: GraphqlJson) => row.model).sort()).toEqual(['gemini-2.5-flash', 'gpt-4o-mini']);
    expect(cost.series).toEqual([{ bucketStart: '2026-11-01T00:00:00.000Z', calls: 5 }]);
  });

  it('gives the same cost for whole days (from the rollup), partial days (raw rows) and ranges mixing both', async () => {
    const query = `query($range: DateRangeInput!) { costAnalytics(range: $range, groupBy: DAY) { calls costUsd balancedCostUsd byModel { model calls } } }`;
    const cost = async (from: string, to: string) =>
      (await server.query(shop.keys['analytics:view'], query, { range: { from, to } })).data!.costAnalytics;
    // Usage rows of the fixture: 10:00:00.5, 11:00:00.5, ... 14:00:00.5 on 2026-11-01, costs 0.001 × (turn + 1).
    const inside = await cost('2026-11-01T11:00:00Z', '2026-11-01T13:30:00Z');
    expect(inside.calls).toBe(3);
    expect(inside.costUsd).toBeCloseTo(0.002 + 0.003 + 0.004);
    const mixed = await cost('2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z');
    const whole = await cost('2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z');
    expect(mixed).toEqual(whole);
    expect(whole.calls).toBe(5);
    expect(whole.balancedCostUsd).toBeCloseTo(0.0225);
    const rollup = await database.orm.em
      .getConnection()
      .execute('select sum(calls) as calls from provider_usage_rollup where tenant_id = ?', [shop.tenant.id]);
    expect(Number(rollup[0].calls)).toBe(5);
  });

  it('runs the correction workflow with audit rows and a knowledge article', async () => {
    const created = await server.query(
      shop.keys['corrections:write'],
      `mutation($input: CreateCorrectionInput!) { createCorrection(input: $input) { id status customerMessage originalReply authorId } }`,
      {
        input: {
          interactionId: shop.interactions[2].id,
          correctedReply: 'We ship in 2 days.',
          category: 'WRONG_FACTS',
        },
      },
    );
    const correction = created.data!.createCorrection;
    expect(correction).toMatchObject({
      status: 'PENDING',
      customerMessage: 'shop question 2',
      originalReply: 'shop answer 2',
    });
    expect(correction.authorId).toMatch(/^apikey:/);
    const approved = await server.query(
      shop.keys['users:manage'],
      `mutation($id: ID!) { approveCorrection(id: $id, qualityScore: 5) { knowledgeArticleId correction { status qualityScore decidedBy decidedAt } } }`,
      { id: correction.id },
    );
    expect(approved.data!.approveCorrection.correction).toMatchObject({ status: 'APPROVED', qualityScore: 5 });
    const article = await database.orm.em
      .fork()
      .findOneOrFail(KnowledgeArticle, { id: approved.data!.approveCorrection.knowledgeArticleId });
    expect(article).toMatchObject({
      question: 'shop question 2',
      answer: 'We ship in 2 days.',
      source: 'correction',
      active: true,
    });
    const again = await server.query(
      shop.keys['users:manage'],
      `mutation($id: ID!) { rejectCorrection(id: $id, reason: "late") { id } }`,
      { id: correction.id },
    );
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const audits = await database.orm.em
      .fork()
      .find(AuditLog, { targetId: correction.id }, { orderBy: { createdAt: 'asc' } });
    expect(audits.map((row) => row.action)).toEqual(['correction.create', 'correction.approve']);
    expect(audits[1]!.before).toMatchObject({ status: 'pending' });
    expect(audits[1]!.after).toMatchObject({ status: 'approved', qualityScore: 5 });
    const single = await server.query(
      shop.keys['analytics:view'],
      `query($id: ID!) { correction(id: $id) { status } approvedCorrections { totalCount } }`,
      { id: correction.id },
    );
    expect(single.data).toEqual({ correction: { status: 'APPROVED' }, approvedCorrections: { totalCount: 1 } });
    const invalid = await server.query(
      shop.keys['corrections:write'],
      `mutation { createCorrection(input: {correctedReply: "x", qualityScore: 9, customerMessage: "q", originalReply: "a"}) { id } }`,
    );
    expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'qualityScore' });
  });

  it('lists conversations with messages and per-reply provider, cost and feedback', async () => {
    const result = await server.query(
      shop.keys['analytics:view'],
      `{ conversations(first: 5) { totalCount nodes { id channel status messages { author text botReply { provider model costUsd feedback { helpful } } } } } }`,
    );
    const conversation = result.data!.conversations.nodes[0];
    expect(result.data!.conversations.totalCount).toBe(1);
    expect(conversation.messages).toHaveLength(10);
    const replies = conversation.messages.filter((message: GraphqlJson) => message.author === 'BOT');
    expect(replies[0].botReply).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      costUsd: 0.001,
      feedback: { helpful: true },
    });
    expect(
      conversation.messages
        .filter((message: GraphqlJson) => message.author === 'CUSTOMER')
        .every((message: GraphqlJson) => message.botReply === null),
    ).toBe(true);
    const single = await server.query(
      shop.keys['analytics:view'],
      `query($id: ID!) { conversation(id: $id) { id messages { id } } }`,
      { id: shop.conversation.id },
    );
    expect(single.data!.conversation.messages).toHaveLength(10);
  });

  it('pages provider usage and reads health; reset is audited', async () => {
    const usage = await server.query(
      shop.keys['analytics:view'],
      `{ providerUsage(first: 2, filter: {provider: "openai"}) { totalCount edges { node { provider model estimatedCostUsd success } } } }`,
    );
    expect(usage.data!.providerUsage.totalCount).toBe(3);
    expect(usage.data!.providerUsage.edges).toHaveLength(2);
    // Shared platform keys (both tenants' traffic), and each tenant's own key (issue 10 item 19).
    server.health.record('openai', 'gpt-4o', { ok: false, latencyMs: 100, errorCode: 'RATE_LIMITED' });
    server.health.record('openai', 'gpt-4o', { ok: false, latencyMs: 100, errorCode: 'RATE_LIMITED' });
    server.health.record(
      'gemini',
      'gemini-2.5-flash',
      { ok: false, latencyMs: 100, errorCode: 'http_401' },
      shop.tenant.id,
    );
    server.health.record(
      'gemini',
      'gemini-2.5-flash',
      { ok: false, latencyMs: 100, errorCode: 'http_401' },
      shop.tenant.id,
    );
    server.health.record('gemini', 'gemini-2.5-flash', { ok: true, latencyMs: 100 }, other.tenant.id);
    const fields = '{ providerHealth { keyOwner provider model calls failures failureRate circuit lastErrorCode } }';
    const shared = {
      keyOwner: 'shared',
      provider: 'openai',
      model: 'gpt-4o',
      calls: 2,
      failures: 2,
      failureRate: 1,
      circuit: 'OPEN',
      lastErrorCode: 'RATE_LIMITED',
    };
    const health = await server.query(shop.keys['analytics:view'], fields);
    expect(health.data!.providerHealth).toEqual([
      shared,
      {
        keyOwner: 'tenant',
        provider: 'gemini',
        model: 'gemini-2.5-flash',
        calls: 2,
        failures: 2,
        failureRate: 1,
        circuit: 'OPEN',
        lastErrorCode: 'http_401',
      },
    ]);
    // The other tenant sees the shared entry and its own key, never the shop's.
    const otherHealth = await server.query(other.keys['analytics:view'], fields);
    expect(otherHealth.data!.providerHealth).toEqual([
      shared,
      {
        keyOwner: 'tenant',
        provider: 'gemini',
        model: 'gemini-2.5-flash',
        calls: 1,
        failures: 0,
        failureRate: 0,
        circuit: 'CLOSED',
        lastErrorCode: null,
      },
    ]);
    // A tenant resets only its own keys: the shared circuit (it protects every tenant) and the other tenant's stay as they were.
    expect(
      (await server.query(shop.keys['users:manage'], 'mutation { resetProviderStats(provider: OPENAI) }')).data!
        .resetProviderStats,
    ).toBe(0);
    expect(
      (await server.query(shop.keys['users:manage'], 'mutation { resetProviderStats }')).data!.resetProviderStats,
    ).toBe(1);
    const after = await server.query(shop.keys['analytics:view'], fields);
    expect(after.data!.providerHealth).toEqual([shared]);
    expect(server.health.circuitOf('openai', 'gpt-4o')).toBe('open');
    expect(server.health.snapshot({ tenantId: other.tenant.id })).toMatchObject([{ calls: 1 }]);
    // Both resets audited (plus the one of the scope check above), with what they cleared.
    const audits = await database.orm.em
      .fork()
      .find(AuditLog, { tenant: shop.tenant.id, action: 'provider.stats.reset' }, { orderBy: { createdAt: 'asc' } });
    expect(audits).toHaveLength(3);
    expect(audits.at(-1)).toMatchObject({
      after: { reset: 1 },
      before: {
        keyOwner: 'tenant',
        entries: [{ provider: 'gemini', model: 'gemini-2.5-flash', calls: 2, circuit: 'open' }],
      },
    });
    const daily = await server.query(
      shop.keys['analytics:view'],
      `query($range: DateRangeInput!) { providerDailySummaries(range: $range) { day } }`,
      { range },
    );
    expect(daily.data!.providerDailySummaries).toEqual([]);
  });

  it('reads and validates tenant settings; secrets are settable and never readable', async () => {
    const updated = await server.query(
      shop.keys['users:manage'],
      `mutation { updateTenantSettings(input: {routing: {cheapThreshold: 0.2, balancedModel: "gpt-4.1", fallbackOrder: ["gemini", "gpt-4o-mini"]}, feedbackPromptFrequency: SOMETIMES, feedbackPromptEvery: 4}) {
      routing { cheapThreshold balancedModel fallbackOrder } feedbackPromptFrequency feedbackPromptEvery } }`,
    );
    expect(updated.data!.updateTenantSettings).toEqual({
      routing: { cheapThreshold: 0.2, balancedModel: 'gpt-4.1', fallbackOrder: ['gemini', 'gpt-4o-mini'] },
      feedbackPromptFrequency: 'SOMETIMES',
      feedbackPromptEvery: 4,
    });
    const invalid = await server.query(
      shop.keys['users:manage'],
      `mutation { updateTenantSettings(input: {routing: {balancedModel: "gpt-9"}}) { tenantId } }`,
    );
    expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'routing.balancedModel' });
    const crossed = await server.query(
      shop.keys['users:manage'],
      `mutation { updateTenantSettings(input: {routing: {cheapThreshold: 0.9, reasoningThreshold: 0.5}}) { tenantId } }`,
    );
    expect(crossed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const secrets = await server.query(
      shop.keys['users:manage'],
      `mutation { setTenantSecrets(input: {openaiApiKey: "sk-test-123"}) }`,
    );
    expect(secrets.data!.setTenantSecrets).toEqual(['openaiApiKey']);
    const read = await server.query(
      shop.keys['users:manage'],
      '{ tenantSettings { secretsSet routing { balancedModel } } }',
    );
    expect(read.data!.tenantSettings).toEqual({ secretsSet: ['openaiApiKey'], routing: { balancedModel: 'gpt-4.1' } });
    expect(JSON.stringify(read)).not.toContain('sk-test-123');
    const audits = await database.orm.em
      .fork()
      .find(AuditLog, { tenant: shop.tenant.id, action: { $like: 'tenant.%' } });
    expect(audits.map((row) => row.action).sort()).toEqual(['tenant.secrets.update', 'tenant.settings.update']);
    expect(JSON.stringify(audits.map((row) => [row.before, row.after]))).not.toContain('sk-test-123');
  });

  it('accepts public feedback by token, rate-limits it, and hides unknown tokens', async () => {
    const mutation =
      'mutation($token: String!, $helpful: Boolean!) { submitFeedback(token: $token, helpful: $helpful, comment: "thanks") { helpful comment } }';
    const token = other.interactions[0].feedbackToken;
    const first = await server.query(null, mutation, { token, helpful: false });
    expect(first.data!.submitFeedback).toEqual({ helpful: false, comment: 'thanks' });
    expect(
      (await server.query(null, mutation, { token: 'x'.repeat(24), helpful: true })).errors?.[0]?.extensions?.code,
    ).toBe('NOT_FOUND');
    await server.query(null, mutation, { token, helpful: true });
    const limited = await server.query(null, mutation, { token, helpful: true });
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(limited.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('enforces depth and cost limits, and hides internals', async () => {
    const deep = await server.query(
      shop.keys.all,
      '{ conversations { edges { node { messages { botReply { feedback { id } } } } } } }',
    );
    expect(deep.errors).toBeUndefined();
    const limited = await startGraphqlServer(database.orm, { maxDepth: 4, maxCost: 20 });
    try {
      const tooDeep = await limited.query(
        shop.keys.all,
        '{ conversations { edges { node { messages { botReply { feedback { id } } } } } } }',
      );
      expect(tooDeep.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(tooDeep.data).toBeNull();
      const costly = await limited.query(
        shop.keys.all,
        '{ a: feedback { totalCount } b: feedback { totalCount } c: corrections { totalCount } d: conversations { totalCount } e: providerUsage { totalCount } f: feedback { totalCount nodes { id helpful comment source votedAt } } }',
      );
      expect(costly.errors?.map((error) => error.message).join(' ')).toMatch(/cost/i);
      expect(costly.data).toBeNull();
      const cheap = await limited.query(shop.keys.all, '{ feedback { totalCount } }');
      expect(cheap.errors).toBeUndefined();
    } finally {
      await limited.close();
    }
  });

  it('records lastUsedAt of a key and serves the console to browsers', async () => {
    const key = await database.orm.em.fork().findOneOrFail(ApiKey, { tenant: shop.tenant.id, name: 'analytics:view' });
    expect(key.lastUsedAt).toBeInstanceOf(Date);
    // Browsers are sent to GraphiQL in the admin console (test/integration/admin covers the page itself).
    const page = await fetch(server.url, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/admin/graphiql');
  });
});
