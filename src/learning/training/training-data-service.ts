import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../../audit/audit-service';
import { ModelVersion, Tenant, TrainingSet, type TenantSettings, type TrainingSetSettings } from '../../db/entities';
import { DEFAULT_SYSTEM_PROMPT } from '../../engine/prompt';
import { AppError, badInput, notFound } from '../../errors';
import { isUuid } from '../../ids';
import { activeModelVersion, resolveModelVersion } from '../model-versions/model-version-service';
import { answerSettings } from '../model-versions/version-settings';
import { selectTrainingExamples } from './training-examples';
import { renderJsonl, TRAINING_FORMATS, type TrainingFormat } from './training-format';
import { trainingStatistics } from './training-statistics';

/** OpenAI refuses a training file with fewer examples; it recommends 50–100 to see an improvement. */
export const OPENAI_MINIMUM_EXAMPLES = 10;
export const RECOMMENDED_EXAMPLES = 50;

export const DEFAULT_TRAINING_SETTINGS: TrainingSetSettings = {
  minQuality: 4,
  includeThumbsUp: false,
  minImplicitSatisfaction: 0.8,
  maskPersonalData: true,
};

/**
 * The tenant's `settings.training` over the defaults, then `overrides`; a bad value is refused, naming it.
 * Tenant settings: `training.minQuality` (0–5), `training.includeThumbsUp`,
 * `training.minImplicitSatisfaction` (0–1), `training.maskPersonalData`.
 */
export function trainingSettings(
  tenantSettings: TenantSettings,
  overrides: Partial<TrainingSetSettings> = {},
): TrainingSetSettings {
  const stored = (tenantSettings.training ?? {}) as Partial<TrainingSetSettings>;
  const merged = { ...DEFAULT_TRAINING_SETTINGS, ...stored, ...stripUndefined(overrides) };
  if (typeof merged.minQuality !== 'number' || merged.minQuality < 0 || merged.minQuality > 5)
    throw badInput(`training.minQuality must be a number from 0 to 5 (got ${String(merged.minQuality)})`);
  if (
    typeof merged.minImplicitSatisfaction !== 'number' ||
    merged.minImplicitSatisfaction < 0 ||
    merged.minImplicitSatisfaction > 1
  )
    throw badInput(
      `training.minImplicitSatisfaction must be a number from 0 to 1 (got ${String(merged.minImplicitSatisfaction)})`,
    );
  if (typeof merged.includeThumbsUp !== 'boolean') throw badInput('training.includeThumbsUp must be true or false');
  if (typeof merged.maskPersonalData !== 'boolean') throw badInput('training.maskPersonalData must be true or false');
  return merged;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

export interface CreateTrainingSetInput {
  tenantId: string;
  actor: Actor;
  /** The version being trained (its system prompt goes into every example); default the active version. */
  version?: string | null;
  settings?: Partial<TrainingSetSettings>;
}

/**
 * Builds and stores the next TrainingSet of a tenant (see selectTrainingExamples).
 * Refused (nothing stored) when the training split has fewer than OpenAI's
 * minimum of 10 examples; a warning is kept when it has fewer than 50.
 */
export async function createTrainingSet(em: EntityManager, input: CreateTrainingSetInput): Promise<TrainingSet> {
  const tenant = await em.findOne(Tenant, { id: input.tenantId });
  if (!tenant) throw notFound('Tenant', input.tenantId);
  const settings = trainingSettings(tenant.settings, input.settings);
  const version = input.version
    ? await resolveModelVersion(em, input.tenantId, input.version)
    : await activeModelVersion(em, input.tenantId);
  const systemPrompt = answerSettings(tenant.settings, version, DEFAULT_SYSTEM_PROMPT).systemPrompt;
  const selected = await selectTrainingExamples(em, input.tenantId, settings, systemPrompt);
  const statistics = trainingStatistics(selected.examples, selected.filteredOut, selected.maskedValues);
  if (statistics.train < OPENAI_MINIMUM_EXAMPLES)
    throw new AppError(
      'BAD_USER_INPUT',
      `Too little training data: ${statistics.train} training examples (of ${statistics.examples}) after filtering; ` +
        `OpenAI needs at least ${OPENAI_MINIMUM_EXAMPLES}. Approve more corrections with quality ≥ ${settings.minQuality}.`,
      { examples: statistics.examples, train: statistics.train, filteredOut: statistics.filteredOut },
    );
  const warnings: string[] = [];
  if (statistics.train < RECOMMENDED_EXAMPLES)
    warnings.push(
      `Only ${statistics.train} training examples: OpenAI recommends at least ${RECOMMENDED_EXAMPLES}–100 for a clear improvement.`,
    );
  if (statistics.validation === 0) warnings.push('No validation examples: the validation file is empty.');

  return em.transactional(async (tx) => {
    await tx.execute(`select pg_advisory_xact_lock(hashtext('training_set:' || ?))`, [input.tenantId]);
    const [latest] = await tx.find(TrainingSet, { tenant: input.tenantId }, { orderBy: { number: 'desc' }, limit: 1 });
    const set = tx.create(TrainingSet, {
      tenant: input.tenantId,
      number: (latest?.number ?? 0) + 1,
      modelVersion: tx.getReference(ModelVersion, version.id),
      settings,
      examples: selected.examples,
      exampleCount: statistics.examples,
      trainCount: statistics.train,
      validationCount: statistics.validation,
      statistics,
      warnings,
      createdBy: input.actor,
    });
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'training_set.create',
      targetType: 'TrainingSet',
      targetId: set.id,
      after: { number: set.number, modelVersion: version.number, settings, examples: statistics.examples, warnings },
    });
    await tx.flush();
    return set;
  });
}

