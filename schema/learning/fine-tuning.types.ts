import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ModelVersionType } from './learning.types';

@ObjectType('FineTuningEvent', { simpleResolvers: true, description: "One event of the provider's job, as listed." })
export class FineTuningEventType {
  @Field(() => String, { description: "The provider's event id." })
  id!: string;

  @Field(() => Date, { description: 'When the provider logged it.' })
  createdAt!: Date;

  @Field(() => String, { description: 'info, warn or error.' })
  level!: string;

  @Field(() => String, { description: 'The message.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'message or metrics.' })
  type!: string | null;
}

@ObjectType('FineTuningError', {
  simpleResolvers: true,
  description: 'Why a job failed (the provider error, or a submission failure).',
})
export class FineTuningErrorType {
  @Field(() => String, { description: 'Machine-readable code, e.g. invalid_training_file, training_failed, http_429.' })
  code!: string;

  @Field(() => String, { description: 'What happened.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'The parameter at fault (training_file, validation_file).' })
  param!: string | null;
}

@ObjectType('FineTuningJob', {
  simpleResolvers: true,
  description: 'A fine-tuning job: the provider job, its status and events, and the draft model version it produced.',
})
export class FineTuningJobType {
  @Field(() => ID, { description: 'parley job id.' })
  id!: string;

  @Field(() => ID, { description: 'The training set the files came from.' })
  trainingSetId!: string;

  @Field(() => String, { description: 'openai.' })
  provider!: string;

  @Field(() => String, { description: 'The model fine-tuned.' })
  baseModel!: string;

  @Field(() => String, { description: "Suffix of the fine-tuned model's name (tenant and version)." })
  suffix!: string;

  @Field(() => String, {
    description:
      'parley phase: submitting, training, validating, deployable, validation_failed, provider_failed, submit_failed or cancelled.',
  })
  phase!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "The provider's status exactly as reported: validating_files, queued, running, succeeded, failed, cancelled (or a newer one).",
  })
  status!: string | null;

  @Field(() => String, { nullable: true, description: "The provider's job id (ftjob-…)." })
  providerJobId!: string | null;

  @Field(() => String, { nullable: true, description: 'Uploaded training file id.' })
  trainingFileId!: string | null;

  @Field(() => String, { nullable: true, description: 'Uploaded validation file id.' })
  validationFileId!: string | null;

  @Field(() => [FineTuningEventType], { description: "The provider's events, oldest first." })
  events!: FineTuningEventType[];

  @Field(() => FineTuningErrorType, { nullable: true, description: 'Why it failed.' })
  error!: FineTuningErrorType | null;

  @Field(() => String, { nullable: true, description: 'The fine-tuned model id (ft:…), once succeeded.' })
  fineTunedModel!: string | null;

  @Field(() => Int, { nullable: true, description: 'Billable tokens trained.' })
  trainedTokens!: number | null;

  @Field(() => Int, { nullable: true, description: 'The version the draft was made from.' })
  baseVersionNumber!: number | null;

  @Field(() => ModelVersionType, {
    nullable: true,
    description: 'The draft version whose tiers use the fine-tuned model.',
  })
  modelVersion!: ModelVersionType | null;

  @Field(() => ID, { nullable: true, description: 'The evaluation run that validated the draft.' })
  evaluationRunId!: string | null;

  @Field(() => [String], { description: 'Why validation passed or failed.' })
  validationReasons!: string[];

  @Field(() => String, { description: 'manual or schedule.' })
  trigger!: string;

  @Field(() => String, { nullable: true, description: 'Who started it.' })
  startedBy!: string | null;

  @Field(() => String, { nullable: true, description: 'The last polling failure (retried on the next run).' })
  lastPollError!: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was last polled.' })
  lastPolledAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the provider job was created.' })
  submittedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it reached a final phase.' })
  finishedAt!: Date | null;

  @Field(() => Date, { description: 'When it was started.' })
  createdAt!: Date;
}

@ObjectType('FineTuningSettings', { simpleResolvers: true, description: "The tenant's fine-tuning settings." })
export class FineTuningSettingsType {
  @Field(() => String, { description: 'monthly (default) or off.' })
  schedule!: string;

  @Field(() => Int, { description: 'New approved corrections a scheduled run needs (default 50).' })
  minNewExamples!: number;

  @Field(() => String, { description: 'The OpenAI model fine-tuned.' })
  baseModel!: string;

  @Field(() => [String], { description: 'Tiers of the draft version that get the fine-tuned model.' })
  tiers!: string[];

  @Field(() => String, { nullable: true, description: 'The dataset that validates; null: the largest gating one.' })
  gatingDataset!: string | null;
}

@InputType({ description: 'A change to the fine-tuning settings: absent fields stay, null resets to the default.' })
export class FineTuningSettingsInput {
  @Field(() => String, { nullable: true, description: 'monthly or off.' })
  schedule?: string | null;

  @Field(() => Int, { nullable: true, description: 'New approved corrections a scheduled run needs.' })
  minNewExamples?: number | null;

  @Field(() => String, { nullable: true, description: 'The OpenAI model to fine-tune.' })
  baseModel?: string | null;

  @Field(() => [String], { nullable: true, description: 'cheap, balanced, long-context, reasoning.' })
  tiers?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Dataset name, name@N or id.' })
  gatingDataset?: string | null;
}
