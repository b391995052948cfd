// First: parses the command line (and answers --help) before anything heavy loads.
import './command-line';
import { runCli, withDatabase } from './cli-runner';

/** `npm run migrate`: apply committed migrations to DATABASE_URL (or the embedded database) and exit. */
async function main(): Promise<number> {
  return withDatabase(async ({ database }) => {
    const executed = await database.orm.getMigrator().getExecutedMigrations();
    process.stdout.write(`Schema is current: ${executed.length} migrations applied (${database.mode} database).\n`);
    return 0;
  });
}

runCli('migrate', main);
