import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum ComparisonDimensionEnum {
  VERSION = 'version',
  MODEL = 'model',
}
registerEnumType(ComparisonDimensionEnum, {
  name: 'ComparisonDimension',
  description: 'What the arms of a model comparison are.',
  valuesConfig: {
    VERSION: { description: "Model versions (agent_interaction.model_version_id; 'unversioned' without one)." },
    MODEL: { description: 'Provider models (provider/model).' },
  },
});

@ObjectType('ComparisonArm', {
  simpleResolvers: true,
  description: 'One model version or provider model over the bot replies it sent in the range.',
})
export class ComparisonArmType {
  @Field(() => String, { description: "Model version id ('unversioned') or provider/model." })
  key!: string;

  @Field(() => Int, { description: 'Bot replies it sent.' })
  replies!: number;

  @Field(() => Int, { description: 'Conversations with at least one of its replies.' })
  conversations!: number;

  @Field(() => Int, { description: 'Its replies with a 👍/👎.' })
  votes!: number;

  @Field(() => Float, { nullable: true, description: 'Positive-feedback rate = 👍 / votes over its replies.' })
  positiveFeedbackRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Response quality score 1–5 = 1 + 4 × mean reply score (👍 1, 👎 0, else implicit satisfaction).',
  })
  qualityScore!: number | null;

  @Field(() => Int, { description: 'Replies with a score (a vote or an implicit satisfaction).' })
  scoredReplies!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Handoff rate = its conversations handed to a human / its conversations.',
  })
  handoffRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Cost per reply = Σ cost of its replies / replies, USD.' })
  costPerReplyUsd!: number | null;

  @Field(() => Float, { description: 'Σ cost of its replies, USD.' })
  costUsd!: number;

  @Field(() => Float, { nullable: true, description: 'Mean reply latency, milliseconds.' })
  averageResponseMs!: number | null;

  @Field(() => Float, { nullable: true, description: '95th percentile (continuous) of reply latency, milliseconds.' })
  p95ResponseMs!: number | null;

  @Field(() => Boolean, {
    description:
      'On the cost/quality efficient frontier: no other arm has a quality score ≥ and a cost per reply ≤ with one of them strictly better.',
  })
  onFrontier!: boolean;
}

@ObjectType('ArmDifference', {
  simpleResolvers: true,
  description:
    "One metric of an arm against the baseline: relative difference (arm − baseline) / |baseline| with Welch's two-sided t-test at 5 % (GrowthBook's frequentist engine, src/learning/experiments/frequentist.ts).",
})
export class ArmDifferenceType {
  @Field(() => String, { description: 'The arm.' })
  key!: string;

  @Field(() => String, {
    description: 'positiveFeedbackRate, qualityScore, costPerReplyUsd, averageResponseMs or handoffRate.',
  })
  metric!: string;

  @Field(() => Float, { description: 'Relative difference = (arm − baseline) / |baseline| (−0.1 = 10 % lower).' })
  relativeDifference!: number;

  @Field(() => Float, { description: 'Lower end of the 95 % confidence interval of relativeDifference.' })
  ciLow!: number;

  @Field(() => Float, { description: 'Upper end of the 95 % confidence interval of relativeDifference.' })
  ciHigh!: number;

  @Field(() => Float, { nullable: true, description: 'Two-sided p-value; null when no test could be made.' })
  pValue!: number | null;

  @Field(() => Boolean, { description: 'pValue < 0.05.' })
  significant!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Why no test was made: TOO_FEW_SAMPLES, ZERO_NEGATIVE_VARIANCE or BASELINE_VARIATION_ZERO.',
  })
  error!: string | null;
}

@ObjectType('ModelComparison', {
  simpleResolvers: true,
  description:
    'Model versions or provider models side by side on live traffic, with significance and a recommendation.',
})
export class ModelComparisonType {
  @Field(() => ComparisonDimensionEnum, { description: 'What the arms are.' })
  dimension!: ComparisonDimensionEnum;

  @Field(() => String, { nullable: true, description: 'The arm the others are tested against.' })
  baseline!: string | null;

  @Field(() => [ComparisonArmType], { description: 'The arms, most replies first.' })
  arms!: ComparisonArmType[];

  @Field(() => [ArmDifferenceType], { description: 'Every metric of every other arm against the baseline.' })
  differences!: ArmDifferenceType[];

  @Field(() => String, {
    nullable: true,
    description:
      'The cheapest arm per reply on the frontier whose quality score is neither significantly lower than the baseline nor more than maxQualityDrop lower; the baseline when none is.',
  })
  recommended!: string | null;

  @Field(() => String, { description: 'Why, one clause per arm.' })
  reasoning!: string;

  @Field(() => String, { description: 'The arms as CSV (RFC 4180).' })
  csv!: string;

  @Field(() => String, { description: 'The arms as a Markdown table with the recommendation.' })
  markdown!: string;

  @Field(() => String, { description: 'The whole comparison as JSON.' })
  json!: string;
}
