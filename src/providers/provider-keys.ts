import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import type { SecretBox } from '../security/secret-box';
import { readTenantSecrets } from '../tenants/tenant-service';

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

/**
 * Which API key each provider uses for a tenant: the tenant's own (encrypted
 * tenant secrets `openaiApiKey` / `geminiApiKey`) before the environment's.
 * Decrypting on every turn would cost a database read, so keys are cached
 * briefly; `invalidate(tenantId)` applies a changed secret at once.
 */
export class ProviderKeyStore {
  private readonly cache: LRUCache<string, Promise<TenantKeys>> | null;

  constructor(private readonly options: ProviderKeyStoreOptions) {
    this.cache = options.ttlMs > 0 ? new LRUCache<string, Promise<TenantKeys>>({ max: 10_000, ttl: options.ttlMs }) : null;
  }

  keysFor(tenantId: string): Promise<TenantKeys> {
    const cached = this.cache?.get(tenantId);
    if (cached) return cached;
    const loading = this.load(tenantId);
    this.cache?.set(tenantId, loading);
    return loading;
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

  private async load(tenantId: string): Promise<TenantKeys> {
    let secrets: Record<string, string | undefined> = {};
    if (this.options.em && this.options.secretBox) {
      try {
        secrets = await readTenantSecrets(this.options.em.fork(), this.options.secretBox, tenantId);
      } catch (error) {
        // An unknown tenant or an undecryptable secret must not stop the reply: fall back to the environment, and say so.
        this.options.onError?.(error, tenantId);
        this.cache?.delete(tenantId);
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
    return keys;
  }
}
