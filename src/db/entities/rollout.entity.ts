import { Entity, Index, ManyToOne, OptionalProps, Property } from '@mikro-orm/core';
import { Experiment } from './experiment.entity';
import { ModelVersion } from './model-version.entity';
import { TenantScoped } from './tenant-scoped';

export const ROLLOUT_STATUSES = ['running', 'paused', 'watching', 'completed', 'rolled_back', 'aborted'] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];

/**
 * A candidate version walked through coverage stages (10 → 50 → 100 % by
 * default) of its experiment, each held for a minimum time and sample, and
 * advanced through gates by the rollout job (src/learning/experiments/rollout-service.ts).
 * At the last stage and passing, the candidate becomes the active version and
 * is watched for `watchHours` against the previous version's arm; a guarded
 * drop rolls it back. One unfinished rollout per tenant (partial unique index).
 */
@Entity({ tableName: 'rollout' })
@Index({ properties: ['tenant', 'createdAt'] })
@Index({
  name: 'rollout_one_open_per_tenant',
  expression: `create unique index "rollout_one_open_per_tenant" on "rollout" ("tenant_id") where "status" in ('running', 'paused', 'watching')`,
})
export class Rollout extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'updatedAt'
    | 'status'
    | 'stages'
    | 'stageIndex'
    | 'minStageHours'
    | 'minSamplePerArm'
    | 'watchHours'
    | 'watchUntil'
    | 'completedAt'
    | 'endReason'
    | 'createdBy';

  @ManyToOne(() => Experiment, { deleteRule: 'cascade' })
  experiment!: Experiment;

  @ManyToOne(() => ModelVersion, { deleteRule: 'cascade' })
  candidateVersion!: ModelVersion;

  /** The version active when the rollout started: control during it, the rollback target after. */
  @ManyToOne(() => ModelVersion, { deleteRule: 'cascade' })
  previousVersion!: ModelVersion;

  /** Coverage of each stage, rising, the last 1 (= 100 %). */
  @Property({ type: 'json' })
  stages: number[] = [0.1, 0.5, 1];

  @Property({ type: 'integer' })
  stageIndex: number = 0;

  @Property({ type: 'datetime' })
  stageStartedAt!: Date;

  @Property({ type: 'double' })
  minStageHours: number = 48;

  /** Customers per arm a stage needs before it may advance. */
  @Property({ type: 'integer' })
  minSamplePerArm: number = 100;

  /** Hours the new active version is watched after the last stage. */
  @Property({ type: 'double' })
  watchHours: number = 48;

  @Property({ type: 'string' })
  status: RolloutStatus = 'running';

  @Property({ type: 'datetime', nullable: true })
  completedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  watchUntil: Date | null = null;

  @Property({ type: 'text', nullable: true })
  endReason: string | null = null;

  @Property({ type: 'string', nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
