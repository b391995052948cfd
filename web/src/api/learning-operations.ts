import { gql } from './client';

/** Learning-loop operations of the console: model versions, deployments, datasets, evaluations. */
export type ModelVersionStatus = 'draft' | 'evaluated' | 'rolling_out' | 'active' | 'retired' | 'rolled_back';

export interface ModelVersion {
  id: string;
  number: number;
  status: ModelVersionStatus;
  notes: string;
  tierModels: string;
  systemPrompt: string | null;
  retrievalK: number;
  retrievalMinScore: number;
  parentVersionNumber: number | null;
  createdAt: string;
  evaluatedAt: string | null;
  activatedAt: string | null;
  retiredAt: string | null;
}
const VERSION_FIELDS = `id number status notes tierModels systemPrompt retrievalK retrievalMinScore parentVersionNumber
  createdAt evaluatedAt activatedAt retiredAt`;

export interface DeploymentEvent {
  id: string;
  action: string;
  actor: string;
  createdAt: string;
  fromStatus: string | null;
  toStatus: string;
  modelVersionId: string;
  modelVersionNumber: number;
  reason: string | null;
}

export interface VersionBusinessMetrics {
  modelVersionId: string;
  modelVersionNumber: number;
  interactions: number;
  votes: number;
  thumbsUpRate: number | null;
  implicitSatisfaction: number | null;
  handoffRate: number | null;
}

export const MODEL_VERSIONS = gql<
  {
    modelVersions: ModelVersion[];
    deploymentHistory: DeploymentEvent[];
    versionBusinessMetrics: VersionBusinessMetrics[];
  },
  { from: string; to: string }
>(`query ModelVersions($from: DateTime!, $to: DateTime!) {
  modelVersions { ${VERSION_FIELDS} }
  deploymentHistory { id action actor createdAt fromStatus toStatus modelVersionId modelVersionNumber reason }
  versionBusinessMetrics(from: $from, to: $to) {
    modelVersionId modelVersionNumber interactions votes thumbsUpRate implicitSatisfaction handoffRate
  }
}`);

export const CREATE_MODEL_VERSION = gql<
  { createModelVersion: ModelVersion },
  { input: { notes?: string; systemPrompt?: string; retrievalK?: number; parentVersionId?: string } }
>(
  `mutation CreateModelVersion($input: CreateModelVersionInput!) { createModelVersion(input: $input) { ${VERSION_FIELDS} } }`,
);

export const ACTIVATE_MODEL_VERSION = gql<
  { activateModelVersion: ModelVersion },
  { id: string; reason?: string | null; force?: boolean }
>(`mutation ActivateModelVersion($id: ID!, $reason: String, $force: Boolean) {
  activateModelVersion(id: $id, reason: $reason, force: $force) { ${VERSION_FIELDS} }
}`);

export const ROLLBACK_MODEL_VERSION = gql<{ rollbackModelVersion: ModelVersion }, { reason?: string | null }>(
  `mutation RollbackModelVersion($reason: String) { rollbackModelVersion(reason: $reason) { ${VERSION_FIELDS} } }`,
);

export interface EvaluationMetrics {
  cases: number;
  exactMatch: number;
  bleu: number;
  rouge1: number;
  rouge2: number;
  rougeL: number;
  topicAccuracy: number | null;
  handoffAgreement: number;
  handoffRate: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  costPerCaseUsd: number;
}
export interface EvaluationRun {
  id: string;
  status: string;
  verdict: string | null;
  reasons: string[];
  error: string | null;
  datasetVersion: string;
  modelVersionNumber: number;
  caseCount: number;
  completedCases: number;
  gating: boolean;
  baselineRunId: string | null;
  createdAt: string;
  finishedAt: string | null;
  metrics: EvaluationMetrics | null;
}
const METRIC_FIELDS = `cases exactMatch bleu rouge1 rouge2 rougeL topicAccuracy handoffAgreement handoffRate latencyP50Ms
  latencyP95Ms costPerCaseUsd`;

export interface EvaluationDataset {
  id: string;
  name: string;
  description: string;
  latestVersionNumber: number;
  createdAt: string;
}

export const EVALUATIONS = gql<{ evaluationDatasets: EvaluationDataset[]; evaluationRuns: EvaluationRun[] }>(
  `query Evaluations {
  evaluationDatasets { id name description latestVersionNumber createdAt }
  evaluationRuns(first: 50) {
    id status verdict reasons error datasetVersion modelVersionNumber caseCount completedCases gating baselineRunId
    createdAt finishedAt metrics { ${METRIC_FIELDS} }
  }
}`,
);

export interface DatasetVersion {
  id: string;
  number: number;
  caseCount: number;
  change: string;
  createdAt: string;
  createdBy: string;
  gating: boolean;
}

export const DATASET_VERSIONS = gql<{ datasetVersions: DatasetVersion[] }, { dataset: string }>(
  `query DatasetVersions($dataset: String!) { datasetVersions(dataset: $dataset) { id number caseCount change createdAt createdBy gating } }`,
);

export interface MetricComparison {
  metric: string;
  baseline: number | null;
  candidate: number | null;
  change: number | null;
  limit: string;
  ok: boolean;
}

export const EVALUATION_REPORT = gql<
  { evaluationReport: { comparisons: MetricComparison[]; baselineMetrics: EvaluationMetrics | null } },
  { runId: string }
>(`query EvaluationReport($runId: ID!) {
  evaluationReport(runId: $runId) {
    comparisons { metric baseline candidate change limit ok }
    baselineMetrics { ${METRIC_FIELDS} }
  }
}`);

export const START_EVALUATION = gql<
  { startEvaluation: { id: string; status: string } },
  { dataset: string; modelVersion: string }
>(`mutation StartEvaluation($dataset: String!, $modelVersion: String!) {
  startEvaluation(dataset: $dataset, modelVersion: $modelVersion) { id status }
}`);

export const LEARNING_OPERATIONS = {
  MODEL_VERSIONS,
  CREATE_MODEL_VERSION,
  ACTIVATE_MODEL_VERSION,
  ROLLBACK_MODEL_VERSION,
  EVALUATIONS,
  DATASET_VERSIONS,
  EVALUATION_REPORT,
  START_EVALUATION,
};
