import { gql } from './client';
import type { EvaluationRun } from './learning-operations';

/** The Training page's operations: training sets, their files, fine-tuning jobs and settings, offline models. */
export interface TrainingSet {
  id: string;
  number: number;
  modelVersionNumber: number | null;
  exampleCount: number;
  trainCount: number;
  validationCount: number;
  /** JSON: minQuality, includeThumbsUp, minImplicitSatisfaction, maskPersonalData. */
  settings: string;
  /** JSON: per topic, category and source, tokens, estimated cost, filtered out (lib/training.ts reads it). */
  statistics: string;
  warnings: string[];
  createdAt: string;
}
const SET_FIELDS =
  'id number modelVersionNumber exampleCount trainCount validationCount settings statistics warnings createdAt';

export interface FineTuningEvent {
  id: string;
  createdAt: string;
  level: string;
  message: string;
  type: string | null;
}
export interface FineTuningJob {
  id: string;
  trainingSetId: string;
  provider: string;
  baseModel: string;
  suffix: string;
  phase: string;
  status: string | null;
  providerJobId: string | null;
  trainingFileId: string | null;
  validationFileId: string | null;
  events: FineTuningEvent[];
  error: { code: string; message: string; param: string | null } | null;
  fineTunedModel: string | null;
  trainedTokens: number | null;
  baseVersionNumber: number | null;
  modelVersion: { id: string; number: number; status: string } | null;
  evaluationRunId: string | null;
  validationReasons: string[];
  trigger: string;
  startedBy: string | null;
  lastPollError: string | null;
  lastPolledAt: string | null;
  submittedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
}
const JOB_FIELDS = `id trainingSetId provider baseModel suffix phase status providerJobId trainingFileId validationFileId
  events { id createdAt level message type }
  error { code message param }
  fineTunedModel trainedTokens baseVersionNumber modelVersion { id number status } evaluationRunId validationReasons
  trigger startedBy lastPollError lastPolledAt submittedAt finishedAt createdAt`;

export interface FineTuningSettings {
  schedule: string;
  minNewExamples: number;
  baseModel: string;
  tiers: string[];
  gatingDataset: string | null;
}
const SETTINGS_FIELDS = 'schedule minNewExamples baseModel tiers gatingDataset';

export interface OfflineModel {
  id: string;
  algorithm: string;
  exampleCount: number;
  trainingMs: number;
  validationTopicAccuracy: number | null;
  /** JSON: figures measured at training time (metrics.validation: cases, topicAccuracy, handoffRate, rougeL). */
  metrics: string | null;
  createdAt: string;
}
const OFFLINE_FIELDS = 'id algorithm exampleCount trainingMs validationTopicAccuracy metrics createdAt';

export const TRAINING = gql<{
  trainingSets: TrainingSet[];
  fineTuningJobs: FineTuningJob[];
  fineTuningSettings: FineTuningSettings;
  offlineModels: OfflineModel[];
  evaluationDatasets: { id: string; name: string; latestVersionNumber: number }[];
  approvedCorrections: { totalCount: number };
}>(`query Training {
  trainingSets { ${SET_FIELDS} }
  fineTuningJobs(first: 20) { ${JOB_FIELDS} }
  fineTuningSettings { ${SETTINGS_FIELDS} }
  offlineModels { ${OFFLINE_FIELDS} }
  evaluationDatasets { id name latestVersionNumber }
  approvedCorrections(first: 1) { totalCount }
}`);

export interface TrainingSetInput {
  minQuality?: number;
  maskPersonalData?: boolean;
  includeThumbsUp?: boolean;
  minImplicitSatisfaction?: number;
  modelVersion?: string;
}

export const CREATE_TRAINING_SET = gql<{ createTrainingSet: TrainingSet }, { input: TrainingSetInput | null }>(
  `mutation CreateTrainingSet($input: TrainingSetInput) { createTrainingSet(input: $input) { ${SET_FIELDS} } }`,
);

export const TRAINING_FILES = gql<
  { trainingFiles: { format: string; train: string; validation: string } },
  { reference: string; format: string }
>(`query TrainingFiles($reference: String!, $format: String!) {
  trainingFiles(reference: $reference, format: $format) { format train validation }
}`);

export const START_FINE_TUNING_JOB = gql<
  { startFineTuningJob: FineTuningJob },
  { trainingSet?: string | null; baseModel?: string | null }
>(`mutation StartFineTuningJob($trainingSet: String, $baseModel: String) {
  startFineTuningJob(trainingSet: $trainingSet, baseModel: $baseModel) { ${JOB_FIELDS} }
}`);

export const CANCEL_FINE_TUNING_JOB = gql<
  { cancelFineTuningJob: FineTuningJob },
  { id: string; reason?: string | null }
>(`mutation CancelFineTuningJob($id: ID!, $reason: String) {
  cancelFineTuningJob(id: $id, reason: $reason) { ${JOB_FIELDS} }
}`);

export const UPDATE_FINE_TUNING_SETTINGS = gql<
  { updateFineTuningSettings: FineTuningSettings },
  {
    input: {
      schedule?: string | null;
      minNewExamples?: number | null;
      baseModel?: string | null;
      tiers?: string[] | null;
      gatingDataset?: string | null;
    };
  }
>(`mutation UpdateFineTuningSettings($input: FineTuningSettingsInput!) {
  updateFineTuningSettings(input: $input) { ${SETTINGS_FIELDS} }
}`);

export const TRAIN_OFFLINE_MODEL = gql<
  {
    trainOfflineModel: {
      trainingSet: { id: string; number: number };
      offlineModel: OfflineModel;
      version: { id: string; number: number; status: string };
      evaluation: Pick<EvaluationRun, 'id' | 'status' | 'verdict' | 'reasons' | 'datasetVersion' | 'caseCount'>;
    };
  },
  { dataset: string; trainingSet?: string | null }
>(`mutation TrainOfflineModel($dataset: String!, $trainingSet: String) {
  trainOfflineModel(dataset: $dataset, trainingSet: $trainingSet) {
    trainingSet { id number }
    offlineModel { ${OFFLINE_FIELDS} }
    version { id number status }
    evaluation { id status verdict reasons datasetVersion caseCount }
  }
}`);

export const TRAINING_OPERATIONS = {
  TRAINING,
  CREATE_TRAINING_SET,
  TRAINING_FILES,
  START_FINE_TUNING_JOB,
  CANCEL_FINE_TUNING_JOB,
  UPDATE_FINE_TUNING_SETTINGS,
  TRAIN_OFFLINE_MODEL,
};
