import { defaultCatalogue, mergeCatalogue } from '../../../src/providers/model-catalogue';
import { costOf, priceBandFor } from '../../../src/providers/pricing';

const usage = (inputTokens: number, cachedInputTokens: number, outputTokens: number) => ({
  inputTokens,
  cachedInputTokens,
  outputTokens,
  totalTokens: inputTokens + outputTokens,
});

describe('model catalogue', () => {
  it('lists the current models with the prices from the issue and no Gemini 1.5', () => {
    expect(Object.keys(defaultCatalogue).sort()).toEqual(
      [
        'gemini-2.5-flash',
        'gemini-2.5-flash-lite',
        'gemini-2.5-pro',
        'gpt-4.1',
        'gpt-4o',
        'gpt-4o-mini',
        'knowledge-base',
        'o3',
        'o4-mini',
      ].sort(),
    );
    expect(Object.keys(defaultCatalogue).some((id) => id.includes('1.5'))).toBe(false);
    expect(defaultCatalogue['gpt-4o']!.prices).toEqual([{ input: 2.5, cachedInput: 1.25, output: 10 }]);
    expect(defaultCatalogue['o4-mini']!.prices).toEqual([{ input: 1.1, cachedInput: 0.275, output: 4.4 }]);
    expect(defaultCatalogue['gemini-2.5-flash']).toMatchObject({
      provider: 'gemini',
      tier: 'cheap',
      prices: [{ input: 0.3, cachedInput: 0.03, output: 2.5 }],
    });
    expect(defaultCatalogue['gemini-2.5-pro']).toMatchObject({ provider: 'gemini', tier: 'long-context' });
  });

  it('applies a tenant override and reports invalid entries instead of using them', () => {
    const { catalogue, problems } = mergeCatalogue(defaultCatalogue, {
      'gpt-4o': { prices: [{ input: 2, cachedInput: 1, output: 8 }] },
      'my-finetune': {
        provider: 'openai',
        tier: 'balanced',
        contextWindow: 128000,
        prices: [{ input: 3, cachedInput: 1.5, output: 12 }],
      },
      broken: { provider: 'nobody', tier: 'cheap', contextWindow: 10, prices: [] },
    });
    expect(catalogue['gpt-4o']!.prices[0]!.input).toBe(2);
    expect(catalogue['gpt-4o']!.contextWindow).toBe(128_000);
    expect(catalogue['my-finetune']!.provider).toBe('openai');
    expect(catalogue.broken).toBeUndefined();
    expect(problems).toEqual([expect.stringContaining('routing.catalogue.broken: provider must be one of')]);
    expect(defaultCatalogue['gpt-4o']!.prices[0]!.input).toBe(2.5);
  });
});

describe('costOf', () => {
  it('bills uncached input, cached input and output at the model prices (gpt-4o)', () => {
    // 800 × 2.50 + 200 × 1.25 + 500 × 10.00 = 7250 dollar-tokens per million
    expect(costOf('gpt-4o', usage(1000, 200, 500))).toBe(0.00725);
  });

  it('is exact where floating-point sums are not (gpt-4o-mini, o4-mini, flash-lite)', () => {
    // 3 × 0.15 + 0 + 3 × 0.6 per million: naive float arithmetic gives 2.2500000000000003e-6
    expect(costOf('gpt-4o-mini', usage(3, 0, 3))).toBe(0.00000225);
    expect(costOf('o4-mini', usage(1_000_000, 400_000, 1_000_000))).toBe(5.17);
    expect(costOf('gemini-2.5-flash-lite', usage(10_000, 10_000, 1_000))).toBe(0.0005);
  });

  it('bills gemini-2.5-pro at the higher band for the whole request above 200k prompt tokens', () => {
    expect(priceBandFor(defaultCatalogue['gemini-2.5-pro']!, 200_000).input).toBe(1.25);
    expect(priceBandFor(defaultCatalogue['gemini-2.5-pro']!, 200_001).input).toBe(2.5);
    // 200k: 150k × 1.25 + 50k × 0.125 + 2k × 10 = 187.5 + 6.25 + 20 = 213.75 per million
    expect(costOf('gemini-2.5-pro', usage(200_000, 50_000, 2_000))).toBe(0.21375);
    // 250k: 200k × 2.50 + 50k × 0.25 + 2k × 15 = 500 + 12.5 + 30 = 542.5 per million
    expect(costOf('gemini-2.5-pro', usage(250_000, 50_000, 2_000))).toBe(0.5425);
  });

  it('costs nothing for the knowledge base or an unknown model, and uses a tenant catalogue when given', () => {
    expect(costOf('knowledge-base', usage(500, 0, 80))).toBe(0);
    expect(costOf('gpt-9', usage(500, 0, 80))).toBe(0);
    const { catalogue } = mergeCatalogue(defaultCatalogue, {
      'gpt-4o': { prices: [{ input: 1, cachedInput: 0.5, output: 4 }] },
    });
    expect(costOf('gpt-4o', usage(1_000_000, 0, 1_000_000), catalogue)).toBe(5);
  });
});
