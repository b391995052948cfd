import {
  buildPrompt,
  customerDataKinds,
  estimateTokens,
  REFERENCE_INSTRUCTION,
  withReferenceAnswers,
  type HistoryEntry,
} from '../../../src/engine/prompt';

const customer = (text: string): HistoryEntry => ({ direction: 'inbound', author: 'customer', text });
const bot = (text: string): HistoryEntry => ({ direction: 'outbound', author: 'bot', text });

describe('buildPrompt', () => {
  it('puts the system prompt first, history in order, and the new message last', () => {
    const prompt = buildPrompt({
      systemPrompt: 'Be nice.',
      history: [customer('hi'), bot('hello!')],
      message: 'what are your hours?',
      historyTokenBudget: 1_000,
    });
    expect(prompt.messages).toEqual([
      { role: 'system', content: 'Be nice.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello!' },
      { role: 'user', content: 'what are your hours?' },
    ]);
    expect(prompt.historyUsed).toBe(2);
    expect(prompt.cacheable).toBe(true);
  });

  it('keeps the newest history that fits the token budget, whole messages only', () => {
    const long = 'x'.repeat(400); // 100 tokens + 4 per message
    const history = [
      customer(`old ${long}`),
      bot(`older reply ${long}`),
      customer(`recent ${long}`),
      bot(`latest ${long}`),
    ];
    const prompt = buildPrompt({ systemPrompt: 's', history, message: 'new', historyTokenBudget: 220 });
    expect(prompt.historyUsed).toBe(2);
    expect(prompt.messages.map((message) => message.content.split(' ')[0])).toEqual(['s', 'recent', 'latest', 'new']);
  });

  it('always sends the new message, even when nothing else fits', () => {
    const prompt = buildPrompt({
      systemPrompt: 's',
      history: [customer('a'.repeat(100))],
      message: 'm'.repeat(10_000),
      historyTokenBudget: 0,
    });
    expect(prompt.messages).toHaveLength(2);
    expect(prompt.messages[1].content).toHaveLength(10_000);
    expect(prompt.estimatedTokens).toBeGreaterThanOrEqual(estimateTokens('m'.repeat(10_000)));
  });

  it('is not cacheable when the new message or the history carries customer data', () => {
    expect(
      buildPrompt({ systemPrompt: 's', history: [], message: 'Where is order #48213?', historyTokenBudget: 100 })
        .cacheable,
    ).toBe(false);
    expect(
      buildPrompt({
        systemPrompt: 's',
        history: [customer('my email is ana@example.com')],
        message: 'any news?',
        historyTokenBudget: 100,
      }).cacheable,
    ).toBe(false);
    // Data the bot said (e.g. the shop's phone number) does not make the customer's question specific.
    expect(
      buildPrompt({
        systemPrompt: 's',
        history: [bot('Call us on +44 20 7946 0958')],
        message: 'thanks, and your hours?',
        historyTokenBudget: 100,
      }).cacheable,
    ).toBe(true);
  });
});

describe('customerDataKinds', () => {
  it.each([
    ['my email is ana.lopez@example.co.uk', 'email'],
    ['call me on +44 7700 900123', 'phone'],
    ['my number is (555) 123-4567', 'phone'],
    ['order 58213 has not arrived', 'order_number'],
    ['Order #A-1234 is late', 'order_number'],
    ['tracking: JD014600006281', 'order_number'],
    ['mi pedido 88231 no llegó', 'order_number'],
    ['booking code XK4421Q9', 'order_number'],
    ['I live at 90210', 'long_number'],
    ['see https://shop.example.com/orders?id=abc', 'url'],
  ])('finds customer data in %j', (text, kind) => {
    expect(customerDataKinds(text)).toContain(kind);
  });

  it.each([
    'What are your opening hours?',
    'Do you ship to Spain?',
    'Can I return shoes after 30 days?',
    'I need 2 tents for 4 people',
  ])('finds none in %j', (text) => {
    expect(customerDataKinds(text)).toEqual([]);
  });
});

describe('withReferenceAnswers', () => {
  const messages = [
    { role: 'system' as const, content: 'Be kind.' },
    { role: 'user' as const, content: 'where is my parcel' },
  ];

  it('adds the references, numbered and best first, with the instruction, to the system message', () => {
    const result = withReferenceAnswers(messages, [
      { question: 'How can I track my order?', answer: 'Use the tracking link.' },
      { question: 'When will my order arrive?', answer: 'In 3–5 days.' },
    ]);
    expect(result).toHaveLength(2);
    expect(result[0]!.content).toBe(
      `Be kind.\n\n${REFERENCE_INSTRUCTION}\n\n[1] Customer question: How can I track my order?\nApproved answer: Use the tracking link.\n\n` +
        '[2] Customer question: When will my order arrive?\nApproved answer: In 3–5 days.',
    );
    expect(result[1]).toEqual(messages[1]);
  });

  it('leaves the prompt alone without references, and adds a system message when there is none', () => {
    expect(withReferenceAnswers(messages, [])).toEqual(messages);
    const [first] = withReferenceAnswers([messages[1]!], [{ question: 'q', answer: 'a' }]);
    expect(first).toEqual({
      role: 'system',
      content: `${REFERENCE_INSTRUCTION}\n\n[1] Customer question: q\nApproved answer: a`,
    });
  });
});
