import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('ModelVersion', {
  simpleResolvers: true,
  description: 'A deployable answer configuration of the tenant: models per tier, system prompt, retrieval settings.',
})
export class ModelVersionType {
  @Field(() => ID, { description: 'Model version id.' })
  id!: string;

  @Field(() => Int, { description: 'Number, 1, 2, 3… per tenant.' })
  number!: number;

  @Field(() => String, { description: 'draft, evaluated, rolling_out, active, retired or rolled_back.' })
  status!: string;

  @Field(() => String, {
    description:
      'Model per routing tier as JSON, e.g. {"cheap":"gpt-4o-mini"}; missing tiers follow the tenant routing settings.',
  })
  tierModels!: string;

  @Field(() => String, {
    nullable: true,
    description: 'System prompt; null follows the tenant settings (or the built-in default).',
  })
  systemPrompt!: string | null;

  @Field(() => Int, { description: 'Approved answers retrieved into each prompt.' })
  retrievalK!: number;

  @Field(() => Float, { description: 'Similarity floor (0–1) for retrieved answers.' })
  retrievalMinScore!: number;

  @Field(() => String, { nullable: true, description: 'The trained offline model artifact, when there is one.' })
  offlineModelArtifactId!: string | null;

  @Field(() => Int, { nullable: true, description: 'Number of the version this one was drafted from.' })
  parentVersionNumber!: number | null;

  @Field(() => String, { description: 'Free-form notes.' })
  notes!: string;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it passed an evaluation (or was marked evaluated).' })
  evaluatedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was last activated.' })
  activatedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was retired.' })
  retiredAt!: Date | null;
}

@ObjectType('DeploymentEvent', { simpleResolvers: true, description: 'One state change of a model version.' })
export class DeploymentEventType {
  @Field(() => ID, { description: 'Event id.' })
  id!: string;

  @Field(() => ID, { description: 'The model version.' })
  modelVersionId!: string;

  @Field(() => Int, { description: 'The model version number.' })
  modelVersionNumber!: number;

  @Field(() => String, { description: 'created, evaluated, activated, deactivated, rolled_back or retired.' })
  action!: string;

  @Field(() => String, { nullable: true, description: 'Status before.' })
  fromStatus!: string | null;

  @Field(() => String, { description: 'Status after.' })
  toStatus!: string;

  @Field(() => String, { description: 'Who: apikey:<id>, system:<job>, …' })
  actor!: string;

  @Field(() => String, { nullable: true, description: 'Why, when given.' })
  reason!: string | null;

  @Field(() => Date, { description: 'When.' })
  createdAt!: Date;
}

@ObjectType('EvaluationDataset', {
  simpleResolvers: true,
  description: 'A named set of evaluation cases with immutable versions.',
})
export class EvaluationDatasetType {
  @Field(() => ID, { description: 'Dataset id.' })
  id!: string;

  @Field(() => String, { description: 'Name, unique per tenant; `name@3` names version 3.' })
  name!: string;

  @Field(() => String, { description: 'Description.' })
  description!: string;

  @Field(() => Int, { description: 'Number of the latest version.' })
  latestVersionNumber!: number;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;
}

@ObjectType('DatasetVersion', { simpleResolvers: true, description: 'An immutable snapshot of a dataset.' })
export class DatasetVersionType {
  @Field(() => ID, { description: 'Dataset version id.' })
  id!: string;

  @Field(() => ID, { description: 'The dataset.' })
  datasetId!: string;

  @Field(() => Int, { description: 'Version number within the dataset.' })
  number!: number;

  @Field(() => Int, { description: 'Cases in this version.' })
  caseCount!: number;

  @Field(() => Boolean, { description: 'True when it has enough cases (≥ 500) to gate a deployment.' })
  gating!: boolean;

  @Field(() => String, { description: 'What changed from the previous version.' })
  change!: string;

  @Field(() => String, { description: 'Who made it.' })
  createdBy!: string;

  @Field(() => Date, { description: 'When.' })
  createdAt!: Date;
}

@ObjectType('EvaluationCase', {
  simpleResolvers: true,
  description: 'One evaluation case: context, customer message, expected reply.',
})
export class EvaluationCaseType {
  @Field(() => ID, { description: 'Case id.' })
  id!: string;

  @Field(() => String, { description: 'Earlier conversation as JSON ([{role, text}]).' })
  context!: string;

  @Field(() => String, { description: 'The customer message.' })
  input!: string;

  @Field(() => String, { description: 'The reply expected.' })
  expectedReply!: string;

  @Field(() => String, { nullable: true, description: 'The topic expected (e.g. an intent).' })
  expectedTopic!: string | null;

  @Field(() => Boolean, { description: 'Whether a human should take over.' })
  expectHandoff!: boolean;

  @Field(() => String, { description: 'manual, correction or import.' })
  source!: string;

  @Field(() => String, { nullable: true, description: 'The correction id, or file:row of an import.' })
  sourceRef!: string | null;

  @Field(() => String, { nullable: true, description: 'Provenance as JSON (who approved, when, the file…).' })
  provenance!: string | null;
}

