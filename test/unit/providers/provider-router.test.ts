import { buildChain, decideRoute } from '../../../src/providers/provider-router';
import { resolvePolicy } from '../../../src/providers/routing-policy';
import type { ChatMessage } from '../../../src/providers/types';

const ask = (content: string): ChatMessage[] => [
  { role: 'system', content: 'You are the shop assistant.' },
  { role: 'user', content },
];
const simple = ask('How can I track my order?');
const medium = ask('Can you explain why my refund was only partial? I returned 2 of the 3 items.');
const hard = ask(
  'Can you explain why I was charged twice, compare it with invoice 5521 and calculate the difference? First check order 118, then order 119. ' +
    'What is the prorated refund for 3 items at $24.99 with 20% off?',
);
// About 120k tokens of history: long-context, whatever the score.
const long: ChatMessage[] = [
  { role: 'system', content: 'Summarise.' },
  { role: 'user', content: 'lorem ipsum dolor sit amet '.repeat(24_000) },
];

describe('routing rules (defaults)', () => {
  it('sends simple turns to the cheap tier (gemini-2.5-flash) with the score in the reason', () => {
    const decision = decideRoute(simple);
    expect(decision).toMatchObject({ tier: 'cheap', model: 'gemini-2.5-flash', provider: 'gemini' });
    expect(decision.reason).toMatch(/^complexity 0\.\d\d < 0\.30 .*→ cheap tier \(gemini-2\.5-flash\)$/);
  });

  it('sends middling turns to the balanced tier (gpt-4o)', () => {
    const decision = decideRoute(medium);
    expect(decision.complexity).toBeGreaterThanOrEqual(0.3);
    expect(decision.complexity).toBeLessThanOrEqual(0.7);
    expect(decision).toMatchObject({ tier: 'balanced', model: 'gpt-4o', provider: 'openai' });
    expect(decision.reason).toContain('between 0.30 and 0.70');
  });

  it('sends hard turns to the reasoning tier (o4-mini)', () => {
    const decision = decideRoute(hard);
    expect(decision.complexity).toBeGreaterThan(0.7);
    expect(decision).toMatchObject({ tier: 'reasoning', model: 'o4-mini', provider: 'openai' });
  });

  it('sends prompts over 100k tokens (counted with the tokenizer) to the long-context tier (gemini-2.5-pro)', () => {
    const decision = decideRoute(long);
    expect(decision.promptTokens).toBeGreaterThan(100_000);
    expect(decision).toMatchObject({ tier: 'long-context', model: 'gemini-2.5-pro' });
    expect(decision.reason).toMatch(/prompt \d+ tokens > 100000/);
  });
});

describe('per-tenant routing settings', () => {
  it('applies thresholds, models and long-context size', () => {
    expect(decideRoute(simple, { cheapThreshold: 0 }).tier).toBe('balanced');
    expect(decideRoute(medium, { reasoningThreshold: 0.31 }).tier).toBe('reasoning');
    expect(decideRoute(simple, { models: { cheap: 'gpt-4o-mini' } })).toMatchObject({
      model: 'gpt-4o-mini',
      provider: 'openai',
    });
    expect(decideRoute(medium, { longContextTokens: 10 }).tier).toBe('long-context');
  });

  it('routes to a model the tenant added to its catalogue', () => {
    const decision = decideRoute(medium, {
      catalogue: {
        'ft:gpt-4o:shop': {
          provider: 'openai',
          tier: 'balanced',
          contextWindow: 128000,
          prices: [{ input: 3.75, cachedInput: 1.875, output: 15 }],
        },
      },
      models: { balanced: 'ft:gpt-4o:shop' },
    });
    expect(decision.model).toBe('ft:gpt-4o:shop');
  });

  it('keeps defaults for invalid values and lists the problems', () => {
    const policy = resolvePolicy({
      cheapThreshold: 2,
      models: { cheap: 'gemini-1.5-flash' },
      fallbackOrder: ['nobody'],
    });
    expect(policy.cheapThreshold).toBe(0.3);
    expect(policy.models.cheap).toBe('gemini-2.5-flash');
    expect(policy.problems).toEqual([
      'routing.cheapThreshold must be a number from 0 to 1',
      'routing.models.cheap: gemini-1.5-flash is not in the model catalogue',
      'routing.fallbackOrder: nobody is neither a catalogue model nor a provider',
    ]);
  });

  it('memoises the policy so routing does not re-parse settings every turn', () => {
    const routing = { cheapThreshold: 0.2 };
    expect(resolvePolicy(routing)).toBe(resolvePolicy(routing));
    expect(resolvePolicy({ cheapThreshold: 0.2 })).toBe(resolvePolicy(routing));
  });
});

describe('failover chains', () => {
  it('ends every default chain with the knowledge base, crossing vendors first', () => {
    const chain = buildChain(decideRoute(medium), {});
    expect(chain.candidates.map((candidate) => candidate.model)).toEqual([
      'gpt-4o',
      'gemini-2.5-pro',
      'gpt-4.1',
      'knowledge-base',
    ]);
    expect(buildChain(decideRoute(simple), {}).candidates.map((candidate) => candidate.model)).toEqual([
      'gemini-2.5-flash',
      'gpt-4o-mini',
      'gemini-2.5-flash-lite',
      'knowledge-base',
    ]);
  });

  it('follows a tenant fallback order of models and providers (a provider stands for its model of the tier, else its first)', () => {
    const decision = decideRoute(medium, { fallbackOrder: ['gemini', 'gpt-4o-mini'] });
    expect(buildChain(decision, {}).candidates.map((candidate) => candidate.model)).toEqual([
      'gpt-4o',
      'gemini-2.5-pro',
      'gpt-4o-mini',
      'knowledge-base',
    ]);
  });

  it('skips providers without a key, with the reason, so no keys at all means the knowledge base', () => {
    const chain = buildChain(decideRoute(medium), { openai: 'no OpenAI API key', gemini: 'no Gemini API key' });
    expect(chain.candidates).toEqual([{ provider: 'knowledge-base', model: 'knowledge-base' }]);
    expect(chain.skipped).toEqual([
      { provider: 'openai', model: 'gpt-4o', reason: 'no OpenAI API key' },
      { provider: 'gemini', model: 'gemini-2.5-pro', reason: 'no Gemini API key' },
      { provider: 'openai', model: 'gpt-4.1', reason: 'no OpenAI API key' },
    ]);
  });

  it('leaves out models whose context window cannot hold the prompt', () => {
    const decision = { ...decideRoute(medium), promptTokens: 150_000 };
    const chain = buildChain(decision, {});
    expect(chain.candidates.map((candidate) => candidate.model)).toEqual([
      'gemini-2.5-pro',
      'gpt-4.1',
      'knowledge-base',
    ]);
    expect(chain.skipped[0]).toMatchObject({
      model: 'gpt-4o',
      reason: expect.stringContaining('128000-token context window'),
    });
  });
});
