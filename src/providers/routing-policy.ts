import { LRUCache } from 'lru-cache';
import { defaultCatalogue, KNOWLEDGE_BASE_MODEL, mergeCatalogue, type ModelCatalogue } from './model-catalogue';
import type { z } from 'zod';
import { routingFieldSchemas, TIER_NAMES, DEFAULT_THRESHOLDS } from './routing-settings';
import { PROVIDER_IDS, type CapabilityTier, type ProviderId } from './types';

/**
 * The routing rules one tenant runs with: the defaults from the issue, with the
 * tenant's `settings.routing` applied (see RoutingSettings in the Tenant entity).
 */
export interface RoutingPolicy {
  cheapThreshold: number;
  reasoningThreshold: number;
  /** Prompts above this many tokens go to the long-context tier. */
  longContextTokens: number;
  /** Prompt size above which tokens must be counted exactly before routing: min(longContextTokens, smallest context window). */
  exactTokensAbove: number;
  /** The first-choice model of each tier. */
  models: Readonly<Record<CapabilityTier, string>>;
  /** Models tried after the tier's first choice, in order; the knowledge base always ends the chain. */
  fallbackOrder: Readonly<Record<CapabilityTier, readonly string[]>>;
  catalogue: ModelCatalogue;
  /** Tenant settings that were invalid and replaced by defaults (to log or show). */
  problems: readonly string[];
}

export const tierNames: readonly CapabilityTier[] = TIER_NAMES;

export const defaultPolicy: RoutingPolicy = Object.freeze({
  cheapThreshold: DEFAULT_THRESHOLDS.cheap,
  reasoningThreshold: DEFAULT_THRESHOLDS.reasoning,
  longContextTokens: 100_000,
  exactTokensAbove: Math.min(100_000, smallestContextWindow(defaultCatalogue)),
  models: Object.freeze({
    cheap: 'gemini-2.5-flash',
    balanced: 'gpt-4o',
    'long-context': 'gemini-2.5-pro',
    reasoning: 'o4-mini',
  }),
  // Each chain crosses to the other vendor early: a vendor outage is the failure failover exists for.
  fallbackOrder: Object.freeze({
    cheap: ['gpt-4o-mini', 'gemini-2.5-flash-lite'],
    balanced: ['gemini-2.5-pro', 'gpt-4.1'],
    'long-context': ['gpt-4.1'],
    reasoning: ['o3', 'gemini-2.5-pro'],
  }),
  catalogue: defaultCatalogue,
  problems: Object.freeze([]) as readonly string[],
});

const byObject = new WeakMap<object, RoutingPolicy>();
const byText = new LRUCache<string, RoutingPolicy>({ max: 5_000 });

/**
 * The policy for a tenant's routing settings. Pure and memoised (by object
 * identity, then by content), so calling it on every turn costs a lookup.
 * Never throws: bad values fall back to defaults and are listed in `problems`.
 */
export function resolvePolicy(routing: Record<string, unknown> | undefined | null): RoutingPolicy {
  if (!routing || Object.keys(routing).length === 0) return defaultPolicy;
  const known = byObject.get(routing);
  if (known) return known;
  const text = JSON.stringify(routing);
  let policy = byText.get(text);
  if (!policy) {
    policy = buildPolicy(routing);
    byText.set(text, policy);
  }
  byObject.set(routing, policy);
  return policy;
}

