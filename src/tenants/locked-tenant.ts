import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Tenant } from '../db/entities';
import { notFound } from '../errors';

/**
 * The one way to read-modify-write a tenant row (`settings` is a single jsonb
 * column that many services change a part of; the encrypted secrets are one
 * column too): `work` runs in a transaction on the row locked `FOR UPDATE`
 * and re-read from the database, and whatever it changes (the tenant, audit
 * rows) is flushed before the commit. Two saves at once (two operators, two
 * instances, a background job and an operator) apply one after the other, so
 * neither loses the other's change.
 *
 * Validate the input before calling this, so a refused change neither waits
 * for nor holds the lock; an error thrown by `work` rolls everything back.
 * Inside an outer transaction it joins it (the lock lasts until that commits).
 */
export async function withLockedTenant<T>(
  em: EntityManager,
  tenantId: string,
  work: (tx: EntityManager, tenant: Tenant) => Promise<T> | T,
): Promise<T> {
  return em.transactional(async (tx) => {
    const tenant = await tx.findOne(
      Tenant,
      { id: tenantId },
      {
        lockMode: LockMode.PESSIMISTIC_WRITE,
        refresh: true,
        // The encrypted secrets too (a lazy column): one loaded earlier by the caller would be stale.
        populate: ['encryptedSecrets'],
      },
    );
    if (!tenant) throw notFound('Tenant', tenantId);
    const result = await work(tx, tenant);
    await tx.flush();
    return result;
  });
}
