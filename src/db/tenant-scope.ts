import type { EntityManager } from '@mikro-orm/postgresql';
import { TENANT_FILTER, TenantScoped } from './entities/tenant-scoped';

/**
 * A fork of the entity manager on which every query of a tenant-owned entity is
 * limited to `tenantId` (MikroORM filter, applied to finds, counts, populates
 * and relation loads). Control-plane requests work only through such a fork, so
 * an id from another tenant simply finds nothing.
 */
export function tenantScope(em: EntityManager, tenantId: string): EntityManager {
  const fork = em.fork();
  fork.addFilter(TENANT_FILTER, { tenant: tenantId }, tenantScopedEntityNames(em), true);
  return fork;
}

const namesByMetadata = new WeakMap<object, string[]>();

/** Class names of every concrete entity that extends TenantScoped. */
export function tenantScopedEntityNames(em: EntityManager): string[] {
  const metadata = em.getMetadata();
  let names = namesByMetadata.get(metadata);
  if (!names) {
    names = Object.values(metadata.getAll())
      .filter((meta) => !meta.abstract && meta.class?.prototype instanceof TenantScoped)
      .map((meta) => meta.className);
    namesByMetadata.set(metadata, names);
  }
  return names;
}
