import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType('FeedbackFigures', {
  simpleResolvers: true,
  description:
    'Feedback figures over the bot replies of a period. Rates are fractions in [0, 1]; null when their denominator is 0.',
})
export class FeedbackFiguresType {
  @Field(() => Int, { description: 'Bot replies in the period (the denominator of the per-reply rates).' })
  botReplies!: number;

  @Field(() => Int, { description: 'Replies with an explicit 👍/👎.' })
  totalFeedback!: number;

  @Field(() => Int, { description: 'Replies voted 👍.' })
  helpfulCount!: number;

  @Field(() => Int, { description: 'Replies voted 👎.' })
  notHelpfulCount!: number;

  @Field(() => Float, { nullable: true, description: '👍 / votes.' })
  helpfulRate!: number | null;

  @Field(() => Float, { nullable: true, description: '👎 / votes.' })
  notHelpfulRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Average satisfaction in [0, 1] estimated from implicit signals.',
  })
  averageImplicitSatisfaction!: number | null;

  @Field(() => Int, { description: 'Votes that came with a comment.' })
  feedbackWithComments!: number;

  @Field(() => Float, { nullable: true, description: 'Replies after which the customer wrote again / bot replies.' })
  continuationRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Replies after which the customer completed the action / bot replies.',
  })
  actionCompletionRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Replies after which the customer asked for a human / bot replies.',
  })
  handoffRequestRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Votes per bot reply (how much feedback is collected).' })
  feedbackCollectionRate!: number | null;
}

@ObjectType('FeedbackSeriesPoint', { simpleResolvers: true, description: 'Feedback figures of one time bucket.' })
export class FeedbackSeriesPointType extends FeedbackFiguresType {
  @Field(() => Date, { description: 'Start of the bucket (UTC).' })
  bucketStart!: Date;
}

@ObjectType('FeedbackAnalytics', {
  simpleResolvers: true,
  description: 'Feedback totals over the range and the same figures per bucket.',
})
export class FeedbackAnalyticsType {
  @Field(() => FeedbackFiguresType, { description: 'Over the whole range.' })
  totals!: FeedbackFiguresType;

  @Field(() => [FeedbackSeriesPointType], {
    description: 'Per bucket, oldest first; buckets without bot replies are absent.',
  })
  series!: FeedbackSeriesPointType[];
}

@ObjectType('CostByModel', {
  simpleResolvers: true,
  description: 'Calls, tokens and cost of one provider + model. Money in US dollars (USD).',
})
export class CostByModelType {
  @Field(() => String, { description: 'Provider id (openai, gemini, knowledge-base).' })
  provider!: string;

  @Field(() => String, { description: 'Model id from the catalogue.' })
  model!: string;

  @Field(() => Int, { description: 'Calls, failed ones included.' })
  calls!: number;

  @Field(() => Int, { description: 'Failed calls.' })
  failedCalls!: number;

  @Field(() => Float, { description: 'Prompt tokens (cached ones included).' })
  inputTokens!: number;

  @Field(() => Float, { description: "Prompt tokens served from the provider's cache." })
  cachedInputTokens!: number;

  @Field(() => Float, { description: 'Completion tokens.' })
  outputTokens!: number;

  @Field(() => Float, { description: 'All tokens.' })
  totalTokens!: number;

  @Field(() => Float, { description: 'Cost in USD at the catalogue prices.' })
  costUsd!: number;

  @Field(() => Float, {
    description: 'What the same successful calls would have cost on the baseline (balanced) model, USD.',
  })
  balancedCostUsd!: number;
}

@ObjectType('CostSeriesPoint', { simpleResolvers: true, description: 'Cost of one time bucket, USD.' })
export class CostSeriesPointType {
  @Field(() => Date, { description: 'Start of the bucket (UTC).' })
  bucketStart!: Date;

  @Field(() => Int, { description: 'Provider calls.' })
  calls!: number;

  @Field(() => Float, { description: 'Tokens.' })
  totalTokens!: number;

  @Field(() => Float, { description: 'Cost in USD.' })
  costUsd!: number;

  @Field(() => Float, { description: 'Baseline (balanced model) cost of the same calls, USD.' })
  balancedCostUsd!: number;
}

@ObjectType('CostAnalytics', {
  description:
    'What the routed LLM calls cost, and what routing saved against sending everything to the balanced model. All money in US dollars (USD) as floats.',
})
export class CostAnalyticsType {
  @Field(() => String, {
    description: "The model the saving is measured against: the tenant's balanced model (default gpt-4o).",
  })
  baselineModel!: string;

  @Field(() => Int, { description: 'Provider calls in the range.' })
  calls!: number;

  @Field(() => Float, { description: 'Tokens in the range.' })
  totalTokens!: number;

  @Field(() => Float, { description: 'Cost in USD.' })
  costUsd!: number;

  @Field(() => Int, { description: 'Conversations with at least one bot reply in the range.' })
  conversations!: number;

  @Field(() => Float, { nullable: true, description: 'costUsd / conversations, USD; null without conversations.' })
  costPerConversationUsd!: number | null;

  @Field(() => Float, {
    description: 'Cost in USD had every successful call gone to the baseline model at its list price.',
  })
  balancedCostUsd!: number;

  @Field(() => Float, { description: 'balancedCostUsd − costUsd, USD (negative when routing cost more).' })
  savingUsd!: number;

  @Field(() => Float, { nullable: true, description: 'savingUsd / balancedCostUsd; null when the baseline cost is 0.' })
  savingRate!: number | null;

  @Field(() => [CostByModelType], { description: 'By provider and model, most expensive first.' })
  byModel!: CostByModelType[];

  @Field(() => [CostSeriesPointType], { description: 'Per bucket, oldest first.' })
  series!: CostSeriesPointType[];
}
