import { KnowledgeIndex, type IndexedArticle } from '../../../src/learning/knowledge-index';
import { isHeldOut, sampleExamples, splitExamples } from '../../../src/learning/holdout-split';

const articles: IndexedArticle[] = [
  {
    id: 'a1',
    question: 'How can I track my order?',
    answer: 'Use the tracking link in your confirmation email.',
    topic: 'track_order',
  },
  { id: 'a2', question: 'I want to cancel my order', answer: 'Open Orders and press Cancel.', topic: 'cancel_order' },
  {
    id: 'a3',
    question: 'How long does a refund take?',
    answer: 'Refunds take 5 business days.',
    topic: 'track_refund',
  },
  {
    id: 'a4',
    question: 'What payment methods do you accept?',
    answer: 'Cards and PayPal.',
    topic: 'check_payment_methods',
  },
  {
    id: 'a5',
    question: 'I forgot my password',
    answer: 'Use "Forgot password" on the sign-in page.',
    topic: 'recover_password',
  },
  { id: 'a6', question: 'Where can I download my invoice?', answer: 'Under Account → Invoices.', topic: 'get_invoice' },
];

const queries = [
  'track my order please',
  'cancel order',
  'refund how long',
  'paypal accepted?',
  'forgot password',
  'download invoice',
  'hello',
];

const results = (index: KnowledgeIndex) =>
  queries.map((query) => index.search(query, 3).map((article) => [article.id, article.score]));

describe('KnowledgeIndex', () => {
  it('finds the article whose question matches, with a similarity in [0, 1]', () => {
    const index = new KnowledgeIndex();
    for (const article of articles) index.upsert(article);
    const [best] = index.search('How can I track my order?', 1);
    expect(best).toMatchObject({ id: 'a1', topic: 'track_order' });
    expect(best!.score).toBeGreaterThan(0.9);
    expect(best!.score).toBeLessThanOrEqual(1);
    expect(index.search('cancel my order', 1)[0]!.id).toBe('a2');
  });

  it('tolerates typos and run-together words', () => {
    const index = new KnowledgeIndex();
    for (const article of articles) index.upsert(article);
    expect(index.search('i forgott my pasword', 1)[0]!.id).toBe('a5');
    expect(index.search('donwload invoise', 1)[0]!.id).toBe('a6');
  });

  it('updated one article at a time gives the same answers as an index built from the final articles', () => {
    const incremental = new KnowledgeIndex();
    incremental.upsert({ id: 'old', question: 'Do you ship to Mars?', answer: 'No.', topic: null });
    for (const article of articles) incremental.upsert({ ...article, question: `${article.question} (draft)` });
    for (const article of articles) incremental.upsert(article); // edited
    incremental.remove('old'); // retired
    incremental.remove('missing'); // ignored

    const fresh = new KnowledgeIndex();
    for (const article of articles) fresh.upsert(article);
    expect(incremental.size).toBe(fresh.size);
    expect(results(incremental)).toEqual(results(fresh));
  });

  it('an edited answer is served at once without re-indexing the question; a removed article is never returned', () => {
    const index = new KnowledgeIndex();
    for (const article of articles) index.upsert(article);
    index.upsert({ ...articles[2]!, answer: 'Refunds now take 2 business days.' });
    expect(index.search('how long does a refund take', 1)[0]!.answer).toBe('Refunds now take 2 business days.');
    index.remove('a3');
    expect(index.search('how long does a refund take', 5).map((article) => article.id)).not.toContain('a3');
    expect(new KnowledgeIndex().search('anything', 3)).toEqual([]);
  });
});

describe('held-out split', () => {
  const examples = Array.from({ length: 2_000 }, (_, number) => ({
    question: `question number ${number}`,
    topic: `topic_${number % 7}`,
  }));

  it('is deterministic, near 80/20, and keeps identical questions on one side', () => {
    const { train, heldOut } = splitExamples(examples);
    expect(train.length + heldOut.length).toBe(examples.length);
    expect(heldOut.length / examples.length).toBeGreaterThan(0.17);
    expect(heldOut.length / examples.length).toBeLessThan(0.23);
    expect(splitExamples(examples).heldOut).toEqual(heldOut);
    expect(isHeldOut({ ...examples[5]! })).toBe(isHeldOut(examples[5]!));
  });

  it('samples nested stages', () => {
    const small = sampleExamples(examples, 2);
    const large = sampleExamples(examples, 30);
    expect(small).toHaveLength(40);
    expect(large).toHaveLength(600);
    expect(large).toEqual(expect.arrayContaining(small));
  });
});
