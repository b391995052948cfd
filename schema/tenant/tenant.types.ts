import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { FeedbackPromptFrequencyEnum } from '../common/enums';

@ObjectType('RoutingSettings', {
  simpleResolvers: true,
  description: 'How the router picks a model for this tenant; null fields use the defaults in code.',
})
export class RoutingSettingsType {
  @Field(() => Float, { nullable: true, description: 'Complexity below this goes to the cheap model (default 0.3).' })
  cheapThreshold!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Complexity above this goes to the reasoning model (default 0.7).',
  })
  reasoningThreshold!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Prompts above this many tokens go to the long-context model (default 100000).',
  })
  longContextTokens!: number | null;

  @Field(() => String, { nullable: true, description: 'Model of the cheap tier.' })
  cheapModel!: string | null;

  @Field(() => String, { nullable: true, description: 'Model of the balanced tier (also the cost-saving baseline).' })
  balancedModel!: string | null;

  @Field(() => String, { nullable: true, description: 'Model of the long-context tier.' })
  longContextModel!: string | null;

  @Field(() => String, { nullable: true, description: 'Model of the reasoning tier.' })
  reasoningModel!: string | null;

  @Field(() => [String], {
    nullable: true,
    description:
      "Failover order after the tier's first choice: model ids (gpt-4o-mini) or provider ids (gemini, openai); the knowledge base always ends the chain.",
  })
  fallbackOrder!: string[] | null;
}

@ObjectType('TenantSettings', {
  simpleResolvers: true,
  description: "The caller's tenant settings. Secrets are never returned: only which ones are set.",
})
export class TenantSettingsType {
  @Field(() => ID, { description: 'Tenant id.' })
  tenantId!: string;

  @Field(() => String, { description: 'Tenant name.' })
  tenantName!: string;

  @Field(() => String, { nullable: true, description: 'System prompt of the bot.' })
  systemPrompt!: string | null;

  @Field(() => RoutingSettingsType, { description: 'Routing thresholds and models.' })
  routing!: RoutingSettingsType;

  @Field(() => FeedbackPromptFrequencyEnum, {
    nullable: true,
    description: 'How often replies carry 👍/👎 (default ALWAYS).',
  })
  feedbackPromptFrequency!: FeedbackPromptFrequencyEnum | null;

  @Field(() => Int, { nullable: true, description: 'With SOMETIMES: one reply in this many.' })
  feedbackPromptEvery!: number | null;

  @Field(() => String, { nullable: true, description: 'Where handed-off conversations go (e.g. a Slack channel id).' })
  handoffTarget!: string | null;

  @Field(() => [String], {
    description: 'Names of the secrets that are set (openaiApiKey, geminiApiKey, ...); values are never readable.',
  })
  secretsSet!: string[];

  @Field(() => Date, { description: 'Last change.' })
  updatedAt!: Date;
}

@InputType({ description: 'Routing changes; omitted fields stay, null resets to the default.' })
export class RoutingSettingsInput {
  @Field(() => Float, { nullable: true, description: '0–1, below reasoningThreshold.' })
  cheapThreshold?: number | null;

  @Field(() => Float, { nullable: true, description: '0–1, above cheapThreshold.' })
  reasoningThreshold?: number | null;

  @Field(() => Int, { nullable: true, description: '1000–10000000 tokens.' })
  longContextTokens?: number | null;

  @Field(() => String, { nullable: true, description: 'A catalogue model id.' })
  cheapModel?: string | null;

  @Field(() => String, { nullable: true, description: 'A catalogue model id.' })
  balancedModel?: string | null;

  @Field(() => String, { nullable: true, description: 'A catalogue model id.' })
  longContextModel?: string | null;

  @Field(() => String, { nullable: true, description: 'A catalogue model id.' })
  reasoningModel?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Failover order: catalogue model ids or provider ids (openai, gemini, knowledge-base), 1–10 entries.',
  })
  fallbackOrder?: string[] | null;
}

@InputType({ description: 'Settings changes; omitted fields stay, null resets to the default.' })
export class UpdateTenantSettingsInput {
  @Field(() => String, { nullable: true, description: 'System prompt, 1–8000 characters.' })
  systemPrompt?: string | null;

  @Field(() => RoutingSettingsInput, { nullable: true, description: 'Routing changes.' })
  routing?: RoutingSettingsInput | null;

  @Field(() => FeedbackPromptFrequencyEnum, { nullable: true, description: 'How often replies carry 👍/👎.' })
  feedbackPromptFrequency?: FeedbackPromptFrequencyEnum | null;

  @Field(() => Int, { nullable: true, description: '1–100.' })
  feedbackPromptEvery?: number | null;

  @Field(() => String, { nullable: true, description: 'Where handed-off conversations go.' })
  handoffTarget?: string | null;
}

@InputType({ description: 'Secrets to set (a value) or clear (null). Omitted ones stay. They can never be read back.' })
export class TenantSecretsInput {
  @Field(() => String, { nullable: true, description: 'OpenAI API key.' })
  openaiApiKey?: string | null;

  @Field(() => String, { nullable: true, description: 'Gemini API key.' })
  geminiApiKey?: string | null;

  @Field(() => String, { nullable: true, description: 'Twilio auth token.' })
  twilioAuthToken?: string | null;

  @Field(() => String, { nullable: true, description: 'Slack bot token.' })
  slackBotToken?: string | null;
}
