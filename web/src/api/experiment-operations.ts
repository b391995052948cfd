import { gql } from './client';

/** Experiments and rollouts operations of the console. */
export const GUARDED_METRICS = [
  'thumbs_up_rate',
  'implicit_satisfaction',
  'handoff_rate',
  'cost_per_conversation',
] as const;
export type GuardedMetric = (typeof GUARDED_METRICS)[number];

export interface ArmMetrics {
  arm: string;
  modelVersionId: string;
  customers: number;
  conversations: number;
  interactions: number;
  rated: number;
  thumbsUpRate: number | null;
  implicitSatisfaction: number | null;
  handoffRate: number | null;
  costPerConversation: number | null;
  latencyP95Ms: number | null;
}
export interface ArmComparison {
  metric: string;
  controlValue: number;
  candidateValue: number;
  controlUnits: number;
  candidateUnits: number;
  relativeChange: number;
  ci: number[];
  sequentialCi: number[];
  pValue: number | null;
  sequentialPValue: number | null;
  error: string | null;
}
export interface Experiment {
  id: string;
  key: string;
  status: 'draft' | 'running' | 'stopped' | 'concluded';
  controlVersionId: string;
  candidateVersionId: string;
  coverage: number;
  weights: number[];
  guardedMetrics: string[];
  createdAt: string;
  startedAt: string | null;
  stoppedAt: string | null;
  stopReason: string | null;
  results: {
    srm: boolean;
    srmPValue: number | null;
    arms: ArmMetrics[];
    comparisons: ArmComparison[];
    guards: { metric: string; verdict: string; reason: string }[];
  };
}
const EXPERIMENT_FIELDS = `id key status controlVersionId candidateVersionId coverage weights guardedMetrics createdAt startedAt
  stoppedAt stopReason
  results {
    srm srmPValue
    arms { arm modelVersionId customers conversations interactions rated thumbsUpRate implicitSatisfaction handoffRate costPerConversation latencyP95Ms }
    comparisons { metric controlValue candidateValue controlUnits candidateUnits relativeChange ci sequentialCi pValue sequentialPValue error }
    guards { metric verdict reason }
  }`;

export interface Rollout {
  id: string;
  experimentKey: string;
  candidateVersionId: string;
  previousVersionId: string;
  status: 'running' | 'paused' | 'watching' | 'completed' | 'rolled_back' | 'aborted';
  stage: number;
  stages: number[];
  coverage: number;
  stageStartedAt: string;
  minStageHours: number;
  minSamplePerArm: number;
  watchHours: number;
  watchUntil: string | null;
  createdAt: string;
  completedAt: string | null;
  endReason: string | null;
}
const ROLLOUT_FIELDS = `id experimentKey candidateVersionId previousVersionId status stage stages coverage stageStartedAt
  minStageHours minSamplePerArm watchHours watchUntil createdAt completedAt endReason`;

export const EXPERIMENTS = gql<{
  experiments: Experiment[];
  rollouts: Rollout[];
  modelVersions: { id: string; number: number; status: string; notes: string }[];
}>(`query Experiments {
  experiments { ${EXPERIMENT_FIELDS} }
  rollouts { ${ROLLOUT_FIELDS} }
  modelVersions { id number status notes }
}`);

export const CREATE_EXPERIMENT = gql<
  { createExperiment: Experiment },
  {
    input: {
      key: string;
      candidateVersionId: string;
      controlVersionId?: string | null;
      coverage?: number;
      guardedMetrics?: string[];
    };
  }
>(
  `mutation CreateExperiment($input: CreateExperimentInput!) { createExperiment(input: $input) { ${EXPERIMENT_FIELDS} } }`,
);

export const START_EXPERIMENT = gql<{ startExperiment: Experiment }, { reference: string }>(
  `mutation StartExperiment($reference: String!) { startExperiment(reference: $reference) { ${EXPERIMENT_FIELDS} } }`,
);

export const STOP_EXPERIMENT = gql<
  { stopExperiment: Experiment },
  { reference: string; reason: string; conclude?: boolean }
>(`mutation StopExperiment($reference: String!, $reason: String!, $conclude: Boolean) {
  stopExperiment(reference: $reference, reason: $reason, conclude: $conclude) { ${EXPERIMENT_FIELDS} }
}`);

export const CREATE_ROLLOUT = gql<
  { createRollout: Rollout },
  { input: { candidateVersionId: string; stages?: number[]; guardedMetrics?: string[] } }
>(`mutation CreateRollout($input: CreateRolloutInput!) { createRollout(input: $input) { ${ROLLOUT_FIELDS} } }`);

export type RolloutAction = 'pause' | 'resume' | 'advance' | 'abort';

export const PAUSE_ROLLOUT = gql<{ pauseRollout: Rollout }, { id: string; reason?: string | null }>(
  `mutation PauseRollout($id: ID!, $reason: String) { pauseRollout(id: $id, reason: $reason) { ${ROLLOUT_FIELDS} } }`,
);
export const RESUME_ROLLOUT = gql<{ resumeRollout: Rollout }, { id: string; reason?: string | null }>(
  `mutation ResumeRollout($id: ID!, $reason: String) { resumeRollout(id: $id, reason: $reason) { ${ROLLOUT_FIELDS} } }`,
);
export const ADVANCE_ROLLOUT = gql<{ advanceRollout: Rollout }, { id: string; reason: string }>(
  `mutation AdvanceRollout($id: ID!, $reason: String!) { advanceRollout(id: $id, reason: $reason) { ${ROLLOUT_FIELDS} } }`,
);
export const ABORT_ROLLOUT = gql<{ abortRollout: Rollout }, { id: string; reason: string }>(
  `mutation AbortRollout($id: ID!, $reason: String!) { abortRollout(id: $id, reason: $reason) { ${ROLLOUT_FIELDS} } }`,
);

export const EXPERIMENT_OPERATIONS = {
  EXPERIMENTS,
  CREATE_EXPERIMENT,
  START_EXPERIMENT,
  STOP_EXPERIMENT,
  CREATE_ROLLOUT,
  PAUSE_ROLLOUT,
  RESUME_ROLLOUT,
  ADVANCE_ROLLOUT,
  ABORT_ROLLOUT,
};
