import type { ProviderHealth } from './health';
import type { ModelCatalogue } from './model-catalogue';
import { costOf, zeroUsage } from './pricing';
import { ProviderTimeout } from './provider-errors';
import type { ChainCandidate, SkippedCandidate } from './provider-router';
import { ProviderError, type AttemptRecord, type ChatMessage, type GenerateResult, type LlmProvider, type ProviderId, type ReferenceArticle } from './types';

export interface FailoverOptions {
  /** PROVIDER_TIMEOUT_MS: one call's budget before it is aborted and counted as a retryable timeout. */
  timeoutMs: number;
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

const defaultSleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds).unref());

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
 * Tries the chain in order. Per candidate: ask the circuit breaker, call with
 * a timeout, retry retryable errors with backoff (honouring Retry-After up to
 * a cap), move on to the next candidate after a non-retryable error or when
 * retries run out. Every call becomes an AttemptRecord; attempts after the
 * first candidate failed (or was refused by its circuit) are marked failover.
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

  for (const candidate of chain) {
    const permit = health.tryAcquire(candidate.provider, candidate.model);
    if (!permit.allowed) {
      skipped.push({ ...candidate, reason: permit.reason });
      failedOver = true;
      continue;
    }
    for (let retry = 0; ; retry++) {
      const startedAt = now();
      const record = (success: boolean, latencyMs: number, result: GenerateResult | null, errorCode: string | null): void => {
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
        const result = await callWithTimeout(providers[candidate.provider], candidate, request, options.timeoutMs);
        const latencyMs = Math.max(0, now() - startedAt);
        health.record(candidate.provider, candidate.model, { ok: true, latencyMs });
        record(true, latencyMs, result, null);
        return { answer: { provider: candidate.provider, model: candidate.model, result }, attempts, skipped, errors, failover: failedOver };
      } catch (thrown) {
        const latencyMs = Math.max(0, now() - startedAt);
        const error = asProviderError(thrown, candidate.provider);
        // A missing key or a caller's cancellation says nothing about the provider's health.
        if (error.code !== 'no_api_key' && error.code !== 'aborted') health.record(candidate.provider, candidate.model, { ok: false, latencyMs, errorCode: error.code });
        record(false, latencyMs, null, error.code);
        errors.push({ provider: candidate.provider, model: candidate.model, code: error.code, message: error.message, retryable: error.retryable });
        hooks.onFailure?.(candidate.provider, error);
        const canRetry = error.retryable && retry < options.maxRetries && !permit.probe && health.circuitOf(candidate.provider, candidate.model) === 'closed';
        if (!canRetry) break;
        const cap = options.retryAfterCapMs ?? 10_000;
        if (error.retryAfterMs !== undefined && error.retryAfterMs > cap) {
          skipped.push({ ...candidate, reason: `asked to retry after ${error.retryAfterMs} ms (more than ${cap} ms)` });
          break;
        }
        await sleep(backoffDelay(retry, options, error.retryAfterMs));
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
async function callWithTimeout(provider: LlmProvider, candidate: ChainCandidate, request: FailoverRequest, timeoutMs: number): Promise<GenerateResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const reason = new ProviderTimeout(timeoutMs);
      controller.abort(reason);
      reject(new ProviderError(`${candidate.provider} timed out: ${reason.message}`, candidate.provider, 'timeout', true));
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
