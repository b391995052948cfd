import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import { notFound } from '../errors';
import { isUuid } from '../ids';
import type { SecretBox } from '../security/secret-box';
import type { TenantSecrets } from '../tenants/tenant-service';

export type KeySource = 'tenant' | 'environment';
export type KeyedProvider = 'openai' | 'gemini';

export interface ResolvedKey {
  key: string;
  source: KeySource;
}

export type TenantKeys = Partial<Record<KeyedProvider, ResolvedKey>>;

export interface ProviderKeyStoreOptions {
  em?: EntityManager;
  secretBox?: SecretBox | null;
  /** OPENAI_API_KEY / GEMINI_API_KEY, used when the tenant has no key of its own. */
  environment: Partial<Record<KeyedProvider, string | undefined>>;
  /** How long a tenant's keys are remembered (the route cache TTL). */
  ttlMs: number;
  /** Told when a tenant's secrets cannot be read (the environment keys are used meanwhile). */
  onError?: (error: unknown, tenantId: string) => void;
}

interface LoadedKeys {
  keys: TenantKeys;
  /** The tenant's encrypted_secrets as read (null: none, undefined: not read); compared on each turn. */
  ciphertext: string | null | undefined;
}

/**
 * Which API key each provider uses for a tenant: the tenant's own (encrypted
 * tenant secrets `openaiApiKey` / `geminiApiKey`) before the environment's.
 * Decrypted keys are cached, and `refresh(tenantId)` — once per turn — checks
 * them against the database with one primary-key read of the ciphertext: a
 * secret rotated by any instance (the ciphertext changes on every write, its
 * IV is random) is used from the next turn on, everywhere.
 */
export class ProviderKeyStore {
  private readonly cache: LRUCache<string, Promise<LoadedKeys>> | null;

  constructor(private readonly options: ProviderKeyStoreOptions) {
    this.cache =
      options.ttlMs > 0 ? new LRUCache<string, Promise<LoadedKeys>>({ max: 10_000, ttl: options.ttlMs }) : null;
  }

  async keysFor(tenantId: string): Promise<TenantKeys> {
    return (await this.loaded(tenantId)).keys;
  }

  /**
   * Drops the tenant's cached keys when its stored secrets changed since they
   * were read (by this instance or another). Returns true when it dropped
   * them, so the caller drops what it built from them (the provider chain).
   */
  async refresh(tenantId: string): Promise<boolean> {
    const cached = this.cache?.get(tenantId);
    if (!cached || !this.options.em || !this.options.secretBox) return false;
    const [current, entry] = await Promise.all([this.readCiphertext(tenantId), cached]);
    if (entry.ciphertext === undefined || current === entry.ciphertext) return false;
    if (this.cache?.get(tenantId) === cached) this.cache.delete(tenantId);
    return true;
  }

  async keyFor(tenantId: string, provider: KeyedProvider): Promise<string | undefined> {
    return (await this.keysFor(tenantId))[provider]?.key;
  }

  invalidate(tenantId?: string): void {
    if (tenantId) this.cache?.delete(tenantId);
    else this.cache?.clear();
  }

  /** Providers with an environment key, for start-up logs (tenant keys are per tenant). */
  environmentProviders(): KeyedProvider[] {
    return (['openai', 'gemini'] as const).filter((provider) => Boolean(this.options.environment[provider]));
  }

  private loaded(tenantId: string): Promise<LoadedKeys> {
    const cached = this.cache?.get(tenantId);
    if (cached) return cached;
    const loading = this.load(tenantId);
    this.cache?.set(tenantId, loading);
    return loading;
  }

  /** The stored ciphertext; undefined when the tenant does not exist. */
  private async readCiphertext(tenantId: string): Promise<string | null | undefined> {
    if (!isUuid(tenantId)) return undefined;
    const rows = await this.options
      .em!.getConnection()
      .execute<{ encrypted_secrets: string | null }[]>('select encrypted_secrets from tenant where id = ?', [tenantId]);
    return rows.length ? rows[0]!.encrypted_secrets : undefined;
  }

  private async load(tenantId: string): Promise<LoadedKeys> {
    let secrets: TenantSecrets = {};
    let ciphertext: string | null | undefined;
    if (this.options.em && this.options.secretBox) {
      try {
        ciphertext = await this.readCiphertext(tenantId);
        if (ciphertext === undefined) throw notFound('Tenant', tenantId);
        if (ciphertext) secrets = JSON.parse(this.options.secretBox.decrypt(ciphertext)) as TenantSecrets;
      } catch (error) {
        // An unknown tenant or an undecryptable secret must not stop the reply: fall back to the environment, and say so.
        this.options.onError?.(error, tenantId);
        this.cache?.delete(tenantId);
        ciphertext = undefined;
      }
    }
    const keys: TenantKeys = {};
    for (const [provider, secretName] of [
      ['openai', 'openaiApiKey'],
      ['gemini', 'geminiApiKey'],
    ] as const) {
      const own = secrets[secretName];
      const environment = this.options.environment[provider];
      if (own) keys[provider] = { key: own, source: 'tenant' };
      else if (environment) keys[provider] = { key: environment, source: 'environment' };
    }
    return { keys, ciphertext };
  }
}
