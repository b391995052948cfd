import 'reflect-metadata';
import { isJobName, JOBS, runJob } from '../jobs';
import { createAlertService } from '../monitoring/alert-service';
import { createLogAlertNotifier } from '../monitoring/log-alert-notifier';
import { parseDay } from '../jobs/daily-provider-summary';
import { runCli, withDatabase } from './cli-runner';

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
  return withDatabase(async ({ config, database, logger }) => {
    // Alerts a job raises (the experiment guard) are stored and written to the log; the running service also posts them to Slack.
    const alerts = createAlertService({
      orm: database.orm,
      notifiers: [createLogAlertNotifier(logger)],
      logger,
      repeatHours: config.ALERT_REPEAT_HOURS,
      groupWindowSeconds: config.ALERT_GROUP_WINDOW_SECONDS,
      silenceMinutes: config.ALERT_SILENCE_MINUTES,
      graphqlUrl: `${config.publicBaseUrl}/graphql`,
    });
    const outcome = await runJob(name, { orm: database.orm, logger, retentionDays: config.USAGE_RETENTION_DAYS, cleanupBatchSize: config.USAGE_CLEANUP_BATCH_SIZE, alerts }, { day });
    if (!outcome.ran) {
      process.stdout.write(`${name}: skipped (${outcome.reason})\n`);
      return 1;
    }
    process.stdout.write(`${name}: done\n${JSON.stringify(outcome.result, null, 2)}\n`);
    return 0;
  });
}

runCli('job', main);
