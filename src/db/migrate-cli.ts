import 'reflect-metadata';
import { loadConfig } from '../config';
import { ConfigError } from '../errors';
import { createLogger } from '../logger';
import { openDatabase } from './database';

/** `npm run migrate`: apply committed migrations to DATABASE_URL (or the embedded database) and exit. */
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config, logger);
  const executed = await database.orm.getMigrator().getExecutedMigrations();
  process.stdout.write(`Schema is current: ${executed.length} migrations applied (${database.mode} database).\n`);
  await database.close();
}

run().catch((error: unknown) => {
  process.stderr.write(`parley migrate: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
