/**
 * The provider contract. An adapter maps one request to its vendor's SDK and
 * the answer back; it never retries (the failover layer owns retries) and
 * reports failures as ProviderError, which decides once whether retrying can help.
 */
/** Every provider parley can route to; the one list (GraphQL's ProviderId enum is checked against it). */
export const PROVIDER_IDS = ['openai', 'gemini', 'knowledge-base'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];
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
  /** The knowledge retrieved for this turn (best first, all at or above the floor): the knowledge base answers from the first. */
  references?: readonly ReferenceArticle[];
  /** A trained offline model (OfflineModel id) the knowledge base answers with instead of its nearest article. */
  offlineModel?: string | null;
}

/** A knowledge article retrieved for a turn, with its similarity to the customer's question in [0, 1]. */
export interface ReferenceArticle {
  id: string;
  question: string;
  answer: string;
  topic: string | null;
  score: number;
  /** On the best article: its score minus that of the best article of another topic (how clearly it wins); 1 when none competes. */
  margin?: number;
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
  /** How many reference answers to retrieve and how similar they must be (a model version's settings); defaults from config. */
  retrieval?: Partial<RetrievalSettings>;
  /** `evaluation`: an offline evaluation run, never a customer (its usage is recorded apart). Default `customer`. */
  traffic?: 'customer' | 'evaluation';
  /** The model version's trained offline model (OfflineModel id), used when the knowledge base answers. */
  offlineModel?: string | null;
}

/** Knowledge retrieval settings: the `k` most similar active articles whose similarity is at least `minScore` (0–1). */
export interface RetrievalSettings {
  k: number;
  minScore: number;
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
  /** Knowledge articles used: the reference answers put in the prompt, or the article the knowledge base answered with. */
  articleIds?: string[];
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
