import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { OfflineModel, TrainingSet } from '../../src/db/entities';
import { AppError } from '../../src/errors';
import { listOfflineModels } from '../../src/learning/training/offline-trainer';
import { trainOfflineVersion } from '../../src/learning/training/offline-training-flow';
import {
  createTrainingSet,
  listTrainingSets,
  parseTrainingFormat,
  resolveTrainingSet,
  trainingSetFiles,
} from '../../src/learning/training/training-data-service';
import { callerOf, type GraphqlContext } from '../common/context';
import { toModelVersion, toRun } from './learning.resolver';
import {
  OfflineModelType,
  OfflineTrainingResultType,
  TrainingFilesType,
  TrainingSetInput,
  TrainingSetType,
} from './training.types';

function toTrainingSet(row: TrainingSet): TrainingSetType {
  return {
    id: row.id,
    number: row.number,
    modelVersionNumber: row.modelVersion?.number ?? null,
    exampleCount: row.exampleCount,
    trainCount: row.trainCount,
    validationCount: row.validationCount,
    settings: JSON.stringify(row.settings),
    statistics: JSON.stringify(row.statistics),
    warnings: row.warnings,
    createdAt: row.createdAt,
  };
}

function toOfflineModel(row: OfflineModel): OfflineModelType {
  const validation = (row.metrics?.validation ?? null) as { topicAccuracy?: number | null } | null;
  return {
    id: row.id,
    algorithm: row.algorithm,
    exampleCount: row.exampleCount,
    trainingMs: row.trainingMs,
    validationTopicAccuracy: validation?.topicAccuracy ?? null,
    metrics: row.metrics ? JSON.stringify(row.metrics) : null,
    createdAt: row.createdAt,
  };
}

function overrides(input: TrainingSetInput | null) {
  return {
    minQuality: input?.minQuality ?? undefined,
    includeThumbsUp: input?.includeThumbsUp ?? undefined,
    minImplicitSatisfaction: input?.minImplicitSatisfaction ?? undefined,
    maskPersonalData: input?.maskPersonalData ?? undefined,
  };
}

/** Training data exports and the offline trainer (issue 13), scoped to the caller's tenant. */
@Resolver()
export class TrainingResolver {
  @Authorized('analytics:view')
  @Query(() => [TrainingSetType], { description: 'Training sets, newest first. Scope: analytics:view.' })
  async trainingSets(@Ctx() context: GraphqlContext): Promise<TrainingSetType[]> {
    return (await listTrainingSets(context.em, callerOf(context).tenantId)).map(toTrainingSet);
  }

  @Authorized('analytics:view')
  @Query(() => TrainingSetType, { description: 'One training set by id, number or "latest". Scope: analytics:view.' })
  async trainingSet(
    @Ctx() context: GraphqlContext,
    @Arg('reference', () => String, { description: 'Id, number or latest.' }) reference: string,
  ): Promise<TrainingSetType> {
    const set = await resolveTrainingSet(context.em, callerOf(context).tenantId, reference);
    await context.em.populate(set, ['modelVersion']);
    return toTrainingSet(set);
  }

  @Authorized('analytics:view')
  @Query(() => TrainingFilesType, {
    description: 'The JSONL training and validation files of a training set (openai or gemini). Scope: analytics:view.',
  })
  async trainingFiles(
    @Ctx() context: GraphqlContext,
    @Arg('reference', () => String, { description: 'Training set id, number or latest.' }) reference: string,
    @Arg('format', () => String, { description: 'openai or gemini.' }) format: string,
  ): Promise<TrainingFilesType> {
    const chosen = parseTrainingFormat(format);
    const set = await resolveTrainingSet(context.em, callerOf(context).tenantId, reference);
    return { format: chosen, ...(await trainingSetFiles(context.em, callerOf(context).tenantId, set.id, chosen)) };
  }

  @Authorized('analytics:view')
  @Query(() => [OfflineModelType], { description: 'Offline models, newest first. Scope: analytics:view.' })
  async offlineModels(@Ctx() context: GraphqlContext): Promise<OfflineModelType[]> {
    return (await listOfflineModels(context.em, callerOf(context).tenantId)).map(toOfflineModel);
  }

  @Authorized('corrections:write')
  @Mutation(() => TrainingSetType, {
    description:
      'Exports a new training set from approved corrections (quality ≥ settings.training.minQuality, default 4). Refused below 10 examples. Scope: corrections:write.',
  })
  async createTrainingSet(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => TrainingSetInput, { nullable: true }) input: TrainingSetInput | null,
  ): Promise<TrainingSetType> {
    const caller = callerOf(context);
    const set = await createTrainingSet(context.em, {
      tenantId: caller.tenantId,
      actor: caller.actor,
      version: input?.modelVersion ?? null,
      settings: overrides(input),
    });
    await context.em.populate(set, ['modelVersion']);
    return toTrainingSet(set);
  }

  @Authorized('corrections:write')
  @Mutation(() => OfflineTrainingResultType, {
    description:
      'Trains the offline model from a training set (default: a new export), creates a draft version naming it and evaluates it against the active version on the dataset. Scope: corrections:write.',
  })
  async trainOfflineModel(
    @Ctx() context: GraphqlContext,
    @Arg('dataset', () => String, { description: 'Evaluation dataset: name, name@3 or an id.' }) dataset: string,
    @Arg('trainingSet', () => String, { nullable: true, description: 'Training set id, number or latest.' })
    trainingSet: string | null,
    @Arg('input', () => TrainingSetInput, { nullable: true, description: 'Settings of a new export.' })
    input: TrainingSetInput | null,
    @Arg('concurrency', () => Int, { nullable: true, description: 'Cases answered at once (default 4, at most 32).' })
    concurrency: number | null,
  ): Promise<OfflineTrainingResultType> {
    const caller = callerOf(context);
    const gateway = context.services.gateway;
    if (!gateway)
      throw new AppError('CONFLICT', 'This service runs without the provider layer; use npm run training-data');
    const result = await trainOfflineVersion(
      { em: context.services.orm.em, gateway, logger: context.services.logger },
      {
        tenantId: caller.tenantId,
        actor: caller.actor,
        dataset,
        trainingSet,
        settings: overrides(input),
        parentVersion: input?.modelVersion ?? null,
        concurrency: Math.min(Math.max(concurrency ?? 4, 1), 32),
      },
    );
    return {
      trainingSet: toTrainingSet(result.trainingSet),
      offlineModel: toOfflineModel(result.offlineModel),
      version: toModelVersion(result.version),
      evaluation: toRun(result.evaluation),
    };
  }
}
