import { LRUCache } from 'lru-cache';
import type { Counter, Registry } from 'prom-client';
import { counterOn } from '../metrics';
import type { ProviderKeyStore } from './provider-keys';
import { fitChain, selectChain, type ProviderChain, type RouteDecision } from './provider-router';
import type { RoutingPolicy } from './routing-policy';
import type { ProviderId } from './types';

export interface RouteCacheOptions {
  /** ROUTE_CACHE_TTL_MS (5 min): how long a tenant's provider selection is reused. */
  ttlMs: number;
  keys: ProviderKeyStore;
  registry?: Registry;
  now?: () => number;
}

const policyIds = new WeakMap<RoutingPolicy, number>();
let nextPolicyId = 1;

function policyId(policy: RoutingPolicy): number {
  let id = policyIds.get(policy);
  if (id === undefined) {
    id = nextPolicyId++;
    policyIds.set(policy, id);
  }
  return id;
}

/**
 * The provider-selection cache: per tenant, tier and routing policy, the
 * ordered chain of models whose provider has a key. Building it reads the
 * tenant's encrypted secrets, so it is kept for ROUTE_CACHE_TTL_MS; circuits
 * are checked live at call time and prompt size per turn, so neither is cached.
 */
export class RouteCache {
  private readonly chains: LRUCache<string, Promise<ProviderChain>> | null;
  private readonly hits?: Counter;
  private readonly misses?: Counter;

  constructor(private readonly options: RouteCacheOptions) {
    this.chains =
      options.ttlMs > 0
        ? new LRUCache({
            max: 20_000,
            ttl: options.ttlMs,
            ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
          })
        : null;
    if (options.registry) {
      this.hits = counterOn(options.registry, {
        name: 'parley_route_cache_hits_total',
        help: 'Provider selections served from the route cache',
      });
      this.misses = counterOn(options.registry, {
        name: 'parley_route_cache_misses_total',
        help: 'Provider selections built (tenant keys read)',
      });
    }
  }

  async chainFor(
    tenantId: string,
    decision: Pick<RouteDecision, 'tier' | 'model' | 'promptTokens' | 'policy'>,
  ): Promise<ProviderChain> {
    const name = `${tenantId}|${decision.tier}|${decision.model}|${policyId(decision.policy)}`;
    let selection = this.chains?.get(name);
    if (selection) this.hits?.inc();
    else {
      this.misses?.inc();
      selection = this.select(tenantId, decision);
      this.chains?.set(name, selection);
      selection.catch(() => this.chains?.delete(name));
    }
    return fitChain(await selection, decision.promptTokens, decision.policy.catalogue);
  }

  /** Forget a tenant's selections (its keys changed), or everyone's. */
  invalidate(tenantId?: string): void {
    if (!this.chains) return;
    if (!tenantId) return this.chains.clear();
    for (const name of [...this.chains.keys()]) if (name.startsWith(`${tenantId}|`)) this.chains.delete(name);
  }

  private async select(
    tenantId: string,
    decision: Pick<RouteDecision, 'tier' | 'model' | 'policy'>,
  ): Promise<ProviderChain> {
    const keys = await this.options.keys.keysFor(tenantId);
    const unavailable: Partial<Record<ProviderId, string>> = {};
    if (!keys.openai) unavailable.openai = 'no OpenAI API key (OPENAI_API_KEY or tenant secret openaiApiKey)';
    if (!keys.gemini) unavailable.gemini = 'no Gemini API key (GEMINI_API_KEY or tenant secret geminiApiKey)';
    const chain = selectChain(decision, unavailable);
    // Calls with the tenant's own key have their own circuit: its revoked key or spent quota is nobody else's outage.
    for (const candidate of chain.candidates) {
      const provider = candidate.provider;
      if ((provider === 'openai' || provider === 'gemini') && keys[provider]?.source === 'tenant')
        candidate.keyTenantId = tenantId;
    }
    return chain;
  }
}
