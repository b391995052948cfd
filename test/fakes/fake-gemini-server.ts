import { startFakeLlmServer, type FakeLlmControls } from './fake-llm-server';

export type { FakeUsage, LlmFault, RecordedLlmRequest, ReplyScript } from './fake-llm-server';

export interface FakeGemini extends FakeLlmControls {
  /** Base URL without the API version: pass it as GEMINI_BASE_URL (`httpOptions.baseUrl` of @google/genai). */
  url: string;
}

const statusNames: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The safety ratings every fake answer carries, as Gemini reports them on a harmless reply. */
export const fakeSafetyRatings = [
  { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
];

/**
 * A Gemini API on 127.0.0.1 (random port) for tests and benchmarks, driven
 * through the real `@google/genai` SDK:
 * POST /v1beta/models/{model}:generateContent → `candidates` (with
 * `safetyRatings`) and `usageMetadata` (promptTokenCount,
 * candidatesTokenCount, cachedContentTokenCount, totalTokenCount); errors in
 * Google's `{ error: { code, message, status, details } }` shape, a 429 with
 * a RetryInfo detail. The API key is read from `x-goog-api-key`.
 *
 * @example
 *   const gemini = await startFakeGemini();
 *   gemini.failAlways({ kind: 'status', status: 503 });
 *   // config: { GEMINI_BASE_URL: gemini.url, GEMINI_API_KEY: 'gk-test' }
 */
export async function startFakeGemini(): Promise<FakeGemini> {
  const server = await startFakeLlmServer({
    match: (method, path) => {
      const found = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(path);
      return method === 'POST' && found ? decodeURIComponent(found[1]!) : null;
    },
    apiKey: (request, url) => (request.headers['x-goog-api-key'] as string | undefined) ?? url.searchParams.get('key'),
    modelList: (method, path) =>
      method === 'GET' && path === '/v1beta/models'
        ? {
            models: ['gemini-2.5-flash', 'gemini-2.5-pro'].map((id) => ({
              name: `models/${id}`,
              supportedGenerationMethods: ['generateContent'],
            })),
          }
        : null,
    promptText: (body) => {
      const contents = Array.isArray(body.contents) ? (body.contents as { parts?: { text?: string }[] }[]) : [];
      const system = (body.systemInstruction as { parts?: { text?: string }[] } | undefined)?.parts ?? [];
      return [...system, ...contents.flatMap((content) => content.parts ?? [])]
        .map((part) => part.text ?? '')
        .join('\n');
    },
    success: (request, reply) => ({
      body: {
        candidates: [
          {
            content: { parts: [{ text: reply.text }], role: 'model' },
            finishReason: 'STOP',
            index: 0,
            safetyRatings: fakeSafetyRatings,
          },
        ],
        usageMetadata: {
          promptTokenCount: reply.usage.promptTokens,
          candidatesTokenCount: reply.usage.completionTokens,
          totalTokenCount: reply.usage.promptTokens + reply.usage.completionTokens,
          ...(reply.usage.cachedTokens ? { cachedContentTokenCount: reply.usage.cachedTokens } : {}),
          promptTokensDetails: [{ modality: 'TEXT', tokenCount: reply.usage.promptTokens }],
        },
        modelVersion: request.model,
        responseId: `fake-${Math.random().toString(36).slice(2, 10)}`,
      },
    }),
    error: (status, message, retryAfterSeconds) => ({
      error: {
        code: status,
        message,
        status: statusNames[status] ?? 'UNKNOWN',
        ...(retryAfterSeconds !== undefined
          ? { details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfterSeconds}s` }] }
          : {}),
      },
    }),
  });
  return server;
}
