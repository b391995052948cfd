import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { toFile } from 'openai';
import { recordAudit, type Actor } from '../../audit/audit-service';
import { FineTuningJob, OPEN_FINE_TUNING_PHASES, Tenant } from '../../db/entities';
import { AppError, badInput, notFound } from '../../errors';
import { isUuid } from '../../ids';
import type { Logger } from '../../logger';
import type { AlertRaiser } from '../experiments/experiment-guard-job';
import { activeModelVersion } from '../model-versions/model-version-service';
import { fineTuningSettingsFrom, fineTuningSuffix } from './fine-tuning-settings';
import { describeOpenAiFailure, type FineTuningClientFactory } from './openai-fine-tuning-client';
import type { TrainingSetSource } from './training-set-source';

/** OpenAI rejects chat fine-tuning files with fewer examples than this. */
export const OPENAI_MINIMUM_EXAMPLES = 10;

export interface FineTuningDependencies {
  /** The root entity manager (orm.em); the service forks it. */
  em: EntityManager;
  clients: FineTuningClientFactory;
  trainingSets: TrainingSetSource;
  alerts?: AlertRaiser | null;
  logger?: Logger | null;
}

export interface StartFineTuningInput {
  tenantId: string;
  actor: Actor;
  /** An existing training set (id, number or `latest`); default: a new one exported now for the active version. */
  trainingSetId?: string | null;
  /** Default: the tenant setting fineTuning.baseModel. */
  baseModel?: string | null;
  trigger?: 'manual' | 'schedule';
}

function idOf(value: unknown): string {
  return typeof value === 'string' ? value : (value as { id: string }).id;
}

export async function listFineTuningJobs(em: EntityManager, tenantId: string, limit = 50): Promise<FineTuningJob[]> {
  return em.find(
    FineTuningJob,
    { tenant: tenantId },
    { orderBy: { createdAt: 'desc' }, limit, populate: ['modelVersion', 'baseVersion'] },
  );
}

/** A job by its id or the provider's job id (`ftjob-…`). */
export async function findFineTuningJob(
  em: EntityManager,
  tenantId: string,
  reference: string,
): Promise<FineTuningJob | null> {
  const where = isUuid(reference)
    ? { id: reference, tenant: tenantId }
    : { providerJobId: reference, tenant: tenantId };
  return em.findOne(FineTuningJob, where, { populate: ['modelVersion', 'baseVersion'] });
}

export async function resolveFineTuningJob(
  em: EntityManager,
  tenantId: string,
  reference: string,
): Promise<FineTuningJob> {
  const job = await findFineTuningJob(em, tenantId, reference.trim());
  if (!job) throw notFound('Fine-tuning job', reference);
  return job;
}

function exampleCount(jsonl: string): number {
  return jsonl.split('\n').filter((line) => line.trim()).length;
}

/**
 * Starts a fine-tuning job: exports a training set (unless one is given),
 * uploads its train and validation JSONL with purpose `fine-tune`, and creates
 * the provider job with a suffix naming tenant and version. Bad input (no key,
 * too few examples, a job still open) throws before anything is stored. A
 * provider failure during submission is recorded on the job (`submit_failed`,
 * with the error), alerted, and the job returned.
 */
