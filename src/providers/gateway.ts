import type { EntityManager } from '@mikro-orm/postgresql';
import type { Registry } from 'prom-client';
import type { Config } from '../config';
import type { DomainEvents } from '../events';
import type { Logger } from '../logger';
import type { SecretBox } from '../security/secret-box';
import { runFailover, type AttemptError, type FailoverOptions } from './failover';
import { createGeminiProvider } from './gemini';
import { ProviderHealth } from './health';
import {
  createKnowledgeBaseProvider,
  HANDOVER_REPLY,
  OUTAGE_REPLY,
  type KnowledgeBaseProvider,
} from './knowledge-base';
import { KNOWLEDGE_BASE_MODEL } from './model-catalogue';
import { createOpenAiProvider } from './openai';
import { addUsage, zeroUsage } from './pricing';
import { ProviderKeyStore, type KeySource } from './provider-keys';
import {
  decideRoute,
  describeChain,
  type ProviderChain,
  type RouteDecision,
  type SkippedCandidate,
} from './provider-router';
import { ResponseCache } from './response-cache';
import { RouteCache } from './route-cache';
import { withReferenceAnswers } from '../engine/prompt';
import { latestUserMessage } from './complexity';
import { countLater } from './token-estimate';
import type {
  CapabilityTier,
  ChatMessage,
  LlmProvider,
  ModelGateway,
  ProviderId,
  ReferenceArticle,
  ReplyOutcome,
  ReplyRequest,
} from './types';

/** The settings the provider layer reads (a subset of Config, so tests can pass a literal). */
export type ProviderConfig = Pick<
  Config,
  | 'OPENAI_API_KEY'
  | 'OPENAI_BASE_URL'
  | 'GEMINI_API_KEY'
  | 'GEMINI_BASE_URL'
  | 'PROVIDER_TIMEOUT_MS'
  | 'PROVIDER_TURN_BUDGET_MS'
  | 'PROVIDER_MAX_RETRIES'
  | 'HEALTH_WINDOW_MINUTES'
  | 'CIRCUIT_FAILURE_RATE'
  | 'CIRCUIT_MIN_CALLS'
  | 'CIRCUIT_WINDOW_CALLS'
  | 'CIRCUIT_WINDOW_SECONDS'
  | 'CIRCUIT_COOLDOWN_MS'
  | 'KB_CONFIDENCE_THRESHOLD'
  | 'KB_RETRIEVAL_K'
  | 'KB_MIN_MARGIN'
  | 'RESPONSE_CACHE_TTL_MS'
  | 'ROUTE_CACHE_TTL_MS'
>;

export interface ModelGatewayDependencies {
  config: ProviderConfig;
  /** The root entity manager (orm.em): tenant secrets and knowledge articles are read through forks of it. */
  em: EntityManager;
  /** Decrypts tenant API keys; without it only the environment keys are used. */
  secretBox?: SecretBox | null;
  /** Where parley_provider_* and cache metrics are registered. */
  registry?: Registry;
  /** Subscribes to `correction.approved` and `knowledge.changed` so the knowledge base learns changes at once. */
  events?: DomainEvents;
  logger?: Logger;
  /** Injected clock (milliseconds) for tests of circuits and caches. */
  now?: () => number;
  /** Backoff, sleep and jitter overrides (tests use tiny backoffs instead of real seconds). */
  failover?: Partial<Omit<FailoverOptions, 'timeoutMs' | 'turnBudgetMs' | 'maxRetries' | 'now'>>;
  /** Replace adapters (e.g. an instant in-process provider for benchmarks); missing ones are built from config. */
  providers?: Partial<Record<ProviderId, LlmProvider>>;
  /**
   * The instance bus (LISTEN parley_tenant_changed): while it is connected, a
   * changed tenant secret arrives as `forgetTenantKeys` and turns skip the
   * per-turn check of the stored ciphertext; while it is down they check.
   */
  changeFeed?: { connected(): boolean };
}

/** What the gateway tells beyond the ModelGateway contract (all fields extra, so it is still a ReplyOutcome). */
export interface GatewayReplyOutcome extends ReplyOutcome {
  tier: CapabilityTier;
  /** Estimated before the call with gpt-tokenizer. */
  promptTokens: number;
  /** Candidates not called, and why (no key, context window, open circuit, long Retry-After). */
  skipped: SkippedCandidate[];
  /** Failed calls with their messages, for logs (the attempts hold only codes). */
  errors: AttemptError[];
  /** The answering provider's extras: Gemini safety ratings, knowledge-base match confidence and article. */
  metadata: Record<string, unknown>;
  /** The knowledge retrieved for the turn (best first, at or above the floor); empty when none matched. */
  references: ReferenceArticle[];
  articleIds: string[];
}

