import type { CapabilityTier, ProviderId } from './types';

/**
 * Prices in US dollars per one million tokens. `inputTokens` in TokenUsage
 * counts every prompt token, cached ones included (both OpenAI's
 * `prompt_tokens` and Gemini's `promptTokenCount` do); cached tokens are billed
 * at `cachedInput` and the rest at `input`.
 */
export interface PriceBand {
  /** This band applies while the prompt has at most this many tokens; the last band has none. */
  upToPromptTokens?: number;
  input: number;
  cachedInput: number;
  output: number;
}

export interface ModelSpec {
  id: string;
  provider: ProviderId;
  contextWindow: number;
  tier: CapabilityTier;
  /** Ordered by `upToPromptTokens`; a whole request is billed at the first band its prompt fits. */
  prices: PriceBand[];
}

export type ModelCatalogue = Readonly<Record<string, ModelSpec>>;

/** The model id the offline knowledge-base provider reports. */
export const KNOWLEDGE_BASE_MODEL = 'knowledge-base';

function model(
  id: string,
  provider: ProviderId,
  contextWindow: number,
  tier: CapabilityTier,
  prices: PriceBand[],
): ModelSpec {
  return { id, provider, contextWindow, tier, prices };
}

/**
 * Current list prices (November 2026). Gemini 1.5 is retired and deliberately
 * absent. gemini-2.5-pro bills the whole request at the higher band when the
 * prompt exceeds 200k tokens.
 */
export const defaultCatalogue: ModelCatalogue = Object.freeze({
  'gpt-4o': model('gpt-4o', 'openai', 128_000, 'balanced', [{ input: 2.5, cachedInput: 1.25, output: 10 }]),
  'gpt-4o-mini': model('gpt-4o-mini', 'openai', 128_000, 'cheap', [{ input: 0.15, cachedInput: 0.075, output: 0.6 }]),
  'gpt-4.1': model('gpt-4.1', 'openai', 1_047_576, 'balanced', [{ input: 2, cachedInput: 0.5, output: 8 }]),
  o3: model('o3', 'openai', 200_000, 'reasoning', [{ input: 2, cachedInput: 0.5, output: 8 }]),
  'o4-mini': model('o4-mini', 'openai', 200_000, 'reasoning', [{ input: 1.1, cachedInput: 0.275, output: 4.4 }]),
  'gemini-2.5-pro': model('gemini-2.5-pro', 'gemini', 1_048_576, 'long-context', [
    { upToPromptTokens: 200_000, input: 1.25, cachedInput: 0.125, output: 10 },
    { input: 2.5, cachedInput: 0.25, output: 15 },
  ]),
  'gemini-2.5-flash': model('gemini-2.5-flash', 'gemini', 1_048_576, 'cheap', [
    { input: 0.3, cachedInput: 0.03, output: 2.5 },
  ]),
  'gemini-2.5-flash-lite': model('gemini-2.5-flash-lite', 'gemini', 1_048_576, 'cheap', [
    { input: 0.1, cachedInput: 0.01, output: 0.4 },
  ]),
  [KNOWLEDGE_BASE_MODEL]: model(KNOWLEDGE_BASE_MODEL, 'knowledge-base', Number.MAX_SAFE_INTEGER, 'cheap', [
    { input: 0, cachedInput: 0, output: 0 },
  ]),
});

const providerIds: readonly ProviderId[] = ['openai', 'gemini', 'knowledge-base'];
const tiers: readonly CapabilityTier[] = ['cheap', 'balanced', 'long-context', 'reasoning'];

/** A tenant's catalogue override: new models, or changed fields (prices, context window) of known ones. */
export type CatalogueOverride = Record<string, Partial<Omit<ModelSpec, 'id'>>>;

/**
 * The default catalogue with a tenant's overrides applied. Invalid entries are
 * reported (not silently dropped) so the control plane can refuse them.
 */
export function mergeCatalogue(
  base: ModelCatalogue,
  override: unknown,
): { catalogue: ModelCatalogue; problems: string[] } {
  if (override === undefined || override === null) return { catalogue: base, problems: [] };
  const problems: string[] = [];
  if (typeof override !== 'object' || Array.isArray(override))
    return { catalogue: base, problems: ['routing.catalogue must be an object of model id → model fields'] };
  const merged: Record<string, ModelSpec> = { ...base };
  for (const [id, fields] of Object.entries(override as Record<string, unknown>)) {
    if (!fields || typeof fields !== 'object') {
      problems.push(`routing.catalogue.${id} must be an object`);
      continue;
    }
    const patch = fields as Partial<ModelSpec>;
    const candidate: ModelSpec = {
      id,
      provider: patch.provider ?? base[id]?.provider ?? ('' as ProviderId),
      contextWindow: patch.contextWindow ?? base[id]?.contextWindow ?? 0,
      tier: patch.tier ?? base[id]?.tier ?? ('' as CapabilityTier),
      prices: patch.prices ?? base[id]?.prices ?? [],
    };
    const problem = validateModel(candidate);
    if (problem) problems.push(`routing.catalogue.${id}: ${problem}`);
    else merged[id] = candidate;
  }
  return { catalogue: Object.freeze(merged), problems };
}

function validateModel(spec: ModelSpec): string | null {
  if (!providerIds.includes(spec.provider)) return `provider must be one of ${providerIds.join(', ')}`;
  if (!tiers.includes(spec.tier)) return `tier must be one of ${tiers.join(', ')}`;
  if (!Number.isInteger(spec.contextWindow) || spec.contextWindow <= 0)
    return 'contextWindow must be a positive integer';
  if (!Array.isArray(spec.prices) || spec.prices.length === 0) return 'prices must list at least one band';
  for (const band of spec.prices) {
    for (const field of ['input', 'cachedInput', 'output'] as const) {
      if (typeof band[field] !== 'number' || !(band[field] >= 0))
        return `prices.${field} must be a non-negative number (dollars per 1M tokens)`;
    }
  }
  return null;
}
