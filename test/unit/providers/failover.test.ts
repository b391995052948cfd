import { attemptTimeout, backoffDelay, runFailover } from '../../../src/providers/failover';
import { ProviderHealth } from '../../../src/providers/health';
import { defaultCatalogue } from '../../../src/providers/model-catalogue';
import {
  ProviderError,
  type GenerateRequest,
  type GenerateResult,
  type LlmProvider,
  type ProviderId,
} from '../../../src/providers/types';

/** An in-process provider answering from a list of outcomes (the SDK adapters are tested against the fakes). */
function scripted(
  id: ProviderId,
  outcomes: Array<GenerateResult | ProviderError | 'never'>,
): LlmProvider & { calls: GenerateRequest[] } {
  const calls: GenerateRequest[] = [];
  return {
    id,
    calls,
    async generate(request) {
      calls.push(request);
      const next = outcomes.shift() ?? 'never';
      if (next === 'never') return new Promise<GenerateResult>(() => {});
      if (next instanceof ProviderError) throw next;
      return next;
    },
  };
}

const ok = (text: string): GenerateResult => ({
  text,
  finishReason: 'stop',
  usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 10, totalTokens: 110 },
});
const request = {
  tenantId: 't1',
  messages: [{ role: 'user' as const, content: 'hi' }],
  routingReason: 'test',
  complexity: 0.1,
  catalogue: defaultCatalogue,
};
const health = () => new ProviderHealth({ windowMs: 60_000, failureRate: 0.5, minCalls: 100, cooldownMs: 1_000 });

describe('backoff', () => {
  it('doubles from the base with equal jitter, is capped, and waits at least Retry-After', () => {
    const options = { timeoutMs: 1, maxRetries: 3, backoffBaseMs: 100, backoffMaxMs: 1_000 };
    expect(backoffDelay(0, { ...options, random: () => 0 })).toBe(50);
    expect(backoffDelay(0, { ...options, random: () => 1 })).toBe(100);
    expect(backoffDelay(2, { ...options, random: () => 1 })).toBe(400);
    expect(backoffDelay(6, { ...options, random: () => 1 })).toBe(1_000);
    expect(backoffDelay(0, { ...options, random: () => 1 }, 700)).toBe(700);
  });
});

