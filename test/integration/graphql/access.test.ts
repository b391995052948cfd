import { hashApiKey } from '../../../src/auth/api-keys';
import { ApiKey, AuditLog } from '../../../src/db/entities';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { startGraphqlServer, type GraphqlJson, type GraphqlTestServer } from '../../helpers/graphql-server';

let database: TestDatabase;
let server: GraphqlTestServer;
let shop: TenantFixture;
let rival: TenantFixture;

const CREATE = `mutation ($name: String!, $scopes: [String!]!) {
  createApiKey(name: $name, scopes: $scopes) { key apiKey { id name prefix scopes createdAt lastUsedAt revokedAt current } }
}`;
const REVOKE = `mutation ($id: ID!, $confirm: Boolean) { revokeApiKey(id: $id, confirmOwnKey: $confirm) { id revokedAt } }`;
const KEYS = '{ apiKeys { id name prefix scopes createdAt lastUsedAt revokedAt current } }';
const AUDIT = `query ($filter: AuditLogFilterInput, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id createdAt actor actorName action targetType targetId targetName before after }
  }
}`;

beforeAll(async () => {
  database = await createTestDatabase();
  shop = await makeControlPlaneTenant(database.orm.em.fork(), 'access-shop', { turns: 1 });
  rival = await makeControlPlaneTenant(database.orm.em.fork(), 'access-rival', { turns: 1 });
  server = await startGraphqlServer(database.orm, { authCacheMs: 0 });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

async function keyIdOf(key: string): Promise<string> {
  return (await database.orm.em.fork().findOneOrFail(ApiKey, { keyHash: hashApiKey(key) })).id;
}

function codeOf(answer: { errors?: { extensions?: Record<string, unknown> }[] }): unknown {
  return answer.errors?.[0]?.extensions?.code;
}

async function counts(): Promise<{ keys: number; audits: number }> {
  const em = database.orm.em.fork();
  return { keys: await em.count(ApiKey, {}), audits: await em.count(AuditLog, {}) };
}

describe('apiKeys, createApiKey, revokeApiKey', () => {
  it('lists the tenant keys without secrets, marks the current one, and needs users:manage', async () => {
    const answer = await server.query(shop.keys.all, KEYS);
    const keys = answer.data!.apiKeys as GraphqlJson[];
    expect(keys.map((key: GraphqlJson) => key.name).sort()).toEqual(
      ['all', 'analytics:view', 'corrections:write', 'users:manage'].sort(),
    );
    expect(keys.filter((key: GraphqlJson) => key.current).map((key: GraphqlJson) => key.name)).toEqual(['all']);
    const text = JSON.stringify(answer);
    for (const secret of Object.values(shop.keys)) expect(text).not.toContain(secret);
    const hashes = (await database.orm.em.fork().find(ApiKey, { tenant: shop.tenant.id })).map((key) => key.keyHash);
    for (const hash of hashes) expect(text).not.toContain(hash);
    expect(codeOf(await server.query(shop.keys['analytics:view'], KEYS))).toBe('FORBIDDEN');
    expect(codeOf(await server.query(null, KEYS))).toBe('UNAUTHENTICATED');
  });

  it('creates a key shown once that works at once, audited with the creating key as actor', async () => {
    const created = await server.query(shop.keys.all, CREATE, { name: '  reporting  ', scopes: ['analytics:view'] });
    expect(created.errors).toBeUndefined();
    const { key, apiKey } = created.data!.createApiKey as GraphqlJson;
    expect(key).toMatch(/^pk_/);
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey).toMatchObject({ name: 'reporting', scopes: ['analytics:view'], revokedAt: null, current: false });
    expect((await server.query(key, '{ feedback { totalCount } }')).data).toEqual({ feedback: { totalCount: 1 } });
    expect(codeOf(await server.query(key, KEYS))).toBe('FORBIDDEN');
    expect(JSON.stringify((await server.query(shop.keys.all, KEYS)).data)).not.toContain(key);
    const audit = await database.orm.em
      .fork()
      .findOneOrFail(AuditLog, { targetId: apiKey.id, action: 'apikey.create' });
    expect(audit.actor).toBe(`apikey:${await keyIdOf(shop.keys.all)}`);
    expect(audit.tenant.id).toBe(shop.tenant.id);
    expect(JSON.stringify(audit.after)).not.toContain(key);
  });

  it('refuses scopes the caller lacks, unknown scopes, no scopes and bad names, writing nothing', async () => {
    const before = await counts();
    const managerOnly = shop.keys['users:manage'];
    const escalate = await server.query(managerOnly, CREATE, { name: 'x', scopes: ['users:manage', 'analytics:view'] });
    expect(codeOf(escalate)).toBe('FORBIDDEN');
    expect(escalate.errors?.[0]?.message).toContain('analytics:view');
    expect(codeOf(await server.query(shop.keys.all, CREATE, { name: 'x', scopes: ['root'] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await server.query(shop.keys.all, CREATE, { name: 'x', scopes: [] }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await server.query(shop.keys.all, CREATE, { name: '   ', scopes: ['analytics:view'] }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      codeOf(await server.query(shop.keys.all, CREATE, { name: 'n'.repeat(101), scopes: ['analytics:view'] })),
    ).toBe('BAD_USER_INPUT');
    expect(
      codeOf(await server.query(shop.keys['analytics:view'], CREATE, { name: 'x', scopes: ['analytics:view'] })),
    ).toBe('FORBIDDEN');
    expect(await counts()).toEqual(before);
    // What it has itself, it can give.
    const allowed = await server.query(managerOnly, CREATE, { name: 'deputy', scopes: ['users:manage'] });
    expect(allowed.data!.createApiKey.apiKey.scopes).toEqual(['users:manage']);
  });

  it('revokes a key: refused at once, twice is CONFLICT, audited', async () => {
    const { key, apiKey } = (await server.query(shop.keys.all, CREATE, { name: 'temp', scopes: ['analytics:view'] }))
      .data!.createApiKey as GraphqlJson;
    expect((await server.query(key, '{ feedback { totalCount } }')).errors).toBeUndefined();
    const revoked = await server.query(shop.keys.all, REVOKE, { id: apiKey.id });
    expect(revoked.data!.revokeApiKey.revokedAt).toEqual(expect.any(String));
    expect(codeOf(await server.query(key, '{ feedback { totalCount } }'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await server.query(shop.keys.all, REVOKE, { id: apiKey.id }))).toBe('CONFLICT');
    const listed = (await server.query(shop.keys.all, KEYS)).data!.apiKeys as GraphqlJson[];
    expect(listed.find((row: GraphqlJson) => row.id === apiKey.id).revokedAt).toEqual(expect.any(String));
    const audits = await database.orm.em
      .fork()
      .find(AuditLog, { targetId: apiKey.id }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    expect(audits.map((row) => row.action)).toEqual(['apikey.create', 'apikey.revoke']);
    expect(codeOf(await server.query(shop.keys.all, REVOKE, { id: '00000000-0000-4000-8000-000000000000' }))).toBe(
      'NOT_FOUND',
    );
  });

  it('revokes the key in use only with confirmOwnKey', async () => {
    const { key, apiKey } = (await server.query(shop.keys.all, CREATE, { name: 'self', scopes: ['users:manage'] }))
      .data!.createApiKey as GraphqlJson;
    const refused = await server.query(key, REVOKE, { id: apiKey.id });
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.extensions?.field).toBe('confirmOwnKey');
    expect((await server.query(key, KEYS)).errors).toBeUndefined();
    expect((await server.query(key, REVOKE, { id: apiKey.id, confirm: true })).errors).toBeUndefined();
    expect(codeOf(await server.query(key, KEYS))).toBe('UNAUTHENTICATED');
  });

  it("never lets one tenant's key list, revoke or read the audit of another tenant", async () => {
    const shopKeyIds = (await database.orm.em.fork().find(ApiKey, { tenant: shop.tenant.id })).map((key) => key.id);
    const rivalList = JSON.stringify((await server.query(rival.keys.all, KEYS)).data);
    for (const id of shopKeyIds) expect(rivalList).not.toContain(id);
    const before = await counts();
    const target = await keyIdOf(shop.keys['analytics:view']);
    expect(codeOf(await server.query(rival.keys.all, REVOKE, { id: target }))).toBe('NOT_FOUND');
    expect(await counts()).toEqual(before);
    expect((await server.query(shop.keys['analytics:view'], '{ feedback { totalCount } }')).errors).toBeUndefined();
    const rivalAudit = await server.query(rival.keys.all, AUDIT, { first: 100 });
    expect(rivalAudit.data!.auditLog.totalCount).toBe(0);
    const byTarget = await server.query(rival.keys.all, AUDIT, { filter: { targetType: 'ApiKey' }, first: 100 });
    expect(byTarget.data!.auditLog.totalCount).toBe(0);
    const shopRows = await database.orm.em.fork().count(AuditLog, { tenant: shop.tenant.id });
    expect(shopRows).toBeGreaterThan(0);
    // A shop key cannot create a key for the rival either: the new key is always the caller's tenant's.
    const created = (await server.query(rival.keys.all, CREATE, { name: 'rival bi', scopes: ['analytics:view'] })).data!
      .createApiKey as GraphqlJson;
    expect((await server.query(created.key, '{ feedback { totalCount } }')).data).toEqual({
      feedback: { totalCount: 1 },
    });
    const row = await database.orm.em.fork().findOneOrFail(ApiKey, { id: created.apiKey.id });
    expect(row.tenant.id).toBe(rival.tenant.id);
  });
});

describe('auditLog', () => {
  it('filters by action (exact or prefix), actor, target and time, with readable key names', async () => {
    const callerId = await keyIdOf(shop.keys.all);
    const all = await server.query(shop.keys.all, AUDIT, { first: 100 });
    const total = all.data!.auditLog.totalCount as number;
    expect(total).toBeGreaterThan(0);
    const prefix = await server.query(shop.keys.all, AUDIT, { filter: { action: 'apikey' }, first: 100 });
    const actions = new Set((prefix.data!.auditLog.nodes as GraphqlJson[]).map((row: GraphqlJson) => row.action));
    expect([...actions].sort()).toEqual(['apikey.create', 'apikey.revoke']);
    const exact = await server.query(shop.keys.all, AUDIT, { filter: { action: 'apikey.revoke' }, first: 100 });
    const revokes = exact.data!.auditLog.nodes as GraphqlJson[];
    expect(revokes.length).toBeGreaterThan(0);
    expect(revokes.every((row: GraphqlJson) => row.action === 'apikey.revoke')).toBe(true);
    // A partial word is not a prefix, and LIKE wildcards are literal.
    for (const action of ['apikey.rev', 'apikey%', 'apikey_create']) {
      const none = await server.query(shop.keys.all, AUDIT, { filter: { action } });
      expect(none.data!.auditLog.totalCount).toBe(0);
    }
    const byActor = await server.query(shop.keys.all, AUDIT, { filter: { actor: `apikey:${callerId}` }, first: 100 });
    const actorRows = byActor.data!.auditLog.nodes as GraphqlJson[];
    expect(actorRows.length).toBeGreaterThan(0);
    expect(actorRows.every((row: GraphqlJson) => row.actor === `apikey:${callerId}` && row.actorName === 'all')).toBe(
      true,
    );
    const temp = revokes.find((row: GraphqlJson) => row.targetName === 'temp');
    expect(temp).toMatchObject({ targetType: 'ApiKey', actorName: 'all' });
    expect(JSON.parse(temp.after)).toMatchObject({ name: 'temp', revokedAt: expect.any(String) });
    const byTarget = await server.query(shop.keys.all, AUDIT, {
      filter: { targetType: 'ApiKey', targetId: temp.targetId },
    });
    expect((byTarget.data!.auditLog.nodes as GraphqlJson[]).map((row: GraphqlJson) => row.action).sort()).toEqual([
      'apikey.create',
      'apikey.revoke',
    ]);
    const future = await server.query(shop.keys.all, AUDIT, { filter: { from: new Date(Date.now() + 3_600_000) } });
    expect(future.data!.auditLog.totalCount).toBe(0);
    const past = await server.query(shop.keys.all, AUDIT, { filter: { to: '2000-01-01T00:00:00Z' } });
    expect(past.data!.auditLog.totalCount).toBe(0);
    const around = await server.query(shop.keys.all, AUDIT, {
      filter: { from: temp.createdAt, to: new Date(new Date(temp.createdAt).getTime() + 1).toISOString() },
    });
    expect((around.data!.auditLog.nodes as GraphqlJson[]).map((row: GraphqlJson) => row.id)).toContain(temp.id);
  });

  it('pages with cursors through every row once, newest first, and refuses bad input', async () => {
    const all = (await server.query(shop.keys.all, AUDIT, { first: 100 })).data!.auditLog;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: GraphqlJson = (await server.query(shop.keys.all, AUDIT, { first: 2, after })).data!.auditLog;
      expect(page.totalCount).toBe(all.totalCount);
      seen.push(...(page.nodes as GraphqlJson[]).map((row: GraphqlJson) => row.id as string));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual((all.nodes as GraphqlJson[]).map((row: GraphqlJson) => row.id));
    const times = (all.nodes as GraphqlJson[]).map((row: GraphqlJson) => Date.parse(row.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const now = new Date().toISOString();
    expect(codeOf(await server.query(shop.keys.all, AUDIT, { filter: { from: now, to: now } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await server.query(shop.keys.all, AUDIT, { after: 'nonsense' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await server.query(shop.keys.all, AUDIT, { first: 101 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await server.query(shop.keys.all, AUDIT, { filter: { actor: 'a'.repeat(201) } }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await server.query(shop.keys['corrections:write'], AUDIT, {}))).toBe('FORBIDDEN');
  });
});
