import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Experiment } from '../../src/db/entities';
import { notFound } from '../../src/errors';
import type { ArmMetrics } from '../../src/learning/experiments/experiment-metrics';
import { experimentResults } from '../../src/learning/experiments/experiment-metrics';
import {
  createExperiment,
  findExperiment,
  listExperiments,
  startExperiment,
  stopExperiment,
} from '../../src/learning/experiments/experiment-service';
import { callerOf, type GraphqlContext } from '../common/context';
import {
  CreateExperimentInput,
  ExperimentArmMetricsType,
  ExperimentResultsType,
  ExperimentType,
} from './experiments.types';

function id(value: unknown): string {
  return typeof value === 'string' ? value : (value as { id: string }).id;
}

function toExperiment(row: Experiment): ExperimentType {
  return {
    id: row.id,
    key: row.key,
    status: row.status,
    controlVersionId: id(row.controlVersion),
    candidateVersionId: id(row.candidateVersion),
    coverage: row.coverage,
    weights: row.weights,
    seed: row.seed,
    guardedMetrics: row.guardedMetrics,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    stoppedAt: row.stoppedAt,
    stopReason: row.stopReason,
  };
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

function toArm(arm: ArmMetrics): ExperimentArmMetricsType {
  return {
    arm: arm.arm,
    modelVersionId: arm.versionId,
    customers: arm.customers,
    conversations: arm.conversations,
    interactions: arm.interactions,
    rated: arm.rated,
    thumbsUpRate: ratio(arm.thumbsUp, arm.rated),
    implicitSatisfaction: ratio(arm.implicitSum, arm.implicitCount),
    handoffRate: ratio(arm.handedOffConversations, arm.conversations),
    costPerConversation: ratio(arm.costSum, arm.conversations),
    conversionRate: ratio(arm.completedActions, arm.interactions),
    latencyP95Ms: arm.latencyP95Ms,
  };
}

const finite = (values: number[]) => values.map((value) => (Number.isFinite(value) ? value : 0));

@Resolver(() => ExperimentType)
export class ExperimentsResolver {
  @Authorized('analytics:view')
  @Query(() => [ExperimentType], { description: 'Experiments of the tenant, newest first. Scope: analytics:view.' })
  async experiments(@Ctx() context: GraphqlContext): Promise<ExperimentType[]> {
    return (await listExperiments(context.em, callerOf(context).tenantId)).map(toExperiment);
  }

  @Authorized('analytics:view')
  @Query(() => ExperimentType, { description: 'One experiment by id or key. Scope: analytics:view.' })
  async experiment(
    @Ctx() context: GraphqlContext,
    @Arg('reference', () => String, { description: 'Experiment id or key.' }) reference: string,
  ): Promise<ExperimentType> {
    const row = await findExperiment(context.em, callerOf(context).tenantId, reference);
    if (!row) throw notFound('Experiment', reference);
    return toExperiment(row);
  }

  @FieldResolver(() => ExperimentResultsType, {
    description:
      'Metrics per arm, confidence intervals, p-values, the guard and the sample-ratio check (computed now).',
  })
  async results(@Ctx() context: GraphqlContext, @Root() experiment: ExperimentType): Promise<ExperimentResultsType> {
    const row = await findExperiment(context.em, callerOf(context).tenantId, experiment.id);
    if (!row) throw notFound('Experiment', experiment.id);
    const results = await experimentResults(context.em, row, new Date());
    return {
      from: results.window?.from ?? null,
      to: results.window?.to ?? null,
      arms: [toArm(results.arms.control), toArm(results.arms.candidate)],
      comparisons: results.comparisons.map((comparison) => ({
        metric: comparison.metric,
        controlValue: comparison.controlValue,
        candidateValue: comparison.candidateValue,
        controlUnits: comparison.controlUnits,
        candidateUnits: comparison.candidateUnits,
        relativeChange: comparison.fixed.expected,
        ci: finite(comparison.fixed.ci),
        pValue: comparison.fixed.pValue,
        sequentialCi: finite(comparison.sequential.ci),
        sequentialPValue: comparison.sequential.pValue,
        error: comparison.fixed.error,
      })),
      srmPValue: results.srmPValue,
      srm: results.srm,
      guards: results.guards.map((guard) => ({ metric: guard.metric, verdict: guard.verdict, reason: guard.reason })),
      daily: results.daily.map((day) => ({
        day: day.day,
        arm: day.arm,
        interactions: day.interactions,
        thumbsUpRate: ratio(day.thumbsUp, day.rated),
        implicitSatisfaction: day.implicitMean,
        costUsd: day.costUsd,
        latencyP95Ms: day.latencyP95Ms,
      })),
    };
  }

  @Authorized('users:manage')
  @Mutation(() => ExperimentType, {
    description:
      'Creates an experiment (draft) of a candidate version against the active one. Audited. Scope: users:manage.',
  })
  async createExperiment(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => CreateExperimentInput) input: CreateExperimentInput,
  ): Promise<ExperimentType> {
    const caller = callerOf(context);
    return toExperiment(
      await createExperiment(context.em, {
        tenantId: caller.tenantId,
        actor: caller.actor,
        key: input.key,
        candidateVersionId: input.candidateVersionId,
        controlVersionId: input.controlVersionId,
        coverage: input.coverage,
        weights: input.weights ? (input.weights as [number, number]) : null,
        seed: input.seed,
        guardedMetrics: input.guardedMetrics,
      }),
    );
  }

  @Authorized('users:manage')
  @Mutation(() => ExperimentType, {
    description:
      'Starts a draft experiment: its customers get their arm from the next turn on every instance. One runs per tenant: a second is refused (BAD_USER_INPUT). Audited. Scope: users:manage.',
  })
  async startExperiment(
    @Ctx() context: GraphqlContext,
    @Arg('reference', () => String, { description: 'Experiment id or key.' }) reference: string,
  ): Promise<ExperimentType> {
    const caller = callerOf(context);
    return toExperiment(
      await startExperiment(context.em, { tenantId: caller.tenantId, experiment: reference, actor: caller.actor }),
    );
  }

  @Authorized('users:manage')
  @Mutation(() => ExperimentType, {
    description:
      'Stops an experiment: everyone is served by the active version from the next turn. Audited. Scope: users:manage.',
  })
  async stopExperiment(
    @Ctx() context: GraphqlContext,
    @Arg('reference', () => String, { description: 'Experiment id or key.' }) reference: string,
    @Arg('reason', () => String, { description: 'Why (kept in the history).' }) reason: string,
    @Arg('conclude', () => Boolean, {
      nullable: true,
      description: 'Mark it concluded (ran its course) rather than stopped.',
    })
    conclude: boolean | null,
  ): Promise<ExperimentType> {
    const caller = callerOf(context);
    return toExperiment(
      await stopExperiment(context.em, {
        tenantId: caller.tenantId,
        experiment: reference,
        actor: caller.actor,
        reason,
        conclude: conclude ?? false,
      }),
    );
  }
}
