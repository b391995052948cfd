// First: parses the command line (and answers --help) before anything heavy loads.
import '../src/cli/command-line';
import fs from 'node:fs';
import path from 'node:path';
import { KnowledgeIndex } from '../src/learning/knowledge-index';
import { splitExamples, type LabelledExample } from '../src/learning/holdout-split';
import { answersConfidently, MARGIN_POOL, withMargin } from '../src/providers/knowledge-base';
import { miniSearchMatcher } from './minisearch-baseline';
import { argument, log } from './bench-stats';
import { defaultCorpusPath, loadCorpus } from './customer-support-corpus';
import { PlainTfidfNeighbour } from './plain-tfidf';

/** A candidate matcher: the best article's topic and a confidence to threshold. */
type Matcher = (question: string) => { topic: string | null; score: number };

export function loadOffDomain(): string[] {
  const file = path.resolve(__dirname, '..', '..', 'test/fixtures/off-domain-questions.txt');
  const fallback = path.resolve(process.cwd(), 'test/fixtures/off-domain-questions.txt');
  const text = fs.readFileSync(fs.existsSync(file) ? file : fallback, 'utf8');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** `minMargin`: below CLEAR_MATCH, hand off (score 0) unless the best article leads the best one of another topic by this much (as the provider does). */
function indexMatcher(
  train: LabelledExample[],
  options: ConstructorParameters<typeof KnowledgeIndex>[0],
  minMargin = 0,
): Matcher {
  const index = new KnowledgeIndex(options);
  train.forEach((example, id) =>
    index.upsert({ id: String(id), question: example.question, answer: example.answer, topic: example.topic }),
  );
  return (question) => {
    const [best] = withMargin(index.search(question, MARGIN_POOL));
    if (!best) return { topic: null, score: 0 };
    // The floor is calibrated below; the margin rule hands off by scoring 0.
    return { topic: best.topic, score: minMargin === 0 || answersConfidently(best, 0, minMargin) ? best.score : 0 };
  };
}

export interface Calibrated {
  threshold: number;
  right: number;
  wrong: number;
  handedOff: number;
  offDomainHandedOff: number;
  topOneAccuracy: number;
}

/** Scores every question once, then picks the threshold: the lowest that hands off ≥ 80 % of off-domain questions. */
export function calibrate(
  matcher: Matcher,
  heldOut: LabelledExample[],
  offDomain: string[],
  fixedThreshold?: number,
): Calibrated {
  const inDomain = heldOut.map((example) => ({ ...matcher(example.question), expected: example.topic }));
  const outside = offDomain.map((question) => matcher(question).score).sort((a, b) => b - a);
  // Answered when score >= threshold: allow at most 20 % of off-domain scores at or above it.
  const allowed = Math.floor(offDomain.length * 0.2);
  const threshold = fixedThreshold ?? (outside[allowed] ?? 0) + 1e-6;
  const answered = inDomain.filter((result) => result.score >= threshold);
  const right = answered.filter((result) => result.topic === result.expected).length;
  return {
    threshold,
    right: right / heldOut.length,
    wrong: (answered.length - right) / heldOut.length,
    handedOff: 1 - answered.length / heldOut.length,
    offDomainHandedOff: outside.filter((score) => score < threshold).length / offDomain.length,
    topOneAccuracy: inDomain.filter((result) => result.topic === result.expected).length / heldOut.length,
  };
}

const percent = (value: number) => `${(value * 100).toFixed(1)} %`.padStart(8);

async function main(): Promise<void> {
  const { requests, source } = loadCorpus(argument('dataset', defaultCorpusPath()));
  const examples = requests.map((request) => ({
    question: request.instruction,
    topic: request.intent,
    answer: request.response,
  }));
  const { train, heldOut } = splitExamples(examples);
  const offDomain = loadOffDomain();
  log(`${source}: ${train.length} as knowledge, ${heldOut.length} held out, ${offDomain.length} off-domain questions`);
  const candidates: Array<[string, () => Matcher]> = [
    ['MiniSearch (current provider)', () => miniSearchMatcher(train)],
    [
      'plain TF-IDF nearest neighbour',
      () => {
        const plain = new PlainTfidfNeighbour(train);
        return (q) => plain.best(q);
      },
    ],
    ['BM25 stems', () => indexMatcher(train, { gramWeight: 0, typoTolerance: false, voters: 1 })],
    ['BM25 stems + typo tolerance', () => indexMatcher(train, { gramWeight: 0, voters: 1 })],
    ['char 3-5-gram TF-IDF cosine', () => indexMatcher(train, { gramWeight: 1, voters: 1 })],
    ['blend 0.5 BM25 + 0.5 char-gram', () => indexMatcher(train, { gramWeight: 0.5, voters: 1 })],
    ['blend + 3-neighbour topic vote', () => indexMatcher(train, { gramWeight: 0.5, voters: 3 })],
    ['blend + 5-neighbour topic vote', () => indexMatcher(train, { gramWeight: 0.5, voters: 5 })],
    ['blend + 9-neighbour topic vote', () => indexMatcher(train, { gramWeight: 0.5, voters: 9 })],
    ['blend + margin 0.02 (the provider)', () => indexMatcher(train, { gramWeight: 0.5, voters: 1 }, 0.02)],
    ['blend 0.6 char-gram', () => indexMatcher(train, { gramWeight: 0.6, voters: 1 })],
    ['blend 0.4 char-gram', () => indexMatcher(train, { gramWeight: 0.4, voters: 1 })],
  ];
  const only = argument('only', '');

  log(
    `${'method'.padEnd(34)} ${'top-1'.padStart(8)} ${'floor'.padStart(7)} ${'right'.padStart(8)} ${'wrong'.padStart(8)} ${'handoff'.padStart(8)} ${'off-dom'.padStart(8)}`,
  );
  const fixed = argument('floor', '');
  for (const [name, build] of candidates) {
    if (only && !name.includes(only)) continue;
    const result = calibrate(build(), heldOut, offDomain, fixed ? Number(fixed) : undefined);
    log(
      `${name.padEnd(34)} ${percent(result.topOneAccuracy)} ${result.threshold.toFixed(3).padStart(7)} ${percent(result.right)} ${percent(result.wrong)} ${percent(result.handedOff)} ${percent(result.offDomainHandedOff)}`,
    );
  }
}

if (require.main === module) void main();
