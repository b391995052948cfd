/**
 * BLEU and ROUGE checked against the upstream projects' own published cases:
 * mjpost/sacrebleu test/test_bleu.py and test/test_sentence_bleu.py, and
 * google-research/rouge rouge_scorer_test.py / tokenize_test.py (the two
 * ROUGE-1.5.5 rows use the first two lines of its testdata files, quoted
 * below as data). Tolerances are the ones upstream asserts.
 */
import { computeBleu, corpusBleu, sentenceBleu, BleuOptions } from '../../../src/learning/metrics/bleu';
import { rougeScore, tokenizeForRouge, lcsLength } from '../../../src/learning/metrics/rouge';
import { exactMatch } from '../../../src/learning/metrics/exact-match';
import { porterStem } from '../../../src/learning/metrics/porter-stemmer';
import { percentile } from '../../../src/learning/metrics/summary-statistics';

const refs = [
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
];
const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];

/** sacreBLEU's `raw_corpus_bleu`: floor smoothing, no tokenisation, effective order. */
const raw = (smoothValue?: number): BleuOptions => ({
  smoothMethod: 'floor',
  smoothValue,
  tokenizer: 'none',
  effectiveOrder: true,
});

describe('corpus BLEU (sacrebleu test_bleu.py)', () => {
  it.each<[string, string[], string[][], BleuOptions, number]>([
    ['default settings', hyps, refs, {}, 48.530827],
    ['empty hypotheses are kept', ['', '', ''], refs, {}, 0.0],
    ['tokenize none', hyps, refs, { tokenizer: 'none' }, 49.1919566],
    ['tokenize 13a', hyps, refs, { tokenizer: '13a' }, 48.530827],
    ['tokenize intl', hyps, refs, { tokenizer: 'intl' }, 43.91623493],
    ['smooth none', hyps, refs, { smoothMethod: 'none' }, 48.530827],
  ])('%s', (_name, hypotheses, references, options, expected) => {
    expect(Math.abs(corpusBleu(hypotheses, references, options).score - expected)).toBeLessThan(1e-8);
  });

  it.each<[string[], string[][], number]>([
    [['this is a test', 'another test'], [['ref1', 'ref2']], 0.0],
    [['this is a test'], [['this is a test']], 1.0],
    [['this is a fest'], [['this is a test']], 0.223606797749979],
    // effective order cases
    [['test'], [['a test']], 0.3678794411714425],
    [['a test'], [['a test']], 1.0],
    [['a little test'], [['a test']], 0.03218297948685433],
  ])('raw corpus BLEU of %j', (hypotheses, references, expected) => {
    expect(Math.abs(corpusBleu(hypotheses, references, raw(0.01)).score / 100 - expected)).toBeLessThan(1e-8);
  });

  it('statistics', () => {
    const result = corpusBleu(['am I am a character sequence'], [['I am a symbol string sequence a a']], raw(0.01));
    expect(result.counts).toEqual([4, 2, 1, 0]);
    expect(result.totals).toEqual([6, 5, 4, 3]);
  });

  it('offset', () => {
    const hypothesis = ['am I am a character sequence'];
    const reference = [['I am a symbol string sequence a a']];
    expect(Math.abs(corpusBleu(hypothesis, reference, raw(0)).score / 100 - 0)).toBeLessThan(1e-8);
    expect(Math.abs(corpusBleu(hypothesis, reference, raw(undefined)).score / 100 - 0.1555722182)).toBeLessThan(1e-8);
  });

  it('scoring from statistics', () => {
    const score = computeBleu([9, 7, 5, 3], [10, 8, 6, 4], 11, 11).score / 100;
    expect(Math.abs(score - 0.8375922397)).toBeLessThan(1e-8);
  });

  it.each<[number[], number[], number, number, number]>([
    [[0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0],
    [[0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0],
    [[6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1],
    [[0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01],
  ])('degenerate statistics %j / %j', (correct, total, hypothesisLength, referenceLength, offset) => {
    const score = computeBleu(correct, total, hypothesisLength, referenceLength, {
      smoothMethod: 'floor',
      smoothValue: offset,
    }).score;
    expect(score / 100).toBe(0);
  });

  it.each<[number, string]>([
    [1, '77.65'],
    [2, '60.50'],
    [3, '53.93'],
    [4, '48.53'],
    [5, '46.14'],
    [6, '43.28'],
  ])('max n-gram order %d', (order, expected) => {
    expect(corpusBleu(hyps, refs, { maxNgramOrder: order }).score.toFixed(2)).toBe(expected);
  });
});

describe('sentence BLEU (sacrebleu test_sentence_bleu.py)', () => {
  const reference = 'producţia de zahăr brut se exprimă în zahăr alb;';
  const system = 'Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;';
  it.each<[BleuOptions['smoothMethod'], number | undefined, boolean, BleuOptions['tokenizer'], number]>([
    ['exp', undefined, false, '13a', 8.493],
    ['none', undefined, false, '13a', 0.0],
    ['floor', undefined, false, '13a', 4.51688],
    ['floor', 0.1, false, '13a', 4.51688],
    ['floor', 0.5, false, '13a', 10.1],
    ['add-k', undefined, false, '13a', 14.882],
    ['add-k', 1, false, '13a', 14.882],
    ['add-k', 2, false, '13a', 21.389],
    ['exp', undefined, false, 'none', 7.347],
    ['exp', undefined, false, 'intl', 8.493],
    ['exp', undefined, false, 'char', 40.8759],
    ['exp', undefined, true, 'char', 42.0267],
  ])('smooth %s value %s lowercase %s tokenize %s', (smoothMethod, smoothValue, lowercase, tokenizer, expected) => {
    const score = sentenceBleu(system, [reference], { smoothMethod, smoothValue, lowercase, tokenizer }).score;
    expect(Math.abs(score - expected)).toBeLessThan(1e-3);
  });

  it.each<[BleuOptions['smoothMethod'], number | undefined]>([
    ['exp', undefined],
    ['none', undefined],
    ['floor', undefined],
    ['floor', 0.1],
    ['add-k', undefined],
    ['add-k', 1],
  ])('no match scores zero (smooth %s %s)', (smoothMethod, smoothValue) => {
    expect(sentenceBleu('this is a cat', ['okay thanks'], { smoothMethod, smoothValue }).score).toBe(0);
  });

  it('defaults to exp smoothing and 13a for sentence BLEU too', () => {
    expect(Math.abs(sentenceBleu(system, [reference]).score - 8.493)).toBeLessThan(1e-3);
  });
});

// First two lines of google-research/rouge testdata/target.txt and prediction.txt.
const TARGETS = [
  "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L\n",
  "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN\n",
];
const PREDICTIONS = [
  "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi\n",
  "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD\n",
];

describe('ROUGE (google-research/rouge rouge_scorer_test.py)', () => {
  it('tokenizer', () => {
    expect(tokenizeForRouge('one Two three')).toEqual(['one', 'two', 'three']);
    expect(tokenizeForRouge('one\n Two \nthree')).toEqual(['one', 'two', 'three']);
  });

  it.each<[string, string, 'rouge1' | 'rouge2' | 'rougeL', number, number, number]>([
    ['testing one two', 'testing', 'rouge1', 1, 1 / 3, 1 / 2],
    ['testing one two', '', 'rouge1', 0, 0, 0],
    ['testing one two', '', 'rouge2', 0, 0, 0],
    ['testing one two', '', 'rougeL', 0, 0, 0],
    ['testing one two', 'testing one', 'rouge2', 1, 1 / 2, 2 / 3],
    ['testing one two', 'testing one', 'rougeL', 1, 2 / 3, 4 / 5],
    ['testing one two', 'testing two', 'rougeL', 1, 2 / 3, 4 / 5],
    ['testing one two', 'testing one', 'rouge1', 1, 2 / 3, 4 / 5],
  ])('score(%j, %j).%s', (target, prediction, type, precision, recall, f) => {
    const score = rougeScore(target, prediction)[type];
    // assertAlmostEqual: 7 places.
    expect(score.precision).toBeCloseTo(precision, 7);
    expect(score.recall).toBeCloseTo(recall, 7);
    expect(score.fmeasure).toBeCloseTo(f, 7);
  });

  it.each<[number, 'rouge1' | 'rouge2' | 'rougeL', number, number, number]>([
    [0, 'rouge1', 0.40741, 0.6875, 0.51163],
    [1, 'rouge1', 0.40476, 0.65385, 0.5],
    [0, 'rouge2', 0.30769, 0.53333, 0.39024],
    [1, 'rouge2', 0.29268, 0.48, 0.36364],
    [0, 'rougeL', 0.40741, 0.6875, 0.51163],
    [1, 'rougeL', 0.40476, 0.65385, 0.5],
  ])('line %d %s agrees with ROUGE-1.5.5 to 5 places', (line, type, recall, precision, f) => {
    const score = rougeScore(TARGETS[line], PREDICTIONS[line])[type];
    // assertAlmostEqual(places=5): round(difference, 5) == 0.
    expect(Math.round(Math.abs(score.recall - recall) * 1e5)).toBe(0);
    expect(Math.round(Math.abs(score.precision - precision) * 1e5)).toBe(0);
    expect(Math.round(Math.abs(score.fmeasure - f) * 1e5)).toBe(0);
  });

  it.each<[number, 'rouge1' | 'rouge2', number, number, number]>([
    [0, 'rouge1', 0.40741, 0.6875, 0.51163],
    [1, 'rouge1', 0.42857, 0.69231, 0.52941],
    [0, 'rouge2', 0.30769, 0.53333, 0.39024],
    [1, 'rouge2', 0.29268, 0.48, 0.36364],
  ])('line %d %s with Porter stemming agrees with ROUGE-1.5.5 to 5 places', (line, type, recall, precision, f) => {
    const score = rougeScore(TARGETS[line], PREDICTIONS[line], { stemmer: porterStem })[type];
    expect(Math.round(Math.abs(score.recall - recall) * 1e5)).toBe(0);
    expect(Math.round(Math.abs(score.precision - precision) * 1e5)).toBe(0);
    expect(Math.round(Math.abs(score.fmeasure - f) * 1e5)).toBe(0);
  });

  it.each([
    ['caresses', 'caress'],
    ['ponies', 'poni'],
    ['cats', 'cat'],
    ['hopping', 'hop'],
    ['relational', 'relat'],
    ['conditional', 'condit'],
    ['happy', 'happi'],
    ['dying', 'die'],
  ])('Porter stem of %s is %s (examples from Porter 1980 and NLTK)', (word, stem) => {
    expect(porterStem(word)).toBe(stem);
  });

  it('LCS table', () => {
    expect(lcsLength([1, 2, 3, 4, 5], [2, 5, 3, 4])).toBe(3);
    expect(lcsLength([1, 2, 3, 4, 5], [8, 9])).toBe(0);
  });
});

describe('exact match and percentiles', () => {
  it.each<[string, string, boolean]>([
    ['Your order ships today.', 'your order ships today', true],
    ['The refund is on its way!', 'refund is on its   way', true],
    ['Your order ships today.', 'Your order ships tomorrow.', false],
  ])('%j vs %j', (expected, actual, result) => {
    expect(exactMatch(expected, actual)).toBe(result);
  });

  it('nearest-rank percentile', () => {
    expect(percentile([15, 20, 35, 40, 50], 30)).toBe(20);
    expect(percentile([15, 20, 35, 40, 50], 100)).toBe(50);
    expect(percentile([], 50)).toBe(0);
  });
});