describe('runFailover', () => {
  it('stops waiting for an adapter that ignores its abort signal once the timeout passes', async () => {
    const gemini = scripted('gemini', ['never']);
    const openai = scripted('openai', [ok('from openai')]);
    const result = await runFailover(
      [
        { provider: 'gemini', model: 'gemini-2.5-flash' },
        { provider: 'openai', model: 'gpt-4o-mini' },
      ],
      { gemini, openai, 'knowledge-base': scripted('knowledge-base', []) },
      health(),
      request,
      { timeoutMs: 30, maxRetries: 0 },
    );
    expect(gemini.calls[0]!.signal!.aborted).toBe(true);
    expect(result.answer).toMatchObject({ provider: 'openai', result: { text: 'from openai' } });
    expect(result.attempts.map((attempt) => attempt.errorCode)).toEqual(['timeout', null]);
  });

  it('treats an adapter defect (not a ProviderError) as non-retryable and moves on', async () => {
    const broken: LlmProvider = {
      id: 'openai',
      generate: async () => {
        throw new TypeError('cannot read x of undefined');
      },
    };
    const kb = scripted('knowledge-base', [ok('from the knowledge base')]);
    const sleeps: number[] = [];
    const result = await runFailover(
      [
        { provider: 'openai', model: 'gpt-4o' },
        { provider: 'knowledge-base', model: 'knowledge-base' },
      ],
      { openai: broken, gemini: scripted('gemini', []), 'knowledge-base': kb },
      health(),
      request,
      { timeoutMs: 1_000, maxRetries: 2, sleep: async (milliseconds) => void sleeps.push(milliseconds) },
    );
    expect(sleeps).toEqual([]);
    expect(result.errors[0]).toMatchObject({
      code: 'internal',
      retryable: false,
      message: expect.stringContaining('cannot read x of undefined'),
    });
    expect(result.answer?.provider).toBe('knowledge-base');
    expect(result.attempts.map((attempt) => [attempt.provider, attempt.failover])).toEqual([
      ['openai', false],
      ['knowledge-base', true],
    ]);
  });

  it('prices each successful attempt from the catalogue and tells the caller about each failure', async () => {
    const failures: string[] = [];
    const openai = scripted('openai', [new ProviderError('down', 'openai', 'http_503', true, 503), ok('second try')]);
    const result = await runFailover(
      [{ provider: 'openai', model: 'gpt-4o' }],
      { openai, gemini: scripted('gemini', []), 'knowledge-base': scripted('knowledge-base', []) },
      health(),
      request,
      { timeoutMs: 1_000, maxRetries: 1, sleep: async () => {} },
      { onFailure: (provider, error) => failures.push(`${provider}:${error.code}`) },
    );
    expect(failures).toEqual(['openai:http_503']);
    // 100 × 2.50 + 10 × 10.00 = 350 per million
    expect(result.attempts.map((attempt) => attempt.costUsd)).toEqual([0, 0.00035]);
    expect(result.failover).toBe(false);
  });

  it('does not retry a timeout on the same model: the next candidate is asked at once', async () => {
    const gemini = scripted('gemini', ['never', ok('late')]);
    const openai = scripted('openai', [ok('from openai')]);
    const result = await runFailover(
      [
        { provider: 'gemini', model: 'gemini-2.5-flash' },
        { provider: 'openai', model: 'gpt-4o-mini' },
      ],
      { gemini, openai, 'knowledge-base': scripted('knowledge-base', []) },
      health(),
      request,
      { timeoutMs: 20, maxRetries: 3, sleep: async () => {} },
    );
    expect(gemini.calls).toHaveLength(1);
    expect(result.answer?.provider).toBe('openai');
  });

  it('skips the models once the turn budget is spent, and still asks the knowledge base', async () => {
    let time = 0;
    const slowFail: LlmProvider = {
      id: 'gemini',
      async generate() {
        time += 900;
        throw new ProviderError('gemini: 503', 'gemini', 'http_503', true, 503);
      },
    };
    const openai = scripted('openai', [ok('never asked')]);
    const kb = scripted('knowledge-base', [ok('from the knowledge base')]);
    const result = await runFailover(
      [
        { provider: 'gemini', model: 'gemini-2.5-flash' },
        { provider: 'openai', model: 'gpt-4o-mini' },
        { provider: 'knowledge-base', model: 'knowledge-base' },
      ],
      { gemini: slowFail, openai, 'knowledge-base': kb },
      health(),
      request,
      {
        timeoutMs: 5_000,
        turnBudgetMs: 1_000,
        maxRetries: 2,
        now: () => time,
        sleep: async () => {},
        random: () => 0.5,
      },
    );
    expect(openai.calls).toHaveLength(0);
    expect(result.answer?.provider).toBe('knowledge-base');
    expect(result.skipped.map((entry) => [entry.model, entry.reason])).toEqual([
      ['gemini-2.5-flash', 'no retry: a 188 ms backoff does not fit the turn budget left (100 ms)'],
      ['gpt-4o-mini', 'turn budget of 1000 ms spent'],
    ]);
  });
});

describe('attemptTimeout', () => {
  const model = { provider: 'openai' as const, model: 'gpt-4o-mini' };
  const kb = { provider: 'knowledge-base' as const, model: 'knowledge-base' };
  it.each([
    // [candidate, models left, budget left, per-call cap, expected]
    ['first of three models, full budget', model, 3, 8_000, 30_000, 2_666],
    ['second of two after a fast failure', model, 2, 7_900, 30_000, 3_950],
    ['last model gets all that is left', model, 1, 2_000, 30_000, 2_000],
    ['never above PROVIDER_TIMEOUT_MS', model, 1, 8_000, 1_500, 1_500],
    ['at least the minimum while some budget is left', model, 3, 300, 30_000, 250],
    ['spent budget skips a model', model, 1, 200, 30_000, null],
    ['no budget: the per-call cap', model, 3, null, 30_000, 30_000],
    ['the knowledge base is asked past the budget', kb, 0, -500, 30_000, 2_000],
    ['the knowledge base keeps what is left when more', kb, 0, 5_000, 30_000, 5_000],
  ])('%s', (_name, candidate, modelsLeft, remaining, cap, expected) => {
    expect(attemptTimeout(candidate, modelsLeft, remaining, { timeoutMs: cap })).toBe(expected);
  });
});
