import { complexityWeights, scoreComplexity } from '../../../src/providers/complexity';
import type { ChatMessage } from '../../../src/providers/types';

const ask = (content: string, history: ChatMessage[] = []): ChatMessage[] => [
  { role: 'system', content: 'You are helpful.' },
  ...history,
  { role: 'user', content },
];

describe('complexity score', () => {
  it('is near zero for a greeting and low for a one-line FAQ', () => {
    expect(scoreComplexity(ask('Hi')).score).toBeLessThan(0.01);
    const faq = scoreComplexity(ask('How can I track my order?'));
    expect(faq.score).toBeLessThan(0.05);
    expect(faq.features).toMatchObject({ keywords: 0, questions: 0, code: 0, numbers: 0, multiStep: 0 });
  });

  it('follows the documented noisy-OR formula exactly', () => {
    const result = scoreComplexity(ask('Why? Why? Why?'));
    // keywords: 3 hits → 1; questions: 3 marks → (3 − 1) / 2 = 1; length: 3 words / 150
    expect(result.features).toMatchObject({ keywords: 1, questions: 1, length: 3 / 150, conversation: 0 });
    const expected =
      1 -
      (1 - complexityWeights.keywords) * (1 - complexityWeights.questions) * (1 - (complexityWeights.length * 3) / 150);
    expect(result.score).toBeCloseTo(expected, 4);
  });

  it('does not take ordinary English for code ("return", "let me", "select a size")', () => {
    expect(
      scoreComplexity(ask('How do I return an item? Let me know, I want to select a size from the list.')).features
        .code,
    ).toBe(0);
    expect(
      scoreComplexity(ask('I get `TypeError: undefined is not a function` when I call client.send();')).features.code,
    ).toBe(1);
  });

  it('counts several questions, multi-step requests and numbers', () => {
    const result = scoreComplexity(
      ask('First cancel order 1234, then refund 2 items at $24.99 and 10% off. After that, update my address?'),
    );
    expect(result.features.multiStep).toBe(1);
    expect(result.features.numbers).toBe(1);
    expect(scoreComplexity(ask('Is it in stock? What colour? Which size?')).features.questions).toBe(1);
  });

  it('grows with the conversation length, counting earlier customer and assistant messages', () => {
    const history: ChatMessage[] = Array.from(
      { length: 20 },
      (_, index) => ({ role: index % 2 ? 'assistant' : 'user', content: 'ok' }) as ChatMessage,
    );
    expect(scoreComplexity(ask('ok', history)).features.conversation).toBe(1);
    expect(scoreComplexity(ask('ok', history.slice(0, 10))).features.conversation).toBe(0.5);
  });

  it('puts analytical multi-part questions above the reasoning threshold and stays within [0, 1]', () => {
    const hard = scoreComplexity(
      ask(
        'Can you explain why I was charged twice, compare it with my invoice 5521, and calculate the difference? First check order 118, then order 119. ' +
          'What is the prorated refund for 3 items at $24.99 with 20% off? And why does the app crash with `const total = items.reduce(sum)`?',
      ),
    );
    expect(hard.score).toBeGreaterThan(0.7);
    expect(hard.score).toBeLessThanOrEqual(1);
  });
});