export async function startFineTuningJob(
  dependencies: FineTuningDependencies,
  input: StartFineTuningInput,
): Promise<FineTuningJob> {
  const em = dependencies.em.fork();
  const tenant = await em.findOne(Tenant, { id: input.tenantId });
  if (!tenant) throw notFound('Tenant', input.tenantId);
  const settings = fineTuningSettingsFrom(tenant.settings);
  const baseModel = input.baseModel?.trim() || settings.baseModel;
  if (!/^[\w.:-]{1,100}$/.test(baseModel)) throw badInput(`baseModel ${JSON.stringify(baseModel)} is not a model id`);
  const open = await em.findOne(FineTuningJob, {
    tenant: input.tenantId,
    phase: { $in: [...OPEN_FINE_TUNING_PHASES] },
  });
  if (open)
    throw new AppError(
      'CONFLICT',
      `Fine-tuning job ${open.id} is still ${open.phase}; wait for it or cancel it (npm run fine-tune -- cancel ${open.id})`,
    );
  const version = await activeModelVersion(em, input.tenantId);
  // The key is checked before anything is exported or stored.
  const client = await dependencies.clients(input.tenantId);

  let trainingSetId = input.trainingSetId?.trim() || null;
  if (trainingSetId) trainingSetId = await dependencies.trainingSets.resolve(em.fork(), input.tenantId, trainingSetId);
  else
    trainingSetId = (
      await dependencies.trainingSets.create(em.fork(), {
        tenantId: input.tenantId,
        actor: input.actor,
        modelVersionId: version.id,
      })
    ).id;
  const files = await dependencies.trainingSets.files(em.fork(), input.tenantId, trainingSetId);
  const trainExamples = exampleCount(files.train);
  if (trainExamples < OPENAI_MINIMUM_EXAMPLES)
    throw badInput(
      `Training set ${trainingSetId} has ${trainExamples} training examples; OpenAI needs at least ${OPENAI_MINIMUM_EXAMPLES} (approve more corrections first)`,
    );

  const suffix = fineTuningSuffix(tenant.name, version.number);
  const job = em.create(FineTuningJob, {
    tenant: input.tenantId,
    trainingSetId,
    baseModel,
    suffix,
    baseVersion: version,
    trigger: input.trigger ?? 'manual',
    startedBy: input.actor,
  });
  recordAudit(em, {
    tenantId: input.tenantId,
    actor: input.actor,
    action: 'fine_tuning.start',
    targetType: 'FineTuningJob',
    targetId: job.id,
    after: { trainingSetId, baseModel, suffix, baseVersion: version.number, trainExamples },
  });
  try {
    await em.flush();
  } catch (error) {
    if (
      error instanceof UniqueConstraintViolationException &&
      /fine_tuning_job_one_open_per_tenant/.test(error.message)
    )
      throw new AppError('CONFLICT', 'Another fine-tuning job of this tenant was started at the same time');
    throw error;
  }

  try {
    const training = await client.files.create({
      file: await toFile(Buffer.from(files.train, 'utf8'), `${suffix}-train.jsonl`),
      purpose: 'fine-tune',
    });
    job.trainingFileId = training.id;
    await em.flush();
    if (exampleCount(files.validation) > 0) {
      const validation = await client.files.create({
        file: await toFile(Buffer.from(files.validation, 'utf8'), `${suffix}-validation.jsonl`),
        purpose: 'fine-tune',
      });
      job.validationFileId = validation.id;
      await em.flush();
    }
    const created = await client.fineTuning.jobs.create({
      model: baseModel,
      training_file: training.id,
      ...(job.validationFileId ? { validation_file: job.validationFileId } : {}),
      suffix,
      metadata: { parley_job: job.id, tenant: input.tenantId },
    });
    job.providerJobId = created.id;
    job.status = created.status;
    job.submittedAt = new Date();
    job.phase = 'training';
    await em.flush();
    dependencies.logger?.info(
      { tenantId: input.tenantId, job: job.id, providerJobId: created.id },
      'fine-tuning job submitted',
    );
    return job;
  } catch (error) {
    const failure = describeOpenAiFailure(error);
    job.phase = 'submit_failed';
    job.error = { code: failure.code, message: `Submission failed: ${failure.message}`, param: null };
    job.finishedAt = new Date();
    await em.flush();
    await raiseFineTuningAlert(dependencies, job, 'could not be submitted', job.error.message);
    return job;
  }
}

/** Cancels the provider's job (when there is one still running) and records the cancellation. */
export async function cancelFineTuningJob(
  dependencies: Pick<FineTuningDependencies, 'em' | 'clients' | 'logger'>,
  input: { tenantId: string; actor: Actor; job: string; reason?: string | null },
): Promise<FineTuningJob> {
  const em = dependencies.em.fork();
  const job = await resolveFineTuningJob(em, input.tenantId, input.job);
  if (job.phase === 'submitting')
    throw new AppError('CONFLICT', `Job ${job.id} is still being submitted; cancel it once it is training`);
  if (job.phase !== 'training')
    throw new AppError('CONFLICT', `Job ${job.id} is ${job.phase}: only a training job can be cancelled`);
  const client = await dependencies.clients(input.tenantId);
  try {
    const reported = await client.fineTuning.jobs.cancel(job.providerJobId!);
    job.status = reported.status;
  } catch (error) {
    const failure = describeOpenAiFailure(error);
    throw new AppError('PROVIDER_ERROR', `Could not cancel ${job.providerJobId}: ${failure.message}`);
  }
  const before = job.phase;
  job.phase = 'cancelled';
  job.finishedAt = new Date();
  recordAudit(em, {
    tenantId: input.tenantId,
    actor: input.actor,
    action: 'fine_tuning.cancel',
    targetType: 'FineTuningJob',
    targetId: job.id,
    before: { phase: before },
    after: { phase: job.phase, status: job.status, reason: input.reason?.trim() || null },
  });
  await em.flush();
  return job;
}

/** Tells on-call that a job failed (submission, training or validation), once per job. */
export async function raiseFineTuningAlert(
  dependencies: Pick<FineTuningDependencies, 'alerts' | 'logger'>,
  job: FineTuningJob,
  what: string,
  description: string,
): Promise<void> {
  if (!dependencies.alerts) return;
  const tenantId = idOf(job.tenant);
  await dependencies.alerts
    .raise({
      tenantId,
      key: `fine-tuning:${job.id}`,
      title: `Fine-tuning job ${job.providerJobId ?? job.id} ${what}`,
      severity: 'warning',
      description: `${description} (phase ${job.phase}, provider status ${job.status ?? 'none'}). No version was deployed.`,
      metric: 'fine_tuning_phase',
      query: `{ fineTuningJob(id: "${job.id}") { phase status error { code message } validationReasons events { message } modelVersion { number status } } }`,
    })
    .catch((error: unknown) =>
      dependencies.logger?.error({ err: error, job: job.id }, 'could not raise the fine-tuning alert'),
    );
}
