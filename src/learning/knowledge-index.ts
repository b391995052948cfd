import { charGramCounts, editDistance, stemCounts, stemOf, words } from './text-features';

/** One active knowledge article as the index holds it. */
export interface IndexedArticle {
  id: string;
  question: string;
  answer: string;
  topic: string | null;
}

export interface ScoredArticle extends IndexedArticle {
  /** Similarity to the query in [0, 1] (see `KnowledgeIndex.search`). */
  score: number;
}

export interface KnowledgeIndexOptions {
  /** Weight of the character n-gram cosine in the blended score; the rest is normalised BM25 (default 0.5). */
  gramWeight?: number;
  /** Map a query word unknown to the index to known words within a small edit distance (default true). */
  typoTolerance?: boolean;
  /** Neighbours that vote on the topic before the best article of the winning topic is chosen (default 1: plain nearest neighbour, which measured best). */
  voters?: number;
}

interface Entry {
  article: IndexedArticle;
  stems: Map<string, number>;
  length: number;
  grams: Map<string, number>;
  /** Euclidean norm of the n-gram TF-IDF vector, and the corpus size it was computed at (recomputed when the corpus drifts). */
  gramNorm: number;
  normCorpusSize: number;
}

const K1 = 1.2;
const B = 0.75;
/** A cached document norm is recomputed lazily once the corpus size moved this much since (IDF drifts slowly). */
const NORM_DRIFT = 0.05;

/**
 * An in-memory retrieval index over a tenant's knowledge articles, updated one
 * article at a time (`upsert`, `remove`), never rebuilt. Questions are
 * matched two ways and the scores blended:
 *  - BM25 (k1 1.2, b 0.75) over Porter2 stems of the article's question,
 *    normalised by the query's score against itself, so it reads as the share
 *    of the query's evidence an article matched;
 *  - cosine similarity of sublinear TF-IDF vectors of character 3–5-grams within
 *    words (scikit-learn's `char_wb`), robust to typos and run-together words.
 * Unknown query words are also looked up at edit distance 1 (2 for long words).
 * IDF statistics are live; n-gram document norms are refreshed lazily.
 */
