import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Tenant, type FineTuningJob, type ModelVersion } from '../../src/db/entities';
import { AppError } from '../../src/errors';
import { fineTuningSettingsFrom } from '../../src/learning/fine-tuning/fine-tuning-settings';
import { setFineTuningSettings } from '../../src/learning/fine-tuning/fine-tuning-settings-service';
import {
  cancelFineTuningJob,
  findFineTuningJob,
  listFineTuningJobs,
  startFineTuningJob,
} from '../../src/learning/fine-tuning/fine-tuning-service';
import { callerOf, type GraphqlContext } from '../common/context';
import { toModelVersion } from './learning.resolver';
import { FineTuningJobType, FineTuningSettingsInput, FineTuningSettingsType } from './fine-tuning.types';

export function toFineTuningJob(row: FineTuningJob): FineTuningJobType {
  const version = row.modelVersion as ModelVersion | null;
  return {
    id: row.id,
    trainingSetId: row.trainingSetId,
    provider: row.provider,
    baseModel: row.baseModel,
    suffix: row.suffix,
    phase: row.phase,
    status: row.status,
    providerJobId: row.providerJobId,
    trainingFileId: row.trainingFileId,
    validationFileId: row.validationFileId,
    events: row.events.map((event) => ({
      id: event.id,
      createdAt: new Date(event.createdAt),
      level: event.level,
      message: event.message,
      type: event.type,
    })),
    error: row.error,
    fineTunedModel: row.fineTunedModel,
    trainedTokens: row.trainedTokens,
    baseVersionNumber: (row.baseVersion as ModelVersion | null)?.number ?? null,
    modelVersion: version ? toModelVersion(version) : null,
    evaluationRunId: row.evaluationRunId,
    validationReasons: row.validationReasons,
    trigger: row.trigger,
    startedBy: row.startedBy,
    lastPollError: row.lastPollError,
    lastPolledAt: row.lastPolledAt,
    submittedAt: row.submittedAt,
    finishedAt: row.finishedAt,
    createdAt: row.createdAt,
  };
}

function fineTuningOf(context: GraphqlContext) {
  const fineTuning = context.services.fineTuning;
  if (!fineTuning)
    throw new AppError('CONFLICT', 'Fine-tuning is not available in this process; use npm run fine-tune');
  return fineTuning;
}

/** Fine-tuning jobs (docs/fine-tuning.md): start, cancel, list, one job with its events and version; settings. */
@Resolver()
export class FineTuningResolver {
  @Authorized('analytics:view')
  @Query(() => [FineTuningJobType], { description: 'Fine-tuning jobs, newest first. Scope: analytics:view.' })
  async fineTuningJobs(
    @Ctx() context: GraphqlContext,
    @Arg('first', () => Int, { nullable: true, description: 'At most this many (default 50, at most 200).' })
    first: number | null,
  ): Promise<FineTuningJobType[]> {
    const limit = Math.min(Math.max(first ?? 50, 1), 200);
    return (await listFineTuningJobs(context.em, callerOf(context).tenantId, limit)).map(toFineTuningJob);
  }

  @Authorized('analytics:view')
  @Query(() => FineTuningJobType, {
    nullable: true,
    description:
      'One job by its id or the provider job id, with events and the version it produced. Scope: analytics:view.',
  })
  async fineTuningJob(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => String, { description: 'parley job id or provider job id (ftjob-…).' }) id: string,
  ): Promise<FineTuningJobType | null> {
    const job = await findFineTuningJob(context.em, callerOf(context).tenantId, id);
    return job ? toFineTuningJob(job) : null;
  }

  @Authorized('analytics:view')
  @Query(() => FineTuningSettingsType, { description: 'The fine-tuning settings in force. Scope: analytics:view.' })
  async fineTuningSettings(@Ctx() context: GraphqlContext): Promise<FineTuningSettingsType> {
    const tenant = await context.em.findOneOrFail(Tenant, { id: callerOf(context).tenantId });
    return fineTuningSettingsFrom(tenant.settings);
  }

  @Authorized('users:manage')
  @Mutation(() => FineTuningSettingsType, {
    description: 'Changes the fine-tuning settings. Audited. Scope: users:manage.',
  })
  async updateFineTuningSettings(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => FineTuningSettingsInput) input: FineTuningSettingsInput,
  ): Promise<FineTuningSettingsType> {
    const caller = callerOf(context);
    return setFineTuningSettings(context.em, { tenantId: caller.tenantId, actor: caller.actor, change: input });
  }

  @Authorized('users:manage')
  @Mutation(() => FineTuningJobType, {
    description:
      'Exports a training set (unless one is named), uploads it to OpenAI and creates the fine-tuning job; the polling job follows it. A provider failure is returned as a submit_failed job with its error. Audited. Scope: users:manage.',
  })
  async startFineTuningJob(
    @Ctx() context: GraphqlContext,
    @Arg('trainingSet', () => String, { nullable: true, description: 'Training set id, number or latest.' })
    trainingSet: string | null,
    @Arg('baseModel', () => String, { nullable: true, description: 'Default: the fineTuning.baseModel setting.' })
    baseModel: string | null,
  ): Promise<FineTuningJobType> {
    const caller = callerOf(context);
    const fineTuning = fineTuningOf(context);
    const job = await startFineTuningJob(
      { em: context.services.orm.em, ...fineTuning, logger: context.services.logger },
      { tenantId: caller.tenantId, actor: caller.actor, trainingSetId: trainingSet, baseModel },
    );
    return toFineTuningJob((await findFineTuningJob(context.em.fork(), caller.tenantId, job.id))!);
  }

  @Authorized('users:manage')
  @Mutation(() => FineTuningJobType, {
    description: 'Cancels a training job at the provider. Audited. Scope: users:manage.',
  })
  async cancelFineTuningJob(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'parley job id.' }) id: string,
    @Arg('reason', () => String, { nullable: true, description: 'Why (kept in the audit log).' }) reason: string | null,
  ): Promise<FineTuningJobType> {
    const caller = callerOf(context);
    const fineTuning = fineTuningOf(context);
    const job = await cancelFineTuningJob(
      { em: context.services.orm.em, clients: fineTuning.clients, logger: context.services.logger },
      { tenantId: caller.tenantId, actor: caller.actor, job: id, reason },
    );
    return toFineTuningJob((await findFineTuningJob(context.em.fork(), caller.tenantId, job.id))!);
  }
}
