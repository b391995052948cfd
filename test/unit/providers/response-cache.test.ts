import { Registry } from 'prom-client';
import { ResponseCache } from '../../../src/providers/response-cache';
import type { ChatMessage } from '../../../src/providers/types';

const messages: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'How long does delivery take?' },
];
const reply = {
  provider: 'gemini' as const,
  model: 'gemini-2.5-flash',
  result: {
    text: '2-4 days.',
    finishReason: 'stop' as const,
    usage: { inputTokens: 10, cachedInputTokens: 0, outputTokens: 3, totalTokens: 13 },
  },
};

describe('response cache', () => {
  it('hits for the same tenant, model and normalised conversation only, and counts hits and misses', async () => {
    const registry = new Registry();
    const cache = new ResponseCache({ ttlMs: 60_000, registry });
    cache.set('t1', 'gemini-2.5-flash', messages, reply);
    const spaced: ChatMessage[] = [messages[0]!, { role: 'user', content: '  how long does   DELIVERY take? ' }];
    expect(cache.get('t1', 'gemini-2.5-flash', spaced)?.result.text).toBe('2-4 days.');
    expect(cache.get('t2', 'gemini-2.5-flash', messages)).toBeNull();
    expect(cache.get('t1', 'gpt-4o', messages)).toBeNull();
    expect(cache.get('t1', 'gemini-2.5-flash', [...messages, { role: 'user', content: 'And to Spain?' }])).toBeNull();
    const text = await registry.metrics();
    expect(text).toContain('parley_response_cache_hits_total 1');
    expect(text).toContain('parley_response_cache_misses_total 3');
  });

  it('expires entries after the TTL', () => {
    let time = 5_000;
    const cache = new ResponseCache({ ttlMs: 60_000, now: () => time });
    cache.set('t1', 'gemini-2.5-flash', messages, reply);
    time += 59_000;
    expect(cache.get('t1', 'gemini-2.5-flash', messages)).not.toBeNull();
    time += 2_000;
    expect(cache.get('t1', 'gemini-2.5-flash', messages)).toBeNull();
  });

  it('drops what a provider answered when that provider fails, and keeps the others', () => {
    const cache = new ResponseCache({ ttlMs: 60_000 });
    cache.set('t1', 'gemini-2.5-flash', messages, reply);
    cache.set('t1', 'gpt-4o', messages, { ...reply, provider: 'openai', model: 'gpt-4o' });
    cache.invalidateProvider('gemini');
    expect(cache.get('t1', 'gemini-2.5-flash', messages)).toBeNull();
    expect(cache.get('t1', 'gpt-4o', messages)).not.toBeNull();
    // New answers after the failure are cached again.
    cache.set('t1', 'gemini-2.5-flash', messages, reply);
    expect(cache.get('t1', 'gemini-2.5-flash', messages)).not.toBeNull();
  });

  it('is off with a TTL of 0', () => {
    const cache = new ResponseCache({ ttlMs: 0 });
    cache.set('t1', 'gemini-2.5-flash', messages, reply);
    expect(cache.get('t1', 'gemini-2.5-flash', messages)).toBeNull();
  });
});
