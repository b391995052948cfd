import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../../audit/audit-service';
import {
  DatasetVersion,
  EvaluationDataset,
  EvaluationRun,
  FineTuningJob,
  ModelVersion,
  Tenant,
  type TierModels,
} from '../../db/entities';
import { AppError } from '../../errors';
import type { Logger } from '../../logger';
import type { ModelGateway } from '../../providers/types';
import { GATING_MINIMUM_CASES, resolveDatasetVersion } from '../datasets/dataset-service';
import { evaluateModelVersion } from '../evaluation/evaluator';
import { createDraftModelVersion } from '../model-versions/model-version-service';
import { withLockedTenant } from '../../tenants/locked-tenant';
import { fineTunedCatalogueEntry, fineTuningSettingsFrom } from './fine-tuning-settings';

export const FINE_TUNING_ACTOR: Actor = 'system:fine-tuning';

export interface ValidationDependencies {
  em: EntityManager;
  gateway: ModelGateway;
  logger?: Logger | null;
}

export interface ValidationResult {
  passed: boolean;
  versionNumber: number | null;
  reasons: string[];
}

/**
 * Validation before deployment. The fine-tuned model is added to the tenant's
 * model catalogue (so the router sends its tiers to OpenAI at the fine-tuned
 * price), a draft version is made from the job's base version with the
 * fine-tuned model in the configured tiers, and the draft is evaluated on the
 * tenant's gating dataset against the active version by the evaluator. Only a
 * passing, gating evaluation makes it `evaluated` (deployable); otherwise it
 * stays a draft and the job records why. Safe to run again after a crash: the
 * draft is created once.
 */
export async function validateFineTunedModel(
  dependencies: ValidationDependencies,
  jobId: string,
): Promise<ValidationResult> {
  const em = dependencies.em.fork();
  const job = await em.findOneOrFail(FineTuningJob, { id: jobId });
  const tenantId = typeof job.tenant === 'string' ? job.tenant : job.tenant.id;
  const tenant = await em.findOneOrFail(Tenant, { id: tenantId });
  const settings = fineTuningSettingsFrom(tenant.settings);
  const model = job.fineTunedModel;
  if (!model) return finish(em, job, false, null, ['the provider reported success without a fine_tuned_model']);

  if (!job.modelVersion) {
    await addFineTunedModelToCatalogue(em, { tenantId, model, baseModel: job.baseModel, jobId: job.id });
    const parent = job.baseVersion
      ? await em.findOne(ModelVersion, { id: job.baseVersion.id })
      : await em.findOne(ModelVersion, { tenant: tenantId, status: 'active' });
    const tierModels: TierModels = { ...(parent?.tierModels ?? {}) };
    for (const tier of settings.tiers) tierModels[tier] = model;
    const draft = await createDraftModelVersion(dependencies.em.fork(), {
      tenantId,
      actor: FINE_TUNING_ACTOR,
      parentVersionId: parent?.id ?? null,
      changes: {
        tierModels,
        notes: `Fine-tuned ${job.baseModel} → ${model} (job ${job.providerJobId}, training set ${job.trainingSetId})`,
      },
    });
    job.modelVersion = em.getReference(ModelVersion, draft.id);
    await em.flush();
  }
  const versionId = job.modelVersion!.id;

  const dataset = await gatingDataset(em, tenantId, settings.gatingDataset);
  if (typeof dataset === 'string') return finish(em, job, false, versionId, [dataset]);
  let run: EvaluationRun;
  try {
    run = await evaluateModelVersion(
      { em: dependencies.em, gateway: dependencies.gateway, logger: dependencies.logger ?? undefined },
      { tenantId, actor: FINE_TUNING_ACTOR, version: versionId, dataset: dataset.id },
    );
  } catch (error) {
    // The evaluator refuses this input (an empty dataset version): final. Anything else is retried by the next poll.
    if (!(error instanceof AppError)) throw error;
    return finish(em, job, false, versionId, [`the evaluation on ${dataset.label} could not run: ${error.message}`]);
  }
  job.evaluationRunId = run.id;
  const version = await em.fork().findOneOrFail(ModelVersion, { id: versionId });
  const passed = version.status === 'evaluated';
  const reasons = passed
    ? [`evaluation passed on ${dataset.label}`, ...run.reasons]
    : [`evaluation verdict ${run.verdict ?? run.status} on ${dataset.label}`, ...run.reasons];
  return finish(em, job, passed, versionId, reasons);
}

