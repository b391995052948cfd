import type { ProviderHealth } from './health';
import type { ModelCatalogue } from './model-catalogue';
import { costOf, zeroUsage } from './pricing';
import { ProviderTimeout } from './provider-errors';
import type { ChainCandidate, SkippedCandidate } from './provider-router';
import {
  ProviderError,
  type AttemptRecord,
  type ChatMessage,
  type GenerateResult,
  type LlmProvider,
  type ProviderId,
  type ReferenceArticle,
} from './types';

export interface FailoverOptions {
  /** PROVIDER_TIMEOUT_MS: the most one call may take, whatever the turn budget leaves, before it is aborted (a timeout). */
  timeoutMs: number;
  /**
   * PROVIDER_TURN_BUDGET_MS: the time all model calls of one turn may take together. Each call gets a fair
   * share of what is left (remaining ÷ model candidates not yet tried); when it is spent only the knowledge
   * base (local) is asked. Undefined: no budget, each call gets timeoutMs.
   */
  turnBudgetMs?: number;
  /** PROVIDER_MAX_RETRIES: extra tries of the same provider, for retryable errors only. */
  maxRetries: number;
  /** First backoff; doubles per retry (250 ms). */
  backoffBaseMs?: number;
  /** Longest backoff (4 s). */
  backoffMaxMs?: number;
  /** Longest Retry-After we wait for; a longer one moves on to the next provider at once (10 s). */
  retryAfterCapMs?: number;
  sleep?: (milliseconds: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export interface FailoverRequest {
  tenantId: string;
  messages: ChatMessage[];
  maxOutputTokens?: number;
  temperature?: number;
  routingReason: string;
  complexity: number;
  catalogue: ModelCatalogue;
  /** Knowledge retrieved for the turn, passed to every provider (the knowledge base answers from it). */
  references?: readonly ReferenceArticle[];
  /** The model version's trained offline model, for the knowledge base. */
  offlineModel?: string | null;
}

export interface AttemptError {
  provider: ProviderId;
  model: string;
  code: string;
  message: string;
  retryable: boolean;
}

export interface FailoverResult {
  /** Null when every candidate failed or was refused. */
  answer: { provider: ProviderId; model: string; result: GenerateResult } | null;
  attempts: AttemptRecord[];
  /** Candidates refused at call time (open circuit) or abandoned (Retry-After too long). */
  skipped: SkippedCandidate[];
  errors: AttemptError[];
  /** The answer did not come from the first candidate that could have answered. */
  failover: boolean;
}

export interface FailoverHooks {
  /** Called after every failed call (the gateway drops the provider's cached replies). */
  onFailure?(provider: ProviderId, error: ProviderError): void;
}

/** Below this, a model call is not worth starting: the turn moves on to the knowledge base. */
const MIN_ATTEMPT_MS = 250;
/** The knowledge base is local and always asked, budget or not; only its database can make it slow. */
const KNOWLEDGE_BASE_MIN_MS = 2_000;
/** A success that used at least this share of its time allowance counts as slow against the circuit. */
const SLOW_SHARE = 0.8;

/**
 * The time one attempt may take: at most timeoutMs, and for a model at most
 * its fair share of the turn budget left, so a hung first choice leaves the
 * later candidates time to answer. Null: the budget is spent, skip the model.
 */
export function attemptTimeout(
  candidate: ChainCandidate,
  modelsLeft: number,
  remainingMs: number | null,
  options: Pick<FailoverOptions, 'timeoutMs'>,
): number | null {
  if (candidate.provider === 'knowledge-base')
    return remainingMs === null
      ? options.timeoutMs
      : Math.min(options.timeoutMs, Math.max(remainingMs, KNOWLEDGE_BASE_MIN_MS));
  if (remainingMs === null) return options.timeoutMs;
  if (remainingMs < MIN_ATTEMPT_MS) return null;
  return Math.max(MIN_ATTEMPT_MS, Math.min(options.timeoutMs, Math.floor(remainingMs / Math.max(1, modelsLeft))));
}

const defaultSleep = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds).unref());

/**
 * Exponential backoff with "equal jitter": half the exponential step plus a
 * random part of the other half, so concurrent retries spread out but never
 * come back immediately. A Retry-After the vendor sent wins when it is longer.
 */
