import { Filter, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Tenant } from './tenant.entity';

export const TENANT_FILTER = 'tenant';

/**
 * Every row that belongs to a business extends this. The `tenant` filter, when
 * enabled with `{ tenantId }` (see `tenantScope` in ../tenant-scope.ts), adds
 * `tenant = ?` to every query on the entity, relations included.
 */
@Filter({ name: TENANT_FILTER, cond: (args: { tenantId: string }) => ({ tenant: args.tenantId }), default: false })
export abstract class TenantScoped {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  // Each entity indexes tenant_id as the first column of its own composite indexes.
  @ManyToOne(() => Tenant, { deleteRule: 'cascade' })
  tenant!: Tenant;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
