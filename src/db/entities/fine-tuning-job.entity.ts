import { Entity, Index, ManyToOne, OptionalProps, Property } from '@mikro-orm/core';
import { ModelVersion } from './model-version.entity';
import { TenantScoped } from './tenant-scoped';

/** The statuses OpenAI's fine-tuning API reports (`fine_tuning.job.status`), stored exactly as reported. */
export const PROVIDER_FINE_TUNING_STATUSES = [
  'validating_files',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
] as const;

/**
 * parley's side of a job: submitting (uploading files, creating the job),
 * training (the provider's job is not final; any status it reports that
 * parley does not know is treated as not final), validating (the draft
 * version is being evaluated), then one final phase.
 */
export const FINE_TUNING_PHASES = [
  'submitting',
  'training',
  'validating',
  'deployable',
  'validation_failed',
  'provider_failed',
  'submit_failed',
  'cancelled',
] as const;
export type FineTuningPhase = (typeof FINE_TUNING_PHASES)[number];
/** Phases the polling job still works on; at most one job per tenant is in one of them. */
export const OPEN_FINE_TUNING_PHASES: readonly FineTuningPhase[] = ['submitting', 'training', 'validating'];

/** One event of the provider's job (`fine_tuning.job.event`), as listed by the API. */
export interface FineTuningEventRecord {
  id: string;
  createdAt: string;
  level: string;
  message: string;
  type: string | null;
  data: unknown;
}

/** The provider's error object of a failed job, or a submission/validation failure of parley's own. */
export interface FineTuningError {
  code: string;
  message: string;
  param: string | null;
}

/**
 * One fine-tuning job of a tenant (LEARNING.md, "Fine-tuning job"): the
 * training set it was built from, the files uploaded and the provider job,
 * the provider's status and events as reported, and the draft model version
 * its fine-tuned model produced, with the validation verdict. State lives here
 * so the polling job (src/jobs) picks up where it left off after a restart.
 */
@Entity({ tableName: 'fine_tuning_job' })
@Index({ properties: ['tenant', 'createdAt'] })
@Index({
  name: 'fine_tuning_job_one_open_per_tenant',
  expression: `create unique index "fine_tuning_job_one_open_per_tenant" on "fine_tuning_job" ("tenant_id") where "phase" in ('submitting', 'training', 'validating')`,
})
export class FineTuningJob extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'updatedAt'
    | 'provider'
    | 'phase'
    | 'status'
    | 'providerJobId'
    | 'trainingFileId'
    | 'validationFileId'
    | 'events'
    | 'error'
    | 'fineTunedModel'
    | 'trainedTokens'
    | 'baseVersion'
    | 'modelVersion'
    | 'evaluationRunId'
    | 'validationReasons'
    | 'trigger'
    | 'startedBy'
    | 'lastPollError'
    | 'lastPolledAt'
    | 'submittedAt'
    | 'finishedAt';

  /** The TrainingSet the files were rendered from (src/learning/training). */
  @Property({ type: 'uuid' })
  trainingSetId!: string;

  @Property({ type: 'string' })
  provider: string = 'openai';

  /** The model fine-tuned, e.g. gpt-4o-mini-2024-07-18. */
  @Property({ type: 'string' })
  baseModel!: string;

  /** Added to the fine-tuned model's name: tenant and version (`ft:<base>:<org>:<suffix>:<id>`). */
  @Property({ type: 'string' })
  suffix!: string;

  @Property({ type: 'string' })
  phase: FineTuningPhase = 'submitting';

  /** The provider's status exactly as last reported (null before the provider job exists). */
  @Property({ type: 'string', nullable: true })
  status: string | null = null;

  @Property({ type: 'string', nullable: true })
  providerJobId: string | null = null;

  @Property({ type: 'string', nullable: true })
  trainingFileId: string | null = null;

  @Property({ type: 'string', nullable: true })
  validationFileId: string | null = null;

  /** The provider's events, oldest first. */
  @Property({ type: 'json' })
  events: FineTuningEventRecord[] = [];

  @Property({ type: 'json', nullable: true })
  error: FineTuningError | null = null;

  @Property({ type: 'string', nullable: true })
  fineTunedModel: string | null = null;

  @Property({ type: 'integer', nullable: true })
  trainedTokens: number | null = null;

  /** The version the new draft is made from (the active one when the job started). */
  @ManyToOne(() => ModelVersion, { nullable: true, deleteRule: 'set null' })
  baseVersion: ModelVersion | null = null;

  /** The draft version whose tier models are the fine-tuned model. */
  @ManyToOne(() => ModelVersion, { nullable: true, deleteRule: 'set null' })
  modelVersion: ModelVersion | null = null;

  @Property({ type: 'uuid', nullable: true })
  evaluationRunId: string | null = null;

  /** Why validation passed or failed (the evaluation's reasons, or why none could run). */
  @Property({ type: 'json' })
  validationReasons: string[] = [];

  /** `manual` (GraphQL, CLI) or `schedule`. */
  @Property({ type: 'string' })
  trigger: string = 'manual';

  @Property({ type: 'string', nullable: true })
  startedBy: string | null = null;

  /** The last polling failure (429, 5xx, network): the job is polled again on the next run. */
  @Property({ type: 'text', nullable: true })
  lastPollError: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastPolledAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  submittedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  finishedAt: Date | null = null;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
