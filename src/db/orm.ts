import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import path from 'node:path';
import { entities } from './entities';
import { migrationsList } from './migrations';

export type Orm = MikroORM;

export interface OrmOptions {
  url: string;
  poolMax?: number;
  debug?: boolean;
}

/** One configuration for the service, the CLI and the tests: same driver, same migrations. */
export function ormOptions(options: OrmOptions): Options {
  return {
    clientUrl: options.url,
    entities,
    extensions: [Migrator],
    pool: { min: 0, max: options.poolMax ?? 10 },
    debug: options.debug ?? false,
    // Entities declare every column type explicitly, so no reflection is needed at run time.
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    migrations: {
      tableName: 'parley_migrations',
      path: path.join(__dirname, 'migrations'),
      pathTs: path.join(__dirname, 'migrations'),
      migrationsList,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    forceUtcTimezone: true,
    ignoreUndefinedInQuery: true,
  };
}

export async function openOrm(options: OrmOptions): Promise<Orm> {
  return MikroORM.init(ormOptions(options));
}

/** Applies every pending committed migration; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((migration) => migration.name);
}

/** Names of committed migrations not yet applied (empty when the schema is current). */
export async function pendingMigrations(orm: Orm): Promise<string[]> {
  const pending = await orm.getMigrator().getPendingMigrations();
  return pending.map((migration) => migration.name);
}