export interface ProviderStatus {
  provider: ProviderId;
  /** Whether calls can be made without a tenant key. */
  configured: boolean;
  keySource: KeySource | 'none' | 'not needed';
  baseUrl: string | null;
}

export interface ProviderGateway extends ModelGateway {
  reply(request: ReplyRequest): Promise<GatewayReplyOutcome>;
  /** The synchronous routing decision alone (what `npm run bench:router` measures). */
  decide(messages: readonly ChatMessage[], routing?: Record<string, unknown> | null): RouteDecision;
  readonly health: ProviderHealth;
  readonly knowledgeBase: KnowledgeBaseProvider;
  readonly providers: Readonly<Record<ProviderId, LlmProvider>>;
  /** For start-up logs: which providers have an environment key, and where they point. */
  configuredProviders(): ProviderStatus[];
  /** Forget a tenant's cached keys, provider selection and knowledge-base index (after its secrets or articles change). */
  invalidateTenant(tenantId: string): void;
  /** Forget a tenant's (or every tenant's) cached keys and provider selections: its secrets changed somewhere. */
  forgetTenantKeys(tenantId?: string): void;
  /** Unsubscribe from domain events. */
  close(): void;
}

/**
 * Why the language models could not answer, when it looks temporary: a
 * retryable failure (timeout, 429, 5xx, network), an open circuit, a spent turn
 * budget or a long Retry-After. Null when no model was tried at all (no keys:
 * the knowledge base is the only route) or they failed for lasting reasons
 * (a bad key, a bad request), where a person should take over as before.
 */
export function modelOutage(errors: readonly AttemptError[], skipped: readonly SkippedCandidate[]): string | null {
  const causes = new Set<string>();
  for (const error of errors)
    if (error.provider !== 'knowledge-base' && error.retryable) causes.add(`${error.model}: ${error.code}`);
  for (const entry of skipped) {
    if (entry.provider === 'knowledge-base') continue;
    if (/^circuit |^turn budget |^asked to retry after |^no retry: /.test(entry.reason))
      causes.add(`${entry.model}: ${entry.reason}`);
  }
  return causes.size ? [...causes].join('; ') : null;
}

/**
 * The provider layer behind one call: route (complexity and prompt size),
 * pick the chain (tenant keys, circuits), serve from the response cache when
 * allowed, call with failover, account tokens and cost, and fall back to the
 * knowledge base. `reply` never throws for provider failures.
 */
