import { createGeminiProvider } from '../../../src/providers/gemini';
import { createOpenAiProvider } from '../../../src/providers/openai';
import { ProviderTimeout } from '../../../src/providers/provider-errors';
import { ProviderError, type ChatMessage, type LlmProvider } from '../../../src/providers/types';
import { startFakeGemini, type FakeGemini } from '../../fakes/fake-gemini-server';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/fake-openai-server';

const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are the shop assistant.' },
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello! How can I help?' },
  { role: 'user', content: 'Where is my order?' },
];

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

function timeoutSignal(milliseconds: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new ProviderTimeout(milliseconds)), milliseconds).unref();
  return controller.signal;
}

describe('OpenAI adapter against the fake OpenAI server', () => {
  let fake: FakeOpenAi;
  let provider: LlmProvider;
  let key: string | undefined;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    provider = createOpenAiProvider({ baseUrl: fake.url, resolveKey: async () => key });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    key = 'sk-test-openai';
  });

  it('sends the conversation with the key and maps text, finish reason and usage with cached tokens', async () => {
    fake.setReply(() => ({
      text: 'It ships tomorrow.',
      usage: { promptTokens: 120, completionTokens: 7, cachedTokens: 64 },
    }));
    const result = await provider.generate({
      tenantId: 't1',
      model: 'gpt-4o',
      messages: conversation,
      maxOutputTokens: 200,
      temperature: 0.2,
    });
    expect(result.text).toBe('It ships tomorrow.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ inputTokens: 120, cachedInputTokens: 64, outputTokens: 7, totalTokens: 127 });
    const [request] = fake.requests;
    expect(request!.apiKey).toBe('sk-test-openai');
    expect(request!.body).toMatchObject({ model: 'gpt-4o', max_tokens: 200, temperature: 0.2, messages: conversation });
  });

  it('uses max_completion_tokens and no temperature for o-series reasoning models', async () => {
    await provider.generate({
      tenantId: 't1',
      model: 'o4-mini',
      messages: conversation,
      maxOutputTokens: 500,
      temperature: 0.2,
    });
    expect(fake.requests[0]!.body.max_completion_tokens).toBe(500);
    expect(fake.requests[0]!.body).not.toHaveProperty('temperature');
    expect(fake.requests[0]!.body).not.toHaveProperty('max_tokens');
  });

  it('maps 429 with Retry-After to a retryable error with retryAfterMs, and makes exactly one request (no SDK retries)', async () => {
    fake.failNext({ kind: 'status', status: 429, retryAfterSeconds: 2 });
    const error = await failureOf(provider.generate({ tenantId: 't1', model: 'gpt-4o', messages: conversation }));
    expect(error).toMatchObject({
      provider: 'openai',
      code: 'http_429',
      retryable: true,
      status: 429,
      retryAfterMs: 2000,
    });
    expect(fake.requests).toHaveLength(1);
  });

  it.each([
    [500, 'http_500', true],
    [503, 'http_503', true],
    [408, 'http_408', true],
    [409, 'http_409', true],
    [400, 'bad_request', false],
    [404, 'not_found', false],
  ])('maps HTTP %i to %s (retryable %s)', async (status, code, retryable) => {
    fake.failNext({ kind: 'status', status });
    const error = await failureOf(provider.generate({ tenantId: 't1', model: 'gpt-4o', messages: conversation }));
    expect(error).toMatchObject({ code, retryable, status });
  });

  it('maps a rejected key to a non-retryable auth error that says what to check', async () => {
    fake.acceptKeys('sk-the-right-one');
    const error = await failureOf(provider.generate({ tenantId: 't1', model: 'gpt-4o', messages: conversation }));
    expect(error).toMatchObject({ code: 'auth', retryable: false, status: 401 });
    expect(error.message).toMatch(/API key/);
  });

  it('maps a malformed body, a dropped connection and a hang past the timeout', async () => {
    fake.failNext({ kind: 'malformed' });
    expect(
      await failureOf(provider.generate({ tenantId: 't1', model: 'gpt-4o', messages: conversation })),
    ).toMatchObject({ code: 'malformed', retryable: false });
    fake.failNext({ kind: 'disconnect' });
    expect(
      await failureOf(provider.generate({ tenantId: 't1', model: 'gpt-4o', messages: conversation })),
    ).toMatchObject({ code: 'network', retryable: true });
    fake.failNext({ kind: 'hang' });
    const timedOut = await failureOf(
      provider.generate({ tenantId: 't1', model: 'gpt-4o', messages: conversation, signal: timeoutSignal(100) }),
    );
    expect(timedOut).toMatchObject({ code: 'timeout', retryable: true });
  });

  it('refuses to call without a key', async () => {
    key = undefined;
    expect(
      await failureOf(provider.generate({ tenantId: 't1', model: 'gpt-4o', messages: conversation })),
    ).toMatchObject({ code: 'no_api_key', retryable: false });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('Gemini adapter against the fake Gemini server', () => {
  let fake: FakeGemini;
  let provider: LlmProvider;

  beforeAll(async () => {
    fake = await startFakeGemini();
    provider = createGeminiProvider({ baseUrl: fake.url, resolveKey: async () => 'gk-test-gemini' });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('sends a system instruction and user/model roles, and maps usage and safety ratings', async () => {
    fake.setReply(() => ({
      text: 'On its way.',
      usage: { promptTokens: 300, completionTokens: 5, cachedTokens: 100 },
    }));
    const result = await provider.generate({
      tenantId: 't1',
      model: 'gemini-2.5-flash',
      messages: conversation,
      maxOutputTokens: 256,
    });
    expect(result.text).toBe('On its way.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ inputTokens: 300, cachedInputTokens: 100, outputTokens: 5, totalTokens: 305 });
    expect(result.metadata?.safetyRatings).toEqual(
      expect.arrayContaining([{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE', blocked: false }]),
    );
    const [request] = fake.requests;
    expect(request!.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(request!.apiKey).toBe('gk-test-gemini');
    expect(request!.body.systemInstruction).toMatchObject({ parts: [{ text: 'You are the shop assistant.' }] });
    expect(request!.body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ text: 'Hello! How can I help?' }] },
      { role: 'user', parts: [{ text: 'Where is my order?' }] },
    ]);
    expect(request!.body.generationConfig).toMatchObject({ maxOutputTokens: 256 });
  });

  it('maps 429 with Retry-After (header and RetryInfo) to a retryable error, with one request', async () => {
    fake.failNext({ kind: 'status', status: 429, retryAfterSeconds: 3 });
    const error = await failureOf(
      provider.generate({ tenantId: 't1', model: 'gemini-2.5-flash', messages: conversation }),
    );
    expect(error).toMatchObject({
      provider: 'gemini',
      code: 'http_429',
      retryable: true,
      status: 429,
      retryAfterMs: 3000,
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('maps 500, 400 and 403 by status', async () => {
    fake.failNext({ kind: 'status', status: 500 });
    expect(
      await failureOf(provider.generate({ tenantId: 't1', model: 'gemini-2.5-pro', messages: conversation })),
    ).toMatchObject({ code: 'http_500', retryable: true });
    fake.failNext({ kind: 'status', status: 400 });
    expect(
      await failureOf(provider.generate({ tenantId: 't1', model: 'gemini-2.5-pro', messages: conversation })),
    ).toMatchObject({ code: 'bad_request', retryable: false });
    fake.failNext({ kind: 'status', status: 403 });
    expect(
      await failureOf(provider.generate({ tenantId: 't1', model: 'gemini-2.5-pro', messages: conversation })),
    ).toMatchObject({ code: 'auth', retryable: false });
  });

  it('maps a malformed body, a dropped connection and a hang past the timeout', async () => {
    fake.failNext({ kind: 'malformed' });
    expect(
      await failureOf(provider.generate({ tenantId: 't1', model: 'gemini-2.5-flash', messages: conversation })),
    ).toMatchObject({ code: 'malformed' });
    fake.failNext({ kind: 'disconnect' });
    expect(
      await failureOf(provider.generate({ tenantId: 't1', model: 'gemini-2.5-flash', messages: conversation })),
    ).toMatchObject({ code: 'network', retryable: true });
    fake.failNext({ kind: 'hang' });
    const timedOut = await failureOf(
      provider.generate({
        tenantId: 't1',
        model: 'gemini-2.5-flash',
        messages: conversation,
        signal: timeoutSignal(100),
      }),
    );
    expect(timedOut).toMatchObject({ code: 'timeout', retryable: true });
  });
});
