/**
 * The provider contract. An adapter maps one request to its vendor's SDK and
 * the answer back; it never retries (the failover layer owns retries) and
 * reports failures as ProviderError, which decides once whether retrying can help.
 */
export type ProviderId = 'openai' | 'gemini' | 'knowledge-base';
export type CapabilityTier = 'cheap' | 'balanced' | 'long-context' | 'reasoning';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  tenantId: string;
  model: string;
  messages: ChatMessage[];
  maxOutputTokens?: number;
  temperature?: number;
  /** Abort when the per-provider timeout elapses. */
  signal?: AbortSignal;
}

export interface TokenUsage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface GenerateResult {
  text: string;
  finishReason: 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other';
  usage: TokenUsage;
  /** Vendor extras worth recording (e.g. Gemini safety ratings, KB match score). */
  metadata?: Record<string, unknown>;
}

export interface LlmProvider {
  readonly id: ProviderId;
  generate(request: GenerateRequest): Promise<GenerateResult>;
}

export class ProviderError extends Error {
  constructor(
    message: string,
    readonly provider: ProviderId,
    /** A short stable code for usage rows: http_429, http_500, timeout, network, malformed, auth, bad_request, ... */
    readonly code: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** Milliseconds the vendor asked us to wait (Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** HTTP statuses where trying again (here or on another provider) can help. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
