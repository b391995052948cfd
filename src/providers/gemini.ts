import { ApiError, GoogleGenAI, type Content, type GenerateContentResponse } from '@google/genai';
import type { KeyResolver } from './openai';
import { clientPerKey } from './client-per-key';
import { abortError, parseRetryAfter, parseRetryDelay, providerErrorFromStatus, truncate } from './provider-errors';
import { ProviderError, type ChatMessage, type GenerateRequest, type GenerateResult, type LlmProvider } from './types';

export interface GeminiProviderOptions {
  resolveKey: KeyResolver;
  /** GEMINI_BASE_URL, without the API version; undefined for generativelanguage.googleapis.com. */
  baseUrl?: string;
}

/**
 * Gemini generateContent through `@google/genai`. The SDK's own retries are
 * off unless `httpOptions.retryOptions` is set, which we never do: the
 * failover layer owns retries. Its ApiError carries `status` but not the
 * response headers, so a per-call fetch wrapper keeps Retry-After.
 */
export function createGeminiProvider(options: GeminiProviderOptions): LlmProvider {
  const clientFor = clientPerKey(
    (apiKey) => new GoogleGenAI({ apiKey, ...(options.baseUrl ? { httpOptions: { baseUrl: options.baseUrl } } : {}) }),
  );

  return {
    id: 'gemini',
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const apiKey = await options.resolveKey(request.tenantId);
      if (!apiKey)
        throw new ProviderError(
          'No Gemini API key: set GEMINI_API_KEY or the tenant secret geminiApiKey',
          'gemini',
          'no_api_key',
          false,
        );
      const { systemInstruction, contents } = toGeminiConversation(request.messages);
      let retryAfterMs: number | undefined;
      let networkError: unknown;
      const recordingFetch: typeof fetch = async (input, init) => {
        let response: Response;
        try {
          response = await fetch(input, init);
        } catch (error) {
          // The SDK rewraps fetch failures in a plain Error; remember that this one never reached an HTTP answer.
          networkError = error;
          throw error;
        }
        if (!response.ok) retryAfterMs = parseRetryAfter(response.headers);
        return response;
      };
      let response: GenerateContentResponse;
      try {
        response = await clientFor(apiKey).models.generateContent({
          model: request.model,
          contents,
          config: {
            ...(systemInstruction ? { systemInstruction } : {}),
            ...(request.maxOutputTokens ? { maxOutputTokens: request.maxOutputTokens } : {}),
            ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
            abortSignal: request.signal,
            httpOptions: { fetch: recordingFetch },
          },
        });
      } catch (error) {
        throw mapGeminiError(error, request.signal, retryAfterMs, networkError !== undefined);
      }
      return toResult(response);
    },
  };
}

/**
 * Gemini's conversation format: system messages become the system
 * instruction; `assistant` is `model`; consecutive messages of one role are
 * merged, since the API expects the roles to alternate.
 */
export function toGeminiConversation(messages: readonly ChatMessage[]): {
  systemInstruction: string | undefined;
  contents: Content[];
} {
  const system: string[] = [];
  const contents: Content[] = [];
  for (const message of messages) {
    if (message.role === 'system') {
      system.push(message.content);
      continue;
    }
    const role = message.role === 'assistant' ? 'model' : 'user';
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts!.push({ text: message.content });
    else contents.push({ role, parts: [{ text: message.content }] });
  }
  return { systemInstruction: system.length ? system.join('\n\n') : undefined, contents };
}

const filtered = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
]);

function toResult(response: GenerateContentResponse): GenerateResult {
  const candidate = response?.candidates?.[0];
  const text = candidate?.content?.parts?.map((part) => part.text ?? '').join('') ?? '';
  const blockReason = response?.promptFeedback?.blockReason;
  if (!candidate || (!text && (blockReason || filtered.has(String(candidate.finishReason))))) {
    if (blockReason || (candidate && filtered.has(String(candidate.finishReason)))) {
      throw new ProviderError(
        `gemini blocked the reply (${blockReason ?? candidate?.finishReason})`,
        'gemini',
        'content_filter',
        false,
      );
    }
    throw new ProviderError('gemini answered without candidates', 'gemini', 'malformed', false);
  }
  const usage = response.usageMetadata;
  const inputTokens = usage?.promptTokenCount ?? 0;
  // Gemini 2.5 bills its thinking tokens as output.
  const outputTokens = (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0);
  const reason = String(candidate.finishReason ?? '');
  return {
    text,
    finishReason:
      reason === 'STOP'
        ? 'stop'
        : reason === 'MAX_TOKENS'
          ? 'length'
          : filtered.has(reason)
            ? 'content_filter'
            : 'other',
    usage: {
      inputTokens,
      cachedInputTokens: usage?.cachedContentTokenCount ?? 0,
      outputTokens,
      totalTokens: usage?.totalTokenCount ?? inputTokens + outputTokens,
    },
    metadata: {
      ...(candidate.safetyRatings?.length
        ? {
            safetyRatings: candidate.safetyRatings.map((rating) => ({
              category: rating.category,
              probability: rating.probability,
              blocked: rating.blocked ?? false,
            })),
          }
        : {}),
      ...(response.modelVersion ? { responseModel: response.modelVersion } : {}),
      ...(response.responseId ? { responseId: response.responseId } : {}),
    },
  };
}

/** SDK errors to ProviderError. ApiError's message is the JSON error body, where Gemini puts RetryInfo. */
export function mapGeminiError(
  error: unknown,
  signal?: AbortSignal,
  retryAfterMs?: number,
  unreachable = false,
): ProviderError {
  if (error instanceof ProviderError) return error;
  if (signal?.aborted) return abortError('gemini', signal);
  if (error instanceof ApiError) {
    let message = error.message;
    let retryDelay: number | undefined;
    try {
      const body = JSON.parse(error.message) as {
        error?: { message?: string; details?: { '@type'?: string; retryDelay?: unknown }[] };
      };
      message = body.error?.message ?? message;
      retryDelay = parseRetryDelay(
        body.error?.details?.find((detail) => detail['@type']?.endsWith('RetryInfo'))?.retryDelay,
      );
    } catch {
      // Not JSON: keep the raw message.
    }
    return providerErrorFromStatus('gemini', error.status, message, retryAfterMs ?? retryDelay);
  }
  const message = error instanceof Error ? error.message : String(error);
  if (unreachable)
    return new ProviderError(
      `gemini could not be reached (${truncate(message)}). Check GEMINI_BASE_URL.`,
      'gemini',
      'network',
      true,
    );
  return new ProviderError(`gemini answered with a malformed body: ${truncate(message)}`, 'gemini', 'malformed', false);
}
