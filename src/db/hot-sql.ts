import type { EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';

/** The part of a node-postgres client this module uses. */
interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** Knex's client as MikroORM exposes it; its pool hands out node-postgres connections. */
interface KnexPoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

const prepared = new Map<string, { name: string; text: string }>();

/**
 * Runs one of the engine's per-turn statements as a named prepared statement
 * on a pooled connection, outside any transaction (each is atomic on its own).
 * PostgreSQL then parses it once per connection and can reuse its plan; these
 * CTE statements cost several times a simple INSERT to plan, on every turn.
 * Statements use `?` placeholders like `em.execute`; no `?` may appear in literals.
 */
export async function runHot<T>(em: EntityManager, sql: string, values: unknown[]): Promise<T[]> {
  let statement = prepared.get(sql);
  if (!statement) {
    let position = 0;
    statement = {
      name: `parley_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`,
      text: sql.replace(/\?/g, () => `$${(position += 1)}`),
    };
    prepared.set(sql, statement);
  }
  // Cast: knex types its client as `any`-like; MikroORM's pool serves node-postgres clients.
  const pool = em.getConnection().getKnex().client as unknown as KnexPoolClient;
  const connection = await pool.acquireConnection();
  try {
    const result = await connection.query({ name: statement.name, text: statement.text, values });
    return result.rows as T[];
  } finally {
    await pool.releaseConnection(connection);
  }
}
