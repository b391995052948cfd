import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { clientPerKey } from './client-per-key';
import { abortError, parseRetryAfter, providerErrorFromStatus, truncate } from './provider-errors';
import { ProviderError, type GenerateRequest, type GenerateResult, type LlmProvider } from './types';

/** Resolves the API key to use for a tenant (its own, else the environment's); undefined when there is none. */
export type KeyResolver = (tenantId: string) => Promise<string | undefined>;

export interface OpenAiProviderOptions {
  resolveKey: KeyResolver;
  /** OPENAI_BASE_URL: any OpenAI-compatible server (vLLM, Ollama, a proxy); undefined for api.openai.com. */
  baseUrl?: string;
}

// o-series reasoning models take max_completion_tokens and only the default temperature.
const reasoningModel = /^o\d/;

/**
 * OpenAI chat completions through the official SDK. One client per API key
 * (clients keep connection pools, so they are reused), `maxRetries: 0`
 * because the failover layer owns retries.
 */
export function createOpenAiProvider(options: OpenAiProviderOptions): LlmProvider {
  const clientFor = clientPerKey((apiKey) => new OpenAI({ apiKey, baseURL: options.baseUrl, maxRetries: 0 }));

  return {
    id: 'openai',
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const apiKey = await options.resolveKey(request.tenantId);
      if (!apiKey)
        throw new ProviderError(
          'No OpenAI API key: set OPENAI_API_KEY or the tenant secret openaiApiKey',
          'openai',
          'no_api_key',
          false,
        );
      const reasoning = reasoningModel.test(request.model);
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        completion = await clientFor(apiKey).chat.completions.create(
          {
            model: request.model,
            messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
            ...(request.maxOutputTokens
              ? reasoning
                ? { max_completion_tokens: request.maxOutputTokens }
                : { max_tokens: request.maxOutputTokens }
              : {}),
            ...(request.temperature !== undefined && !reasoning ? { temperature: request.temperature } : {}),
          },
          { signal: request.signal },
        );
      } catch (error) {
        throw mapOpenAiError(error, request.signal);
      }
      return toResult(completion);
    },
  };
}

function toResult(completion: OpenAI.Chat.Completions.ChatCompletion): GenerateResult {
  const choice = completion?.choices?.[0];
  const text = choice?.message?.content;
  if (!choice || typeof text !== 'string') {
    throw new ProviderError('openai answered without a message in choices[0]', 'openai', 'malformed', false);
  }
  const usage = completion.usage;
  const inputTokens = usage?.prompt_tokens ?? 0;
  const outputTokens = usage?.completion_tokens ?? 0;
  return {
    text,
    finishReason: finishReasonOf(choice.finish_reason),
    usage: {
      inputTokens,
      cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
      outputTokens,
      totalTokens: usage?.total_tokens ?? inputTokens + outputTokens,
    },
    metadata: {
      responseId: completion.id,
      responseModel: completion.model,
      ...(choice.message.refusal ? { refusal: choice.message.refusal } : {}),
    },
  };
}

function finishReasonOf(reason: string | null | undefined): GenerateResult['finishReason'] {
  if (reason === 'stop' || reason === 'length' || reason === 'content_filter' || reason === 'tool_calls') return reason;
  return 'other';
}

/** SDK errors to ProviderError: status-based retryability, Retry-After, network and timeout. */
export function mapOpenAiError(error: unknown, signal?: AbortSignal): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof APIUserAbortError || (signal?.aborted && !(error instanceof APIError && error.status)))
    return abortError('openai', signal);
  if (error instanceof APIConnectionTimeoutError)
    return new ProviderError('openai timed out (SDK timeout)', 'openai', 'timeout', true);
  if (error instanceof APIConnectionError)
    return new ProviderError(
      `openai could not be reached: ${error.message}. Check OPENAI_BASE_URL.`,
      'openai',
      'network',
      true,
    );
  if (error instanceof APIError && typeof error.status === 'number') {
    return providerErrorFromStatus('openai', error.status, error.message, parseRetryAfter(error.headers));
  }
  // A body that is not the JSON the SDK expects (a proxy's HTML page, a truncated answer).
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError(`openai answered with a malformed body: ${truncate(message)}`, 'openai', 'malformed', false);
}
