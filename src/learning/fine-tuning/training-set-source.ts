import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../audit/audit-service';
import { TrainingSet } from '../../db/entities';
import { createTrainingSet, resolveTrainingSet, trainingSetFiles } from '../training/training-data-service';

/**
 * What fine-tuning needs of the training data generator (src/learning/training,
 * issue 13 part 1): a new training set built from the tenant's approved data,
 * its OpenAI chat JSONL split into train and validation, and when the last set
 * was made. Kept as an interface so jobs and tests can pass any source.
 */
export interface TrainingSetSource {
  /** Exports a new training set for `modelVersionId` (its system prompt goes into every example). */
  create(
    em: EntityManager,
    input: { tenantId: string; actor: Actor; modelVersionId: string },
  ): Promise<{ id: string; trainExamples: number; validationExamples: number }>;
  /** A training set's id from its id, number (`3`, `#3`) or `latest`; NOT_FOUND otherwise. */
  resolve(em: EntityManager, tenantId: string, reference: string): Promise<string>;
  /** The set's OpenAI chat fine-tuning JSONL, train and validation. */
  files(em: EntityManager, tenantId: string, trainingSetId: string): Promise<{ train: string; validation: string }>;
  /** When the tenant's newest training set was made; null when it has none. */
  latestCreatedAt(em: EntityManager, tenantId: string): Promise<Date | null>;
}

/** The training data generator of src/learning/training as a TrainingSetSource (OpenAI chat JSONL). */
export const generatedTrainingSets: TrainingSetSource = {
  async create(em, input) {
    const set = await createTrainingSet(em, {
      tenantId: input.tenantId,
      actor: input.actor,
      version: input.modelVersionId,
    });
    return { id: set.id, trainExamples: set.trainCount, validationExamples: set.validationCount };
  },
  async resolve(em, tenantId, reference) {
    return (await resolveTrainingSet(em, tenantId, reference)).id;
  },
  files: (em, tenantId, trainingSetId) => trainingSetFiles(em, tenantId, trainingSetId, 'openai'),
  async latestCreatedAt(em, tenantId) {
    const [latest] = await em.find(
      TrainingSet,
      { tenant: tenantId },
      { orderBy: { number: 'desc' }, limit: 1, fields: ['createdAt'] },
    );
    return latest?.createdAt ?? null;
  },
};
