import { revokeApiKey } from '../../../src/auth/api-key-admin';
import { createApiKey } from '../../../src/auth/api-keys';
import { API_KEY_REVOKED, startInstanceBus, type InstanceBus } from '../../../src/db/shared-state/instance-bus';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server';

/**
 * Two instances on one database, each caching key lookups for a minute (far
 * longer than the test): a revocation on either, or by the keys CLI, must
 * still refuse the key on both at once. Each instance has its own instance bus.
 */
let database: TestDatabase;
let shop: TenantFixture;
const buses: InstanceBus[] = [];
const servers: GraphqlTestServer[] = [];
let first: GraphqlTestServer;
let second: GraphqlTestServer;

const PROBE = '{ feedback { totalCount } }';
const REVOKE = 'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }';

/** Resolves when `bus` has delivered the revocation of `id` (after the auth cache's own handler, registered first). */
function revocationSeen(bus: InstanceBus, id: string): Promise<void> {
  return new Promise((resolve) =>
    bus.on(API_KEY_REVOKED, (payload) => {
      if (payload === id) resolve();
    }),
  );
}

async function instance(): Promise<{ server: GraphqlTestServer; bus: InstanceBus }> {
  const bus = startInstanceBus({ url: database.url });
  await bus.ready;
  buses.push(bus);
  const server = await startGraphqlServer(database.orm, { authCacheMs: 60_000, invalidations: bus });
  servers.push(server);
  return { server, bus };
}

let firstBus: InstanceBus;
let secondBus: InstanceBus;

beforeAll(async () => {
  database = await createTestDatabase();
  shop = await makeControlPlaneTenant(database.orm.em.fork(), 'revocation-shop', { turns: 1 });
  ({ server: first, bus: firstBus } = await instance());
  ({ server: second, bus: secondBus } = await instance());
});
afterAll(async () => {
  for (const server of servers) await server.close();
  for (const bus of buses) await bus.close();
  await database.drop();
});

async function freshKey(name: string) {
  return createApiKey(database.orm.em.fork(), { tenant: shop.tenant, name, scopes: ['analytics:view'] });
}

describe('revoking a key with the auth cache on, across instances', () => {
  it('caches lookups while the bus is up (a revocation nobody announces is not seen)', async () => {
    const { key, apiKey } = await freshKey('cached');
    expect((await second.query(key, PROBE)).errors).toBeUndefined();
    // A revocation with the notify trigger switched off: the other instances are not told.
    await database.orm.em
      .getConnection()
      .execute('alter table api_key disable trigger parley_api_key_notify_update', [], 'run');
    try {
      await database.orm.em
        .getConnection()
        .execute('update api_key set revoked_at = now() where id = ?', [apiKey.id], 'run');
      // Proof that the cache is really in use, so the tests below can fail: the silent revocation is not seen yet.
      expect((await second.query(key, PROBE)).errors).toBeUndefined();
    } finally {
      await database.orm.em
        .getConnection()
        .execute('alter table api_key enable trigger parley_api_key_notify_update', [], 'run');
    }
  });

  it('refuses a key revoked through GraphQL on this instance at once and on the other one on notification', async () => {
    const { key, apiKey } = await freshKey('via graphql');
    expect((await first.query(key, PROBE)).errors).toBeUndefined();
    expect((await second.query(key, PROBE)).errors).toBeUndefined();
    const seen = revocationSeen(secondBus, apiKey.id);
    expect((await first.query(shop.keys.all, REVOKE, { id: apiKey.id })).errors).toBeUndefined();
    // No waiting on the instance that revoked.
    expect((await first.query(key, PROBE)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await seen;
    expect((await second.query(key, PROBE)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a key revoked by the keys CLI on every instance', async () => {
    const { key, apiKey } = await freshKey('via cli');
    expect((await first.query(key, PROBE)).errors).toBeUndefined();
    expect((await second.query(key, PROBE)).errors).toBeUndefined();
    const seen = [revocationSeen(firstBus, apiKey.id), revocationSeen(secondBus, apiKey.id)];
    await revokeApiKey(database.orm.em.fork(), { apiKeyId: apiKey.id, actor: 'system:keys-cli' });
    await Promise.all(seen);
    expect((await first.query(key, PROBE)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await second.query(key, PROBE)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('looks every request up while the bus is down', async () => {
    const { key, apiKey } = await freshKey('no bus');
    const closedBus = startInstanceBus({ url: database.url });
    await closedBus.ready;
    await closedBus.close();
    const lone = await startGraphqlServer(database.orm, { authCacheMs: 60_000, invalidations: closedBus });
    servers.push(lone);
    expect((await lone.query(key, PROBE)).errors).toBeUndefined();
    await database.orm.em.getConnection().execute('alter table api_key disable trigger parley_api_key_notify_update');
    try {
      await database.orm.em.getConnection().execute('update api_key set revoked_at = now() where id = ?', [apiKey.id]);
    } finally {
      await database.orm.em.getConnection().execute('alter table api_key enable trigger parley_api_key_notify_update');
    }
    expect((await lone.query(key, PROBE)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
