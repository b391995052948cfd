// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine } from './command-line';
import 'reflect-metadata';
import { isJobName, runJob } from '../jobs';
import { parseDay } from '../jobs/daily-provider-summary';
import { configuredAlertSettings, configuredNotifiers } from '../monitoring/configured-notifiers';
import { createAlertService } from '../monitoring/alert-service';
import { createDigestMailer, emailList } from '../monitoring/metrics-digest';
import { createFineTuningClients } from '../learning/fine-tuning/openai-fine-tuning-client';
import { generatedTrainingSets } from '../learning/fine-tuning/training-set-source';
import { runCli, withDatabase } from './cli-runner';
import { cliConversationStack, cliSecretBox } from './cli-services';

/**
 * Runs one scheduled job now, on the configured database (embedded by
 * default), under the same advisory lock as the scheduler: if a running
 * instance holds it, this run is skipped and says so.
 */
async function main(): Promise<number> {
  // The command-line spec checked the job name and the --day format.
  const { values, positionals } = commandLine();
  const name = positionals[0]!;
  if (!isJobName(name)) throw new Error(`unknown job ${name}`);
  const day = typeof values.day === 'string' ? values.day : undefined;
  // A bad day fails here, before the database starts.
  if (day !== undefined) parseDay(day);
  return withDatabase(async ({ config, database, logger }) => {
    // alert-rules needs the alert service: email and PagerDuty from the configuration (Slack only in the running service).
    const delivery = configuredNotifiers(config, database.orm, logger);
    const alerts = createAlertService({
      orm: database.orm,
      notifiers: delivery.notifiers,
      logger,
      ...configuredAlertSettings(config),
    });
    const digestMailer = config.ALERT_SMTP_URL
      ? createDigestMailer({ smtpUrl: config.ALERT_SMTP_URL, from: config.ALERT_EMAIL_FROM })
      : null;
    // The fine-tuning jobs call OpenAI with the tenants' keys and evaluate drafts through the provider gateway.
    const secretBox = cliSecretBox(config);
    const stack = name.startsWith('fine-tuning') ? cliConversationStack({ config, database, logger }, secretBox) : null;
    const fineTuning = stack
      ? {
          clients: createFineTuningClients({
            em: database.orm.em,
            secretBox,
            apiKey: config.OPENAI_API_KEY,
            baseUrl: config.OPENAI_BASE_URL,
          }),
          trainingSets: generatedTrainingSets,
          gateway: stack.gateway,
        }
      : null;
    const context = {
      fineTuning,
      orm: database.orm,
      logger,
      retentionDays: config.USAGE_RETENTION_DAYS,
      cleanupBatchSize: config.USAGE_CLEANUP_BATCH_SIZE,
      handoffIdleMinutes: config.HANDOFF_IDLE_RELEASE_MINUTES,
      alerts,
      runbookBaseUrl: config.runbookBaseUrl,
      digestMailer,
      digestDefaultTo: emailList(config.ALERT_EMAIL_TO),
    };
    const outcome = await runJob(name, context, { day }).finally(() => {
      digestMailer?.close();
      stack?.close();
      return delivery.close();
    });
    if (!outcome.ran) {
      process.stdout.write(`${name}: skipped (${outcome.reason})\n`);
      return 1;
    }
    process.stdout.write(`${name}: done\n${JSON.stringify(outcome.result, null, 2)}\n`);
    return 0;
  });
}

runCli('job', main);
