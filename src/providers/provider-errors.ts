import { isRetryableStatus, ProviderError, type ProviderId } from './types';

/** The reason the failover layer aborts a call that ran past its per-provider timeout. */
export class ProviderTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'ProviderTimeout';
  }
}

/** Short stable codes for the usage rows, by HTTP status. */
export function codeForStatus(status: number): string {
  if (status === 401 || status === 403) return 'auth';
  if (status === 400 || status === 422) return 'bad_request';
  if (status === 404) return 'not_found';
  return `http_${status}`;
}

export function providerErrorFromStatus(
  provider: ProviderId,
  status: number,
  message: string,
  retryAfterMs?: number,
): ProviderError {
  const hint =
    status === 401 || status === 403
      ? ' Check the API key (tenant secret or environment).'
      : status === 404
        ? ' Check the model name and the base URL.'
        : '';
  return new ProviderError(
    `${provider} answered HTTP ${status}: ${truncate(message)}.${hint}`,
    provider,
    codeForStatus(status),
    isRetryableStatus(status),
    status,
    retryAfterMs,
  );
}

/** An abort: our timeout (retryable: the next try or provider may be faster) or the caller's cancellation (not retryable). */
export function abortError(provider: ProviderId, signal: AbortSignal | undefined): ProviderError {
  const reason: unknown = signal?.reason;
  if (reason instanceof ProviderTimeout)
    return new ProviderError(`${provider} timed out: ${reason.message}`, provider, 'timeout', true);
  return new ProviderError(`${provider} call was cancelled`, provider, 'aborted', false);
}

/**
 * Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * OpenAI also sends `retry-after-ms`. Returns milliseconds, or undefined.
 */
export function parseRetryAfter(
  headers: { get(name: string): string | null } | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds && /^\d+(\.\d+)?$/.test(milliseconds.trim())) return Math.ceil(Number(milliseconds));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Gemini's RetryInfo detail ("retryDelay": "12s" or "1.5s"), in the JSON error body. */
export function parseRetryDelay(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? Math.ceil(Number(match[1]) * 1000) : undefined;
}

export function truncate(text: string, length = 300): string {
  return text.length > length ? `${text.slice(0, length - 3)}...` : text;
}
