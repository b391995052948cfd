import pg from 'pg';
import { USAGE_ROLLUP_SHARDS } from '../../../src/db/entities';
import { createTenant } from '../../../src/tenants/tenant-service';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

/**
 * The usage rollup is exact at every commit, and concurrent turns of one tenant
 * do not queue on one rollup row: each connection adds to its own shard.
 */
describe('provider usage rollup', () => {
  let database: TestDatabase;
  const clients: pg.Client[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await database.drop();
  });

  /** Two connections whose backends fall in different shards. */
  async function twoConnectionsOnDifferentShards(): Promise<[pg.Client, pg.Client]> {
    const byShard = new Map<number, pg.Client>();
    while (byShard.size < 2) {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      clients.push(client);
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      byShard.set(rows[0]!.pid % USAGE_ROLLUP_SHARDS, client);
    }
    return [...byShard.values()] as [pg.Client, pg.Client];
  }

  const insertUsage = (client: pg.Client, tenantId: string, cost: number) =>
    client.query(
      `insert into provider_usage (id, tenant_id, created_at, provider, model, input_tokens, cached_input_tokens, output_tokens, total_tokens,
         estimated_cost_usd, latency_ms, success, failover)
       values (gen_random_uuid(), $1, '2026-11-20T10:00:00Z', 'openai', 'gpt-4o-mini', 100, 0, 20, 120, $2, 50, true, false)`,
      [tenantId, cost],
    );

  it('lets two open transactions of one tenant add usage for the same day and model without waiting on each other', async () => {
    const tenant = await createTenant(database.orm.em.fork(), { name: 'rollup-shop' });
    const [first, second] = await twoConnectionsOnDifferentShards();
    await first.query('begin');
    await insertUsage(first, tenant.id, 0.001);
    // With one row per (tenant, day, provider, model) this insert would wait for the first transaction's row lock.
    await second.query('begin');
    await second.query(`set local lock_timeout = '2s'`);
    await insertUsage(second, tenant.id, 0.002);
    await second.query('commit');
    await first.query('commit');
    const [total] = await database.orm.em
      .getConnection()
      .execute<{ calls: string; cost: number; shards: string }[]>(
        `select sum(calls) as calls, sum(cost_usd) as cost, count(*) as shards from provider_usage_rollup where tenant_id = ? and day = '2026-11-20'`,
        [tenant.id],
      );
    expect({ calls: Number(total!.calls), shards: Number(total!.shards) }).toEqual({ calls: 2, shards: 2 });
    expect(total!.cost).toBeCloseTo(0.003);
  });

  it('merges the shards into one row when the sharding migration is rolled back, and splits nothing on the way up again', async () => {
    const migrator = database.orm.getMigrator();
    const totals = () =>
      database.orm.em
        .getConnection()
        .execute<{ calls: string; rows: string }[]>(
          `select sum(calls) as calls, count(*) as rows from provider_usage_rollup where day = '2026-11-20'`,
        )
        .then((found) => ({ calls: Number(found[0]!.calls), rows: Number(found[0]!.rows) }));
    expect(await totals()).toEqual({ calls: 2, rows: 2 });
    await migrator.down({ to: 'Migration20261201090000MessageSendState' });
    expect(await totals()).toEqual({ calls: 2, rows: 1 });
    await migrator.up();
    expect(await totals()).toEqual({ calls: 2, rows: 1 });
  });
});
