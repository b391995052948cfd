import 'reflect-metadata';
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { AppError, ConfigError } from '../errors';
import { isJobName, JOBS, runJob } from '../jobs';
import { parseDay } from '../jobs/daily-provider-summary';
import { createLogger } from '../logger';

const USAGE = `Usage: npm run job -- <name> [--day YYYY-MM-DD]

Jobs:
${Object.values(JOBS)
  .map((job) => `  ${job.name.padEnd(26)} ${job.description} (schedule "${job.schedule}" UTC)`)
  .join('\n')}
`;

/**
 * Runs one scheduled job now, on the configured database (embedded by
 * default), under the same advisory lock as the scheduler: if a running
 * instance holds it, this run is skipped and says so.
 */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  if (!isJobName(name)) {
    process.stderr.write(`Unknown job "${name}".\n\n${USAGE}`);
    return 2;
  }
  let day: string | undefined;
  for (let index = 0; index < rest.length; index += 1) {
    if (rest[index] === '--day' && rest[index + 1]) day = rest[(index += 1)];
    else if (rest[index].startsWith('--day=')) day = rest[index].slice('--day='.length);
    else {
      process.stderr.write(`Unexpected argument "${rest[index]}".\n\n${USAGE}`);
      return 2;
    }
  }
  // A bad day fails here, before the database starts.
  if (day !== undefined) parseDay(day);
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const database = await openDatabase(config, logger);
  try {
    const outcome = await runJob(name, { orm: database.orm, logger, retentionDays: config.USAGE_RETENTION_DAYS, cleanupBatchSize: config.USAGE_CLEANUP_BATCH_SIZE }, { day });
    if (!outcome.ran) {
      process.stdout.write(`${name}: skipped (${outcome.reason})\n`);
      return 1;
    }
    process.stdout.write(`${name}: done\n${JSON.stringify(outcome.result, null, 2)}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof ConfigError || error instanceof AppError ? error.message : error instanceof Error ? error.stack ?? error.message : String(error);
    process.stderr.write(`job failed: ${message}\n`);
    process.exit(1);
  },
);
