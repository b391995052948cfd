import { Entity, Index, ManyToOne, OptionalProps, Property } from '@mikro-orm/core';
import { DatasetVersion, EvaluationCase } from './evaluation-dataset.entity';
import { ModelVersion } from './model-version.entity';
import { TenantScoped } from './tenant-scoped';

export type EvaluationRunStatus = 'running' | 'completed' | 'failed';

/** One model version over one dataset version through the gateway, with its metrics and (when compared) verdict. */
@Entity({ tableName: 'evaluation_run' })
@Index({ properties: ['tenant', 'createdAt'] })
@Index({ properties: ['modelVersion', 'datasetVersion'] })
export class EvaluationRun extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'status'
    | 'completedCases'
    | 'metrics'
    | 'baselineRun'
    | 'verdict'
    | 'reasons'
    | 'thresholds'
    | 'gating'
    | 'finishedAt'
    | 'error';

  @ManyToOne(() => ModelVersion, { deleteRule: 'cascade' })
  modelVersion!: ModelVersion;

  @ManyToOne(() => DatasetVersion, { deleteRule: 'cascade' })
  datasetVersion!: DatasetVersion;

  @ManyToOne(() => EvaluationRun, { nullable: true, deleteRule: 'set null' })
  baselineRun: EvaluationRun | null = null;

  @Property({ type: 'string' })
  status: EvaluationRunStatus = 'running';

  @Property({ type: 'integer' })
  caseCount!: number;

  @Property({ type: 'integer' })
  completedCases: number = 0;

  /** EvaluationMetrics (src/learning/evaluation/evaluation-metrics.ts) once completed. */
  @Property({ type: 'json', nullable: true })
  metrics: Record<string, unknown> | null = null;

  /** `pass` or `fail` against the baseline; null until compared. */
  @Property({ type: 'string', nullable: true })
  verdict: string | null = null;

  @Property({ type: 'json' })
  reasons: string[] = [];

  @Property({ type: 'json', nullable: true })
  thresholds: Record<string, unknown> | null = null;

  /** The dataset version had enough cases (≥ 500) for the verdict to gate a deployment. */
  @Property({ type: 'boolean' })
  gating: boolean = false;

  @Property({ type: 'string' })
  startedBy!: string;

  @Property({ type: 'datetime', nullable: true })
  finishedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;
}

/** One case of a run: the reply and its scores. */
@Entity({ tableName: 'evaluation_result' })
@Index({ properties: ['run', 'createdAt'] })
export class EvaluationResult extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'predictedTopic' | 'error';

  @ManyToOne(() => EvaluationRun, { deleteRule: 'cascade' })
  run!: EvaluationRun;

  @ManyToOne(() => EvaluationCase, { deleteRule: 'cascade' })
  evaluationCase!: EvaluationCase;

  @Property({ type: 'text' })
  replyText!: string;

  @Property({ type: 'string' })
  provider!: string;

  @Property({ type: 'string' })
  model!: string;

  @Property({ type: 'boolean' })
  handedOff!: boolean;

  @Property({ type: 'string', nullable: true })
  predictedTopic: string | null = null;

  @Property({ type: 'integer' })
  latencyMs!: number;

  @Property({ type: 'double' })
  costUsd!: number;

  @Property({ type: 'double' })
  sentenceBleu!: number;

  @Property({ type: 'double' })
  rouge1!: number;

  @Property({ type: 'double' })
  rouge2!: number;

  @Property({ type: 'double' })
  rougeL!: number;

  @Property({ type: 'boolean' })
  exactMatch!: boolean;

  @Property({ type: 'text', nullable: true })
  error: string | null = null;
}
