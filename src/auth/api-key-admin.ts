import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../audit/audit-service';
import { ApiKey, Tenant } from '../db/entities';
import { AppError, notFound } from '../errors';
import { isUuid } from '../ids';
import { createApiKey } from './api-keys';

/**
 * Managing control-plane keys (the `npm run keys` CLI and the users:manage
 * mutations). Keys are shown once at creation; lists show prefixes only.
 */

/** Creates a key for the named tenant, audited; returns the key text (shown once). */
export async function issueApiKey(
  em: EntityManager,
  input: { tenantName?: string; tenantId?: string; name: string; scopes: string[]; actor: Actor },
): Promise<{ apiKey: ApiKey; key: string }> {
  return em.transactional(async (tx) => {
    const tenant = input.tenantId
      ? await tx.findOne(Tenant, { id: input.tenantId })
      : await tx.findOne(Tenant, { name: input.tenantName ?? '' });
    if (!tenant) throw notFound('Tenant', input.tenantName ?? input.tenantId);
    const created = await createApiKey(tx, { tenant, name: input.name, scopes: input.scopes });
    recordAudit(tx, {
      tenantId: tenant.id,
      actor: input.actor,
      action: 'apikey.create',
      targetType: 'ApiKey',
      targetId: created.apiKey.id,
      after: { name: created.apiKey.name, prefix: created.apiKey.prefix, scopes: created.apiKey.scopes },
    });
    await tx.flush();
    return created;
  });
}

/** Keys of one tenant (or of all when no tenant is given), newest first, revoked ones included. */
export async function listApiKeys(em: EntityManager, input: { tenantId?: string }): Promise<ApiKey[]> {
  return em.find(ApiKey, input.tenantId ? { tenant: input.tenantId } : {}, {
    orderBy: { createdAt: 'desc', id: 'desc' },
    populate: ['tenant'],
  });
}

/** Revokes a key of `tenantId` (any tenant when omitted: the CLI); CONFLICT when already revoked. */
export async function revokeApiKey(
  em: EntityManager,
  input: { apiKeyId: string; tenantId?: string; actor: Actor },
): Promise<ApiKey> {
  if (!isUuid(input.apiKeyId)) throw notFound('API key', input.apiKeyId);
  return em.transactional(async (tx) => {
    const key = await tx.findOne(
      ApiKey,
      input.tenantId ? { id: input.apiKeyId, tenant: input.tenantId } : { id: input.apiKeyId },
    );
    if (!key) throw notFound('API key', input.apiKeyId);
    if (key.revokedAt) throw new AppError('CONFLICT', `API key ${input.apiKeyId} was already revoked`);
    key.revokedAt = new Date();
    recordAudit(tx, {
      tenantId: key.tenant.id,
      actor: input.actor,
      action: 'apikey.revoke',
      targetType: 'ApiKey',
      targetId: key.id,
      before: { revokedAt: null },
      after: { revokedAt: key.revokedAt },
    });
    await tx.flush();
    return key;
  });
}
