import { AuditLog, KnowledgeArticle, Tenant } from '../../../src/db/entities';
import { readTenantSecrets } from '../../../src/tenants/tenant-service';
import { issuePlatformKey } from '../../../src/tenants/tenant-admin';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server';

let database: TestDatabase;
let server: GraphqlTestServer;
let existing: TenantFixture;
let platformKey: string;

beforeAll(async () => {
  database = await createTestDatabase();
  existing = await makeControlPlaneTenant(database.orm.em.fork(), 'first-shop', { turns: 1 });
  server = await startGraphqlServer(database.orm, { authCacheMs: 0 });
  platformKey = (await issuePlatformKey(database.orm.em.fork(), { name: 'ops' })).key;
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

const CREATE = `mutation($input: CreateTenantInput!) { createTenant(input: $input) { apiKey apiKeyId scopes tenant { id name enabled activeKeys } } }`;

describe('tenants through GraphQL with a platform key', () => {
  it('only platform keys hold tenants:manage: tenant keys are FORBIDDEN and cannot be given the scope', async () => {
    const denied = await server.query(existing.keys.all, '{ tenants { name } }');
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const widened = await server.query(platformKey, CREATE, { input: { name: 'sneaky', scopes: ['tenants:manage'] } });
    expect(widened.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await server.query(platformKey, '{ feedback { totalCount } }')).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );
  });

  it('creates a tenant with its first key; that key configures WhatsApp, Slack and the profile; disabling refuses the key', async () => {
    const created = await server.query(platformKey, CREATE, { input: { name: 'second-shop' } });
    expect(created.errors).toBeUndefined();
    const { apiKey, tenant, scopes } = created.data!.createTenant;
    expect(tenant).toMatchObject({ name: 'second-shop', enabled: true, activeKeys: 1 });
    expect(scopes).toEqual(['analytics:view', 'corrections:write', 'users:manage']);
    expect(
      (await server.query(platformKey, CREATE, { input: { name: 'second-shop' } })).errors?.[0]?.extensions?.code,
    ).toBe('BAD_USER_INPUT');

    const whatsapp = await server.query(
      apiKey,
      `mutation($input: WhatsAppSettingsInput!) { updateWhatsAppSettings(input: $input) { numbers accountSid authTokenSet } }`,
      {
        input: { numbers: ['+14155550123'], accountSid: `AC${'1'.repeat(32)}`, authToken: 'secret-token-123456789' },
      },
    );
    expect(whatsapp.data).toEqual({
      updateWhatsAppSettings: {
        numbers: ['whatsapp:+14155550123'],
        accountSid: `AC${'1'.repeat(32)}`,
        authTokenSet: true,
      },
    });
    expect((await readTenantSecrets(database.orm.em.fork(), server.secretBox, tenant.id)).twilioAuthToken).toBe(
      'secret-token-123456789',
    );
    const badSid = await server.query(
      apiKey,
      `mutation { updateWhatsAppSettings(input: { numbers: ["+1415"], accountSid: "AC12" }) { numbers } }`,
    );
    expect(badSid.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'accountSid' } });
    expect(badSid.errors?.[0]?.message).toContain('accountSid');

    const slack = await server.query(
      apiKey,
      `mutation { updateSlackSettings(input: { handoffChannel: "C0HANDOFF", approvers: ["U0LEAD"], botToken: "xoxb-1234567890-abcdef" }) { handoffChannel approvers botTokenSet idleReleaseMinutes } }`,
    );
    expect(slack.data).toEqual({
      updateSlackSettings: {
        handoffChannel: 'C0HANDOFF',
        approvers: ['U0LEAD'],
        botTokenSet: true,
        idleReleaseMinutes: 30,
      },
    });
    const badSlack = await server.query(
      apiKey,
      `mutation { updateSlackSettings(input: { reviewChannel: "general" }) { reviewChannel } }`,
    );
    expect(badSlack.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // A token the secrets store refuses (over 500 characters) leaves the channel change unsaved too.
    const tooLong = await server.query(
      apiKey,
      `mutation($token: String!) { updateSlackSettings(input: { handoffChannel: "C0OTHER", botToken: $token }) { handoffChannel } }`,
      { token: `xoxb-${'1'.repeat(600)}` },
    );
    expect(tooLong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await server.query(apiKey, `{ slackSettings { handoffChannel botTokenSet } }`)).data).toEqual({
      slackSettings: { handoffChannel: 'C0HANDOFF', botTokenSet: true },
    });

    const profile = await server.query(
      apiKey,
      `mutation($input: BusinessProfileInput!) { updateBusinessProfile(input: $input) { supportPhone website openingHours values { name value } } }`,
      {
        input: {
          supportPhone: '+44 20 7946 0000',
          website: 'second.example',
          openingHours: 'Mon–Fri 9–18',
          values: [{ name: 'Order History', value: 'Account → Orders' }],
        },
      },
    );
    expect(profile.data).toEqual({
      updateBusinessProfile: {
        supportPhone: '+44 20 7946 0000',
        website: 'second.example',
        openingHours: 'Mon–Fri 9–18',
        values: [{ name: 'Order History', value: 'Account → Orders' }],
      },
    });
    const badPhone = await server.query(
      apiKey,
      `mutation { updateBusinessProfile(input: { supportPhone: "call us" }) { supportPhone } }`,
    );
    expect(badPhone.errors?.[0]?.message).toContain('supportPhone');

    const audits = await database.orm.em
      .fork()
      .find(AuditLog, { tenant: tenant.id }, { orderBy: { createdAt: 'asc' } });
    expect(audits.map((row) => row.action)).toEqual(
      expect.arrayContaining([
        'tenant.create',
        'apikey.create',
        'tenant.settings.whatsapp.update',
        'tenant.settings.slack.update',
        'tenant.secrets.update',
        'tenant.profile.update',
      ]),
    );
    expect(JSON.stringify(audits.map((row) => [row.before, row.after]))).not.toContain('secret-token-123456789');

    const listed = await server.query(platformKey, '{ tenants { name enabled whatsappNumbers } }');
    expect(listed.data!.tenants).toEqual(
      expect.arrayContaining([{ name: 'second-shop', enabled: true, whatsappNumbers: ['whatsapp:+14155550123'] }]),
    );
    const disabled = await server.query(
      platformKey,
      `mutation { disableTenant(tenant: "second-shop") { enabled disabledAt } }`,
    );
    expect(disabled.data!.disableTenant.enabled).toBe(false);
    expect((await server.query(apiKey, '{ businessProfile { website } }')).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    await server.query(platformKey, `mutation { enableTenant(tenant: "second-shop") { enabled } }`);
    expect((await server.query(apiKey, '{ businessProfile { website } }')).data).toEqual({
      businessProfile: { website: 'second.example' },
    });
  });
});

