import { HumanCorrection, ProviderDailySummary, Tenant } from '../../../src/db/entities';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server';

let database: TestDatabase;
let server: GraphqlTestServer;
let alpha: TenantFixture;
let beta: TenantFixture;
const range = { from: '2026-10-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };

function summary(fixture: TenantFixture) {
  return {
    tenant: fixture.tenant,
    day: '2026-11-01',
    provider: 'openai',
    model: 'gpt-4o-mini',
    calls: 3,
    successes: 3,
    failures: 0,
    inputTokens: 3000,
    outputTokens: 600,
    totalTokens: 3600,
    costUsd: 0.006,
    latencyP50Ms: 300,
    latencyP95Ms: 310,
    latencyP99Ms: 320,
    failoverCount: 0,
  };
}

/** Every identifier and text of a tenant's rows: none may appear in an answer to the other tenant. */
function fingerprints(fixture: TenantFixture): string[] {
  return [
    fixture.tenant.id,
    fixture.contact.id,
    fixture.conversation.id,
    fixture.correction.id,
    ...fixture.interactions.map((row) => row.id),
    ...fixture.feedback.map((row) => row.id),
    ...fixture.usage.map((row) => row.id),
    `${fixture.tenant.name} question`,
    `${fixture.tenant.name} answer`,
    `${fixture.tenant.name} better answer`,
    `${fixture.tenant.name} customer`,
  ];
}

beforeAll(async () => {
  database = await createTestDatabase();
  alpha = await makeControlPlaneTenant(database.orm.em.fork(), 'alpha', { turns: 3 });
  beta = await makeControlPlaneTenant(database.orm.em.fork(), 'beta', { turns: 4 });
  const em = database.orm.em.fork();
  em.create(ProviderDailySummary, summary(alpha));
  em.create(ProviderDailySummary, summary(beta));
  await em.flush();
  server = await startGraphqlServer(database.orm);
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

describe("tenant isolation: a key of one tenant, every operation, the other tenant's ids", () => {
  const cases: [string, (victim: TenantFixture) => [string, Record<string, unknown>]][] = [
    ['feedback', () => ['{ feedback(first: 100) { totalCount nodes { id interactionId comment } } }', {}]],
    [
      'feedbackAnalytics',
      () => [
        'query($r: DateRangeInput!) { feedbackAnalytics(range: $r) { totals { botReplies totalFeedback } series { botReplies } } }',
        { r: range },
      ],
    ],
    [
      'costAnalytics',
      () => [
        'query($r: DateRangeInput!) { costAnalytics(range: $r) { calls costUsd conversations byModel { calls } } }',
        { r: range },
      ],
    ],
    [
      'corrections by interaction',
      (victim) => [
        'query($i: ID) { corrections(filter: {interactionId: $i}) { totalCount nodes { id } } }',
        { i: victim.interactions[0].id },
      ],
    ],
    [
      'correction',
      (victim) => ['query($id: ID!) { correction(id: $id) { id correctedReply } }', { id: victim.correction.id }],
    ],
    ['approvedCorrections', () => ['{ approvedCorrections { totalCount nodes { id } } }', {}]],
    [
      'providerUsage by interaction',
      (victim) => [
        'query($i: ID) { providerUsage(filter: {interactionId: $i}) { totalCount nodes { id } } }',
        { i: victim.interactions[0].id },
      ],
    ],
    ['providerUsage', () => ['{ providerUsage(first: 100) { totalCount nodes { id interactionId } } }', {}]],
    [
      'providerDailySummaries',
      () => ['query($r: DateRangeInput!) { providerDailySummaries(range: $r) { day calls } }', { r: range }],
    ],
    [
      'conversations by contact',
      (victim) => [
        'query($c: ID) { conversations(filter: {contactId: $c}) { totalCount nodes { id } } }',
        { c: victim.contact.id },
      ],
    ],
    [
      'conversations',
      () => [
        '{ conversations { totalCount nodes { id customerName messages { text botReply { interactionId feedback { id } } } } } }',
        {},
      ],
    ],
    [
      'conversation',
      (victim) => [
        'query($id: ID!) { conversation(id: $id) { id messages { text } } }',
        { id: victim.conversation.id },
      ],
    ],
    ['tenantSettings', () => ['{ tenantSettings { tenantId tenantName secretsSet } }', {}]],
    [
      "createCorrection on the other tenant's interaction",
      (victim) => [
        'mutation($i: ID) { createCorrection(input: {interactionId: $i, correctedReply: "hijack"}) { id } }',
        { i: victim.interactions[1].id },
      ],
    ],
    [
      'approveCorrection',
      (victim) => [
        'mutation($id: ID!) { approveCorrection(id: $id) { knowledgeArticleId } }',
        { id: victim.correction.id },
      ],
    ],
    [
      'rejectCorrection',
      (victim) => [
        'mutation($id: ID!) { rejectCorrection(id: $id, reason: "hijack") { id } }',
        { id: victim.correction.id },
      ],
    ],
    [
      'updateTenantSettings',
      () => ['mutation { updateTenantSettings(input: {handoffTarget: "C-HIJACK"}) { tenantId } }', {}],
    ],
    ['setTenantSecrets', () => ['mutation { setTenantSecrets(input: {openaiApiKey: "sk-hijack"}) }', {}]],
  ];

  for (const [attackerName, victimName] of [
    ['alpha', 'beta'],
    ['beta', 'alpha'],
  ] as const) {
    it.each(cases)(`${attackerName} → ${victimName}: %s leaks nothing`, async (_name, build) => {
      const attacker = attackerName === 'alpha' ? alpha : beta;
      const victim = victimName === 'alpha' ? alpha : beta;
      const [query, variables] = build(victim);
      const result = await server.query(attacker.keys.all, query, variables);
      // An error may echo the id the caller sent itself; that is not a leak, so the sent values are blanked first.
      let text = JSON.stringify(result);
      for (const value of Object.values(variables))
        if (typeof value === 'string') text = text.split(value).join('<sent>');
      for (const print of fingerprints(victim))
        expect({ leaked: text.includes(print) ? print : null }).toEqual({ leaked: null });
      if (query.startsWith('mutation') && /approve|reject|createCorrection/.test(query)) {
        expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      }
    });
  }

  it("counts only the caller's rows", async () => {
    const a = await server.query(
      alpha.keys.all,
      '{ feedback { totalCount } providerUsage { totalCount } conversations { totalCount } corrections { totalCount } }',
    );
    const b = await server.query(
      beta.keys.all,
      '{ feedback { totalCount } providerUsage { totalCount } conversations { totalCount } corrections { totalCount } }',
    );
    expect(a.data).toEqual({
      feedback: { totalCount: 3 },
      providerUsage: { totalCount: 3 },
      conversations: { totalCount: 1 },
      corrections: expect.anything(),
    });
    expect(b.data!.feedback.totalCount).toBe(4);
    expect(b.data!.providerUsage.totalCount).toBe(4);
  });

  it("left the victims' rows unchanged: corrections pending, settings only the attacker's own", async () => {
    const em = database.orm.em.fork();
    for (const fixture of [alpha, beta]) {
      expect((await em.findOneOrFail(HumanCorrection, { id: fixture.correction.id })).status).toBe('pending');
      expect(await em.count(HumanCorrection, { tenant: fixture.tenant.id, correctedReply: 'hijack' })).toBe(0);
      // Each tenant changed its own settings in the matrix above, and only its own.
      expect((await em.findOneOrFail(Tenant, { id: fixture.tenant.id })).settings.handoffTarget).toBe('C-HIJACK');
    }
  });
});
