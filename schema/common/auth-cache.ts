import { API_KEY_REVOKED, TENANT_CHANGED, type InstanceBus } from '../../src/db/shared-state/instance-bus';
import type { Caller } from './context';

/** What the cache needs of the instance bus (src/db/shared-state/instance-bus.ts). */
export type InvalidationFeed = Pick<InstanceBus, 'on' | 'onReconnect' | 'connected'>;

/** Entries kept at most; past this the cache starts again empty (a flood of random keys must not grow memory). */
const MAX_ENTRIES = 10_000;

/**
 * Recent key and console-session lookups of this instance, keyed by the
 * SHA-256 of the key or token (never the secret itself).
 *
 * A revoked key must stop working at once on every instance, so the cache is
 * only used while an invalidation feed is connected: a revocation anywhere
 * (GraphQL, the keys CLI, SQL) fires `parley_api_key_revoked` from a trigger,
 * and every instance drops that key's entries (its sessions included); a
 * disabled tenant (`parley_tenant_changed`) drops the tenant's entries. While
 * the feed is down (or absent, as in most tests) every request is looked up in
 * PostgreSQL, and a reconnect empties the cache, since notifications sent
 * meanwhile are lost. `ttlMs` still bounds an entry's life (session expiry,
 * and any change no notification describes).
 */
export class AuthCache {
  private readonly entries = new Map<string, { caller: Caller | null; expiresAt: number }>();
  /** Counts invalidations: a lookup that started before one must not be stored after it. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly feed?: InvalidationFeed,
  ) {
    feed?.on(API_KEY_REVOKED, (apiKeyId) => this.forgetKey(apiKeyId));
    feed?.on(TENANT_CHANGED, (tenantId) => (tenantId ? this.forgetTenant(tenantId) : this.clear()));
    feed?.onReconnect(() => this.clear());
  }

  /** True when entries may be trusted: a positive lifetime and a connected feed. */
  enabled(): boolean {
    return this.ttlMs > 0 && this.feed !== undefined && this.feed.connected();
  }

  /** The cached caller (null: a known-bad key), or undefined when there is nothing usable. */
  get(cacheKey: string, now: number): Caller | null | undefined {
    if (!this.enabled()) return undefined;
    const entry = this.entries.get(cacheKey);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.caller;
    this.entries.delete(cacheKey);
    return undefined;
  }

  /** Call before a lookup; pass the result to {@link set}. */
  begin(): number {
    return this.generation;
  }

  /**
   * Remembers a lookup until `now + ttlMs`, or `notAfter` when that is sooner
   * (a session's expiry). Skipped when an invalidation arrived since `begin()`:
   * the row read may predate a revocation whose notification came meanwhile.
   */
  set(cacheKey: string, caller: Caller | null, startedAt: number, now: number, notAfter = Infinity): void {
    if (!this.enabled() || startedAt !== this.generation) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(cacheKey, { caller, expiresAt: Math.min(now + this.ttlMs, notAfter) });
  }

  /** Drops every entry of this key: its own lookups and those of console sessions opened with it. */
  forgetKey(apiKeyId: string): void {
    this.generation += 1;
    for (const [cacheKey, entry] of this.entries)
      if (entry.caller?.apiKeyId === apiKeyId) this.entries.delete(cacheKey);
  }

  forgetTenant(tenantId: string): void {
    this.generation += 1;
    for (const [cacheKey, entry] of this.entries)
      if (entry.caller?.tenantId === tenantId) this.entries.delete(cacheKey);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
