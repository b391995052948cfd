import { describeComplexity, scoreComplexity, type ComplexityFeatures } from './complexity';
import { KNOWLEDGE_BASE_MODEL } from './model-catalogue';
import { resolvePolicy, type RoutingPolicy } from './routing-policy';
import { estimatePrompt } from './token-estimate';
import type { CapabilityTier, ChatMessage, ProviderId } from './types';

/** Where one turn goes, and why, before any provider is called. */
export interface RouteDecision {
  tier: CapabilityTier;
  /** The tier's first-choice model. */
  model: string;
  provider: ProviderId;
  complexity: number;
  features: ComplexityFeatures;
  /**
   * Counted with gpt-tokenizer before the call. Exact whenever it matters for
   * routing; long texts never seen before are bounded by their bytes until
   * counted just after (see estimatePrompt), which `promptTokensExact` tells.
   */
  promptTokens: number;
  promptTokensExact: boolean;
  /** Human-readable, e.g. "complexity 0.21 < 0.30 (length 0.05) → cheap tier (gemini-2.5-flash)". */
  reason: string;
  policy: RoutingPolicy;
}

/**
 * The routing rules, in the order they are checked:
 * 1. prompt > longContextTokens (100k) → long-context tier: a hard limit, whatever the score;
 * 2. complexity < cheapThreshold (0.3) → cheap tier;
 * 3. complexity > reasoningThreshold (0.7) → reasoning tier;
 * 4. otherwise → balanced tier.
 * Synchronous and pure apart from memo caches (policy, token counts): no I/O.
 */
export function decideRoute(messages: readonly ChatMessage[], routing?: Record<string, unknown> | null): RouteDecision {
  const policy = resolvePolicy(routing);
  const complexity = scoreComplexity(messages);
  const estimate = estimatePrompt(messages, policy.exactTokensAbove);
  const promptTokens = estimate.tokens;
  const score = complexity.score;
  const signals = describeComplexity(complexity);
  let tier: CapabilityTier;
  let why: string;
  if (promptTokens > policy.longContextTokens) {
    tier = 'long-context';
    why = `prompt ${promptTokens} tokens > ${policy.longContextTokens} (complexity ${score.toFixed(2)})`;
  } else if (score < policy.cheapThreshold) {
    tier = 'cheap';
    why = `complexity ${score.toFixed(2)} < ${policy.cheapThreshold.toFixed(2)} (${signals})`;
  } else if (score > policy.reasoningThreshold) {
    tier = 'reasoning';
    why = `complexity ${score.toFixed(2)} > ${policy.reasoningThreshold.toFixed(2)} (${signals})`;
  } else {
    tier = 'balanced';
    why = `complexity ${score.toFixed(2)} between ${policy.cheapThreshold.toFixed(2)} and ${policy.reasoningThreshold.toFixed(2)} (${signals})`;
  }
  const model = policy.models[tier];
  const provider = policy.catalogue[model]?.provider ?? 'knowledge-base';
  return {
    tier,
    model,
    provider,
    complexity: score,
    features: complexity.features,
    promptTokens,
    promptTokensExact: estimate.exact,
    reason: `${why} → ${tier} tier (${model})`,
    policy,
  };
}

export interface ChainCandidate {
  provider: ProviderId;
  model: string;
  /** Set when the call uses this tenant's own API key: its health (circuit) is then the tenant's alone. */
  keyTenantId?: string;
}

export interface SkippedCandidate extends ChainCandidate {
  reason: string;
}

/** The ordered failover chain of a decision; the knowledge base is always last. */
export interface ProviderChain {
  candidates: ChainCandidate[];
  /** Candidates left out before any call (no key, prompt too long, unknown model), with why. */
  skipped: SkippedCandidate[];
}

/**
 * The tier's first choice, then its fallback order, then the knowledge base,
 * without duplicates, leaving out models whose provider is unavailable (the
 * map says why, e.g. "no API key"). Independent of the prompt, so the gateway
 * caches it per tenant and tier (the provider-selection cache).
 */
export function selectChain(
  decision: Pick<RouteDecision, 'tier' | 'model' | 'policy'>,
  unavailable: Partial<Record<ProviderId, string>>,
): ProviderChain {
  const { policy } = decision;
  const ordered = [decision.model, ...policy.fallbackOrder[decision.tier], KNOWLEDGE_BASE_MODEL];
  const seen = new Set<string>();
  const candidates: ChainCandidate[] = [];
  const skipped: SkippedCandidate[] = [];
  for (const model of ordered) {
    if (seen.has(model)) continue;
    seen.add(model);
    const spec = policy.catalogue[model];
    if (!spec) {
      skipped.push({ provider: 'knowledge-base', model, reason: 'not in the model catalogue' });
      continue;
    }
    const missing = spec.provider === 'knowledge-base' ? undefined : unavailable[spec.provider];
    if (missing) {
      skipped.push({ provider: spec.provider, model, reason: missing });
      continue;
    }
    candidates.push({ provider: spec.provider, model });
    // Nothing after the knowledge base would ever be tried: it always answers.
    if (spec.provider === 'knowledge-base') break;
  }
  return { candidates, skipped };
}

/** Leaves out the models whose context window cannot hold the prompt (the knowledge base always can). */
export function fitChain(
  chain: ProviderChain,
  promptTokens: number,
  catalogue: RoutingPolicy['catalogue'],
): ProviderChain {
  if (chain.candidates.every((candidate) => promptTokens <= (catalogue[candidate.model]?.contextWindow ?? 0)))
    return chain;
  const candidates: ChainCandidate[] = [];
  const skipped = [...chain.skipped];
  for (const candidate of chain.candidates) {
    const window = catalogue[candidate.model]?.contextWindow ?? 0;
    if (promptTokens <= window) candidates.push(candidate);
    else
      skipped.push({
        ...candidate,
        reason: `prompt ${promptTokens} tokens exceeds its ${window}-token context window`,
      });
  }
  return { candidates, skipped };
}

/** selectChain then fitChain: the chain one turn runs. */
export function buildChain(
  decision: Pick<RouteDecision, 'tier' | 'model' | 'promptTokens' | 'policy'>,
  unavailable: Partial<Record<ProviderId, string>>,
): ProviderChain {
  return fitChain(selectChain(decision, unavailable), decision.promptTokens, decision.policy.catalogue);
}

/**
 * The routing reason with what was skipped, grouped by cause, as recorded on
 * the interaction and usage rows, e.g. "…; gemini-2.5-flash, gemini-2.5-flash-lite
 * skipped: no Gemini API key (…)".
 */
export function describeChain(
  decision: Pick<RouteDecision, 'reason'>,
  skippedCandidates: readonly SkippedCandidate[],
): string {
  if (skippedCandidates.length === 0) return decision.reason;
  const modelsByReason = new Map<string, string[]>();
  for (const entry of skippedCandidates) {
    const models = modelsByReason.get(entry.reason);
    if (models) models.push(entry.model);
    else modelsByReason.set(entry.reason, [entry.model]);
  }
  const skipped = [...modelsByReason].map(([reason, models]) => `${models.join(', ')} skipped: ${reason}`).join('; ');
  return `${decision.reason}; ${skipped}`;
}
