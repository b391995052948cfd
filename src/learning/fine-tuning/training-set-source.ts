import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../audit/audit-service';

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
  /** The set's OpenAI chat fine-tuning JSONL, train and validation. */
  files(em: EntityManager, tenantId: string, trainingSetId: string): Promise<{ train: string; validation: string }>;
  /** When the tenant's newest training set was made; null when it has none. */
  latestCreatedAt(em: EntityManager, tenantId: string): Promise<Date | null>;
}
