import { startFakeLlmServer, type FakeLlmControls } from './fake-llm-server';

export type { FakeUsage, LlmFault, RecordedLlmRequest, ReplyScript } from './fake-llm-server';

export interface FakeOpenAi extends FakeLlmControls {
  /** Base URL including `/v1`: pass it as OPENAI_BASE_URL (the `openai` SDK's baseURL). */
  url: string;
}

/**
 * An OpenAI Chat Completions API on 127.0.0.1 (random port) for tests and
 * benchmarks, driven through the real `openai` SDK:
 * POST /v1/chat/completions → a `chat.completion` object with
 * `usage.prompt_tokens_details.cached_tokens`; errors in OpenAI's
 * `{ error: { message, type, code } }` shape. Answers at once unless a fault
 * is injected (`failNext`, `failAlways`). Close it in afterAll.
 *
 * @example
 *   const openai = await startFakeOpenAi();
 *   openai.failNext({ kind: 'status', status: 429, retryAfterSeconds: 0 });
 *   const gateway = createModelGateway({ config: { ...config, OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'sk-test' }, ... });
 */
export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  let sequence = 0;
  const server = await startFakeLlmServer({
    match: (method, path, body) =>
      method === 'POST' && path === '/v1/chat/completions' ? String(body.model ?? '') : null,
    apiKey: (request) => request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? null,
    modelList: (method, path) =>
      method === 'GET' && path === '/v1/models'
        ? {
            object: 'list',
            data: ['gpt-4o-mini', 'gpt-4o'].map((id) => ({
              id,
              object: 'model',
              created: 1_700_000_000,
              owned_by: 'openai',
            })),
          }
        : null,
    promptText: (body) =>
      Array.isArray(body.messages)
        ? body.messages.map((message: { content?: unknown }) => String(message.content ?? '')).join('\n')
        : '',
    success: (request, reply) => ({
      headers: { 'x-request-id': `req_fake_${++sequence}` },
      body: {
        id: `chatcmpl-fake${sequence}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: request.model,
        system_fingerprint: 'fp_fake',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: reply.text, refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: {
          prompt_tokens: reply.usage.promptTokens,
          completion_tokens: reply.usage.completionTokens,
          total_tokens: reply.usage.promptTokens + reply.usage.completionTokens,
          prompt_tokens_details: { cached_tokens: reply.usage.cachedTokens, audio_tokens: 0 },
          completion_tokens_details: {
            reasoning_tokens: 0,
            audio_tokens: 0,
            accepted_prediction_tokens: 0,
            rejected_prediction_tokens: 0,
          },
        },
      },
    }),
    error: (status, message) => ({
      error: {
        message,
        type:
          status === 429
            ? 'requests'
            : status === 401
              ? 'invalid_request_error'
              : status >= 500
                ? 'server_error'
                : 'invalid_request_error',
        param: null,
        code: status === 429 ? 'rate_limit_exceeded' : status === 401 ? 'invalid_api_key' : null,
      },
    }),
  });
  return { ...server, url: `${server.url}/v1` };
}
