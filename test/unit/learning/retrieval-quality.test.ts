import fs from 'node:fs';
import path from 'node:path';
import { loadCorpus } from '../../../bench/customer-support-corpus';
import { KnowledgeIndex } from '../../../src/learning/knowledge-index';
import { splitExamples } from '../../../src/learning/holdout-split';
import {
  answersConfidently,
  DEFAULT_MIN_MARGIN,
  DEFAULT_RETRIEVAL,
  MARGIN_POOL,
  withMargin,
} from '../../../src/providers/knowledge-base';

/**
 * The issue 12 targets on the hashed 80/20 split of the shared customer-support dataset, with the
 * provider's default floor and margin: ≥ 95 % right-topic answers (handoffs count as misses), < 3 %
 * wrong answers, ≥ 80 % of the 100 off-domain questions handed off. Skipped where the dataset is absent.
 */
const dataset = path.resolve(__dirname, '../../../../shared/datasets/customer-support-train.csv');
const offDomain = fs
  .readFileSync(path.resolve(__dirname, '../../fixtures/off-domain-questions.txt'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

(fs.existsSync(dataset) ? describe : describe.skip)('retrieval quality on the held-out split', () => {
  it('meets the targets with the default settings', () => {
    const examples = loadCorpus(dataset).requests.map((request) => ({
      question: request.instruction,
      topic: request.intent,
      answer: request.response,
    }));
    const { train, heldOut } = splitExamples(examples);
    const index = new KnowledgeIndex();
    train.forEach((example, number) => index.upsert({ id: String(number), ...example }));
    const decide = (question: string) => {
      const [best] = withMargin(index.search(question, MARGIN_POOL));
      return answersConfidently(best, DEFAULT_RETRIEVAL.minScore, DEFAULT_MIN_MARGIN) ? best!.topic : null;
    };
    let right = 0;
    let wrong = 0;
    for (const example of heldOut) {
      const topic = decide(example.question);
      if (topic === example.topic) right += 1;
      else if (topic !== null) wrong += 1;
    }
    const handedOff = offDomain.filter((question) => decide(question) === null).length;
    expect(offDomain).toHaveLength(100);
    expect({
      right: right / heldOut.length >= 0.95,
      wrong: wrong / heldOut.length < 0.03,
      offDomain: handedOff / offDomain.length >= 0.8,
    }).toEqual({
      right: true,
      wrong: true,
      offDomain: true,
    });
  }, 180_000);
});
