import { Field, Float, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'A draft model version: the parent (default the active version) with these changes.' })
export class CreateModelVersionInput {
  @Field(() => ID, { nullable: true, description: 'Draft from this version instead of the active one.' })
  parentVersionId?: string | null;

  @Field(() => String, { nullable: true, description: 'Model per tier as JSON, e.g. {"cheap":"ft:gpt-4o-mini:acme"}.' })
  tierModels?: string | null;

  @Field(() => String, { nullable: true, description: 'System prompt; an empty string follows the tenant settings.' })
  systemPrompt?: string | null;

  @Field(() => Int, { nullable: true, description: 'Approved answers retrieved into each prompt (0–20).' })
  retrievalK?: number | null;

  @Field(() => Float, { nullable: true, description: 'Similarity floor 0–1.' })
  retrievalMinScore?: number | null;

  @Field(() => String, { nullable: true, description: 'The trained offline model artifact.' })
  offlineModelArtifactId?: string | null;

  @Field(() => String, { nullable: true, description: 'Notes.' })
  notes?: string | null;
}

@InputType({ description: 'One case typed by hand.' })
export class EvaluationCaseInput {
  @Field(() => String, { description: 'The customer message.' })
  input!: string;

  @Field(() => String, { description: 'The reply expected.' })
  expectedReply!: string;

  @Field(() => String, { nullable: true, description: 'The topic expected.' })
  expectedTopic?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether a human should take over (default false).' })
  expectHandoff?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: 'Earlier conversation as JSON ([{role: customer|agent, text}]).',
  })
  context?: string | null;
}

@InputType({ description: 'Which column (CSV) or field (JSONL) holds each part of a case; unset ones are guessed.' })
export class ColumnMappingInput {
  @Field(() => String, {
    nullable: true,
    description: 'Column of the customer message (guessed: input, question, instruction…).',
  })
  input?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Column of the expected reply (guessed: expected_reply, response, answer…).',
  })
  expectedReply?: string | null;

  @Field(() => String, { nullable: true, description: 'Column of the expected topic (guessed: topic, intent).' })
  expectedTopic?: string | null;

  @Field(() => String, { nullable: true, description: 'Column of expect-handoff flags (true/yes/1).' })
  expectHandoff?: string | null;

  @Field(() => String, { nullable: true, description: 'Column of the context as JSON.' })
  context?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Topics whose cases expect a handoff (e.g. contact_human_agent).',
  })
  handoffTopics?: string[] | null;
}