export class KnowledgeIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly stemPostings = new Map<string, Map<string, number>>();
  private readonly gramPostings = new Map<string, Map<string, number>>();
  /** Surface word → how many indexed questions use it, for typo correction. */
  private readonly vocabulary = new Map<string, number>();
  private totalLength = 0;
  private readonly gramWeight: number;
  private readonly typoTolerance: boolean;
  private readonly voters: number;

  constructor(options: KnowledgeIndexOptions = {}) {
    this.gramWeight = options.gramWeight ?? 0.5;
    this.typoTolerance = options.typoTolerance ?? true;
    this.voters = Math.max(1, options.voters ?? 1);
  }

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): IndexedArticle | undefined {
    return this.entries.get(id)?.article;
  }

  /** Adds an article, or replaces it when its id is already indexed. */
  upsert(article: IndexedArticle): void {
    const existing = this.entries.get(article.id);
    if (existing) {
      if (existing.article.question === article.question) {
        existing.article = { ...article };
        return;
      }
      this.remove(article.id);
    }
    const stems = stemCounts(article.question);
    const grams = charGramCounts(article.question);
    const entry: Entry = {
      article: { ...article },
      stems,
      length: sum(stems.values()),
      grams,
      gramNorm: 0,
      normCorpusSize: 0,
    };
    this.entries.set(article.id, entry);
    this.totalLength += entry.length;
    for (const [term, count] of stems) posting(this.stemPostings, term).set(article.id, count);
    for (const [gram, count] of grams) posting(this.gramPostings, gram).set(article.id, 1 + Math.log(count));
    for (const word of new Set(words(article.question)))
      this.vocabulary.set(word, (this.vocabulary.get(word) ?? 0) + 1);
  }

  /** Drops an article (retired, superseded or deleted); unknown ids are ignored. */
  remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.totalLength -= entry.length;
    for (const term of entry.stems.keys()) unpost(this.stemPostings, term, id);
    for (const gram of entry.grams.keys()) unpost(this.gramPostings, gram, id);
    for (const word of new Set(words(entry.article.question))) {
      const left = (this.vocabulary.get(word) ?? 0) - 1;
      if (left > 0) this.vocabulary.set(word, left);
      else this.vocabulary.delete(word);
    }
  }

  /** Every indexed article (for tests and diagnostics). */
  articles(): IndexedArticle[] {
    return [...this.entries.values()].map((entry) => entry.article);
  }

  /**
   * The `k` articles most similar to `query`, best first, each with its
   * blended similarity in [0, 1]. The first is the best article of the topic
   * the nearest `voters` neighbours vote for (weighted by similarity), which
   * settles near-twin questions by the majority of their neighbours.
   */
  search(query: string, k: number): ScoredArticle[] {
    if (this.entries.size === 0 || k <= 0) return [];
    const bm25 = this.bm25Scores(query);
    const cosine = this.gramCosines(query);
    const blended = new Map<string, number>();
    for (const id of new Set([...bm25.keys(), ...cosine.keys()])) {
      blended.set(id, this.gramWeight * (cosine.get(id) ?? 0) + (1 - this.gramWeight) * (bm25.get(id) ?? 0));
    }
    const ranked = [...blended].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const pool = ranked.slice(0, Math.max(k, this.voters));
    if (this.voters > 1 && pool.length > 1) {
      const votes = new Map<string | null, number>();
      for (const [id, score] of pool.slice(0, this.voters)) {
        const topic = this.entries.get(id)!.article.topic;
        votes.set(topic, (votes.get(topic) ?? 0) + score);
      }
      const winner = [...votes].sort((a, b) => b[1] - a[1])[0]![0];
      const best = pool.findIndex(([id]) => this.entries.get(id)!.article.topic === winner);
      if (best > 0) pool.unshift(...pool.splice(best, 1));
    }
    return pool
      .slice(0, k)
      .map(([id, score]) => ({ ...this.entries.get(id)!.article, score: Math.round(score * 10_000) / 10_000 }));
  }

  private queryStems(query: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const word of words(query)) {
      const stem = stemOf(word);
      if (this.stemPostings.has(stem) || !this.typoTolerance || word.length < 4) {
        counts.set(stem, (counts.get(stem) ?? 0) + 1);
        continue;
      }
      const corrected = this.closestWord(word);
      const term = corrected ? stemOf(corrected) : stem;
      counts.set(term, (counts.get(term) ?? 0) + 1);
    }
    return counts;
  }

  /** The most frequent indexed word within edit distance 1 (2 for words of 8+ letters), or null. */
  private closestWord(word: string): string | null {
    const limit = word.length >= 8 ? 2 : 1;
    let best: string | null = null;
    let bestDistance = limit + 1;
    let bestCount = 0;
    for (const [candidate, count] of this.vocabulary) {
      if (Math.abs(candidate.length - word.length) > limit) continue;
      const distance = editDistance(word, candidate, limit);
      if (distance < bestDistance || (distance === bestDistance && count > bestCount)) {
        best = candidate;
        bestDistance = distance;
        bestCount = count;
      }
    }
    return bestDistance <= limit ? best : null;
  }

  private idf(df: number): number {
    const n = this.entries.size;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  private bm25Scores(query: string): Map<string, number> {
    const scores = new Map<string, number>();
    const averageLength = this.totalLength / this.entries.size || 1;
    const terms = this.queryStems(query);
    // The query scored against itself as a document: the most a query can match, so scores read as a share of it.
    let ceiling = 0;
    const queryLength = sum(terms.values());
    for (const [term, queryCount] of terms) {
      const postings = this.stemPostings.get(term);
      const idf = this.idf(postings?.size ?? 0);
      ceiling += idf * ((queryCount * (K1 + 1)) / (queryCount + K1 * (1 - B + (B * queryLength) / averageLength)));
      if (!postings) continue;
      for (const [id, count] of postings) {
        const length = this.entries.get(id)!.length;
        const weight = idf * ((count * (K1 + 1)) / (count + K1 * (1 - B + (B * length) / averageLength)));
        scores.set(id, (scores.get(id) ?? 0) + weight);
      }
    }
    if (ceiling > 0) for (const [id, score] of scores) scores.set(id, Math.min(1, score / ceiling));
    return scores;
  }

  private gramIdf(df: number): number {
    // scikit-learn's smooth IDF: ln((1 + n) / (1 + df)) + 1.
    return Math.log((1 + this.entries.size) / (1 + df)) + 1;
  }

  private gramCosines(query: string): Map<string, number> {
    const dots = new Map<string, number>();
    let queryNorm = 0;
    for (const [gram, count] of charGramCounts(query)) {
      const postings = this.gramPostings.get(gram);
      const idf = this.gramIdf(postings?.size ?? 0);
      const weight = (1 + Math.log(count)) * idf;
      queryNorm += weight * weight;
      if (!postings) continue;
      for (const [id, tf] of postings) dots.set(id, (dots.get(id) ?? 0) + weight * tf * idf);
    }
    queryNorm = Math.sqrt(queryNorm);
    if (queryNorm === 0) return dots;
    // Clamped: a lazily refreshed document norm may be slightly stale.
    for (const [id, dot] of dots) dots.set(id, Math.min(1, dot / (queryNorm * this.normOf(this.entries.get(id)!))));
    return dots;
  }

  private normOf(entry: Entry): number {
    const size = this.entries.size;
    if (entry.normCorpusSize === 0 || Math.abs(size - entry.normCorpusSize) > NORM_DRIFT * size) {
      let squares = 0;
      for (const gram of entry.grams.keys()) {
        const weight =
          this.gramPostings.get(gram)!.get(entry.article.id)! * this.gramIdf(this.gramPostings.get(gram)!.size);
        squares += weight * weight;
      }
      entry.gramNorm = Math.sqrt(squares) || 1;
      entry.normCorpusSize = size;
    }
    return entry.gramNorm;
  }
}

function posting(postings: Map<string, Map<string, number>>, key: string): Map<string, number> {
  let list = postings.get(key);
  if (!list) {
    list = new Map();
    postings.set(key, list);
  }
  return list;
}

function unpost(postings: Map<string, Map<string, number>>, key: string, id: string): void {
  const list = postings.get(key);
  if (!list) return;
  list.delete(id);
  if (list.size === 0) postings.delete(key);
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
