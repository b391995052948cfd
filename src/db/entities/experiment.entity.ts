import { Entity, Index, ManyToOne, OptionalProps, Property, Unique } from '@mikro-orm/core';
import { ModelVersion } from './model-version.entity';
import { TenantScoped } from './tenant-scoped';

export const EXPERIMENT_STATUSES = ['draft', 'running', 'stopped', 'concluded'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

/**
 * Control version vs candidate version for one tenant (LEARNING.md,
 * "Experiment"). Customers (contacts) are assigned with GrowthBook's v2 hash
 * of `seed` and the contact id (src/learning/experiments/assignment.ts); a
 * customer outside `coverage` is served by the active version as usual.
 * At most one experiment runs per tenant (a partial unique index); the engine
 * reads it in the claim statement of every turn, so starting or stopping one
 * applies from the next turn on every instance.
 */
@Entity({ tableName: 'experiment' })
@Unique({ properties: ['tenant', 'key'] })
@Index({ properties: ['tenant', 'createdAt'] })
// At most one running experiment per tenant; also the index the per-turn lookup uses.
@Index({
  name: 'experiment_one_running_per_tenant',
  expression: `create unique index "experiment_one_running_per_tenant" on "experiment" ("tenant_id") where "status" = 'running'`,
})
export class Experiment extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'updatedAt'
    | 'status'
    | 'coverage'
    | 'weights'
    | 'guardedMetrics'
    | 'startedAt'
    | 'stoppedAt'
    | 'stopReason'
    | 'createdBy';

  /** Unique per tenant; the hash seed defaults to it (as in GrowthBook). */
  @Property({ type: 'string' })
  key!: string;

  @ManyToOne(() => ModelVersion, { deleteRule: 'cascade' })
  controlVersion!: ModelVersion;

  @ManyToOne(() => ModelVersion, { deleteRule: 'cascade' })
  candidateVersion!: ModelVersion;

  /** Share of customers in the experiment, 0–1. Raising it only adds customers. */
  @Property({ type: 'double' })
  coverage: number = 0.1;

  /** Weights of [control, candidate], summing to 1. */
  @Property({ type: 'json' })
  weights: [number, number] = [0.5, 0.5];

  @Property({ type: 'string' })
  seed!: string;

  @Property({ type: 'string' })
  status: ExperimentStatus = 'draft';

  /** Metrics the guard watches (GUARDED_METRICS); a significant drop of more than 5 % stops the experiment. */
  @Property({ type: 'json' })
  guardedMetrics: string[] = ['thumbs_up_rate', 'implicit_satisfaction', 'handoff_rate', 'cost_per_conversation'];

  @Property({ type: 'datetime', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  stoppedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  stopReason: string | null = null;

  @Property({ type: 'string', nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
