import { AuditLog } from '../../../src/db/entities';
import { issueApiKey, listApiKeys, revokeApiKey } from '../../../src/auth/api-key-admin';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server';

let database: TestDatabase;
let server: GraphqlTestServer;
let shop: TenantFixture;

beforeAll(async () => {
  database = await createTestDatabase();
  shop = await makeControlPlaneTenant(database.orm.em.fork(), 'keyshop', { turns: 1 });
  server = await startGraphqlServer(database.orm, { authCacheMs: 0 });
});
afterAll(async () => {
  await server.close();
  await database.drop();
});

describe('API key administration (the keys CLI)', () => {
  it('issues a key once, lists it by prefix, revokes it, and audits both', async () => {
    const em = database.orm.em.fork();
    const { apiKey, key } = await issueApiKey(em, {
      tenantName: 'keyshop',
      name: 'bi tool',
      scopes: ['analytics:view'],
      actor: 'system:keys-cli',
    });
    expect(key).toMatch(/^pk_/);
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    const listed = await listApiKeys(database.orm.em.fork(), { tenantId: shop.tenant.id });
    expect(listed.map((row) => row.name)).toContain('bi tool');
    expect(JSON.stringify(listed)).not.toContain(key);
    // The CLI's `list --tenant`: by name, in SQL.
    const byName = await listApiKeys(database.orm.em.fork(), { tenantName: 'keyshop' });
    expect(byName.map((row) => row.id).sort()).toEqual(listed.map((row) => row.id).sort());
    expect(await listApiKeys(database.orm.em.fork(), { tenantName: 'nobody' })).toEqual([]);
    expect((await server.query(key, '{ feedback { totalCount } }')).data).toEqual({ feedback: { totalCount: 1 } });
    await revokeApiKey(database.orm.em.fork(), { apiKeyId: apiKey.id, actor: 'system:keys-cli' });
    expect((await server.query(key, '{ feedback { totalCount } }')).errors?.[0]?.extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    await expect(
      revokeApiKey(database.orm.em.fork(), { apiKeyId: apiKey.id, actor: 'system:keys-cli' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const audits = await database.orm.em
      .fork()
      .find(AuditLog, { targetId: apiKey.id }, { orderBy: { createdAt: 'asc' } });
    expect(audits.map((row) => row.action)).toEqual(['apikey.create', 'apikey.revoke']);
  });

  it('refuses unknown tenants and scopes', async () => {
    await expect(
      issueApiKey(database.orm.em.fork(), {
        tenantName: 'nobody',
        name: 'x',
        scopes: ['analytics:view'],
        actor: 'system:keys-cli',
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      issueApiKey(database.orm.em.fork(), {
        tenantName: 'keyshop',
        name: 'x',
        scopes: ['root'],
        actor: 'system:keys-cli',
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
