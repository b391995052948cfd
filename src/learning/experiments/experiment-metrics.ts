import type { EntityManager } from '@mikro-orm/postgresql';
import type { Experiment } from '../../db/entities';
import type { ExperimentArm } from './assignment';
import { compareArms, statisticMean, type ArmStatistic, type TestResult } from './frequentist';
import { evaluateGuard, GUARDED_METRICS, type GuardedMetric, type GuardOptions, type GuardResult } from './guard';
import { hasSampleRatioMismatch, sampleRatioPValue } from './sample-ratio';

/**
 * Metrics per arm of an experiment, computed in SQL over its window (started →
 * stopped, or now): every interaction recorded with the arm and that arm's
 * version. Units: a rated reply for the 👍 rate, a reply with implicit signals
 * for implicit satisfaction, a conversation for handoff rate and cost, a
 * customer (contact) for the sample-ratio check.
 */

export interface ArmMetrics {
  arm: ExperimentArm;
  versionId: string;
  customers: number;
  conversations: number;
  interactions: number;
  rated: number;
  thumbsUp: number;
  implicitCount: number;
  implicitSum: number;
  implicitSumSquares: number;
  handedOffConversations: number;
  costSum: number;
  costSumSquares: number;
  completedActions: number;
  latencyP95Ms: number | null;
}

export interface DailyArmMetrics {
  day: string;
  arm: ExperimentArm;
  interactions: number;
  rated: number;
  thumbsUp: number;
  implicitMean: number | null;
  costUsd: number;
  latencyP95Ms: number | null;
}

export interface ExperimentWindow {
  from: Date;
  to: Date;
}

export function experimentWindow(experiment: Experiment, now: Date): ExperimentWindow | null {
  if (!experiment.startedAt) return null;
  return { from: experiment.startedAt, to: experiment.stoppedAt ?? now };
}

/** Interactions of the window served by one of `sources` (a version and the arm it was recorded with; null: outside any experiment). */
function armRows(sources: ArmSource[]): string {
  const match = sources
    .map(() => '(ai.model_version_id = ? and ai.experiment_variant is not distinct from ?::text)')
    .join(' or ');
  const label = sources
    .map(() => 'when ai.model_version_id = ? and ai.experiment_variant is not distinct from ?::text then ?::text')
    .join(' ');
  return `
  with arm_rows as (
    select ai.id, ai.conversation_id, case ${label} end as arm, ai.cost_usd, ai.latency_ms, ai.created_at,
      f.helpful, f.implicit_satisfaction, coalesce(f.completed_action, false) as completed_action, c.contact_id, c.handed_off_at
    from agent_interaction ai
    join conversation c on c.id = ai.conversation_id
    left join interaction_feedback f on f.interaction_id = ai.id
    where ai.tenant_id = ? and ai.created_at >= ? and ai.created_at < ? and (${match}))`;
}

/** Which interactions make up an arm: those answered by `versionId` and recorded with `variant`. */
export interface ArmSource {
  arm: ExperimentArm;
  versionId: string;
  variant: ExperimentArm | null;
}

function armParams(sources: ArmSource[], tenantId: string, window: ExperimentWindow): unknown[] {
  return [
    ...sources.flatMap((source) => [source.versionId, source.variant, source.arm]),
    tenantId,
    window.from,
    window.to,
    ...sources.flatMap((source) => [source.versionId, source.variant]),
  ];
}

function versionIdOf(version: unknown): string {
  return typeof version === 'string' ? version : (version as { id: string }).id;
}

function tenantIdOf(experiment: Experiment): string {
  return typeof experiment.tenant === 'string' ? experiment.tenant : experiment.tenant.id;
}

export function experimentSources(experiment: Experiment): ArmSource[] {
  return [
    { arm: 'control', versionId: versionIdOf(experiment.controlVersion), variant: 'control' },
    { arm: 'candidate', versionId: versionIdOf(experiment.candidateVersion), variant: 'candidate' },
  ];
}

