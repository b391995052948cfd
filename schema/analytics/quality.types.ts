import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ChannelEnum } from '../common/enums';

@ObjectType('QualityFigures', {
  simpleResolvers: true,
  description:
    'Quality and business figures of a period. Conversations count in the period they started in, bot replies in the period they were sent. Rates are fractions in [0, 1]; null when their denominator is 0.',
})
export class QualityFiguresType {
  @Field(() => Int, { description: 'Conversations started in the period.' })
  conversations!: number;

  @Field(() => Int, { description: 'Bot replies sent in the period.' })
  botReplies!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Answer rate = conversations with at least one bot reply / conversations.',
  })
  answerRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Handoff rate = conversations handed to a human / conversations. Default target < 0.15.',
  })
  handoffRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Automation rate = conversations the bot answered and never handed off / conversations.',
  })
  automationRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      "Resolution rate = conversations the bot answered, never handed off and with no 👎 on any reply / conversations (Intercom Fin's definition, without its confirmation step).",
  })
  resolutionRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Positive-feedback rate = 👍 / (👍 + 👎) over the bot replies of the period. Default target > 0.70.',
  })
  positiveFeedbackRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'CSAT = conversations with at least one vote and no 👎 / conversations with at least one vote.',
  })
  csat!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Response quality score 1–5 = 1 + 4 × mean reply score, where a reply scores 1 for 👍, 0 for 👎, and otherwise its implicit satisfaction in [0, 1] (continuation, completed action, handoff request, response time).',
  })
  qualityScore!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Average response time = mean latency of bot replies (provider calls of a turn, retries and failover included), milliseconds.',
  })
  averageResponseMs!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'p95 response time = 95th percentile (continuous) of bot reply latency, milliseconds.',
  })
  p95ResponseMs!: number | null;

  @Field(() => Float, {
    description:
      'LLM cost of the conversations started in the period (every provider call, failed attempts included), USD.',
  })
  costUsd!: number;

  @Field(() => Float, { nullable: true, description: 'Cost per conversation = costUsd / conversations, USD.' })
  costPerConversation!: number | null;

  @Field(() => Float, { nullable: true, description: 'Cost per resolution = costUsd / resolved conversations, USD.' })
  costPerResolution!: number | null;
}

@ObjectType('QualityPoint', { simpleResolvers: true, description: 'Quality figures of one UTC day, week or month.' })
export class QualityPointType extends QualityFiguresType {
  @Field(() => Date, { description: 'Start of the bucket (UTC).' })
  bucketStart!: Date;
}

@ObjectType('QualityTrend', {
  simpleResolvers: true,
  description:
    'Change against the previous period of the same length: current − previous (fractions for rates). Null when either side is null.',
})
export class QualityTrendType {
  @Field(() => Float, { nullable: true, description: 'Change of answerRate.' })
  answerRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Change of handoffRate.' })
  handoffRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Change of automationRate.' })
  automationRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Change of resolutionRate.' })
  resolutionRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Change of positiveFeedbackRate.' })
  positiveFeedbackRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Change of csat.' })
  csat!: number | null;

  @Field(() => Float, { nullable: true, description: 'Change of qualityScore (points on the 1–5 scale).' })
  qualityScore!: number | null;

  @Field(() => Float, { nullable: true, description: 'Change of p95ResponseMs (milliseconds).' })
  p95ResponseMs!: number | null;

  @Field(() => Float, { nullable: true, description: 'Change of costPerConversation (USD).' })
  costPerConversation!: number | null;
}

@ObjectType('QualityTargets', {
  simpleResolvers: true,
  description: "The tenant's targets (settings.metricTargets; defaults from the product brief).",
})
export class QualityTargetsType {
  @Field(() => Float, { description: 'positiveFeedbackRate should be above this (default 0.70).' })
  positiveFeedbackRate!: number;

  @Field(() => Float, { description: 'handoffRate should be below this (default 0.15).' })
  handoffRate!: number;
}

@ObjectType('QualityMetrics', {
  simpleResolvers: true,
  description: 'Quality and business metrics of the tenant over a range, computed in SQL.',
})
export class QualityMetricsType {
  @Field(() => QualityFiguresType, { description: 'Figures over the whole range.' })
  totals!: QualityFiguresType;

  @Field(() => QualityFiguresType, { description: 'Figures over the period of the same length just before the range.' })
  previous!: QualityFiguresType;

  @Field(() => QualityTrendType, { description: 'totals − previous.' })
  trend!: QualityTrendType;

  @Field(() => [QualityPointType], { description: 'One point per UTC bucket with data, oldest first.' })
  series!: QualityPointType[];

  @Field(() => QualityTargetsType, { description: "The tenant's targets." })
  targets!: QualityTargetsType;

  @Field(() => Boolean, { description: 'totals.positiveFeedbackRate is above its target (false when unknown).' })
  positiveFeedbackOnTarget!: boolean;

  @Field(() => Boolean, { description: 'totals.handoffRate is below its target (false when unknown).' })
  handoffOnTarget!: boolean;
}

@InputType('QualityFilterInput', { description: 'Cuts of the quality metrics; all optional.' })
export class QualityFilterInput {
  @Field(() => ChannelEnum, { nullable: true, description: 'Only conversations on this channel (and their replies).' })
  channel?: ChannelEnum | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Only replies from this model version, and conversations with at least one of them.',
  })
  modelVersionId?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Only replies on this topic (the topic of the first knowledge article the reply used, e.g. 'refunds'), and conversations with at least one of them.",
  })
  topic?: string | null;
}
