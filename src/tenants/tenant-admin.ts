import type { EntityManager } from '@mikro-orm/postgresql';
import crypto from 'node:crypto';
import { z } from 'zod';
import { recordAudit, type Actor } from '../audit/audit-service';
import { createApiKey, hashApiKey } from '../auth/api-keys';
import { API_KEY_SCOPES, ApiKey, PlatformApiKey, Tenant, type ApiKeyScope } from '../db/entities';
import { AppError, badInput, notFound } from '../errors';
import { isUuid } from '../ids';

/**
 * The platform's side of tenants: whoever runs the installation creates,
 * lists, disables and re-enables tenants and issues each one's first key.
 * Reached through the `tenants:manage` scope (platform keys only) and the
 * `npm run tenants` CLI. Each change is audited in the tenant's own log.
 */

const PLATFORM_KEY_PREFIX = 'pk_';
const nameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100)
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u,
    'may hold letters, digits, spaces, dots, dashes and underscores, starting with a letter or digit',
  );

/** Creates a platform key (scope tenants:manage); the returned `key` is the only time it exists outside its hash. */
export async function issuePlatformKey(
  em: EntityManager,
  input: { name: string },
): Promise<{ platformKey: PlatformApiKey; key: string }> {
  const key = PLATFORM_KEY_PREFIX + crypto.randomBytes(24).toString('base64url');
  const platformKey = em.create(PlatformApiKey, {
    name: input.name.trim() || 'platform',
    prefix: key.slice(0, PLATFORM_KEY_PREFIX.length + 6),
    keyHash: hashApiKey(key),
  });
  await em.flush();
  return { platformKey, key };
}

/** The live platform key matching `key`, or null. */
export async function findPlatformKey(em: EntityManager, key: string): Promise<PlatformApiKey | null> {
  if (!key.startsWith(PLATFORM_KEY_PREFIX)) return null;
  return em.findOne(PlatformApiKey, { keyHash: hashApiKey(key), revokedAt: null });
}

export async function listPlatformKeys(em: EntityManager): Promise<PlatformApiKey[]> {
  return em.find(PlatformApiKey, {}, { orderBy: { createdAt: 'desc' } });
}

export async function revokePlatformKey(em: EntityManager, id: string): Promise<PlatformApiKey> {
  const key = isUuid(id) ? await em.findOne(PlatformApiKey, { id }) : null;
  if (!key) throw notFound('Platform key', id);
  if (key.revokedAt) throw new AppError('CONFLICT', `Platform key ${id} was already revoked`);
  key.revokedAt = new Date();
  await em.flush();
  return key;
}

export interface CreatedTenant {
  tenant: Tenant;
  apiKey: ApiKey;
  /** The first key, shown once. */
  key: string;
}

/**
 * Creates a tenant and its first API key (default: every tenant scope, so the
 * business can then manage itself with `users:manage`). BAD_USER_INPUT for a
 * bad or taken name.
 */
export async function createTenantWithKey(
  em: EntityManager,
  input: { name: string; actor: Actor; keyName?: string | null; scopes?: string[] | null },
): Promise<CreatedTenant> {
  const parsed = nameSchema.safeParse(input.name);
  if (!parsed.success) throw badInput(`name: ${parsed.error.issues[0]!.message}`, { field: 'name' });
  const name = parsed.data;
  const scopes = input.scopes?.length ? input.scopes : [...API_KEY_SCOPES];
  return em.transactional(async (tx) => {
    if (await tx.findOne(Tenant, { name })) throw badInput(`A tenant named ${name} already exists`, { field: 'name' });
    const tenant = tx.create(Tenant, { name, settings: {} });
    await tx.flush();
    const { apiKey, key } = await createApiKey(tx, { tenant, name: input.keyName?.trim() || 'first key', scopes });
    recordAudit(tx, {
      tenantId: tenant.id,
      actor: input.actor,
      action: 'tenant.create',
      targetType: 'Tenant',
      targetId: tenant.id,
      after: { name },
    });
    recordAudit(tx, {
      tenantId: tenant.id,
      actor: input.actor,
      action: 'apikey.create',
      targetType: 'ApiKey',
      targetId: apiKey.id,
      after: { name: apiKey.name, prefix: apiKey.prefix, scopes: apiKey.scopes },
    });
    await tx.flush();
    return { tenant, apiKey, key };
  });
}

export interface TenantSummary {
  tenant: Tenant;
  activeKeys: number;
  whatsappNumbers: string[];
}

/** Every tenant, by name, with its live key count and WhatsApp numbers. */
export async function listTenants(em: EntityManager): Promise<TenantSummary[]> {
  const tenants = await em.find(Tenant, {}, { orderBy: { name: 'asc' } });
  const counts = await em
    .getConnection()
    .execute<{ tenant_id: string; count: string }[]>(
      'select tenant_id, count(*) as count from api_key where revoked_at is null group by tenant_id',
    );
  const byTenant = new Map(counts.map((row) => [row.tenant_id, Number(row.count)]));
  return tenants.map((tenant) => {
    const whatsapp = (tenant.settings.channels?.whatsapp ?? {}) as { numbers?: unknown };
    return {
      tenant,
      activeKeys: byTenant.get(tenant.id) ?? 0,
      whatsappNumbers: Array.isArray(whatsapp.numbers) ? whatsapp.numbers.map(String) : [],
    };
  });
}

async function tenantByNameOrId(em: EntityManager, nameOrId: string): Promise<Tenant> {
  const tenant =
    (isUuid(nameOrId) ? await em.findOne(Tenant, { id: nameOrId }) : null) ??
    (await em.findOne(Tenant, { name: nameOrId }));
  if (!tenant) throw notFound('Tenant', nameOrId);
  return tenant;
}

/**
 * Disables (or re-enables) a tenant: while disabled its API keys are refused
 * and its channels stop routing to it; nothing is deleted. CONFLICT when it is
 * already in that state.
 */
export async function setTenantDisabled(
  em: EntityManager,
  input: { tenant: string; disabled: boolean; actor: Actor },
): Promise<Tenant> {
  return em.transactional(async (tx) => {
    const tenant = await tenantByNameOrId(tx, input.tenant);
    if (Boolean(tenant.disabledAt) === input.disabled)
      throw new AppError('CONFLICT', `Tenant ${tenant.name} is already ${input.disabled ? 'disabled' : 'enabled'}`);
    const before = { disabledAt: tenant.disabledAt };
    tenant.disabledAt = input.disabled ? new Date() : null;
    recordAudit(tx, {
      tenantId: tenant.id,
      actor: input.actor,
      action: input.disabled ? 'tenant.disable' : 'tenant.enable',
      targetType: 'Tenant',
      targetId: tenant.id,
      before,
      after: { disabledAt: tenant.disabledAt },
    });
    await tx.flush();
    return tenant;
  });
}

/** Scopes a tenant key may have (never `tenants:manage`). */
export function isTenantScope(scope: string): scope is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(scope);
}
