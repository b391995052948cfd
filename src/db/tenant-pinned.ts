import { TENANT_FILTER } from './entities/tenant-scoped';

/**
 * Find options for a query whose `where` already pins `tenant` to the caller's
 * tenant. On a `tenantScope` fork MikroORM would otherwise also join every
 * many-to-one / one-to-one target just to re-check the target's tenant (its
 * auto-join for filters), which turns a page of feedback into a join with
 * agent_interaction over the tenant's whole history (10× slower in
 * bench:analytics). Rows referencing each other always share a tenant, so the
 * explicit condition is the same guarantee; the tenant-isolation tests hold
 * every caller of this to it.
 */
export const pinnedToTenant = { filters: { [TENANT_FILTER]: false } } as const;
