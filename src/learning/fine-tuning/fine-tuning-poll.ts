import type { EntityManager } from '@mikro-orm/postgresql';
import type OpenAI from 'openai';
import { FineTuningJob, ModelVersion, type FineTuningEventRecord } from '../../db/entities';
import type { Logger } from '../../logger';
import type { ModelGateway } from '../../providers/types';
import type { AlertRaiser } from '../experiments/experiment-guard-job';
import { raiseFineTuningAlert } from './fine-tuning-service';
import { validateFineTunedModel } from './fine-tuning-validation';
import { describeOpenAiFailure, type FineTuningClientFactory } from './openai-fine-tuning-client';

export interface PollDependencies {
  em: EntityManager;
  clients: FineTuningClientFactory;
  /** The gateway customers' turns use: the draft version is evaluated through it. Without one, validation waits. */
  gateway?: ModelGateway | null;
  alerts?: AlertRaiser | null;
  logger?: Logger | null;
  now: Date;
}

export interface PollOutcome {
  job: string;
  tenantId: string;
  phase: string;
  status: string | null;
  note?: string;
}

/** A submission that never reached the provider this long ago was interrupted (the process died mid-upload). */
const SUBMISSION_TIMEOUT_MS = 30 * 60_000;
const EVENT_PAGE = 100;

/** Statuses after which the provider's job never changes. Any other status, known or not, is polled again. */
const FINAL_STATUSES = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * One run of the `fine-tuning-poll` job (under its advisory lock, so on one
 * instance at a time). Every open job is read from the database, so a restart
 * loses nothing: training jobs are retrieved with their events; a succeeded
 * one becomes a draft version and is validated; a job left validating by a
 * crash is validated again; a submission interrupted long ago is closed.
 * A failed poll (429, 5xx, network) is recorded and tried on the next run.
 */
export async function pollFineTuningJobs(dependencies: PollDependencies): Promise<PollOutcome[]> {
  const open = await dependencies.em
    .fork()
    .find(
      FineTuningJob,
      { phase: { $in: ['submitting', 'training', 'validating'] } },
      { orderBy: { createdAt: 'asc' } },
    );
  const outcomes: PollOutcome[] = [];
  for (const row of open) {
    const em = dependencies.em.fork();
    const job = await em.findOneOrFail(FineTuningJob, { id: row.id });
    const tenantId = typeof job.tenant === 'string' ? job.tenant : job.tenant.id;
    let note: string | undefined;
    try {
      if (job.phase === 'submitting') note = await closeInterrupted(em, job, dependencies);
      if (job.phase === 'training') note = await pollProvider(em, job, dependencies);
      if (job.phase === 'validating') note = await validate(em, job, dependencies);
    } catch (error) {
      note = `error: ${error instanceof Error ? error.message : String(error)}`;
      dependencies.logger?.error({ err: error, job: job.id }, 'fine-tuning poll failed');
      // Kept on the job (and retried on the next run): a validation that keeps failing is visible in GraphQL.
      await dependencies.em
        .fork()
        .nativeUpdate(FineTuningJob, { id: job.id }, { lastPollError: note, lastPolledAt: dependencies.now })
        .catch(() => undefined);
    }
    outcomes.push({ job: job.id, tenantId, phase: job.phase, status: job.status, ...(note ? { note } : {}) });
  }
  return outcomes;
}

async function closeInterrupted(
  em: EntityManager,
  job: FineTuningJob,
  dependencies: PollDependencies,
): Promise<string> {
  if (dependencies.now.getTime() - job.createdAt.getTime() < SUBMISSION_TIMEOUT_MS) return 'still submitting';
  job.phase = 'submit_failed';
  job.error = {
    code: 'interrupted',
    message: 'The submission was interrupted before the provider job was created; start a new job',
    param: null,
  };
  job.finishedAt = dependencies.now;
  await em.flush();
  return 'interrupted submission closed';
}

function eventRecord(event: OpenAI.FineTuning.Jobs.FineTuningJobEvent): FineTuningEventRecord {
  return {
    id: event.id,
    createdAt: new Date(event.created_at * 1000).toISOString(),
    level: event.level,
    message: event.message,
    type: event.type ?? null,
    data: event.data ?? null,
  };
}

/** Retrieves the provider's job and its newest events; moves the phase when the status is final. */
async function pollProvider(em: EntityManager, job: FineTuningJob, dependencies: PollDependencies): Promise<string> {
  const tenantId = typeof job.tenant === 'string' ? job.tenant : job.tenant.id;
  let reported: OpenAI.FineTuning.Jobs.FineTuningJob;
  let events: OpenAI.FineTuning.Jobs.FineTuningJobEvent[];
  try {
    const client = await dependencies.clients(tenantId);
    reported = await client.fineTuning.jobs.retrieve(job.providerJobId!);
    events = (await client.fineTuning.jobs.listEvents(job.providerJobId!, { limit: EVENT_PAGE })).data;
  } catch (error) {
    const failure = describeOpenAiFailure(error);
    job.lastPollError = failure.message;
    job.lastPolledAt = dependencies.now;
    await em.flush();
    dependencies.logger?.warn(
      { job: job.id, error: failure.message },
      'fine-tuning poll failed; trying again next run',
    );
    return `poll failed: ${failure.message}`;
  }
  const known = new Map(job.events.map((event) => [event.id, event]));
  for (const event of events) if (!known.has(event.id)) known.set(event.id, eventRecord(event));
  job.events = [...known.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  job.status = reported.status;
  job.lastPollError = null;
  job.lastPolledAt = dependencies.now;
  job.trainedTokens = reported.trained_tokens ?? job.trainedTokens;
  if (reported.error && (reported.error.code || reported.error.message))
    job.error = { code: reported.error.code, message: reported.error.message, param: reported.error.param ?? null };
  if (!FINAL_STATUSES.has(reported.status)) {
    await em.flush();
    return `provider status ${reported.status}`;
  }
  job.finishedAt = reported.finished_at ? new Date(reported.finished_at * 1000) : dependencies.now;
  if (reported.status === 'succeeded') {
    job.fineTunedModel = reported.fine_tuned_model;
    job.phase = 'validating';
    await em.flush();
    return 'succeeded';
  }
  job.phase = reported.status === 'failed' ? 'provider_failed' : 'cancelled';
  await em.flush();
  if (job.phase === 'provider_failed')
    await raiseFineTuningAlert(
      dependencies,
      job,
      'failed',
      `OpenAI reports the job failed: ${job.error?.message ?? 'no reason given'}${job.error?.code ? ` (${job.error.code})` : ''}`,
    );
  return reported.status;
}

async function validate(em: EntityManager, job: FineTuningJob, dependencies: PollDependencies): Promise<string> {
  if (!dependencies.gateway) return 'waiting for a process with the provider gateway to validate';
  const result = await validateFineTunedModel(
    { em: dependencies.em, gateway: dependencies.gateway, logger: dependencies.logger },
    job.id,
  );
  const reloaded = await em.refresh(job);
  if (result.passed) return `validated: version ${result.versionNumber} is evaluated`;
  if (reloaded) {
    const version = reloaded.modelVersion ? await em.findOne(ModelVersion, { id: reloaded.modelVersion.id }) : null;
    await raiseFineTuningAlert(
      dependencies,
      reloaded,
      'failed validation',
      `The fine-tuned model ${reloaded.fineTunedModel} did not pass validation${version ? `; version ${version.number} stays a draft` : ''}: ${reloaded.validationReasons.join('; ')}`,
    );
  }
  return 'validation failed';
}
