import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType('ExperimentArmMetrics', {
  simpleResolvers: true,
  description: 'Live-traffic metrics of one arm over the experiment window.',
})
export class ExperimentArmMetricsType {
  @Field(() => String, { description: 'control or candidate.' })
  arm!: string;

  @Field(() => ID, { description: 'The model version serving this arm.' })
  modelVersionId!: string;

  @Field(() => Int, { description: 'Customers (contacts) served by this arm: the unit of the sample-ratio check.' })
  customers!: number;

  @Field(() => Int, { description: 'Conversations with a reply from this arm.' })
  conversations!: number;

  @Field(() => Int, { description: 'Bot replies from this arm.' })
  interactions!: number;

  @Field(() => Int, { description: 'Replies the customer rated.' })
  rated!: number;

  @Field(() => Float, {
    nullable: true,
    description: '👍 rate: share of rated replies rated 👍 (null without ratings).',
  })
  thumbsUpRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Mean implicit satisfaction (0–1) of replies with implicit signals.',
  })
  implicitSatisfaction!: number | null;

  @Field(() => Float, { nullable: true, description: 'Share of conversations handed to a human.' })
  handoffRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean provider cost (US dollars) per conversation.' })
  costPerConversation!: number | null;

  @Field(() => Float, { nullable: true, description: 'Share of replies followed by a completed action (conversion).' })
  conversionRate!: number | null;

  @Field(() => Float, { nullable: true, description: '95th percentile of reply latency, milliseconds.' })
  latencyP95Ms!: number | null;
}

@ObjectType('ExperimentComparison', {
  simpleResolvers: true,
  description: 'Candidate vs control on one metric: relative difference, intervals and p-values (gbstats semantics).',
})
export class ExperimentComparisonType {
  @Field(() => String, { description: 'thumbs_up_rate, implicit_satisfaction, handoff_rate or cost_per_conversation.' })
  metric!: string;

  @Field(() => Float, { description: 'Control value.' })
  controlValue!: number;

  @Field(() => Float, { description: 'Candidate value.' })
  candidateValue!: number;

  @Field(() => Int, { description: 'Units in the control arm for this metric.' })
  controlUnits!: number;

  @Field(() => Int, { description: 'Units in the candidate arm for this metric.' })
  candidateUnits!: number;

  @Field(() => Float, { description: 'Relative difference (candidate − control)/control; 0.1 = 10 % higher.' })
  relativeChange!: number;

  @Field(() => [Float], {
    description: '95 % confidence interval of the relative difference (fixed horizon: valid when looked at once).',
  })
  ci!: number[];

  @Field(() => Float, { nullable: true, description: 'Two-sided p-value (fixed horizon).' })
  pValue!: number | null;

  @Field(() => [Float], {
    description: 'Always-valid (sequential) 95 % interval: valid however often it is looked at.',
  })
  sequentialCi!: number[];

  @Field(() => Float, { nullable: true, description: 'Always-valid (sequential) p-value.' })
  sequentialPValue!: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why the arms cannot be compared yet (no variance, zero baseline).',
  })
  error!: string | null;
}

@ObjectType('ExperimentGuard', {
  simpleResolvers: true,
  description: 'The verdict of the guard on one guarded metric.',
})
export class ExperimentGuardType {
  @Field(() => String, { description: 'Guarded metric.' })
  metric!: string;

  @Field(() => String, { description: 'insufficient_data, no_harm_detected or worse.' })
  verdict!: string;

  @Field(() => String, { description: 'The evidence in words.' })
  reason!: string;
}

@ObjectType('ExperimentDay', { simpleResolvers: true, description: 'One UTC day of one arm.' })
export class ExperimentDayType {
  @Field(() => String, { description: 'UTC day, YYYY-MM-DD.' })
  day!: string;

  @Field(() => String, { description: 'control or candidate.' })
  arm!: string;

  @Field(() => Int, { description: 'Bot replies.' })
  interactions!: number;

  @Field(() => Float, { nullable: true, description: '👍 rate of rated replies.' })
  thumbsUpRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean implicit satisfaction.' })
  implicitSatisfaction!: number | null;

  @Field(() => Float, { description: 'Provider cost, US dollars.' })
  costUsd!: number;

  @Field(() => Float, { nullable: true, description: 'p95 reply latency, milliseconds.' })
  latencyP95Ms!: number | null;
}

@ObjectType('ExperimentResults', {
  description: 'Metrics per arm, statistics and the sample-ratio check over the experiment window.',
})
export class ExperimentResultsType {
  @Field(() => Date, { nullable: true, description: 'Window start (when the experiment started).' })
  from!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Window end (when it stopped, or now).' })
  to!: Date | null;

  @Field(() => [ExperimentArmMetricsType], { description: 'Control, then candidate.' })
  arms!: ExperimentArmMetricsType[];

  @Field(() => [ExperimentComparisonType], { description: 'Candidate vs control per metric.' })
  comparisons!: ExperimentComparisonType[];

  @Field(() => Float, {
    nullable: true,
    description: 'Chi-squared p-value of the customers per arm against the weights.',
  })
  srmPValue!: number | null;