export async function armMetrics(
  em: EntityManager,
  experiment: Experiment,
  window: ExperimentWindow,
): Promise<Record<ExperimentArm, ArmMetrics>> {
  const sources = experimentSources(experiment);
  const [control, candidate] = await Promise.all(
    sources.map((source) => sourceMetrics(em, tenantIdOf(experiment), source, window)),
  );
  return { control, candidate };
}

/** The metrics of one arm source over a window (the watch period after a rollout compares the new version with the old one's arm this way). */
export async function sourceMetrics(
  em: EntityManager,
  tenantId: string,
  source: ArmSource,
  window: ExperimentWindow,
): Promise<ArmMetrics> {
  const rows = await em.getConnection().execute<Record<string, string | number | null>[]>(
    `${armRows([source])},
    per_arm as (
      select arm, count(*) as interactions, count(distinct contact_id) as customers, count(distinct conversation_id) as conversations,
        count(helpful) as rated, count(*) filter (where helpful) as thumbs_up,
        count(implicit_satisfaction) as implicit_count, coalesce(sum(implicit_satisfaction), 0) as implicit_sum,
        coalesce(sum(implicit_satisfaction * implicit_satisfaction), 0) as implicit_sum_squares,
        count(*) filter (where completed_action) as completed_actions,
        percentile_cont(0.95) within group (order by latency_ms) as latency_p95
      from arm_rows group by arm),
    per_conversation as (
      select arm, conversation_id, sum(cost_usd) as cost, bool_or(handed_off_at is not null and handed_off_at >= ?) as handed_off
      from arm_rows group by arm, conversation_id),
    conversation_totals as (
      select arm, count(*) filter (where handed_off) as handed_off, sum(cost) as cost_sum, sum(cost * cost) as cost_sum_squares
      from per_conversation group by arm)
    select p.*, t.handed_off, t.cost_sum, t.cost_sum_squares from per_arm p join conversation_totals t using (arm)`,
    [...armParams([source], tenantId, window), window.from],
  );
  const empty = (arm: ExperimentArm): ArmMetrics => ({
    arm,
    versionId: source.versionId,
    customers: 0,
    conversations: 0,
    interactions: 0,
    rated: 0,
    thumbsUp: 0,
    implicitCount: 0,
    implicitSum: 0,
    implicitSumSquares: 0,
    handedOffConversations: 0,
    costSum: 0,
    costSumSquares: 0,
    completedActions: 0,
    latencyP95Ms: null,
  });
  const result = empty(source.arm);
  for (const row of rows) {
    Object.assign(result, {
      customers: Number(row.customers),
      conversations: Number(row.conversations),
      interactions: Number(row.interactions),
      rated: Number(row.rated),
      thumbsUp: Number(row.thumbs_up),
      implicitCount: Number(row.implicit_count),
      implicitSum: Number(row.implicit_sum),
      implicitSumSquares: Number(row.implicit_sum_squares),
      handedOffConversations: Number(row.handed_off),
      costSum: Number(row.cost_sum),
      costSumSquares: Number(row.cost_sum_squares),
      completedActions: Number(row.completed_actions),
      latencyP95Ms: row.latency_p95 === null ? null : Number(row.latency_p95),
    });
  }
  return result;
}

