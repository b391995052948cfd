import { charGrams, editDistance, stemOf, words } from '../../../src/learning/text-features';

describe('text features', () => {
  it('splits words, drops apostrophe endings and folds digits', () => {
    expect(words("Where's my order #113542? I can't find it")).toEqual([
      'where',
      'my',
      'order',
      '0',
      'i',
      'can',
      'find',
      'it',
    ]);
  });

  it('stems with Porter2', () => {
    expect(['refunds', 'cancellation', 'invoices', 'delivered', 'at'].map(stemOf)).toEqual([
      'refund',
      'cancel',
      'invoic',
      'deliv',
      'at',
    ]);
  });

  // scikit-learn's test_char_wb_ngram_analyzer (sklearn/feature_extraction/tests/test_text.py), ngram_range (3, 6).
  it('makes char_wb n-grams in scikit-learn order', () => {
    const grams = charGrams('This \n\tis a test, really.\n\n I met Harry yesterday', 3, 6);
    expect(grams.slice(0, 5)).toEqual([' th', 'thi', 'his', 'is ', ' thi']);
    expect(grams.slice(-5)).toEqual(['yester', 'esterd', 'sterda', 'terday', 'erday ']);
    // Same test, second case: a padded word no longer than n is one n-gram, once.
    expect(charGrams('A test with a file-like object!', 3, 6).slice(0, 6)).toEqual([
      ' a ',
      ' te',
      'tes',
      'est',
      'st ',
      ' tes',
    ]);
  });

  it.each([
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['ab', 'ba', 1],
    ['ca', 'abc', 3], // optimal string alignment: no substring edited twice (true Damerau–Levenshtein gives 2)
    ['', 'abc', 3],
    ['invoice', 'invoice', 0],
    ['acount', 'account', 1],
  ])('edit distance %s → %s is %i', (a, b, expected) => {
    expect(editDistance(a, b, 5)).toBe(expected);
  });

  it('stops early beyond the limit', () => {
    expect(editDistance('refund', 'delivery', 1)).toBe(2);
  });
});