describe('knowledge through GraphQL', () => {
  const ARTICLE =
    'id question answer topic status version supersededById unfilledPlaceholders placeholders { name source filledByProfile }';

  it('adds, edits, retires, restores with history, lists unfilled placeholders, and imports idempotently', async () => {
    const key = existing.keys.all;
    const add = await server.query(
      key,
      `mutation($input: AddKnowledgeArticleInput!) { addKnowledgeArticle(input: $input) { supersededArticleId article { ${ARTICLE} } } }`,
      {
        input: {
          question: 'Where is my order?',
          answer: 'See {{Order History}} or call {{Customer Support Phone Number}} about order {{Order Number}}.',
          topic: 'ORDER',
        },
      },
    );
    expect(add.errors).toBeUndefined();
    const article = add.data!.addKnowledgeArticle.article;
    expect(article).toMatchObject({
      topic: 'order',
      status: 'ACTIVE',
      version: 1,
      unfilledPlaceholders: ['Order History', 'Customer Support Phone Number'],
    });
    expect(article.placeholders).toEqual([
      { name: 'Order History', source: 'UNKNOWN', filledByProfile: false },
      { name: 'Customer Support Phone Number', source: 'PROFILE', filledByProfile: false },
      { name: 'Order Number', source: 'CUSTOMER', filledByProfile: false },
    ]);
    const report = await server.query(key, '{ unfilledPlaceholders { name articleCount articleIds } }');
    expect(report.data!.unfilledPlaceholders).toEqual([
      { name: 'Customer Support Phone Number', articleCount: 1, articleIds: [article.id] },
      { name: 'Order History', articleCount: 1, articleIds: [article.id] },
    ]);
    await server.query(
      key,
      `mutation { updateBusinessProfile(input: { supportPhone: "+44 1234 567890" }) { supportPhone } }`,
    );
    expect((await server.query(key, '{ unfilledPlaceholders { name } }')).data!.unfilledPlaceholders).toEqual([
      { name: 'Order History' },
    ]);

    const edited = await server.query(
      key,
      `mutation { editKnowledgeArticle(id: "${article.id}", input: { answer: "It ships in 2 days." }) { version answer unfilledPlaceholders } }`,
    );
    expect(edited.data).toEqual({
      editKnowledgeArticle: { version: 2, answer: 'It ships in 2 days.', unfilledPlaceholders: [] },
    });
    const newer = await server.query(
      key,
      `mutation { addKnowledgeArticle(input: { question: "where is my ORDER", answer: "It ships in 1 day." }) { supersededArticleId article { id } } }`,
    );
    expect(newer.data!.addKnowledgeArticle.supersededArticleId).toBe(article.id);
    const newerId = newer.data!.addKnowledgeArticle.article.id;
    expect(
      (await server.query(key, `mutation { retireKnowledgeArticle(id: "${newerId}", reason: "wrong") { status } }`))
        .data,
    ).toEqual({ retireKnowledgeArticle: { status: 'RETIRED' } });
    const restored = await server.query(
      key,
      `mutation { restoreKnowledgeArticle(id: "${article.id}") { supersededArticleId article { status version } } }`,
    );
    expect(restored.data).toEqual({
      restoreKnowledgeArticle: { supersededArticleId: null, article: { status: 'ACTIVE', version: 4 } },
    });
    const history = await server.query(
      key,
      `{ knowledgeArticleHistory(id: "${article.id}") { version action actor } }`,
    );
    expect(history.data!.knowledgeArticleHistory.map((row: { action: string }) => row.action)).toEqual([
      'restore',
      'supersede',
      'edit',
      'create',
    ]);
    const listed = await server.query(
      key,
      `{ knowledgeArticles(filter: { status: ALL, search: "order" }) { totalCount nodes { status } } }`,
    );
    expect(listed.data!.knowledgeArticles.totalCount).toBe(2);

    const csv =
      'instruction,intent,category,tags,response\n"How do refunds work?",refund,REFUND,B,"Refunds take 5 days."\nCan I pay by card?,pay,PAYMENT,B,Yes.\n';
    const IMPORT = `mutation($input: ImportKnowledgeInput!) { importKnowledgeArticles(input: $input) { rows added updated skipped skippedReasons { reason count } } }`;
    const first = await server.query(key, IMPORT, { input: { format: 'CSV', content: csv } });
    expect(first.data).toEqual({
      importKnowledgeArticles: { rows: 2, added: 2, updated: 0, skipped: 0, skippedReasons: [] },
    });
    const again = await server.query(key, IMPORT, { input: { format: 'CSV', content: csv } });
    expect(again.data!.importKnowledgeArticles).toMatchObject({ added: 0, updated: 0, skipped: 2 });
    const bad = await server.query(key, IMPORT, {
      input: { format: 'CSV', content: csv, mapping: { question: 'nope' } },
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await database.orm.em.fork().count(KnowledgeArticle, { tenant: existing.tenant.id, source: 'import' })).toBe(
      2,
    );

    const readOnly = await server.query(
      existing.keys['analytics:view'],
      `mutation { retireKnowledgeArticle(id: "${article.id}") { status } }`,
    );
    expect(readOnly.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const other = await server.query(existing.keys.all, `{ knowledgeArticle(id: "${article.id}") { id } }`);
    expect(other.data).toEqual({ knowledgeArticle: { id: article.id } });
  });

  it("never shows one tenant's articles to another", async () => {
    const mine = await server.query(existing.keys.all, '{ knowledgeArticles(first: 1) { nodes { id } } }');
    const id = mine.data!.knowledgeArticles.nodes[0].id;
    const created = await server.query(platformKey, CREATE, { input: { name: 'third-shop' } });
    const theirs = created.data!.createTenant.apiKey;
    expect((await server.query(theirs, `{ knowledgeArticle(id: "${id}") { id } }`)).data).toEqual({
      knowledgeArticle: null,
    });
    expect(
      (await server.query(theirs, `mutation { retireKnowledgeArticle(id: "${id}") { id } }`)).errors?.[0]?.extensions
        ?.code,
    ).toBe('NOT_FOUND');
    expect(await database.orm.em.fork().count(Tenant, {})).toBe(3);
  });
});
