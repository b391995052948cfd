import type { EntityManager } from '@mikro-orm/postgresql';
import crypto from 'node:crypto';
import { API_KEY_SCOPES, ApiKey, Tenant, type ApiKeyScope } from '../db/entities';
import { badInput } from '../errors';

const KEY_PREFIX = 'pk_';

export function hashApiKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}

/** Creates a key for `tenant`; the returned `key` is the only time the secret exists outside its hash. */
export async function createApiKey(
  em: EntityManager,
  input: { tenant: Tenant; name: string; scopes: string[] },
): Promise<{ apiKey: ApiKey; key: string }> {
  const unknown = input.scopes.filter((scope) => !isApiKeyScope(scope));
  if (unknown.length) throw badInput(`Unknown scope ${unknown.join(', ')}: use ${API_KEY_SCOPES.join(', ')}`);
  if (!input.scopes.length) throw badInput(`A key needs at least one scope: ${API_KEY_SCOPES.join(', ')}`);
  const key = KEY_PREFIX + crypto.randomBytes(24).toString('base64url');
  const apiKey = em.create(ApiKey, {
    tenant: input.tenant,
    name: input.name,
    prefix: key.slice(0, KEY_PREFIX.length + 6),
    keyHash: hashApiKey(key),
    scopes: [...new Set(input.scopes)] as ApiKeyScope[],
  });
  await em.flush();
  return { apiKey, key };
}

/** The live (not revoked) key matching `key`, with its tenant, or null (also when the tenant is disabled). */
export async function findApiKey(em: EntityManager, key: string): Promise<ApiKey | null> {
  if (!key.startsWith(KEY_PREFIX)) return null;
  return em.findOne(
    ApiKey,
    { keyHash: hashApiKey(key), revokedAt: null, tenant: { disabledAt: null } },
    { populate: ['tenant'] },
  );
}
