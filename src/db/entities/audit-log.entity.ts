import { Entity, Index, OptionalProps, Property } from '@mikro-orm/core';
import { TenantScoped } from './tenant-scoped';

/** Who changed what: one row per mutation, with the state before and after. */
@Entity({ tableName: 'audit_log' })
@Index({ properties: ['tenant', 'createdAt'] })
export class AuditLog extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'targetId' | 'before' | 'after';

  /** `apikey:<id>`, `slack:<user>`, `system:<job>`. */
  @Property({ type: 'string' })
  actor!: string;

  @Property({ type: 'string' })
  action!: string;

  @Property({ type: 'string' })
  targetType!: string;

  @Property({ type: 'string', nullable: true })
  targetId: string | null = null;

  @Property({ type: 'json', nullable: true })
  before: Record<string, unknown> | null = null;

  @Property({ type: 'json', nullable: true })
  after: Record<string, unknown> | null = null;
}
