import type { EntityManager } from '@mikro-orm/postgresql';
import type { OfflineAnswerModel } from '../learning/training/offline-model';
import { latestUserMessage } from './complexity';
import {
  answersConfidently,
  DEFAULT_MIN_MARGIN,
  DEFAULT_RETRIEVAL,
  HANDOVER_REPLY,
  knowledgeResult,
  MARGIN_POOL,
  withMargin,
} from './knowledge-answer';
import { createTenantIndexes, type ArticleChange } from './knowledge-indexes';
import { createOfflineModelAnswerer } from './knowledge-offline-model';
import {
  ProviderError,
  type GenerateRequest,
  type GenerateResult,
  type LlmProvider,
  type ReferenceArticle,
  type RetrievalSettings,
} from './types';

export {
  answersConfidently,
  CLEAR_MATCH,
  DEFAULT_MIN_MARGIN,
  DEFAULT_RETRIEVAL,
  HANDOVER_REPLY,
  MARGIN_POOL,
  OUTAGE_REPLY,
  withMargin,
} from './knowledge-answer';
export type { ArticleChange } from './knowledge-indexes';

export interface KnowledgeBaseOptions {
  /** The root entity manager; index loads and updates work on forks of it. */
  em: EntityManager;
  /** KB_CONFIDENCE_THRESHOLD: similarity in [0, 1] the best article needs for the knowledge base to answer, and the default retrieval floor. */
  confidenceThreshold: number;
  /** KB_RETRIEVAL_K: reference answers retrieved per turn unless the request says otherwise. */
  retrievalK?: number;
  /** KB_MIN_MARGIN: how far the best article must lead the best article of another topic for the knowledge base to answer (default 0.02). */
  minMargin?: number;
  /** Tenants whose index stays in memory. */
  maxTenants?: number;
  /** Reads a trained offline model (default: the offline_model row); models are immutable, so they are cached by id. */
  loadOfflineModel?: (tenantId: string, id: string) => Promise<OfflineAnswerModel>;
}

export interface KnowledgeBaseProvider extends LlmProvider {
  readonly id: 'knowledge-base';
  /** The defaults used when a request gives no retrieval settings. */
  readonly defaults: RetrievalSettings;
  /** Drop a tenant's index; the next question loads it again (a last resort: changes are applied in place). */
  invalidate(tenantId: string): void;
  /** The best match and its similarity, without answering (for tests and the control plane). */
  match(tenantId: string, question: string): Promise<KnowledgeMatch | null>;
  /** The tenant's `k` most similar active articles at or above `minScore`, best first. */
  retrieve(tenantId: string, question: string, settings?: Partial<RetrievalSettings>): Promise<ReferenceArticle[]>;
  /** Re-reads the changed articles and updates the loaded indexes in place (inactive or deleted rows leave the index). */
  applyChanges(changes: readonly ArticleChange[]): Promise<void>;
  /** Re-reads every article changed since each loaded index (or only `tenantId`'s) was last in sync; returns the rows read. */
  catchUp(tenantId?: string): Promise<number>;
  /** Full index loads and articles applied in place since start (an approval should add to the second, not the first). */
  stats(): { loads: number; articlesApplied: number };
}

export interface KnowledgeMatch {
  articleId: string;
  question: string;
  answer: string;
  topic: string | null;
  /** Similarity in [0, 1] (see `KnowledgeIndex.search`). */
  confidence: number;
}

/**
 * The offline provider (id `knowledge-base`) and the retrieval behind every
 * prompt: the tenant's active KnowledgeArticle rows in a `KnowledgeIndex`,
 * loaded on first use and then kept current one article at a time
 * (knowledge-indexes.ts). Needs no key and no network; when the best article is
 * below the threshold it says a colleague will take over and marks the result
 * `needsHuman`. A request naming a trained offline model is answered by that
 * model (knowledge-offline-model.ts) when it can be loaded.
 */
export function createKnowledgeBaseProvider(options: KnowledgeBaseOptions): KnowledgeBaseProvider {
  const indexes = createTenantIndexes({ em: options.em, maxTenants: options.maxTenants });
  const answerWithModel = createOfflineModelAnswerer({ em: options.em, loadOfflineModel: options.loadOfflineModel });
  const minMargin = options.minMargin ?? DEFAULT_MIN_MARGIN;
  const defaults: RetrievalSettings = {
    k: options.retrievalK ?? DEFAULT_RETRIEVAL.k,
    minScore: options.confidenceThreshold,
  };

  const retrieve = async (
    tenantId: string,
    question: string,
    settings: Partial<RetrievalSettings> = {},
  ): Promise<ReferenceArticle[]> => {
    const { k, minScore } = { ...defaults, ...settings };
    const index = await indexes.synced(tenantId);
    // A wider look than k finds the best competitor of another topic for the margin.
    return withMargin(index.search(question, Math.max(k, MARGIN_POOL)))
      .slice(0, k)
      .filter((article) => article.score >= minScore);
  };

  const match = async (tenantId: string, question: string): Promise<KnowledgeMatch | null> => {
    const index = await indexes.synced(tenantId);
    const [best] = index.search(question, 1);
    return best
      ? { articleId: best.id, question: best.question, answer: best.answer, topic: best.topic, confidence: best.score }
      : null;
  };

  return {
    id: 'knowledge-base',
    defaults,
    match,
    retrieve,
    invalidate: (tenantId) => indexes.invalidate(tenantId),
    applyChanges: (changes) => indexes.applyChanges(changes),
    stats: () => indexes.stats(),
    catchUp: (tenantId) => indexes.catchUp(tenantId),
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      if (request.signal?.aborted)
        throw new ProviderError('knowledge-base call was cancelled', 'knowledge-base', 'aborted', false);
      if (request.offlineModel) {
        const answered = await answerWithModel(request);
        if (answered) return answered;
      }
      let found: ReferenceArticle | null;
      try {
        // The gateway passes the turn's retrieval (already filtered by its floor); called alone, retrieve now.
        found = request.references
          ? (request.references[0] ?? null)
          : ((await retrieve(request.tenantId, latestUserMessage(request.messages), { k: 1, minScore: 0 }))[0] ?? null);
      } catch (error) {
        throw new ProviderError(
          `knowledge base unavailable: ${error instanceof Error ? error.message : String(error)}`,
          'knowledge-base',
          'unavailable',
          true,
        );
      }
      const confident = answersConfidently(found, options.confidenceThreshold, minMargin);
      const text = confident ? found!.answer : HANDOVER_REPLY;
      return knowledgeResult(request, text, {
        needsHuman: !confident,
        matchConfidence: found?.score ?? 0,
        matchMargin: found?.margin ?? null,
        confidenceThreshold: options.confidenceThreshold,
        ...(found ? { articleId: found.id, matchedQuestion: found.question, topic: found.topic } : {}),
      });
    },
  };
}