export function createModelGateway(dependencies: ModelGatewayDependencies): ProviderGateway {
  const { config, logger } = dependencies;
  const now = dependencies.now ?? Date.now;
  const keys = new ProviderKeyStore({
    em: dependencies.em,
    secretBox: dependencies.secretBox,
    environment: { openai: config.OPENAI_API_KEY, gemini: config.GEMINI_API_KEY },
    ttlMs: config.ROUTE_CACHE_TTL_MS,
    onError: (error, tenantId) =>
      logger?.warn({ err: error, tenantId }, 'tenant provider keys unreadable; using environment keys'),
  });
  const knowledgeBase = createKnowledgeBaseProvider({
    em: dependencies.em,
    confidenceThreshold: config.KB_CONFIDENCE_THRESHOLD,
    retrievalK: config.KB_RETRIEVAL_K,
    minMargin: config.KB_MIN_MARGIN,
  });
  const providers: Record<ProviderId, LlmProvider> = {
    openai:
      dependencies.providers?.openai ??
      createOpenAiProvider({
        baseUrl: config.OPENAI_BASE_URL,
        resolveKey: (tenantId) => keys.keyFor(tenantId, 'openai'),
      }),
    gemini:
      dependencies.providers?.gemini ??
      createGeminiProvider({
        baseUrl: config.GEMINI_BASE_URL,
        resolveKey: (tenantId) => keys.keyFor(tenantId, 'gemini'),
      }),
    'knowledge-base': dependencies.providers?.['knowledge-base'] ?? knowledgeBase,
  };
  const health = new ProviderHealth({
    windowMs: config.HEALTH_WINDOW_MINUTES * 60_000,
    failureRate: config.CIRCUIT_FAILURE_RATE,
    minCalls: config.CIRCUIT_MIN_CALLS,
    recentCalls: config.CIRCUIT_WINDOW_CALLS,
    recentMs: config.CIRCUIT_WINDOW_SECONDS * 1000,
    cooldownMs: config.CIRCUIT_COOLDOWN_MS,
    now,
    registry: dependencies.registry,
  });
  const responses = new ResponseCache({ ttlMs: config.RESPONSE_CACHE_TTL_MS, registry: dependencies.registry, now });
  const routes = new RouteCache({ ttlMs: config.ROUTE_CACHE_TTL_MS, registry: dependencies.registry, now, keys });
  const failoverOptions: FailoverOptions = {
    ...dependencies.failover,
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
    turnBudgetMs: config.PROVIDER_TURN_BUDGET_MS,
    maxRetries: config.PROVIDER_MAX_RETRIES,
    now,
  };
  const reportedProblems = new WeakSet<object>();
  // Same-process writes: read what changed since the index was last in sync (other instances learn through LISTEN/NOTIFY).
  const unsubscribeCorrections = dependencies.events?.on('correction.approved', async ({ tenantId }) => {
    await knowledgeBase.catchUp(tenantId);
  });
  const unsubscribeKnowledge = dependencies.events?.on('knowledge.changed', async ({ tenantId }) => {
    await knowledgeBase.catchUp(tenantId);
  });
  const unsubscribe = () => {
    unsubscribeCorrections?.();
    unsubscribeKnowledge?.();
  };

  /** The turn's knowledge: the `k` most similar approved answers at or above the floor (the knowledge base answers from the first). */
  async function retrieve(request: ReplyRequest): Promise<ReferenceArticle[] | undefined> {
    const settings = { ...knowledgeBase.defaults, ...request.retrieval };
    try {
      return await knowledgeBase.retrieve(request.tenantId, latestUserMessage(request.messages), {
        ...settings,
        k: Math.max(1, settings.k),
      });
    } catch (error) {
      // The LLMs still answer without references; the knowledge base tries again itself (and fails over as a provider).
      logger?.warn(
        { err: error, tenantId: request.tenantId },
        'knowledge retrieval failed; answering without reference answers',
      );
      return undefined;
    }
  }

  async function reply(request: ReplyRequest): Promise<GatewayReplyOutcome> {
    const startedAt = now();
    const references = await retrieve(request);
    const inPrompt = (references ?? []).slice(0, Math.max(0, request.retrieval?.k ?? knowledgeBase.defaults.k));
    const messages = withReferenceAnswers(request.messages, inPrompt);
    const promptArticleIds = inPrompt.map((reference) => reference.id);
    const decision = decideRoute(messages, request.routing);
    if (decision.policy.problems.length && !reportedProblems.has(decision.policy)) {
      reportedProblems.add(decision.policy);
      logger?.warn(
        { tenantId: request.tenantId, problems: decision.policy.problems },
        'tenant routing settings partly invalid; defaults used for those values',
      );
    }
    const base = {
      tier: decision.tier,
      complexity: decision.complexity,
      promptTokens: decision.promptTokens,
      references: references ?? [],
    };

    if (request.cacheable) {
      const cached = responses.get(request.tenantId, decision.model, messages);
      if (cached) {
        return {
          ...base,
          text: cached.result.text,
          provider: cached.provider,
          model: cached.model,
          routingReason: `${decision.reason}; served from the response cache`,
          failover: false,
          cacheHit: true,
          latencyMs: now() - startedAt,
          usage: { ...zeroUsage },
          costUsd: 0,
          attempts: [],
          needsHuman: false,
          skipped: [],
          errors: [],
          metadata: cached.result.metadata ?? {},
          articleIds: promptArticleIds,
        };
      }
    }

    let chain: ProviderChain;
    try {
      // A key rotated since the selection was cached (here or on another instance) is used from this turn on:
      // announced by the instance bus when it is up, else checked here against the stored ciphertext.
      const announced = dependencies.changeFeed?.connected() === true;
      const rotated = announced
        ? false
        : await keys.refresh(request.tenantId).catch((error: unknown) => {
            logger?.warn(
              { err: error, tenantId: request.tenantId },
              "could not check the tenant's provider keys for changes; using the cached ones",
            );
            return false;
          });
      if (rotated) routes.invalidate(request.tenantId);
      chain = await routes.chainFor(request.tenantId, decision);
    } catch (error) {
      // Selecting providers should not fail; if it does, the customer is still answered, from the knowledge base.
      logger?.error(
        { err: error, tenantId: request.tenantId },
        'provider selection failed; answering from the knowledge base',
      );
      chain = { candidates: [{ provider: 'knowledge-base', model: KNOWLEDGE_BASE_MODEL }], skipped: [] };
    }
    const selectionReason = describeChain(decision, chain.skipped);
    const outcome = await runFailover(
      chain.candidates,
      providers,
      health,
      {
        tenantId: request.tenantId,
        messages,
        routingReason: selectionReason,
        complexity: decision.complexity,
        catalogue: decision.policy.catalogue,
        references,
        offlineModel: request.offlineModel,
      },
      failoverOptions,
      { onFailure: (provider) => responses.invalidateProvider(provider) },
    );
    for (const error of outcome.errors)
      logger?.warn(
        { tenantId: request.tenantId, provider: error.provider, model: error.model, code: error.code },
        error.message,
      );

    const skipped = [...chain.skipped, ...outcome.skipped];
    const routingReason =
      describeChain(decision, skipped) +
      (outcome.failover && outcome.answer ? `; answered by ${outcome.answer.model} after failover` : '');
    const usage = outcome.attempts.reduce((sum, attempt) => addUsage(sum, attempt.usage), { ...zeroUsage });
    const costUsd = outcome.attempts.reduce((sum, attempt) => sum + attempt.costUsd, 0);

    if (!outcome.answer) {
      // Even the knowledge base failed (its database is unreachable): the customer still gets an answer and a human.
      logger?.error(
        { tenantId: request.tenantId, errors: outcome.errors.map((error) => error.code) },
        'every provider failed, the knowledge base included',
      );
      return {
        ...base,
        text: HANDOVER_REPLY,
        provider: 'knowledge-base',
        model: KNOWLEDGE_BASE_MODEL,
        routingReason: `${routingReason}; every provider failed`,
        failover: true,
        cacheHit: false,
        latencyMs: now() - startedAt,
        usage,
        costUsd,
        attempts: outcome.attempts,
        needsHuman: true,
        skipped,
        errors: outcome.errors,
        metadata: { needsHuman: true },
        articleIds: [],
      };
    }

    const { answer } = outcome;
    let text = answer.result.text;
    let metadata = answer.result.metadata ?? {};
    let needsHuman = answer.provider === 'knowledge-base' && metadata.needsHuman === true;
    const outage = needsHuman ? modelOutage(outcome.errors, skipped) : null;
    if (outage) {
      // The models are down, not the customer asking for a human: say so plainly and keep the conversation with
      // the bot, so it answers normally again once a provider recovers (no conversation stuck with nobody).
      text = OUTAGE_REPLY;
      needsHuman = false;
      metadata = { ...metadata, needsHuman: false, outage };
      logger?.warn(
        { tenantId: request.tenantId, outage },
        'language models unavailable and the knowledge base not confident: told the customer it is a temporary problem',
      );
    }
    // The reply is history on the customer's next turn: have its token count ready for that routing decision.
    countLater(text);
    // Only first-choice LLM answers are cached: a failover answer is a degraded one, and knowledge-base answers must follow corrections at once.
    if (
      request.cacheable &&
      !outcome.failover &&
      answer.provider !== 'knowledge-base' &&
      answer.model === decision.model
    ) {
      responses.set(request.tenantId, decision.model, messages, answer);
    }
    return {
      ...base,
      text,
      provider: answer.provider,
      model: answer.model,
      routingReason,
      failover: outcome.failover,
      cacheHit: false,
      latencyMs: now() - startedAt,
      usage,
      costUsd,
      attempts: outcome.attempts,
      needsHuman,
      skipped,
      errors: outcome.errors,
      metadata,
      // The knowledge base used the article it answered with (none when it handed off); an LLM saw the prompt's references.
      articleIds:
        answer.provider === 'knowledge-base'
          ? needsHuman || typeof metadata.articleId !== 'string'
            ? []
            : [metadata.articleId]
          : promptArticleIds,
    };
  }

  return {
    reply,
    decide: decideRoute,
    health,
    knowledgeBase,
    providers,
    configuredProviders() {
      const environment = new Set(keys.environmentProviders());
      return [
        {
          provider: 'openai',
          configured: environment.has('openai'),
          keySource: environment.has('openai') ? 'environment' : 'none',
          baseUrl: config.OPENAI_BASE_URL ?? null,
        },
        {
          provider: 'gemini',
          configured: environment.has('gemini'),
          keySource: environment.has('gemini') ? 'environment' : 'none',
          baseUrl: config.GEMINI_BASE_URL ?? null,
        },
        { provider: 'knowledge-base', configured: true, keySource: 'not needed', baseUrl: null },
      ];
    },
    invalidateTenant(tenantId: string) {
      keys.invalidate(tenantId);
      routes.invalidate(tenantId);
      knowledgeBase.invalidate(tenantId);
    },
    forgetTenantKeys(tenantId?: string) {
      keys.invalidate(tenantId);
      routes.invalidate(tenantId);
    },
    close() {
      unsubscribe?.();
    },
  };
}