export function backoffDelay(retry: number, options: FailoverOptions, retryAfterMs?: number): number {
  const base = options.backoffBaseMs ?? 250;
  const step = Math.min(options.backoffMaxMs ?? 4_000, base * 2 ** retry);
  const jittered = step / 2 + (options.random ?? Math.random)() * (step / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/**
 * Tries the chain in order within the turn budget. Per candidate: ask the
 * circuit breaker, call with a timeout derived from the budget left, retry
 * retryable errors with backoff (honouring Retry-After up to a cap) while the
 * budget allows, and move on to the next candidate after a timeout (a hung
 * model is not asked again in the same turn), a non-retryable error, or when
 * retries run out. A success that nearly used its whole allowance is recorded
 * as slow. Every call becomes an AttemptRecord; attempts after the first
 * candidate failed (or was refused) are marked failover.
 */
export async function runFailover(
  chain: readonly ChainCandidate[],
  providers: Readonly<Record<ProviderId, LlmProvider>>,
  health: ProviderHealth,
  request: FailoverRequest,
  options: FailoverOptions,
  hooks: FailoverHooks = {},
): Promise<FailoverResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const attempts: AttemptRecord[] = [];
  const skipped: SkippedCandidate[] = [];
  const errors: AttemptError[] = [];
  let failedOver = false;
  const turnStartedAt = now();
  const remaining = (): number | null =>
    options.turnBudgetMs === undefined ? null : options.turnBudgetMs - (now() - turnStartedAt);

  for (const [position, candidate] of chain.entries()) {
    const modelsLeft = chain.slice(position).filter((entry) => entry.provider !== 'knowledge-base').length;
    const firstTimeout = attemptTimeout(candidate, modelsLeft, remaining(), options);
    if (firstTimeout === null) {
      skipped.push({ ...candidate, reason: `turn budget of ${options.turnBudgetMs} ms spent` });
      failedOver = true;
      continue;
    }
    const owner = candidate.keyTenantId ?? null;
    const permit = health.tryAcquire(candidate.provider, candidate.model, owner);
    if (!permit.allowed) {
      skipped.push({ ...candidate, reason: permit.reason });
      failedOver = true;
      continue;
    }
    for (let retry = 0; ; retry++) {
      // (A half-open probe is never retried, so a retry never holds the probe.)
      const timeoutMs = retry === 0 ? firstTimeout : attemptTimeout(candidate, modelsLeft, remaining(), options);
      if (timeoutMs === null) {
        skipped.push({ ...candidate, reason: `turn budget of ${options.turnBudgetMs} ms spent` });
        break;
      }
      const startedAt = now();
      const record = (
        success: boolean,
        latencyMs: number,
        result: GenerateResult | null,
        errorCode: string | null,
      ): void => {
        const usage = result?.usage ?? { ...zeroUsage };
        attempts.push({
          provider: candidate.provider,
          model: candidate.model,
          usage,
          costUsd: costOf(candidate.model, usage, request.catalogue),
          latencyMs,
          success,
          errorCode,
          failover: failedOver,
          routingReason: request.routingReason,
          complexity: request.complexity,
          startedAt: new Date(startedAt),
        });
      };
      try {
        const result = await callWithTimeout(providers[candidate.provider], candidate, request, timeoutMs);
        const latencyMs = Math.max(0, now() - startedAt);
        const slow = candidate.provider !== 'knowledge-base' && latencyMs >= timeoutMs * SLOW_SHARE;
        health.record(candidate.provider, candidate.model, { ok: true, latencyMs, slow }, owner);
        record(true, latencyMs, result, null);
        return {
          answer: { provider: candidate.provider, model: candidate.model, result },
          attempts,
          skipped,
          errors,
          failover: failedOver,
        };
      } catch (thrown) {
        const latencyMs = Math.max(0, now() - startedAt);
        const error = asProviderError(thrown, candidate.provider);
        // A missing key or a caller's cancellation says nothing about the provider's health.
        if (error.code !== 'no_api_key' && error.code !== 'aborted')
          health.record(candidate.provider, candidate.model, { ok: false, latencyMs, errorCode: error.code }, owner);
        else if (permit.probe) health.release(candidate.provider, candidate.model, owner);
        record(false, latencyMs, null, error.code);
        errors.push({
          provider: candidate.provider,
          model: candidate.model,
          code: error.code,
          message: error.message,
          retryable: error.retryable,
        });
        hooks.onFailure?.(candidate.provider, error);
        // A timeout is not retried on the same model: it would likely hang again and eat the turn.
        const canRetry =
          error.retryable &&
          error.code !== 'timeout' &&
          retry < options.maxRetries &&
          !permit.probe &&
          health.circuitOf(candidate.provider, candidate.model, owner) === 'closed';
        if (!canRetry) break;
        const cap = options.retryAfterCapMs ?? 10_000;
        if (error.retryAfterMs !== undefined && error.retryAfterMs > cap) {
          skipped.push({ ...candidate, reason: `asked to retry after ${error.retryAfterMs} ms (more than ${cap} ms)` });
          break;
        }
        const delay = backoffDelay(retry, options, error.retryAfterMs);
        const left = remaining();
        if (left !== null && left - delay < MIN_ATTEMPT_MS * Math.max(1, modelsLeft)) {
          skipped.push({
            ...candidate,
            reason: `no retry: a ${delay} ms backoff does not fit the turn budget left (${Math.max(0, Math.round(left))} ms)`,
          });
          break;
        }
        await sleep(delay);
      }
    }
    failedOver = true;
  }
  return { answer: null, attempts, skipped, errors, failover: true };
}

/**
 * Aborts the call's signal when the budget runs out, and also stops waiting,
 * so an adapter that ignores its signal cannot hold up the turn.
 */
async function callWithTimeout(
  provider: LlmProvider,
  candidate: ChainCandidate,
  request: FailoverRequest,
  timeoutMs: number,
): Promise<GenerateResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const reason = new ProviderTimeout(timeoutMs);
      controller.abort(reason);
      reject(
        new ProviderError(`${candidate.provider} timed out: ${reason.message}`, candidate.provider, 'timeout', true),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      provider.generate({
        tenantId: request.tenantId,
        model: candidate.model,
        messages: request.messages,
        maxOutputTokens: request.maxOutputTokens,
        temperature: request.temperature,
        signal: controller.signal,
        references: request.references,
        offlineModel: request.offlineModel,
      }),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function asProviderError(thrown: unknown, provider: ProviderId): ProviderError {
  if (thrown instanceof ProviderError) return thrown;
  // Not a vendor failure but a defect in an adapter: never retried, and logged by the gateway with this message.
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new ProviderError(`${provider} adapter failed unexpectedly: ${message}`, provider, 'internal', false);
}
