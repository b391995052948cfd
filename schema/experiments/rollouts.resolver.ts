import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Experiment, Rollout } from '../../src/db/entities';
import { notFound } from '../../src/errors';
import {
  abortRollout,
  advanceRollout,
  createRollout,
  findRollout,
  listRollouts,
  pauseRollout,
  resumeRollout,
} from '../../src/learning/experiments/rollout-service';
import { callerOf, type GraphqlContext } from '../common/context';
import { CreateRolloutInput, RolloutType } from './experiments.types';

function id(value: unknown): string {
  return typeof value === 'string' ? value : (value as { id: string }).id;
}

export function toRollout(row: Rollout): RolloutType {
  return {
    id: row.id,
    status: row.status,
    candidateVersionId: id(row.candidateVersion),
    previousVersionId: id(row.previousVersion),
    experimentKey: (row.experiment as Experiment).key,
    stages: row.stages,
    stage: row.stageIndex,
    coverage: row.stages[row.stageIndex],
    stageStartedAt: row.stageStartedAt,
    minStageHours: row.minStageHours,
    minSamplePerArm: row.minSamplePerArm,
    watchHours: row.watchHours,
    completedAt: row.completedAt,
    watchUntil: row.watchUntil,
    endReason: row.endReason,
    createdAt: row.createdAt,
  };
}

const idArg = { description: 'Rollout id.' };
const reasonArg = { description: 'Why (kept in the history).' };

@Resolver(() => RolloutType)
export class RolloutsResolver {
  @Authorized('analytics:view')
  @Query(() => [RolloutType], { description: 'Rollouts of the tenant, newest first. Scope: analytics:view.' })
  async rollouts(@Ctx() context: GraphqlContext): Promise<RolloutType[]> {
    return (await listRollouts(context.em, callerOf(context).tenantId)).map(toRollout);
  }

  @Authorized('users:manage')
  @Mutation(() => RolloutType, {
    description:
      'Starts rolling a version out at the first stage; the rollout job advances it through its gates. Audited. Scope: users:manage.',
  })
  async createRollout(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => CreateRolloutInput) input: CreateRolloutInput,
  ): Promise<RolloutType> {
    const caller = callerOf(context);
    const rollout = await createRollout(context.em, { tenantId: caller.tenantId, actor: caller.actor, ...input });
    return toRollout((await findRollout(context.em.fork(), caller.tenantId, rollout.id))!);
  }

  @Authorized('users:manage')
  @Mutation(() => RolloutType, {
    description: 'Holds the rollout at its stage (the guard keeps watching). Audited. Scope: users:manage.',
  })
  async pauseRollout(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, idArg) rolloutId: string,
    @Arg('reason', () => String, { ...reasonArg, nullable: true }) reason: string | null,
  ): Promise<RolloutType> {
    const caller = callerOf(context);
    await pauseRollout(context.em, { tenantId: caller.tenantId, rolloutId, actor: caller.actor, reason });
    return this.reload(context, rolloutId);
  }

  @Authorized('users:manage')
  @Mutation(() => RolloutType, { description: 'Lets a paused rollout advance again. Audited. Scope: users:manage.' })
  async resumeRollout(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, idArg) rolloutId: string,
    @Arg('reason', () => String, { ...reasonArg, nullable: true }) reason: string | null,
  ): Promise<RolloutType> {
    const caller = callerOf(context);
    await resumeRollout(context.em, { tenantId: caller.tenantId, rolloutId, actor: caller.actor, reason });
    return this.reload(context, rolloutId);
  }

  @Authorized('users:manage')
  @Mutation(() => RolloutType, {
    description:
      'Moves to the next stage now, skipping the time and sample gates (at the last stage: activates the candidate). Audited. Scope: users:manage.',
  })
  async advanceRollout(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, idArg) rolloutId: string,
    @Arg('reason', () => String, reasonArg) reason: string,
  ): Promise<RolloutType> {
    const caller = callerOf(context);
    return toRollout(
      await advanceRollout(context.em, { tenantId: caller.tenantId, rolloutId, actor: caller.actor, reason }),
    );
  }

  @Authorized('users:manage')
  @Mutation(() => RolloutType, {
    description:
      'Ends the rollout: everyone back on the previous version (rolled back if the candidate was already active). Audited. Scope: users:manage.',
  })
  async abortRollout(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, idArg) rolloutId: string,
    @Arg('reason', () => String, reasonArg) reason: string,
  ): Promise<RolloutType> {
    const caller = callerOf(context);
    return toRollout(
      await abortRollout(context.em, { tenantId: caller.tenantId, rolloutId, actor: caller.actor, reason }),
    );
  }

  private async reload(context: GraphqlContext, rolloutId: string): Promise<RolloutType> {
    const row = await findRollout(context.em.fork(), callerOf(context).tenantId, rolloutId);
    if (!row) throw notFound('Rollout', rolloutId);
    return toRollout(row);
  }
}
