import crypto from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Counter, Registry } from 'prom-client';
import { counterOn } from '../metrics';
import type { ChatMessage, GenerateResult, ProviderId } from './types';

export interface CachedReply {
  provider: ProviderId;
  model: string;
  result: GenerateResult;
}

interface Entry extends CachedReply {
  /** The provider's generation when stored: a failure of the provider bumps it, invalidating older entries. */
  generation: number;
}

export interface ResponseCacheOptions {
  ttlMs: number;
  maxEntries?: number;
  registry?: Registry;
  now?: () => number;
}

/**
 * Replies to identical conversations for a short time (1 min), keyed by tenant,
 * model and the normalised conversation. Only for requests the engine marks
 * cacheable (no customer-specific data). When a provider fails, everything it
 * answered is dropped: a provider in trouble may have served degraded answers.
 */
export class ResponseCache {
  private readonly entries: LRUCache<string, Entry> | null;
  private readonly generations = new Map<ProviderId, number>();
  private readonly hits?: Counter;
  private readonly misses?: Counter;

  constructor(options: ResponseCacheOptions) {
    this.entries =
      options.ttlMs > 0
        ? new LRUCache<string, Entry>({
            max: options.maxEntries ?? 2_000,
            maxSize: 50_000_000,
            sizeCalculation: (entry, key) => key.length + entry.result.text.length + 200,
            ttl: options.ttlMs,
            ttlAutopurge: false,
            ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
          })
        : null;
    if (options.registry) {
      this.hits = counterOn(options.registry, {
        name: 'parley_response_cache_hits_total',
        help: 'Replies served from the response cache',
      });
      this.misses = counterOn(options.registry, {
        name: 'parley_response_cache_misses_total',
        help: 'Cacheable replies not found in the response cache',
      });
    }
  }

  get(tenantId: string, model: string, messages: readonly ChatMessage[]): CachedReply | null {
    if (!this.entries) return null;
    const name = cacheKey(tenantId, model, messages);
    const entry = this.entries.get(name);
    if (!entry || entry.generation !== this.generationOf(entry.provider)) {
      if (entry) this.entries.delete(name);
      this.misses?.inc();
      return null;
    }
    this.hits?.inc();
    return { provider: entry.provider, model: entry.model, result: entry.result };
  }

  set(tenantId: string, model: string, messages: readonly ChatMessage[], reply: CachedReply): void {
    if (!this.entries) return;
    this.entries.set(cacheKey(tenantId, model, messages), { ...reply, generation: this.generationOf(reply.provider) });
  }

  /** Drops every reply the provider gave (lazily: entries of an older generation are misses). */
  invalidateProvider(provider: ProviderId): void {
    this.generations.set(provider, this.generationOf(provider) + 1);
  }

  clear(): void {
    this.entries?.clear();
  }

  private generationOf(provider: ProviderId): number {
    return this.generations.get(provider) ?? 0;
  }
}

/** Case, surrounding and repeated whitespace do not change the answer, so they do not change the key. */
export function normaliseConversation(messages: readonly ChatMessage[]): string {
  return messages
    .map((message) => `${message.role}:${message.content.trim().replace(/\s+/g, ' ').toLowerCase()}`)
    .join('\n');
}

function cacheKey(tenantId: string, model: string, messages: readonly ChatMessage[]): string {
  const digest = crypto.createHash('sha256').update(normaliseConversation(messages)).digest('base64url');
  return `${tenantId}|${model}|${digest}`;
}
