import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType('BusinessFigures', {
  simpleResolvers: true,
  description:
    'Business figures of the conversations started in the range (conversions and surveys counted with their conversation). Rates are fractions in [0, 1]; null when their denominator is 0. Money in USD.',
})
export class BusinessFiguresType {
  @Field(() => Int, { description: 'Conversations started in the range.' })
  conversations!: number;

  @Field(() => Int, { description: 'Rated conversations = conversations with a survey answer or at least one 👍/👎.' })
  ratedConversations!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'CSAT = satisfied conversations / rated conversations. A conversation is satisfied when its latest survey answer is 4 or 5; without a survey answer, when it has votes and no 👎.',
  })
  csat!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Thumbs CSAT = conversations with at least one vote and no 👎 / conversations with at least one vote.',
  })
  thumbsCsat!: number | null;

  @Field(() => Int, { description: 'End-of-conversation surveys sent (settings.csatSurvey).' })
  surveysAsked!: number;

  @Field(() => Int, { description: 'Surveys answered with a rating 1–5.' })
  surveyResponses!: number;

  @Field(() => Float, { nullable: true, description: 'Survey response rate = surveyResponses / surveysAsked.' })
  surveyResponseRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Survey average score = mean of the ratings, 1–5.' })
  surveyAverageScore!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Survey CSAT = ratings of 4 or 5 / ratings (the standard CSAT definition).',
  })
  surveyCsat!: number | null;

  @Field(() => Int, { description: 'Completed actions recorded (recordConversion) on the conversations.' })
  conversions!: number;

  @Field(() => Int, { description: 'Conversations with at least one completed action.' })
  convertedConversations!: number;

  @Field(() => Float, { nullable: true, description: 'Conversion rate = convertedConversations / conversations.' })
  conversionRate!: number | null;

  @Field(() => Int, {
    description: 'Resolved conversations = answered by the bot, never handed off, no 👎 on any reply.',
  })
  resolvedConversations!: number;

  @Field(() => Int, { description: 'Conversations handed to a human.' })
  handedOffConversations!: number;

  @Field(() => Float, { description: 'LLM cost of the conversations (every provider call of their turns), USD.' })
  costUsd!: number;

  @Field(() => Float, { nullable: true, description: 'Cost per conversation = costUsd / conversations, USD.' })
  costPerConversation!: number | null;

  @Field(() => Float, { nullable: true, description: 'Cost per resolution = costUsd / resolvedConversations, USD.' })
  costPerResolution!: number | null;

  @Field(() => Float, {
    description:
      'Bot-attributed revenue = Σ value of the completed actions of conversations never handed off; a value is the one recorded, else business.conversionValueUsd (0 when unset). USD.',
  })
  botAttributedRevenueUsd!: number;

  @Field(() => Float, {
    description:
      'Assisted revenue = the same sum over conversations a human took part in (not credited to the bot). USD.',
  })
  assistedRevenueUsd!: number;

  @Field(() => Float, {
    description: 'Human cost avoided = resolvedConversations × business.humanConversationCostUsd (0 when unset). USD.',
  })
  humanCostAvoidedUsd!: number;

  @Field(() => Float, {
    description: 'Net benefit = humanCostAvoidedUsd + botAttributedRevenueUsd − costUsd. USD.',
  })
  netBenefitUsd!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'ROI = netBenefitUsd / costUsd (1.5 = 150 % return on the LLM spend).',
  })
  roi!: number | null;
}

@ObjectType('BusinessValues', {
  simpleResolvers: true,
  description: "The tenant's values behind ROI (settings.business); null when unset (then counted as 0).",
})
export class BusinessValuesType {
  @Field(() => Float, { nullable: true, description: 'Value of one completed action recorded without a value, USD.' })
  conversionValueUsd!: number | null;

  @Field(() => Float, { nullable: true, description: 'Cost of one conversation handled by a human, USD.' })
  humanConversationCostUsd!: number | null;
}

@ObjectType('AgentProductivity', { simpleResolvers: true, description: 'One human agent over the range.' })
export class AgentProductivityType {
  @Field(() => String, { description: 'The agent: slack:<user> or apikey:<id>.' })
  agent!: string;

  @Field(() => Int, { description: 'Handoffs taken = handed-off conversations assigned to the agent in the range.' })
  handoffsTaken!: number;

  @Field(() => Int, { description: 'Agent replies = messages the agent sent to customers in the range.' })
  agentReplies!: number;

  @Field(() => Int, {
    description:
      'First replies given = conversations handed off in the range whose first agent reply was this agent’s.',
  })
  firstRepliesGiven!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Time to first agent reply (mean) = mean of (first agent reply − handed off at), seconds.',
  })
  averageFirstReplySeconds!: number | null;

  @Field(() => Float, { nullable: true, description: 'Time to first agent reply (median), seconds.' })
  medianFirstReplySeconds!: number | null;

  @Field(() => Int, { description: 'Corrections the agent wrote in the range.' })
  correctionsWritten!: number;

  @Field(() => Int, { description: 'Of correctionsWritten, those approved.' })
  correctionsApproved!: number;

  @Field(() => Int, { description: 'Corrections the agent approved or rejected in the range.' })
  correctionsReviewed!: number;
}

@ObjectType('BusinessMetrics', {
  simpleResolvers: true,
  description: 'Business metrics of the tenant over a range: CSAT, conversions, cost, ROI and agent productivity.',
})
export class BusinessMetricsType {
  @Field(() => BusinessFiguresType, { description: 'Figures over the range.' })
  totals!: BusinessFiguresType;

  @Field(() => BusinessValuesType, { description: 'The values ROI used.' })
  values!: BusinessValuesType;

  @Field(() => [AgentProductivityType], { description: 'Per agent, by name.' })
  agents!: AgentProductivityType[];
}

@InputType('RecordConversionInput', { description: 'A completed action a conversation led to.' })
export class RecordConversionInput {
  @Field(() => ID, { description: 'The conversation that led to it.' })
  conversationId!: string;

  @Field(() => String, { description: "What was completed, e.g. 'order' or 'booking' (1–60 of a–z 0–9 _ . -)." })
  kind!: string;

  @Field(() => Float, {
    nullable: true,
    description: "Its value in USD; when omitted the tenant's business.conversionValueUsd applies.",
  })
  valueUsd?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Your id of the action (order number): recording it again changes nothing.',
  })
  externalId?: string | null;

  @Field(() => Date, { nullable: true, description: 'When it happened (default now).' })
  occurredAt?: Date | null;
}

@ObjectType('RecordConversionPayload', { simpleResolvers: true, description: 'The recorded completed action.' })
export class RecordConversionPayload {
  @Field(() => ID, { description: 'Conversion id.' })
  id!: string;

  @Field(() => Boolean, { description: 'False when externalId had already been recorded (nothing changed).' })
  created!: boolean;
}
