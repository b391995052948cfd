import { Entity, Index, ManyToOne, OptionalProps, Property } from '@mikro-orm/core';
import { ModelVersion } from './model-version.entity';
import { TenantScoped } from './tenant-scoped';

/** One state change of a model version (created, evaluated, activated, rolled back, retired): the deployment history. */
@Entity({ tableName: 'deployment_event' })
@Index({ properties: ['tenant', 'createdAt'] })
@Index({ properties: ['modelVersion', 'createdAt'] })
export class DeploymentEvent extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'fromStatus' | 'reason' | 'details';

  @ManyToOne(() => ModelVersion, { deleteRule: 'cascade' })
  modelVersion!: ModelVersion;

  /** `created`, `evaluated`, `activated`, `deactivated`, `rolled_back`, `retired`. */
  @Property({ type: 'string' })
  action!: string;

  @Property({ type: 'string', nullable: true })
  fromStatus: string | null = null;

  @Property({ type: 'string' })
  toStatus!: string;

  @Property({ type: 'string' })
  actor!: string;

  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  @Property({ type: 'json', nullable: true })
  details: Record<string, unknown> | null = null;
}