export async function listTrainingSets(em: EntityManager, tenantId: string): Promise<TrainingSet[]> {
  return em.find(
    TrainingSet,
    { tenant: tenantId },
    { orderBy: { number: 'desc' }, exclude: ['examples'] as never[], populate: ['modelVersion'] },
  );
}

/** A training set by id or number (`3`, `#3`), or `latest`; NOT_FOUND for another tenant's. */
export async function resolveTrainingSet(em: EntityManager, tenantId: string, reference: string): Promise<TrainingSet> {
  const trimmed = reference.trim();
  const number = /^#?(\d+)$/.exec(trimmed);
  const found =
    trimmed === 'latest'
      ? (await em.find(TrainingSet, { tenant: tenantId }, { orderBy: { number: 'desc' }, limit: 1 }))[0]
      : number
        ? await em.findOne(TrainingSet, { tenant: tenantId, number: Number(number[1]) })
        : isUuid(trimmed)
          ? await em.findOne(TrainingSet, { tenant: tenantId, id: trimmed })
          : null;
  if (!found) throw notFound('Training set', reference);
  return found;
}

export function parseTrainingFormat(value: string): TrainingFormat {
  if (!(TRAINING_FORMATS as readonly string[]).includes(value))
    throw badInput(`format must be one of ${TRAINING_FORMATS.join(', ')} (got ${value})`);
  return value as TrainingFormat;
}

/**
 * The training and validation files of a training set in `format` (JSONL,
 * newline-terminated lines). `validation` is '' when the set has no validation
 * examples (upload it only when non-empty). Scoped to the tenant.
 */
export async function trainingSetFiles(
  em: EntityManager,
  tenantId: string,
  trainingSetId: string,
  format: TrainingFormat,
): Promise<{ train: string; validation: string }> {
  const set = await resolveTrainingSet(em, tenantId, trainingSetId);
  parseTrainingFormat(format);
  return {
    train: renderJsonl(
      set.examples.filter((example) => example.split === 'train'),
      format,
    ),
    validation: renderJsonl(
      set.examples.filter((example) => example.split === 'validation'),
      format,
    ),
  };
}
