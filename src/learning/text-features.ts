import stem from 'wink-porter2-stemmer';

/**
 * The text features knowledge retrieval matches on: Porter2-stemmed words (for
 * BM25) and character n-grams of each word (for TF-IDF cosine, which makes
 * typos and missing spaces cost a few n-grams instead of the whole word).
 * Digits are folded to `0` so order and invoice numbers match one another.
 */

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;

/** Lower-cased words, apostrophe endings dropped ("order's" → "order"), digit runs folded to 0. */
export function words(text: string): string[] {
  const found: string[] = [];
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const word = match[0].replace(/['’].*$/, '').replace(/\d+/g, '0');
    if (word) found.push(word);
  }
  return found;
}

const stems = new Map<string, string>();

/** Porter2 stem, memoised (the vocabulary of one tenant is small; stemming is the costly part of indexing). */
export function stemOf(word: string): string {
  let stemmed = stems.get(word);
  if (stemmed === undefined) {
    stemmed = /^\d+$/.test(word) || word.length < 3 ? word : stem(word);
    if (stems.size < 200_000) stems.set(word, stemmed);
  }
  return stemmed;
}

/** Term frequencies of the stemmed words. */
export function stemCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of words(text)) {
    const term = stemOf(word);
    counts.set(term, (counts.get(term) ?? 0) + 1);
  }
  return counts;
}

/**
 * Character n-grams (lengths `min`..`max`) of each word padded with spaces, in
 * scikit-learn's `analyzer='char_wb'` order: "bill" → " bi", "bil", "ill", "ll ", " bil", ...
 * (a padded word no longer than n is one n-gram by itself, once, as there). Words are
 * `words(text)`, so punctuation is not part of a word as it is in scikit-learn.
 */
export function charGrams(text: string, min = 3, max = 5): string[] {
  const grams: string[] = [];
  for (const word of words(text)) {
    const padded = ` ${word} `;
    for (let size = min; size <= max; size += 1) {
      grams.push(padded.slice(0, size));
      // As scikit-learn's _char_wb_ngrams: once the padded word fits in one n-gram, longer sizes add nothing.
      if (padded.length <= size) break;
      for (let start = 1; start + size <= padded.length; start += 1) grams.push(padded.slice(start, start + size));
    }
  }
  return grams;
}

export function charGramCounts(text: string, min = 3, max = 5): Map<string, number> {
  const counts = new Map<string, number>();
  for (const gram of charGrams(text, min, max)) counts.set(gram, (counts.get(gram) ?? 0) + 1);
  return counts;
}

/** Damerau–Levenshtein distance (optimal string alignment), stopping early once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previousPrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, previousPrevious[j - 2]! + 1);
      current.push(value);
      rowMinimum = Math.min(rowMinimum, value);
    }
    if (rowMinimum > limit) return limit + 1;
    previousPrevious = previous;
    previous = current;
  }
  return previous[b.length]!;
}
