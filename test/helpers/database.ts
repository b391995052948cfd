import crypto from 'node:crypto';
import pg from 'pg';
import { migrate, openOrm, type Orm } from '../../src/db/orm';

export interface TestDatabase {
  orm: Orm;
  url: string;
  name: string;
  /** Close the ORM and drop the database. Call in afterAll. */
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('No test database: run tests through jest (globalSetup starts one) or set DATABASE_URL');
  return url;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl(), 'postgres') });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A new, empty database on the test server, with the committed migrations
 * applied (pass `migrate: false` to test migrations themselves).
 */
export async function createTestDatabase(options: { migrate?: boolean; poolMax?: number } = {}): Promise<TestDatabase> {
  const name = `parley_t_${crypto.randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`create database ${name}`));
  const url = withDatabase(serverUrl(), name);
  const orm = await openOrm({ url, poolMax: options.poolMax ?? 5 });
  if (options.migrate ?? true) await migrate(orm);
  return {
    orm,
    url,
    name,
    async drop() {
      await orm.close(true);
      await admin((client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}