@ObjectType('EvaluationMetrics', {
  simpleResolvers: true,
  description: 'Offline metrics of one run. Rates are fractions 0–1; BLEU is 0–100.',
})
export class EvaluationMetricsType {
  @Field(() => Int, { description: 'Cases answered.' })
  cases!: number;

  @Field(() => Float, { description: 'Corpus BLEU (sacreBLEU defaults: 13a, exp smoothing).' })
  bleu!: number;

  @Field(() => Float, { description: 'Mean ROUGE-1 F-measure (rouge-score semantics).' })
  rouge1!: number;

  @Field(() => Float, { description: 'Mean ROUGE-2 F-measure.' })
  rouge2!: number;

  @Field(() => Float, { description: 'Mean ROUGE-L F-measure.' })
  rougeL!: number;

  @Field(() => Float, { description: 'Share of normalised exact matches.' })
  exactMatch!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Share of cases with a topic answered from an article of that topic (handoffs count as misses).',
  })
  topicAccuracy!: number | null;

  @Field(() => Float, { description: 'Share of cases handed off.' })
  handoffRate!: number;

  @Field(() => Float, { description: 'Share of cases handed off exactly when expected.' })
  handoffAgreement!: number;

  @Field(() => Float, { description: 'Mean cost per case, US dollars.' })
  costPerCaseUsd!: number;

  @Field(() => Float, { description: 'Latency p50, milliseconds.' })
  latencyP50Ms!: number;

  @Field(() => Float, { description: 'Latency p95, milliseconds.' })
  latencyP95Ms!: number;
}

@ObjectType('MetricComparison', {
  simpleResolvers: true,
  description: 'One metric of a candidate against the baseline.',
})
export class MetricComparisonType {
  @Field(() => String, { description: 'Metric name.' })
  metric!: string;

  @Field(() => Float, { nullable: true, description: 'Candidate value.' })
  candidate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Baseline value.' })
  baseline!: number | null;

  @Field(() => Float, { nullable: true, description: 'Relative change (fraction), or points for the handoff rate.' })
  change!: number | null;

  @Field(() => String, { description: 'The limit applied.' })
  limit!: string;

  @Field(() => Boolean, { description: 'Within the limit.' })
  ok!: boolean;
}

@ObjectType('EvaluationRun', {
  simpleResolvers: true,
  description: 'One model version over one dataset version, with its verdict.',
})
export class EvaluationRunType {
  @Field(() => ID, { description: 'Run id.' })
  id!: string;

  @Field(() => String, { description: 'running, completed or failed.' })
  status!: string;

  @Field(() => Int, { description: 'Model version number evaluated.' })
  modelVersionNumber!: number;

  @Field(() => String, { description: 'Dataset version as name@number.' })
  datasetVersion!: string;

  @Field(() => Int, { description: 'Cases in the dataset version.' })
  caseCount!: number;

  @Field(() => Int, { description: 'Cases answered so far.' })
  completedCases!: number;

  @Field(() => String, { nullable: true, description: 'pass or fail (null while running).' })
  verdict!: string | null;

  @Field(() => [String], { description: 'Why.' })
  reasons!: string[];

  @Field(() => Boolean, { description: 'The dataset version was big enough (≥ 500 cases) to gate a deployment.' })
  gating!: boolean;

  @Field(() => EvaluationMetricsType, { nullable: true, description: 'Metrics, once completed.' })
  metrics!: EvaluationMetricsType | null;

  @Field(() => ID, {
    nullable: true,
    description: 'The baseline run (the active version on the same dataset version).',
  })
  baselineRunId!: string | null;

  @Field(() => String, { nullable: true, description: 'The error, when failed.' })
  error!: string | null;

  @Field(() => Date, { description: 'Started.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Finished.' })
  finishedAt!: Date | null;
}

@ObjectType('EvaluationReport', {
  simpleResolvers: true,
  description: 'A run with its baseline comparison, and the report rendered in the format asked for.',
})
export class EvaluationReportType {
  @Field(() => EvaluationRunType, { description: 'The run.' })
  run!: EvaluationRunType;

  @Field(() => EvaluationMetricsType, { nullable: true, description: "The baseline run's metrics." })
  baselineMetrics!: EvaluationMetricsType | null;

  @Field(() => [MetricComparisonType], { description: 'Each gated metric against the baseline.' })
  comparisons!: MetricComparisonType[];

  @Field(() => String, { description: 'The report as JSON, CSV or Markdown (the format argument).' })
  rendered!: string;
}

@ObjectType('VersionBusinessMetrics', {
  simpleResolvers: true,
  description: 'Live-traffic metrics of one model version over a time range.',
})
export class VersionBusinessMetricsType {
  @Field(() => ID, { description: 'Model version id.' })
  modelVersionId!: string;

  @Field(() => Int, { description: 'Model version number.' })
  modelVersionNumber!: number;

  @Field(() => Int, { description: 'Bot turns answered by this version.' })
  interactions!: number;

  @Field(() => Int, { description: 'Turns with a 👍/👎 vote.' })
  votes!: number;

  @Field(() => Float, { nullable: true, description: 'Share of 👍 among votes.' })
  thumbsUpRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean implicit satisfaction (0–1) where known.' })
  implicitSatisfaction!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Share of turns that handed the conversation off, or after which the customer asked for a human.',
  })
  handoffRate!: number | null;
}