export async function dailyArmMetrics(
  em: EntityManager,
  experiment: Experiment,
  window: ExperimentWindow,
): Promise<DailyArmMetrics[]> {
  const rows = await em.getConnection().execute<Record<string, string | number | null>[]>(
    `${armRows(experimentSources(experiment))}
    select to_char(date_trunc('day', created_at at time zone 'UTC'), 'YYYY-MM-DD') as day, arm, count(*) as interactions,
      count(helpful) as rated, count(*) filter (where helpful) as thumbs_up, avg(implicit_satisfaction) as implicit_mean,
      sum(cost_usd) as cost, percentile_cont(0.95) within group (order by latency_ms) as latency_p95
    from arm_rows group by 1, 2 order by 1, 2`,
    armParams(experimentSources(experiment), tenantIdOf(experiment), window),
  );
  return rows.map((row) => ({
    day: String(row.day),
    arm: row.arm as ExperimentArm,
    interactions: Number(row.interactions),
    rated: Number(row.rated),
    thumbsUp: Number(row.thumbs_up),
    implicitMean: row.implicit_mean === null ? null : Number(row.implicit_mean),
    costUsd: Number(row.cost),
    latencyP95Ms: row.latency_p95 === null ? null : Number(row.latency_p95),
  }));
}

/** The sufficient statistics of a guarded metric for one arm. */
export function metricStatistic(metric: GuardedMetric, arm: ArmMetrics): ArmStatistic {
  switch (metric) {
    case 'thumbs_up_rate':
      return { kind: 'proportion', n: arm.rated, sum: arm.thumbsUp };
    case 'implicit_satisfaction':
      return { kind: 'mean', n: arm.implicitCount, sum: arm.implicitSum, sumSquares: arm.implicitSumSquares };
    case 'handoff_rate':
      return { kind: 'proportion', n: arm.conversations, sum: arm.handedOffConversations };
    case 'cost_per_conversation':
      return { kind: 'mean', n: arm.conversations, sum: arm.costSum, sumSquares: arm.costSumSquares };
  }
}

export interface MetricComparison {
  metric: GuardedMetric;
  controlValue: number;
  candidateValue: number;
  controlUnits: number;
  candidateUnits: number;
  /** Fixed-horizon two-sided test of the relative difference (valid when looked at once). */
  fixed: TestResult;
  /** Always-valid sequential test (valid however often it is looked at). */
  sequential: TestResult;
}

export interface ExperimentResults {
  window: ExperimentWindow | null;
  arms: Record<ExperimentArm, ArmMetrics>;
  comparisons: MetricComparison[];
  srmPValue: number | null;
  srm: boolean;
  guards: GuardResult[];
  daily: DailyArmMetrics[];
}

export async function experimentResults(
  em: EntityManager,
  experiment: Experiment,
  now: Date,
  guardOptions: GuardOptions = {},
  includeDaily = true,
): Promise<ExperimentResults> {
  const window = experimentWindow(experiment, now);
  const arms = window
    ? await armMetrics(em, experiment, window)
    : await armMetrics(em, experiment, { from: now, to: now });
  const comparisons = GUARDED_METRICS.map((metric): MetricComparison => {
    const control = metricStatistic(metric, arms.control);
    const candidate = metricStatistic(metric, arms.candidate);
    return {
      metric,
      controlValue: statisticMean(control),
      candidateValue: statisticMean(candidate),
      controlUnits: control.n,
      candidateUnits: candidate.n,
      fixed: compareArms(control, candidate, { kind: 'two-sided' }),
      sequential: compareArms(control, candidate, {
        kind: 'sequential-two-sided',
        sequentialTuning: guardOptions.sequentialTuning ?? 5000,
      }),
    };
  });
  const units = [arms.control.customers, arms.candidate.customers];
  const srmPValue = units[0] + units[1] > 0 ? sampleRatioPValue(units, experiment.weights) : null;
  const guards = (experiment.guardedMetrics as GuardedMetric[]).map((metric) =>
    evaluateGuard(metric, metricStatistic(metric, arms.control), metricStatistic(metric, arms.candidate), guardOptions),
  );
  return {
    window,
    arms,
    comparisons,
    srmPValue,
    srm: units[0] + units[1] > 0 ? hasSampleRatioMismatch(units, experiment.weights) : false,
    guards,
    daily: window && includeDaily ? await dailyArmMetrics(em, experiment, window) : [],
  };
}
