import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { EvaluationRunType, ModelVersionType } from './learning.types';

@ObjectType('TrainingSet', {
  simpleResolvers: true,
  description: 'A versioned export of training data (approved corrections, optionally 👍 replies), split 80/20.',
})
export class TrainingSetType {
  @Field(() => ID, { description: 'Training set id.' })
  id!: string;

  @Field(() => Int, { description: 'Number, 1, 2, 3… per tenant.' })
  number!: number;

  @Field(() => Int, { nullable: true, description: 'The model version whose system prompt the examples carry.' })
  modelVersionNumber!: number | null;

  @Field(() => Int, { description: 'Examples after filtering and de-duplication.' })
  exampleCount!: number;

  @Field(() => Int, { description: 'Examples in the training file.' })
  trainCount!: number;

  @Field(() => Int, { description: 'Examples in the validation file.' })
  validationCount!: number;

  @Field(() => String, {
    description: 'Selection settings as JSON: minQuality, includeThumbsUp, minImplicitSatisfaction, maskPersonalData.',
  })
  settings!: string;

  @Field(() => String, {
    description:
      'Statistics as JSON: per topic, category and source, tokens, estimated training cost, validation share, what was filtered out and why.',
  })
  statistics!: string;

  @Field(() => [String], { description: 'Warnings, e.g. fewer than the 50 examples OpenAI recommends.' })
  warnings!: string[];

  @Field(() => Date, { description: 'Created.' })
  createdAt!: Date;
}

@ObjectType('TrainingFiles', { simpleResolvers: true, description: 'The JSONL files of a training set in one format.' })
export class TrainingFilesType {
  @Field(() => String, { description: 'openai or gemini.' })
  format!: string;

  @Field(() => String, { description: 'The training file (JSONL).' })
  train!: string;

  @Field(() => String, { description: 'The validation file (JSONL); empty when the set has no validation examples.' })
  validation!: string;
}

@ObjectType('OfflineModel', { simpleResolvers: true, description: 'A model trained by the offline trainer.' })
export class OfflineModelType {
  @Field(() => ID, { description: 'Offline model id (a model version names it in offlineModelArtifactId).' })
  id!: string;

  @Field(() => String, { description: 'Algorithm, e.g. softmax-tfidf-v1.' })
  algorithm!: string;

  @Field(() => Int, { description: 'Examples trained on.' })
  exampleCount!: number;

  @Field(() => Int, { description: 'Training time in milliseconds.' })
  trainingMs!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Right-topic share on the training set validation split (trained on its train split).',
  })
  validationTopicAccuracy!: number | null;

  @Field(() => String, { nullable: true, description: 'Figures measured at training time as JSON.' })
  metrics!: string | null;

  @Field(() => Date, { description: 'Created.' })
  createdAt!: Date;
}

@ObjectType('OfflineTrainingResult', {
  simpleResolvers: true,
  description:
    'The offline loop: training set → offline model → draft version → evaluation against the active version.',
})
export class OfflineTrainingResultType {
  @Field(() => TrainingSetType, { description: 'The training set trained on (a new export unless one was named).' })
  trainingSet!: TrainingSetType;

  @Field(() => OfflineModelType, { description: 'The trained offline model the draft version names.' })
  offlineModel!: OfflineModelType;

  @Field(() => ModelVersionType, {
    description: 'The draft (evaluated when the evaluation passed on a gating dataset).',
  })
  version!: ModelVersionType;

  @Field(() => EvaluationRunType, { description: 'The evaluation of the draft against the active version.' })
  evaluation!: EvaluationRunType;
}

@InputType('TrainingSetInput', { description: 'Overrides of the tenant settings.training for one export.' })
export class TrainingSetInput {
  @Field(() => Int, { nullable: true, description: 'Minimum quality score (0–5) of a correction; default 4.' })
  minQuality?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Also 👍 replies with a high implicit satisfaction.' })
  includeThumbsUp?: boolean | null;

  @Field(() => Float, { nullable: true, description: 'Implicit satisfaction (0–1) a 👍 reply needs; default 0.8.' })
  minImplicitSatisfaction?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Mask emails, phone and order numbers (default true).' })
  maskPersonalData?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Model version (id or number) being trained; default active.' })
  modelVersion?: string | null;
}
