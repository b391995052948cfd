import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { connectionOf } from '../common/connection.types';
import { CircuitStateEnum } from '../common/enums';

@ObjectType('ProviderUsage', {
  simpleResolvers: true,
  description: 'One call to one LLM provider, successful or not. Money in US dollars (USD).',
})
export class ProviderUsageType {
  @Field(() => ID, { description: 'Usage row id.' })
  id!: string;

  @Field(() => ID, { nullable: true, description: 'The bot turn this call served, when it served one.' })
  interactionId!: string | null;

  @Field(() => String, { description: 'Provider id (openai, gemini, knowledge-base).' })
  provider!: string;

  @Field(() => String, { description: 'Model id.' })
  model!: string;

  @Field(() => Int, { description: 'Prompt tokens (cached included).' })
  inputTokens!: number;

  @Field(() => Int, { description: 'Prompt tokens served from the provider cache.' })
  cachedInputTokens!: number;

  @Field(() => Int, { description: 'Completion tokens.' })
  outputTokens!: number;

  @Field(() => Int, { description: 'All tokens.' })
  totalTokens!: number;

  @Field(() => Float, { description: 'Cost in USD at the catalogue prices.' })
  estimatedCostUsd!: number;

  @Field(() => Int, { description: 'Latency of the call in milliseconds.' })
  latencyMs!: number;

  @Field(() => Boolean, { description: 'The call succeeded.' })
  success!: boolean;

  @Field(() => String, { nullable: true, description: 'Error code of a failed call.' })
  errorCode!: string | null;

  @Field(() => Boolean, { description: 'The call was a failover from another provider.' })
  failover!: boolean;

  @Field(() => String, { nullable: true, description: 'Why the router chose this model.' })
  routingReason!: string | null;

  @Field(() => Float, { nullable: true, description: 'Complexity score in [0, 1] the router computed.' })
  complexity!: number | null;

  @Field(() => Date, { description: 'When the call was made.' })
  createdAt!: Date;
}

export const ProviderUsageConnection = connectionOf(ProviderUsageType, 'ProviderUsage', 'A page of provider calls.');

@ObjectType('ProviderDailySummary', {
  simpleResolvers: true,
  description: 'Provider calls of one UTC day, provider and model, rolled up by the daily job. Money in USD.',
})
export class ProviderDailySummaryType {
  @Field(() => String, { description: 'UTC day, YYYY-MM-DD.' })
  day!: string;

  @Field(() => String, { description: 'Provider id.' })
  provider!: string;

  @Field(() => String, { description: 'Model id.' })
  model!: string;

  @Field(() => Int, { description: 'Calls.' })
  calls!: number;

  @Field(() => Int, { description: 'Successful calls.' })
  successes!: number;

  @Field(() => Int, { description: 'Failed calls.' })
  failures!: number;

  @Field(() => Float, { description: 'Prompt tokens.' })
  inputTokens!: number;

  @Field(() => Float, { description: 'Completion tokens.' })
  outputTokens!: number;

  @Field(() => Float, { description: 'All tokens.' })
  totalTokens!: number;

  @Field(() => Float, { description: 'Cost in USD.' })
  costUsd!: number;

  @Field(() => Float, { description: 'Median latency, ms.' })
  latencyP50Ms!: number;

  @Field(() => Float, { description: '95th percentile latency, ms.' })
  latencyP95Ms!: number;

  @Field(() => Float, { description: '99th percentile latency, ms.' })
  latencyP99Ms!: number;

  @Field(() => Int, { description: 'Calls that were failovers.' })
  failoverCount!: number;
}

@ObjectType('ProviderHealth', {
  simpleResolvers: true,
  description:
    'Live health of one provider + model over the sliding window, in this instance: for the shared platform keys (every tenant without its own key uses them) or for your own key.',
})
export class ProviderHealthType {
  @Field(() => String, {
    description:
      '"shared": the platform keys, common to every tenant without its own key; "tenant": your own API key for this provider.',
  })
  keyOwner!: string;

  @Field(() => String, { description: 'Provider id.' })
  provider!: string;

  @Field(() => String, { description: 'Model id.' })
  model!: string;

  @Field(() => Int, { description: 'Length of the window in minutes.' })
  windowMinutes!: number;

  @Field(() => Int, { description: 'Calls in the window.' })
  calls!: number;

  @Field(() => Int, { description: 'Successful calls in the window.' })
  successes!: number;

  @Field(() => Int, { description: 'Failed calls in the window.' })
  failures!: number;

  @Field(() => Int, {
    description:
      'Successful calls in the window that took nearly their whole time allowance; the circuit counts them like failures.',
  })
  slowCalls!: number;

  @Field(() => Float, { description: 'failures / calls (0 without calls).' })
  failureRate!: number;

  @Field(() => Float, { nullable: true, description: 'Average latency in ms; null without calls.' })
  averageLatencyMs!: number | null;

  @Field(() => Float, { nullable: true, description: '95th percentile latency in ms; null without calls.' })
  p95LatencyMs!: number | null;

  @Field(() => CircuitStateEnum, { description: 'Circuit breaker state.' })
  circuit!: CircuitStateEnum;

  @Field(() => Date, { nullable: true, description: 'When the circuit last opened.' })
  circuitOpenedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Code of the last error.' })
  lastErrorCode!: string | null;

  @Field(() => Date, { nullable: true, description: 'When the last failure happened.' })
  lastFailureAt!: Date | null;
}
