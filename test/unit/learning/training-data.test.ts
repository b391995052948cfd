import type { TrainingExample } from '../../../src/db/entities';
import { maskCustomerData } from '../../../src/engine/prompt';
import { lcsLength, tokenizeForRouge } from '../../../src/learning/metrics/rouge';
import { LcsPattern, TokenIds } from '../../../src/learning/training/answer-medoid';
import { OfflineAnswerModel } from '../../../src/learning/training/offline-model';
import { packModel, unpackModel } from '../../../src/learning/training/offline-model-store';
import {
  renderJsonl,
  splitOf,
  type GeminiTrainingLine,
  type OpenAiTrainingLine,
} from '../../../src/learning/training/training-format';

const example = (id: string, messages: TrainingExample['messages']): TrainingExample => ({
  id,
  source: 'correction',
  split: splitOf(id),
  topic: 'track_order',
  category: 'wrong_facts',
  messages,
});

describe('training data split', () => {
  it('puts about 20 % in validation and never moves an example when others are added', () => {
    const first = Array.from({ length: 2000 }, (_, index) => `correction:${index}`);
    const before = new Map(first.map((id) => [id, splitOf(id)]));
    const share = [...before.values()].filter((split) => split === 'validation').length / first.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
    const grown = [...Array.from({ length: 3000 }, (_, index) => `interaction:${index}`), ...first.reverse()];
    for (const id of grown) if (before.has(id)) expect(splitOf(id)).toBe(before.get(id));
  });
});

describe('JSONL rendering', () => {
  const context = example('correction:a', [
    { role: 'system', content: 'You are the assistant of a shop.' },
    { role: 'user', content: 'Hi' },
    { role: 'user', content: 'I ordered boots' },
    { role: 'assistant', content: 'Hello! How can I help?', weight: 0 },
    { role: 'user', content: 'Where is my order?' },
    { role: 'assistant', content: 'Open the tracking link in your email.', weight: 1 },
  ]);

  it("renders OpenAI's chat fine-tuning lines: the SDK's message params, weight only on assistant messages", () => {
    const lines = renderJsonl([context, context], 'openai').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    const line = JSON.parse(lines[0]!) as OpenAiTrainingLine;
    expect(Object.keys(line)).toEqual(['messages']);
    expect(line.messages.map((message) => message.role)).toEqual([
      'system',
      'user',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    for (const message of line.messages) {
      expect(typeof message.content).toBe('string');
      const keys = Object.keys(message).sort();
      expect(keys).toEqual(message.role === 'assistant' ? ['content', 'role', 'weight'] : ['content', 'role']);
    }
    expect(line.messages.flatMap((message) => ('weight' in message ? [message.weight] : []))).toEqual([0, 1]);
    expect(line.messages.at(-1)).toEqual({
      role: 'assistant',
      content: 'Open the tracking link in your email.',
      weight: 1,
    });
  });

  it('renders Vertex AI tuning lines: systemInstruction, alternating user/model contents ending with the reply', () => {
    const line = JSON.parse(renderJsonl([context], 'gemini').trim()) as GeminiTrainingLine;
    expect(Object.keys(line).sort()).toEqual(['contents', 'systemInstruction']);
    expect(line.systemInstruction).toEqual({ role: 'system', parts: [{ text: 'You are the assistant of a shop.' }] });
    expect(line.contents.map((content) => content.role)).toEqual(['user', 'model', 'user', 'model']);
    expect(line.contents[0]!.parts).toEqual([{ text: 'Hi\n\nI ordered boots' }]);
    expect(line.contents.at(-1)).toEqual({ role: 'model', parts: [{ text: 'Open the tracking link in your email.' }] });
  });
});

describe('personal data masking', () => {
  it('masks emails, order numbers and phone numbers the engine detects, and counts them', () => {
    const masked = maskCustomerData('Mail jane.doe@example.com or call +44 20 7946 0958 about order #A-12345 please');
    expect(masked.text).toBe('Mail [email] or call [phone] about [order number] please');
    expect(masked.masked).toBe(3);
    expect(maskCustomerData('How do I return boots?')).toEqual({ text: 'How do I return boots?', masked: 0 });
  });
});

describe('bit-parallel LCS', () => {
  const lcsOf = (a: string, b: string) => {
    const ids = new TokenIds();
    return new LcsPattern(ids.of(a)).lcs(ids.of(b));
  };

  it('gives the textbook LCS (CLRS 15.4: ABCBDAB / BDCABA → 4) and hand-checked cases', () => {
    expect(lcsOf('a b c b d a b', 'b d c a b a')).toBe(4);
    // Hand-checked: only w1 and w2 are shared, in order.
    expect(lcsOf('w1 w2 w3 w4 w5', 'w1 w6 w2 w7 w8')).toBe(2);
    expect(lcsOf('', 'a b')).toBe(0);
  });

  it('matches the dynamic-programming LCS over sequences spanning several machine words', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let round = 0; round < 200; round += 1) {
      const sentence = (length: number) => Array.from({ length }, () => `t${Math.floor(next() * 6)}`).join(' ');
      const a = sentence(1 + Math.floor(next() * 140));
      const b = sentence(1 + Math.floor(next() * 140));
      expect(lcsOf(a, b)).toBe(lcsLength(tokenizeForRouge(a), tokenizeForRouge(b)));
    }
  });
});

describe('offline model', () => {
  const pairs = [
    ...['Where is my order?', 'track my parcel please', 'has my package shipped yet', 'where is my delivery'].map(
      (question) => ({ question, answer: 'Open the tracking link in your confirmation email.', topic: 'track_order' }),
    ),
    ...['I want my money back', 'how do I get a refund', 'refund my purchase please', 'can I have a refund'].map(
      (question) => ({ question, answer: 'Refunds are paid within 5 business days of the return.', topic: 'refund' }),
    ),
    ...['reset my password', 'I forgot my password', 'cannot log in to my account', 'change my password'].map(
      (question) => ({ question, answer: 'Use "Forgot password" on the sign-in page.', topic: 'password' }),
    ),
  ];

  it('learns the topics, answers from the approved answers and hands off what it was not taught', () => {
    const model = OfflineAnswerModel.train(pairs, { minDocumentFrequency: 1 });
    const answer = model.predict('where is my order now?');
    expect(answer).toMatchObject({ needsHuman: false, topic: 'track_order' });
    expect(answer.answer).toBe('Open the tracking link in your confirmation email.');
    expect(model.predict('I forgot the password of my account').topic).toBe('password');
    expect(model.predict('What is the capital of Mongolia?').needsHuman).toBe(true);
  });

  it('round-trips through its stored artifact with the same predictions', () => {
    const model = OfflineAnswerModel.train(pairs, { minDocumentFrequency: 1 });
    const loaded = unpackModel(packModel(model));
    for (const question of ['refund please', 'where is my parcel', 'tell me a joke'])
      expect(loaded.predict(question)).toEqual(model.predict(question));
  });
});
