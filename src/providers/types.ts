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

/** One provider call as it is written to a ProviderUsage row. */
export interface AttemptRecord {
  provider: ProviderId;
  model: string;
  usage: TokenUsage;
  costUsd: number;
  latencyMs: number;
  success: boolean;
  /** ProviderError.code when the call failed. */
  errorCode: string | null;
  /** True for every attempt after the first route choice failed over. */
  failover: boolean;
  routingReason: string;
  complexity: number;
  startedAt: Date;
}

export interface ReplyRequest {
  tenantId: string;
  /** The tenant's settings.routing (thresholds, models, fallback order) and catalogue overrides. */
  routing?: Record<string, unknown>;
  /** System prompt first, then the history within budget, the customer's new message last. */
  messages: ChatMessage[];
  /** False when the reply may depend on customer-specific data: never served from, nor stored in, the response cache. */
  cacheable: boolean;
  /** Approved answers to retrieve into the prompt (the model version's settings). */
  retrieval?: { k: number; minScore: number };
  /** `evaluation`: an offline evaluation run, never a customer (its usage is recorded apart). Default `customer`. */
  traffic?: 'customer' | 'evaluation';
}

export interface ReplyOutcome {
  text: string;
  provider: ProviderId;
  model: string;
  complexity: number;
  /** Human-readable: why this route (e.g. "complexity 0.21 < 0.30 → cheap tier (gemini-2.5-flash)"). */
  routingReason: string;
  failover: boolean;
  cacheHit: boolean;
  /** Wall time of the whole generation, retries and failover included. */
  latencyMs: number;
  /** Totals over all attempts. */
  usage: TokenUsage;
  costUsd: number;
  /** Every call made, failed ones included, in order: one ProviderUsage row each. */
  attempts: AttemptRecord[];
  /** The knowledge base answered below its confidence threshold: a human should take over. */
  needsHuman: boolean;
  /** The model version that answered (set by the engine from the active version). */
  modelVersionId?: string | null;
  /** The experiment arm that answered, when the turn was part of an experiment. */
  experimentVariant?: string | null;
}

/**
 * What the engine calls: routing, failover with retries, health, caching and
 * cost accounting behind one method. It never throws for provider failures:
 * the knowledge base is the last resort of every chain.
 */
export interface ModelGateway {
  reply(request: ReplyRequest): Promise<ReplyOutcome>;
}
