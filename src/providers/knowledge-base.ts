import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import MiniSearch, { type SearchResult } from 'minisearch';
import { KnowledgeArticle } from '../db/entities';
import { tenantScope } from '../db/tenant-scope';
import { latestUserMessage } from './complexity';
import { KNOWLEDGE_BASE_MODEL } from './model-catalogue';
import { estimatePromptTokens, tokensOf } from './token-estimate';
import { ProviderError, type GenerateRequest, type GenerateResult, type LlmProvider } from './types';

export const HANDOVER_REPLY = "I'm not sure — let me hand you over to a colleague who can help. Someone will reply here shortly.";

/**
 * What the customer is told when the language models are down and the knowledge base has no confident answer:
 * a temporary problem, not a handoff (an outage is not a customer asking for a human).
 */
export const OUTAGE_REPLY =
  "Sorry, we're having a temporary technical problem and can't answer this right now. Please send your question again in a few minutes.";

export interface KnowledgeBaseOptions {
  /** The root entity manager; each index build works on a tenant-scoped fork. */
  em: EntityManager;
  /** KB_CONFIDENCE_THRESHOLD: normalised match confidence in [0, 1] needed to answer. */
  confidenceThreshold: number;
  /** Tenants whose index stays in memory. */
  maxTenants?: number;
}

export interface KnowledgeBaseProvider extends LlmProvider {
  readonly id: 'knowledge-base';
  /** Drop a tenant's index (an article or approved correction changed); the next question rebuilds it. */
  invalidate(tenantId: string): void;
  /** The best match and its confidence, without answering (for tests and the control plane). */
  match(tenantId: string, question: string): Promise<KnowledgeMatch | null>;
}

export interface KnowledgeMatch {
  articleId: string;
  question: string;
  answer: string;
  /** In [0, 1]; see `confidenceOf`. */
  confidence: number;
}

interface TenantIndex {
  search: MiniSearch<IndexedArticle>;
  /** Each article's score for its own question (the best a query can reasonably get), computed on first use. */
  selfScores: Map<string, number>;
}

interface IndexedArticle {
  id: string;
  question: string;
  answer: string;
}

// Words that carry no meaning for matching a support question; without this every "how do I ..." matches everything.
const stopWords = new Set(
  'a an and are as at be been but by can could do does did for from get got had has have hi hello hey how i i\'m im if in into is it its it\'s me my of on or our please so that the their them then there these they this to was we were what when which who why will with would you your yours thanks thank'.split(
    ' ',
  ),
);

/** Lower case, drop stop words, and fold the commonest English endings so "refunds" finds "refund". */
export function processTerm(term: string): string | null {
  const word = term.toLowerCase().replace(/['’]s$/, '');
  if (word.length < 2 || stopWords.has(word)) return null;
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

const searchOptions = { boost: { question: 3 }, fuzzy: 0.2, prefix: true, combineWith: 'OR' as const };

/**
 * Normalised confidence of the best result:
 *   coverage = distinct query terms the article matched / distinct query terms
 *   strength = min(1, score / the article's score for its own question)
 *   confidence = √(coverage × strength)
 * Coverage stops a long question from being answered by one shared word;
 * strength stops a short vague query from matching only the answer text.
 */
export function confidenceOf(result: Pick<SearchResult, 'score' | 'queryTerms'>, queryTermCount: number, selfScore: number): number {
  if (queryTermCount === 0 || selfScore <= 0) return 0;
  const coverage = Math.min(1, new Set(result.queryTerms).size / queryTermCount);
  const strength = Math.min(1, result.score / selfScore);
  return Math.round(Math.sqrt(coverage * strength) * 1000) / 1000;
}

/**
 * The offline provider (id `knowledge-base`): answers from the tenant's active
 * KnowledgeArticle rows (the seed answers and approved corrections) with a
 * MiniSearch full-text index, built on first use per tenant and kept in
 * memory. Needs no key and no network; below the confidence threshold it says
 * a colleague will take over and marks the result `needsHuman`.
 */
export function createKnowledgeBaseProvider(options: KnowledgeBaseOptions): KnowledgeBaseProvider {
  const indexes = new LRUCache<string, Promise<TenantIndex>>({ max: options.maxTenants ?? 1_000 });

  const indexFor = (tenantId: string): Promise<TenantIndex> => {
    let index = indexes.get(tenantId);
    if (!index) {
      index = buildIndex(options.em, tenantId);
      indexes.set(tenantId, index);
      // A failed build must not stay cached. An invalidation during a build deletes it, so the next call rebuilds.
      const building = index;
      building.catch(() => {
        if (indexes.get(tenantId) === building) indexes.delete(tenantId);
      });
    }
    return index;
  };

  const match = async (tenantId: string, question: string): Promise<KnowledgeMatch | null> => {
    const index = await indexFor(tenantId);
    const terms = new Set<string>();
    for (const token of MiniSearch.getDefault('tokenize')(question) as string[]) {
      const term = processTerm(token);
      if (term) terms.add(term);
    }
    if (terms.size === 0) return null;
    const [best] = index.search.search(question, searchOptions);
    if (!best) return null;
    const selfScore = selfScoreOf(index, best.id, best.question);
    return { articleId: best.id, question: best.question, answer: best.answer, confidence: confidenceOf(best, terms.size, selfScore) };
  };

  return {
    id: 'knowledge-base',
    match,
    invalidate(tenantId: string): void {
      indexes.delete(tenantId);
    },
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      if (request.signal?.aborted) throw new ProviderError('knowledge-base call was cancelled', 'knowledge-base', 'aborted', false);
      let found: KnowledgeMatch | null;
      try {
        found = await match(request.tenantId, latestUserMessage(request.messages));
      } catch (error) {
        throw new ProviderError(`knowledge base unavailable: ${error instanceof Error ? error.message : String(error)}`, 'knowledge-base', 'unavailable', true);
      }
      const confident = found !== null && found.confidence >= options.confidenceThreshold;
      const text = confident ? found!.answer : HANDOVER_REPLY;
      const inputTokens = estimatePromptTokens(request.messages);
      const outputTokens = tokensOf(text);
      return {
        text,
        finishReason: 'stop',
        usage: { inputTokens, cachedInputTokens: 0, outputTokens, totalTokens: inputTokens + outputTokens },
        metadata: {
          model: KNOWLEDGE_BASE_MODEL,
          needsHuman: !confident,
          matchConfidence: found?.confidence ?? 0,
          confidenceThreshold: options.confidenceThreshold,
          ...(found ? { articleId: found.articleId, matchedQuestion: found.question } : {}),
        },
      };
    },
  };
}

async function buildIndex(em: EntityManager, tenantId: string): Promise<TenantIndex> {
  const articles = await tenantScope(em, tenantId).find(KnowledgeArticle, { tenant: tenantId, active: true }, { fields: ['id', 'question', 'answer'] });
  const search = new MiniSearch<IndexedArticle>({ fields: ['question', 'answer'], storeFields: ['question', 'answer'], processTerm, searchOptions });
  search.addAll(articles.map((article) => ({ id: article.id, question: article.question, answer: article.answer })));
  return { search, selfScores: new Map() };
}

function selfScoreOf(index: TenantIndex, id: string, question: string): number {
  let score = index.selfScores.get(id);
  if (score === undefined) {
    const [own] = index.search.search(question, { ...searchOptions, filter: (result) => result.id === id });
    score = own?.score ?? 0;
    index.selfScores.set(id, score);
  }
  return score;
}
