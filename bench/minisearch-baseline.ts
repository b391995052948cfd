import MiniSearch, { type SearchResult } from 'minisearch';
import type { LabelledExample } from '../src/learning/holdout-split';

/**
 * The knowledge base's matcher before issue 12, kept to measure against:
 * MiniSearch (question boosted ×3, fuzzy 0.2, prefix) with a confidence of
 * √(query-term coverage × score relative to the article's own question).
 */
const stopWords = new Set(
  "a an and are as at be been but by can could do does did for from get got had has have hi hello hey how i i'm im if in into is it its it's me my of on or our please so that the their them then there these they this to was we were what when which who why will with would you your yours thanks thank".split(
    ' ',
  ),
);

export function processTerm(term: string): string | null {
  const word = term.toLowerCase().replace(/['’]s$/, '');
  if (word.length < 2 || stopWords.has(word)) return null;
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

export function confidenceOf(
  result: Pick<SearchResult, 'score' | 'queryTerms'>,
  queryTermCount: number,
  selfScore: number,
): number {
  if (queryTermCount === 0 || selfScore <= 0) return 0;
  const coverage = Math.min(1, new Set(result.queryTerms).size / queryTermCount);
  const strength = Math.min(1, result.score / selfScore);
  return Math.round(Math.sqrt(coverage * strength) * 1000) / 1000;
}

export function miniSearchMatcher(
  train: readonly LabelledExample[],
): (question: string) => { topic: string | null; score: number } {
  const options = { boost: { question: 3 }, fuzzy: 0.2, prefix: true, combineWith: 'OR' as const };
  const search = new MiniSearch<{ id: number; question: string; answer: string; topic: string }>({
    fields: ['question', 'answer'],
    storeFields: ['question', 'topic'],
    processTerm,
    searchOptions: options,
  });
  search.addAll(train.map((example, id) => ({ id, ...example })));
  return (question) => {
    const terms = new Set<string>();
    for (const token of MiniSearch.getDefault('tokenize')(question) as string[]) {
      const term = processTerm(token);
      if (term) terms.add(term);
    }
    const [best] = search.search(question, options);
    if (!best || terms.size === 0) return { topic: null, score: 0 };
    const [own] = search.search(best.question as string, { ...options, filter: (result) => result.id === best.id });
    return { topic: best.topic as string, score: confidenceOf(best, terms.size, own?.score ?? 0) };
  };
}
