// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine, stringOption } from './command-line';
import 'reflect-metadata';
import { FineTuningJob, ModelVersion } from '../db/entities';
import { runJob } from '../jobs';
import {
  cancelFineTuningJob,
  listFineTuningJobs,
  resolveFineTuningJob,
  startFineTuningJob,
} from '../learning/fine-tuning/fine-tuning-service';
import { createFineTuningClients } from '../learning/fine-tuning/openai-fine-tuning-client';
import { generatedTrainingSets } from '../learning/fine-tuning/training-set-source';
import { configuredAlertSettings, configuredNotifiers } from '../monitoring/configured-notifiers';
import { createAlertService } from '../monitoring/alert-service';
import { runCli, withDatabase } from './cli-runner';
import { cliConversationStack, cliSecretBox, cliTenant } from './cli-services';

const ACTOR = 'system:fine-tune-cli' as const;

function summary(job: FineTuningJob): Record<string, unknown> {
  const version = job.modelVersion as ModelVersion | null;
  return {
    id: job.id,
    phase: job.phase,
    status: job.status,
    providerJobId: job.providerJobId,
    baseModel: job.baseModel,
    suffix: job.suffix,
    trainingSetId: job.trainingSetId,
    files: { training: job.trainingFileId, validation: job.validationFileId },
    fineTunedModel: job.fineTunedModel,
    modelVersion: version ? { number: version.number, status: version.status } : null,
    error: job.error,
    validationReasons: job.validationReasons,
    lastPollError: job.lastPollError,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

function describe(job: FineTuningJob): string {
  const version = job.modelVersion as ModelVersion | null;
  const lines = [
    `${job.id}  ${job.phase}  (provider: ${job.providerJobId ?? '—'} ${job.status ?? ''})`.trimEnd(),
    `  ${job.baseModel} → ${job.fineTunedModel ?? `(suffix ${job.suffix})`}`,
  ];
  if (version) lines.push(`  model version ${version.number}: ${version.status}`);
  if (job.error) lines.push(`  error: ${job.error.code}: ${job.error.message}`);
  for (const reason of job.validationReasons) lines.push(`  validation: ${reason}`);
  if (job.lastPollError) lines.push(`  last poll failed: ${job.lastPollError}`);
  return lines.join('\n');
}

/** `npm run fine-tune -- start|status|cancel|list`: OpenAI fine-tuning jobs of one tenant. */
async function main(): Promise<number> {
  const [command, reference] = commandLine().positionals as [string, string | undefined];
  const json = commandLine().values.json === true;
  return withDatabase(async (context) => {
    const { config, database, logger } = context;
    const tenant = await cliTenant(context, stringOption('tenant'));
    const secretBox = cliSecretBox(config);
    const clients = createFineTuningClients({
      em: database.orm.em,
      secretBox,
      apiKey: config.OPENAI_API_KEY,
      baseUrl: config.OPENAI_BASE_URL,
    });
    const delivery = configuredNotifiers(config, database.orm, logger);
    const alerts = createAlertService({
      orm: database.orm,
      notifiers: delivery.notifiers,
      logger,
      ...configuredAlertSettings(config),
    });
    const print = (jobs: FineTuningJob[]) =>
      process.stdout.write(
        json
          ? `${JSON.stringify(jobs.length === 1 && command !== 'list' ? summary(jobs[0]) : jobs.map(summary), null, 2)}\n`
          : `${jobs.length ? jobs.map(describe).join('\n') : 'No fine-tuning jobs.'}\n`,
      );
    try {
      const dependencies = { em: database.orm.em, clients, trainingSets: generatedTrainingSets, alerts, logger };
      if (command === 'start') {
        const job = await startFineTuningJob(dependencies, {
          tenantId: tenant.id,
          actor: ACTOR,
          trainingSetId: stringOption('training-set'),
          baseModel: stringOption('base-model'),
        });
        print([await resolveFineTuningJob(database.orm.em.fork(), tenant.id, job.id)]);
        return job.phase === 'submit_failed' ? 1 : 0;
      }
      if (command === 'cancel') {
        const job = await cancelFineTuningJob(dependencies, {
          tenantId: tenant.id,
          actor: ACTOR,
          job: reference!,
          reason: stringOption('reason'),
        });
        print([job]);
        return 0;
      }
      if (command === 'status') {
        if (commandLine().values.refresh === true) {
          // One run of the polling job now, under its advisory lock (skipped if a running service holds it).
          const stack = cliConversationStack(context, secretBox);
          try {
            const outcome = await runJob('fine-tuning-poll', {
              orm: database.orm,
              logger,
              retentionDays: config.USAGE_RETENTION_DAYS,
              cleanupBatchSize: config.USAGE_CLEANUP_BATCH_SIZE,
              alerts,
              fineTuning: { clients, trainingSets: generatedTrainingSets, gateway: stack.gateway },
            });
            if (!outcome.ran) process.stderr.write(`Not polled now: ${outcome.reason}\n`);
          } finally {
            await stack.close();
          }
        }
        print([await resolveFineTuningJob(database.orm.em.fork(), tenant.id, reference!)]);
        return 0;
      }
      print(await listFineTuningJobs(database.orm.em.fork(), tenant.id));
      return 0;
    } finally {
      await delivery.close();
    }
  });
}

runCli('fine-tune', main);
