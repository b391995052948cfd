import { countTokens } from 'gpt-tokenizer';
import { estimatePrompt, estimatePromptTokens, TOKENS_PER_MESSAGE } from '../../../src/providers/token-estimate';
import type { ChatMessage } from '../../../src/providers/types';

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));
const unique = (label: string) =>
  `${label} ${Math.random()} ` +
  'We refund returned items within two business days of arrival at our warehouse. '.repeat(12);

describe('prompt token estimate', () => {
  it('counts short texts exactly with the tokenizer', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Where is my parcel?' },
    ];
    const estimate = estimatePrompt(messages, 100_000);
    expect(estimate).toEqual({
      tokens: countTokens('Be brief.') + countTokens('Where is my parcel?') + 2 * TOKENS_PER_MESSAGE,
      exact: true,
      upperBound: estimate.tokens,
    });
  });

  it('bounds a long unseen text by its bytes, then knows its exact count after the decision', async () => {
    const history = unique('history');
    const messages: ChatMessage[] = [
      { role: 'assistant', content: history },
      { role: 'user', content: 'And?' },
    ];
    const exact = estimatePromptTokens([{ role: 'user', content: 'And?' }]) + TOKENS_PER_MESSAGE + countTokens(history);
    const first = estimatePrompt(messages, 100_000);
    expect(first.exact).toBe(false);
    expect(first.upperBound).toBeGreaterThanOrEqual(exact);
    expect(first.tokens).toBeLessThanOrEqual(first.upperBound);
    await nextTick();
    expect(estimatePrompt(messages, 100_000)).toEqual({ tokens: exact, exact: true, upperBound: exact });
  });

  it('counts exactly at once when the bound could cross the threshold that matters', () => {
    const history = unique('near the threshold');
    const messages: ChatMessage[] = [{ role: 'assistant', content: history }];
    const estimate = estimatePrompt(messages, 50);
    expect(estimate).toEqual({
      tokens: countTokens(history) + TOKENS_PER_MESSAGE,
      exact: true,
      upperBound: countTokens(history) + TOKENS_PER_MESSAGE,
    });
  });
});
