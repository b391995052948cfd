import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../audit/audit-service';
import {
  EvaluationRun,
  ModelVersion,
  type OfflineModel,
  type TrainingSet,
  type TrainingSetSettings,
} from '../../db/entities';
import { evaluateModelVersion, type EvaluatorDependencies } from '../evaluation/evaluator';
import { createDraftModelVersion } from '../model-versions/model-version-service';
import { trainOfflineModel } from './offline-trainer';
import { createTrainingSet, resolveTrainingSet } from './training-data-service';

export interface OfflineTrainingInput {
  tenantId: string;
  actor: Actor;
  /** The evaluation dataset (`name`, `name@2`, an id) the draft is evaluated on against the active version. */
  dataset: string;
  /** An existing training set (id, number, `latest`); default: export a new one now. */
  trainingSet?: string | null;
  /** Settings for a new training set (over the tenant's `settings.training`). */
  settings?: Partial<TrainingSetSettings>;
  /** The parent of the draft (default the active version); its system prompt goes into a new training set. */
  parentVersion?: string | null;
  concurrency?: number;
  onProgress?: (done: number, total: number, label: string) => void;
}

export interface OfflineTrainingResult {
  trainingSet: TrainingSet;
  offlineModel: OfflineModel;
  version: ModelVersion;
  evaluation: EvaluationRun;
}

/**
 * The offline loop of LEARNING.md in one call: training data export (or an
 * existing set) → offline training → a draft model version naming the
 * trained model → evaluation against the active version on `dataset`. A
 * passing evaluation on a gating dataset (≥ 500 cases) makes the draft
 * `evaluated` (the evaluator's rule); a failing one leaves it a draft with the reasons on the run.
 */
export async function trainOfflineVersion(
  dependencies: EvaluatorDependencies,
  input: OfflineTrainingInput,
): Promise<OfflineTrainingResult> {
  const em: EntityManager = dependencies.em.fork();
  const trainingSet = input.trainingSet
    ? await resolveTrainingSet(em, input.tenantId, input.trainingSet)
    : await createTrainingSet(em, {
        tenantId: input.tenantId,
        actor: input.actor,
        version: input.parentVersion,
        settings: input.settings,
      });
  const offlineModel = await trainOfflineModel(em, {
    tenantId: input.tenantId,
    actor: input.actor,
    trainingSet: trainingSet.id,
  });
  const draft = await createDraftModelVersion(em, {
    tenantId: input.tenantId,
    actor: input.actor,
    parentVersionId: input.parentVersion ?? null,
    changes: {
      offlineModelArtifactId: offlineModel.id,
      notes: `Offline model ${offlineModel.id} trained on training set #${trainingSet.number} (${trainingSet.exampleCount} examples)`,
    },
  });
  const evaluation = await evaluateModelVersion(dependencies, {
    tenantId: input.tenantId,
    actor: input.actor,
    version: draft.id,
    dataset: input.dataset,
    concurrency: input.concurrency,
    onProgress: input.onProgress,
  });
  const reread = dependencies.em.fork();
  const version = await reread.findOneOrFail(ModelVersion, { id: draft.id }, { populate: ['parentVersion'] });
  const run = await reread.findOneOrFail(
    EvaluationRun,
    { id: evaluation.id },
    { populate: ['modelVersion', 'datasetVersion', 'datasetVersion.dataset', 'baselineRun'] },
  );
  return { trainingSet, offlineModel, version, evaluation: run };
}