  @Field(() => Boolean, {
    description: 'Sample-ratio mismatch (p < 0.001): the assignment is broken; do not trust the results.',
  })
  srm!: boolean;

  @Field(() => [ExperimentGuardType], { description: 'The guard on each guarded metric.' })
  guards!: ExperimentGuardType[];

  @Field(() => [ExperimentDayType], { description: 'Per arm and UTC day.' })
  daily!: ExperimentDayType[];
}

@ObjectType('Experiment', {
  description:
    'Control version vs candidate version, customers assigned by a GrowthBook-compatible hash of their contact id.',
})
export class ExperimentType {
  @Field(() => ID, { description: 'Experiment id.' })
  id!: string;

  @Field(() => String, { description: 'Key, unique per tenant.' })
  key!: string;

  @Field(() => String, { description: 'draft, running, stopped or concluded.' })
  status!: string;

  @Field(() => ID, { description: 'The control version.' })
  controlVersionId!: string;

  @Field(() => ID, { description: 'The candidate version.' })
  candidateVersionId!: string;

  @Field(() => Float, { description: 'Share of customers in the experiment (0–1).' })
  coverage!: number;

  @Field(() => [Float], { description: 'Weights of control and candidate.' })
  weights!: number[];

  @Field(() => String, { description: 'Hash seed.' })
  seed!: string;

  @Field(() => [String], { description: 'Metrics the guard watches.' })
  guardedMetrics!: string[];

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it started.' })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it stopped.' })
  stoppedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it stopped (an automatic stop carries the evidence).' })
  stopReason!: string | null;
}

@InputType('CreateExperimentInput', { description: 'A new experiment (draft): start it with startExperiment.' })
export class CreateExperimentInput {
  @Field(() => String, { description: 'Key, unique per tenant (letters, digits, . - _).' })
  key!: string;

  @Field(() => ID, { description: 'The candidate version (evaluated).' })
  candidateVersionId!: string;

  @Field(() => ID, { nullable: true, description: 'The control version; default the active version.' })
  controlVersionId?: string | null;

  @Field(() => Float, { nullable: true, description: 'Share of customers in the experiment, 0–1 (default 0.1).' })
  coverage?: number | null;

  @Field(() => [Float], {
    nullable: true,
    description: 'Weights of control and candidate, summing to 1 (default 0.5, 0.5).',
  })
  weights?: number[] | null;

  @Field(() => String, { nullable: true, description: 'Hash seed; default the key.' })
  seed?: string | null;

  @Field(() => [String], { nullable: true, description: 'Guarded metrics; default all four.' })
  guardedMetrics?: string[] | null;
}

@ObjectType('Rollout', {
  description:
    'A candidate version walked through coverage stages (10 → 50 → 100 % by default) of its experiment, then watched.',
})
export class RolloutType {
  @Field(() => ID, { description: 'Rollout id.' })
  id!: string;

  @Field(() => String, { description: 'running, paused, watching, completed, rolled_back or aborted.' })
  status!: string;

  @Field(() => ID, { description: 'The version being rolled out.' })
  candidateVersionId!: string;

  @Field(() => ID, { description: 'The version active when it started (control; the rollback target).' })
  previousVersionId!: string;

  @Field(() => String, { description: 'Key of the rollout experiment (query it for per-arm results).' })
  experimentKey!: string;

  @Field(() => [Float], { description: 'Coverage of each stage.' })
  stages!: number[];

  @Field(() => Int, { description: 'Current stage, from 0.' })
  stage!: number;

  @Field(() => Float, { description: 'Coverage of the current stage.' })
  coverage!: number;

  @Field(() => Date, { description: 'When the current stage began.' })
  stageStartedAt!: Date;

  @Field(() => Float, { description: 'Minimum hours per stage.' })
  minStageHours!: number;

  @Field(() => Int, { description: 'Minimum customers per arm before a stage advances.' })
  minSamplePerArm!: number;

  @Field(() => Float, { description: 'Hours the new active version is watched after the last stage.' })
  watchHours!: number;

  @Field(() => Date, { nullable: true, description: 'When the candidate became active.' })
  completedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'End of the watch period.' })
  watchUntil!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was rolled back or aborted.' })
  endReason!: string | null;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;
}

@InputType('CreateRolloutInput', { description: 'A rollout of an evaluated version against the active one.' })
export class CreateRolloutInput {
  @Field(() => ID, { description: 'The version to roll out (evaluated).' })
  candidateVersionId!: string;

  @Field(() => [Float], {
    nullable: true,
    description: 'Coverage per stage, rising, ending with 1 (default 0.1, 0.5, 1).',
  })
  stages?: number[] | null;

  @Field(() => Float, { nullable: true, description: 'Minimum hours per stage (default 48).' })
  minStageHours?: number | null;

  @Field(() => Int, { nullable: true, description: 'Minimum customers per arm per stage (default 100).' })
  minSamplePerArm?: number | null;

  @Field(() => Float, { nullable: true, description: 'Watch period after completion, hours (default 48).' })
  watchHours?: number | null;

  @Field(() => [String], { nullable: true, description: 'Guarded metrics; default all four.' })
  guardedMetrics?: string[] | null;
}
