import { Entity, Index, ManyToOne, OptionalProps, Property, Unique } from '@mikro-orm/core';
import { TenantScoped } from './tenant-scoped';

export const MODEL_VERSION_STATUSES = [
  'draft',
  'evaluated',
  'rolling_out',
  'active',
  'retired',
  'rolled_back',
] as const;
export type ModelVersionStatus = (typeof MODEL_VERSION_STATUSES)[number];

/** The model per routing tier; a missing tier follows the tenant's routing settings. */
export type TierModels = Partial<Record<'cheap' | 'balanced' | 'long-context' | 'reasoning', string>>;

/**
 * One deployable answer configuration of a tenant (see LEARNING.md): models
 * per tier, system prompt, retrieval settings and the trained offline model.
 * Numbered per tenant; one is active. Version 1 of every tenant is created
 * with the tenant (a trigger, Migration20261201150000LearningEvaluation) and
 * follows the tenant's settings (null prompt, no tier overrides).
 */
@Entity({ tableName: 'model_version' })
@Unique({ properties: ['tenant', 'number'] })
// At most one active version per tenant; also the index the per-turn lookup uses.
@Index({
  name: 'model_version_one_active_per_tenant',
  expression: `create unique index "model_version_one_active_per_tenant" on "model_version" ("tenant_id") where "status" = 'active'`,
})
export class ModelVersion extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'updatedAt'
    | 'status'
    | 'tierModels'
    | 'systemPrompt'
    | 'retrievalK'
    | 'retrievalMinScore'
    | 'offlineModelArtifactId'
    | 'parentVersion'
    | 'notes'
    | 'createdBy'
    | 'evaluatedAt'
    | 'activatedAt'
    | 'retiredAt';

  @Property({ type: 'integer' })
  number!: number;

  @Property({ type: 'string' })
  status: ModelVersionStatus = 'draft';

  @Property({ type: 'json' })
  tierModels: TierModels = {};

  /** Null: the tenant's settings.systemPrompt (or the built-in default). */
  @Property({ type: 'text', nullable: true })
  systemPrompt: string | null = null;

  /** Approved answers put in the prompt as references. */
  @Property({ type: 'integer' })
  retrievalK: number = 3;

  /** Similarity floor (0–1) below which a retrieved answer is left out. */
  @Property({ type: 'double' })
  retrievalMinScore: number = 0.3;

  /** The trained offline model (an artifact of the offline trainer), when there is one. */
  @Property({ type: 'string', nullable: true })
  offlineModelArtifactId: string | null = null;

  @ManyToOne(() => ModelVersion, { nullable: true, deleteRule: 'set null' })
  parentVersion: ModelVersion | null = null;

  @Property({ type: 'text' })
  notes: string = '';

  @Property({ type: 'string', nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  evaluatedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  activatedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  retiredAt: Date | null = null;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