function buildPolicy(routing: Record<string, unknown>): RoutingPolicy {
  const problems: string[] = [];
  const { catalogue, problems: catalogueProblems } = mergeCatalogue(defaultCatalogue, routing.catalogue);
  problems.push(...catalogueProblems);
  // Each field through the same schema the control plane validates writes with; a rejected field keeps its default.
  const fields = routingFieldSchemas(catalogue);
  const field = <T>(name: string, schema: z.ZodType<T>, fallback: T): T => {
    const value = routing[name];
    if (value === undefined) return fallback;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    problems.push(`routing.${name} ${result.error.issues[0]!.message}`);
    return fallback;
  };
  const cheapThreshold = field('cheapThreshold', fields.cheapThreshold, defaultPolicy.cheapThreshold);
  let reasoningThreshold = field('reasoningThreshold', fields.reasoningThreshold, defaultPolicy.reasoningThreshold);
  if (reasoningThreshold < cheapThreshold) {
    problems.push('routing.reasoningThreshold must not be below routing.cheapThreshold');
    reasoningThreshold = Math.max(cheapThreshold, defaultPolicy.reasoningThreshold);
  }
  const longContextTokens = field('longContextTokens', fields.longContextTokens, defaultPolicy.longContextTokens);
  const models = { ...defaultPolicy.models };
  const requestedModels = routing.models;
  if (requestedModels && typeof requestedModels === 'object') {
    for (const [tier, model] of Object.entries(requestedModels as Record<string, unknown>)) {
      if (!tierNames.includes(tier as CapabilityTier))
        problems.push(`routing.models.${tier} is not a tier (${tierNames.join(', ')})`);
      else if (!fields.model.safeParse(model).success)
        problems.push(`routing.models.${tier}: ${String(model)} is not in the model catalogue`);
      else models[tier as CapabilityTier] = model as string;
    }
  } else if (requestedModels !== undefined) problems.push('routing.models must be an object of tier → model id');
  let fallbackOrder: Record<CapabilityTier, readonly string[]> = { ...defaultPolicy.fallbackOrder };
  if (routing.fallbackOrder !== undefined) {
    if (Array.isArray(routing.fallbackOrder) && routing.fallbackOrder.every((entry) => typeof entry === 'string')) {
      // Unknown entries are dropped one by one (and listed) rather than losing the whole order.
      const entries = routing.fallbackOrder as string[];
      for (const entry of entries)
        if (!fields.fallbackEntry.safeParse(entry).success)
          problems.push(`routing.fallbackOrder: ${entry} is neither a catalogue model nor a provider`);
      fallbackOrder = Object.fromEntries(
        tierNames.map((tier) => [tier, expandFallback(entries, tier, catalogue)]),
      ) as Record<CapabilityTier, string[]>;
    } else problems.push('routing.fallbackOrder must be a list of model or provider ids');
  }
  const exactTokensAbove = Math.min(longContextTokens, smallestContextWindow(catalogue));
  return Object.freeze({
    cheapThreshold,
    reasoningThreshold,
    longContextTokens,
    exactTokensAbove,
    models,
    fallbackOrder,
    catalogue,
    problems: [...new Set(problems)],
  });
}

function smallestContextWindow(catalogue: ModelCatalogue): number {
  let smallest = Number.MAX_SAFE_INTEGER;
  for (const spec of Object.values(catalogue))
    if (spec.provider !== 'knowledge-base') smallest = Math.min(smallest, spec.contextWindow);
  return smallest;
}

const providerIds: readonly ProviderId[] = PROVIDER_IDS;

/**
 * A tenant's fallback order may name models ("gpt-4o-mini") or providers
 * ("gemini"): a provider stands for its catalogue model of the same tier, or
 * its first model when it has none in that tier.
 */
function expandFallback(entries: string[], tier: CapabilityTier, catalogue: ModelCatalogue): string[] {
  const models: string[] = [];
  for (const entry of entries) {
    if (entry === 'knowledge-base' || entry === KNOWLEDGE_BASE_MODEL) models.push(KNOWLEDGE_BASE_MODEL);
    else if (catalogue[entry]) models.push(entry);
    else if (providerIds.includes(entry as ProviderId)) {
      const ofProvider = Object.values(catalogue).filter((spec) => spec.provider === entry);
      const pick = ofProvider.find((spec) => spec.tier === tier) ?? ofProvider[0];
      if (pick) models.push(pick.id);
    }
  }
  return [...new Set(models)];
}
