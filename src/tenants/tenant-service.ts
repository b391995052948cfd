import type { EntityManager } from '@mikro-orm/postgresql';
import { Tenant, type TenantSettings } from '../db/entities';
import { badInput, notFound } from '../errors';
import type { SecretBox } from '../security/secret-box';

/** Secrets a tenant may hold. Written encrypted; read only by the code that needs them, never returned by an API. */
export interface TenantSecrets {
  openaiApiKey?: string;
  geminiApiKey?: string;
  twilioAuthToken?: string;
  slackBotToken?: string;
  [name: string]: string | undefined;
}

export async function createTenant(
  em: EntityManager,
  input: { name: string; settings?: TenantSettings },
): Promise<Tenant> {
  const name = input.name.trim();
  if (!name) throw badInput('A tenant needs a name');
  if (await em.findOne(Tenant, { name })) throw badInput(`A tenant named ${name} already exists`);
  const tenant = em.create(Tenant, { name, settings: input.settings ?? {} });
  await em.flush();
  return tenant;
}

export async function getTenant(em: EntityManager, id: string): Promise<Tenant> {
  const tenant = await em.findOne(Tenant, { id });
  if (!tenant) throw notFound('Tenant', id);
  return tenant;
}

/**
 * Merges `changes` into the tenant's encrypted secrets; a value of `null` or
 * empty string removes that secret. Returns the names now set (never values).
 * A read-modify-write of one column: run it inside withLockedTenant (as
 * updateTenantSecrets and the WhatsApp settings do) when others may write too.
 */
export async function setTenantSecrets(
  em: EntityManager,
  box: SecretBox,
  tenantId: string,
  changes: Record<string, string | null | undefined>,
): Promise<string[]> {
  const tenant = await getTenant(em, tenantId);
  const current = await readSecretsOf(em, box, tenant);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (value === null || value === '') delete current[name];
    else current[name] = value;
  }
  tenant.encryptedSecrets = Object.keys(current).length ? box.encrypt(JSON.stringify(current)) : null;
  await em.flush();
  return Object.keys(current).sort();
}

/** Decrypted secrets of a tenant, for providers and channels. */
export async function readTenantSecrets(em: EntityManager, box: SecretBox, tenantId: string): Promise<TenantSecrets> {
  return readSecretsOf(em, box, await getTenant(em, tenantId));
}

async function readSecretsOf(em: EntityManager, box: SecretBox, tenant: Tenant): Promise<TenantSecrets> {
  // The column is lazy (kept out of ordinary loads); fetch it explicitly.
  await em.populate(tenant, ['encryptedSecrets']);
  if (!tenant.encryptedSecrets) return {};
  return JSON.parse(box.decrypt(tenant.encryptedSecrets)) as TenantSecrets;
}
