import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../audit/audit-service';
import { ApiKey, ConsoleSession, Tenant } from '../db/entities';
import { AppError, badInput, notFound } from '../errors';
import { isUuid } from '../ids';
import { createApiKey, isApiKeyScope } from './api-keys';

/**
 * Managing control-plane keys (the `npm run keys` CLI and the users:manage
 * GraphQL operations in schema/access/). Keys are shown once at creation;
 * lists show prefixes only.
 */

/** Longest key name: it labels the key in lists and the audit log. */
export const MAX_KEY_NAME_LENGTH = 100;

/**
 * Creates a key for the named tenant, audited; returns the key text (shown once).
 * `grantableScopes`: the scopes the creator itself holds (a GraphQL caller);
 * any other scope is refused, so no key can mint a stronger key. The CLI,
 * run by whoever runs the database, passes none.
 */
export async function issueApiKey(
  em: EntityManager,
  input: {
    tenantName?: string;
    tenantId?: string;
    name: string;
    scopes: string[];
    actor: Actor;
    grantableScopes?: readonly string[];
  },
): Promise<{ apiKey: ApiKey; key: string }> {
  const name = input.name.trim();
  if (!name || name.length > MAX_KEY_NAME_LENGTH) {
    throw badInput(`A key needs a name of 1–${MAX_KEY_NAME_LENGTH} characters (what or who uses it)`);
  }
  const grantable = input.grantableScopes;
  if (grantable) {
    const stronger = input.scopes.filter((scope) => !grantable.includes(scope));
    // Unknown scopes get createApiKey's own message; only real scopes the creator lacks are FORBIDDEN.
    const known = stronger.filter(isApiKeyScope);
    if (known.length) {
      throw new AppError('FORBIDDEN', `A key can only give scopes it has itself: this key lacks ${known.join(', ')}`, {
        scopes: known,
      });
    }
  }
  return em.transactional(async (tx) => {
    const tenant = input.tenantId
      ? await tx.findOne(Tenant, { id: input.tenantId })
      : await tx.findOne(Tenant, { name: input.tenantName ?? '' });
    if (!tenant) throw notFound('Tenant', input.tenantName ?? input.tenantId);
    const created = await createApiKey(tx, { tenant, name, scopes: input.scopes });
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

/** Keys of one tenant (by id or name; all tenants when neither is given), newest first, revoked ones included. */
export async function listApiKeys(
  em: EntityManager,
  input: { tenantId?: string; tenantName?: string },
): Promise<ApiKey[]> {
  const where = input.tenantId
    ? { tenant: input.tenantId }
    : input.tenantName !== undefined
      ? { tenant: { name: input.tenantName } }
      : {};
  return em.find(ApiKey, where, { orderBy: { createdAt: 'desc', id: 'desc' }, populate: ['tenant'] });
}

/**
 * Revokes a key of `tenantId` (any tenant when omitted: the CLI); CONFLICT
 * when already revoked. Its console sessions are deleted in the same
 * transaction, and every instance drops its cached lookups of the key on the
 * `parley_api_key_revoked` notification the commit sends (see
 * schema/common/auth-cache.ts), so the key and its sessions stop working at once.
 *
 * `currentApiKeyId`: the key making the request. Revoking it locks that caller
 * out, so it needs `confirmOwnKey: true` (BAD_USER_INPUT with field confirmOwnKey otherwise).
 */
export async function revokeApiKey(
  em: EntityManager,
  input: { apiKeyId: string; tenantId?: string; actor: Actor; currentApiKeyId?: string; confirmOwnKey?: boolean },
): Promise<ApiKey> {
  if (!isUuid(input.apiKeyId)) throw notFound('API key', input.apiKeyId);
  if (input.currentApiKeyId === input.apiKeyId && !input.confirmOwnKey) {
    throw badInput(
      'This is the key you are using: revoking it ends your access (and your console session) at once. Pass confirmOwnKey: true to do it anyway',
      { field: 'confirmOwnKey' },
    );
  }
  return em.transactional(async (tx) => {
    const key = await tx.findOne(
      ApiKey,
      input.tenantId ? { id: input.apiKeyId, tenant: input.tenantId } : { id: input.apiKeyId },
    );
    if (!key) throw notFound('API key', input.apiKeyId);
    if (key.revokedAt) throw new AppError('CONFLICT', `API key ${input.apiKeyId} was already revoked`);
    key.revokedAt = new Date();
    const sessions = await tx.nativeDelete(ConsoleSession, { apiKey: key.id });
    recordAudit(tx, {
      tenantId: key.tenant.id,
      actor: input.actor,
      action: 'apikey.revoke',
      targetType: 'ApiKey',
      targetId: key.id,
      before: { revokedAt: null },
      after: { revokedAt: key.revokedAt, name: key.name, prefix: key.prefix, endedSessions: sessions },
    });
    await tx.flush();
    return key;
  });
}