/**
 * Adds a fine-tuned model to the tenant's model catalogue
 * (`settings.routing.catalogue`), audited; a model already there stays as it
 * is. On the locked tenant row, since this runs from a background job while
 * an operator may be saving other settings.
 */
export async function addFineTunedModelToCatalogue(
  em: EntityManager,
  input: { tenantId: string; model: string; baseModel: string; jobId: string },
): Promise<void> {
  const { tenantId, model } = input;
  await withLockedTenant(em, tenantId, (tx, tenant) => {
    const routing = tenant.settings.routing ?? {};
    const catalogue = (routing.catalogue ?? {}) as Record<string, unknown>;
    if (catalogue[model]) return;
    const entry = fineTunedCatalogueEntry(input.baseModel);
    tenant.settings = { ...tenant.settings, routing: { ...routing, catalogue: { ...catalogue, [model]: entry } } };
    recordAudit(tx, {
      tenantId,
      actor: FINE_TUNING_ACTOR,
      action: 'tenant.settings.catalogue.add',
      targetType: 'Tenant',
      targetId: tenantId,
      after: { model, ...entry, fineTuningJob: input.jobId },
    });
  });
}

async function finish(
  em: EntityManager,
  job: FineTuningJob,
  passed: boolean,
  versionId: string | null,
  reasons: string[],
): Promise<ValidationResult> {
  const tenantId = typeof job.tenant === 'string' ? job.tenant : job.tenant.id;
  job.phase = passed ? 'deployable' : 'validation_failed';
  job.validationReasons = reasons;
  recordAudit(em, {
    tenantId,
    actor: FINE_TUNING_ACTOR,
    action: passed ? 'fine_tuning.validation.pass' : 'fine_tuning.validation.fail',
    targetType: 'FineTuningJob',
    targetId: job.id,
    after: { phase: job.phase, model: job.fineTunedModel, modelVersion: versionId, reasons },
  });
  await em.flush();
  const version = versionId ? await em.findOne(ModelVersion, { id: versionId }) : null;
  return { passed, versionNumber: version?.number ?? null, reasons };
}

/**
 * The dataset version that validates: the tenant setting fineTuning.gatingDataset,
 * else the latest version with the most cases among those big enough to gate
 * (≥ 500). A string says why there is none.
 */
async function gatingDataset(
  em: EntityManager,
  tenantId: string,
  configured: string | null,
): Promise<{ id: string; label: string } | string> {
  if (configured) {
    try {
      const version = await resolveDatasetVersion(em, tenantId, configured);
      return { id: version.id, label: `${version.dataset.name}@${version.number}` };
    } catch (error) {
      return `the gating dataset ${configured} (tenant setting fineTuning.gatingDataset) could not be used: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const datasets = await em.find(EvaluationDataset, { tenant: tenantId });
  let best: DatasetVersion | null = null;
  for (const dataset of datasets) {
    const latest = await em.findOne(DatasetVersion, { tenant: tenantId, dataset, number: dataset.latestVersionNumber });
    if (latest && latest.caseCount >= GATING_MINIMUM_CASES && (!best || latest.caseCount > best.caseCount))
      best = latest;
  }
  if (!best)
    return `no gating dataset: the tenant has no evaluation dataset with at least ${GATING_MINIMUM_CASES} cases (set fineTuning.gatingDataset or import one with npm run datasets)`;
  const name = datasets.find(
    (dataset) => dataset.id === (typeof best.dataset === 'string' ? best.dataset : best.dataset.id),
  )?.name;
  return { id: best.id, label: `${name}@${best.number}` };
}
