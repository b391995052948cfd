import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import { KnowledgeIndex, type IndexedArticle } from '../learning/knowledge-index';
import type { OfflineAnswerModel } from '../learning/training/offline-model';
import { loadOfflineModel } from '../learning/training/offline-model-store';
import { latestUserMessage } from './complexity';
import { KNOWLEDGE_BASE_MODEL } from './model-catalogue';
import { estimatePromptTokens, tokensOf } from './token-estimate';
import {
  ProviderError,
  type GenerateRequest,
  type GenerateResult,
  type LlmProvider,
  type ReferenceArticle,
  type RetrievalSettings,
} from './types';

export const HANDOVER_REPLY =
  "I'm not sure — let me hand you over to a colleague who can help. Someone will reply here shortly.";

/**
 * What the customer is told when the language models are down and the knowledge base has no confident answer:
 * a temporary problem, not a handoff (an outage is not a customer asking for a human).
 */
export const OUTAGE_REPLY =
  "Sorry, we're having a temporary technical problem and can't answer this right now. Please send your question again in a few minutes.";

/**
 * Measured on a hashed 80/20 split of the shared customer-support dataset (`npm run bench:retrieval`):
 * at 0.30 (with DEFAULT_MIN_MARGIN) the knowledge base answers 96.5 % of held-out questions with the right topic, 2.4 % wrong,
 * and hands off 90 % of off-domain questions. Three reference answers are enough for an LLM prompt.
 */
export const DEFAULT_RETRIEVAL: RetrievalSettings = { k: 3, minScore: 0.3 };

/**
 * Below CLEAR_MATCH the knowledge base also hands off when the best article leads the best article of
 * another topic by less than the margin (near-twin intents such as get_invoice / check_invoice). On the
 * same split this cuts wrong answers from 2.9 % to 2.4 % for 0.3 points of right answers (96.8 → 96.5 %);
 * applying the margin at every score would reach 1.9 % / 96.1 %, but then clear paraphrases of short
 * articles that share their wording ("how long does a refund take" vs "how long does delivery take",
 * 0.69 vs 0.69) are handed off. Articles without a topic compete only with articles that have one.
 */
export const DEFAULT_MIN_MARGIN = 0.02;
export const CLEAR_MATCH = 0.6;
/** Articles searched to find the best competitor of another topic. */
export const MARGIN_POOL = 10;

/** Sets `margin` on the best of `found` (best first, at least MARGIN_POOL long when available). */
export function withMargin(found: readonly ReferenceArticle[]): ReferenceArticle[] {
  const [best, ...rest] = found;
  if (!best) return [];
  const rival = rest.find((article) => article.topic !== best.topic);
  return [{ ...best, margin: Math.round((best.score - (rival?.score ?? 0)) * 10_000) / 10_000 }, ...rest];
}

/** The knowledge base's answer-or-hand-off decision on its best article. */
export function answersConfidently(
  best: ReferenceArticle | null | undefined,
  threshold: number,
  minMargin: number,
): boolean {
  return !!best && best.score >= threshold && (best.score >= CLEAR_MATCH || (best.margin ?? 1) >= minMargin);
}

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

/** One changed knowledge article (from the `knowledge_article_changed` notification or a local write). */
export interface ArticleChange {
  tenantId: string;
  id: string;
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

interface TenantIndex {
  index: KnowledgeIndex;
  /** Latest updated_at read into the index: a catch-up re-reads rows changed since (with an overlap for clock skew). */
  watermark: Date;
}

/** Rows written by another instance's clock may carry a slightly older updated_at: re-read this much before the watermark. */
const CATCH_UP_OVERLAP_MS = 60_000;

/**
 * The offline provider (id `knowledge-base`) and the retrieval behind every
 * prompt: the tenant's active KnowledgeArticle rows in a `KnowledgeIndex`,
 * loaded on first use and then kept current one article at a time. Needs no
 * key and no network; when the best article is below the threshold it says a
 * colleague will take over and marks the result `needsHuman`.
 */
export function createKnowledgeBaseProvider(options: KnowledgeBaseOptions): KnowledgeBaseProvider {
  const indexes = new LRUCache<string, Promise<TenantIndex>>({ max: options.maxTenants ?? 1_000 });
  const counters = { loads: 0, articlesApplied: 0 };
  const minMargin = options.minMargin ?? DEFAULT_MIN_MARGIN;
  const defaults: RetrievalSettings = {
    k: options.retrievalK ?? DEFAULT_RETRIEVAL.k,
    minScore: options.confidenceThreshold,
  };

  const offlineModels = new LRUCache<string, Promise<OfflineAnswerModel>>({ max: 20 });
  const readOfflineModel =
    options.loadOfflineModel ?? ((tenantId, id) => loadOfflineModel(options.em.fork(), tenantId, id));
  const offlineModelFor = (tenantId: string, id: string): Promise<OfflineAnswerModel> => {
    const key = `${tenantId}:${id}`;
    let model = offlineModels.get(key);
    if (!model) {
      const loading = readOfflineModel(tenantId, id);
      offlineModels.set(key, loading);
      loading.catch(() => {
        if (offlineModels.get(key) === loading) offlineModels.delete(key);
      });
      model = loading;
    }
    return model;
  };

  /** The trained offline model's answer (a model version names it), or null when it cannot be loaded. */
  const answerWithModel = async (request: GenerateRequest): Promise<GenerateResult | null> => {
    const id = request.offlineModel!;
    let model: OfflineAnswerModel;
    try {
      model = await offlineModelFor(request.tenantId, id);
    } catch {
      return null; // a missing or unreadable model: answer from the knowledge articles instead
    }
    const prediction = model.predict(latestUserMessage(request.messages));
    const text = prediction.needsHuman ? HANDOVER_REPLY : prediction.answer!;
    const inputTokens = estimatePromptTokens(request.messages);
    const outputTokens = tokensOf(text);
    return {
      text,
      finishReason: 'stop',
      usage: { inputTokens, cachedInputTokens: 0, outputTokens, totalTokens: inputTokens + outputTokens },
      metadata: {
        model: KNOWLEDGE_BASE_MODEL,
        offlineModel: id,
        needsHuman: prediction.needsHuman,
        matchConfidence: prediction.probability,
        matchSimilarity: prediction.similarity,
        ...(prediction.needsHuman ? {} : { topic: prediction.topic, matchedQuestion: prediction.matchedQuestion }),
      },
    };
  };

  const indexFor = (tenantId: string): Promise<TenantIndex> => {
    let index = indexes.get(tenantId);
    if (!index) {
      index = loadIndex(options.em, tenantId);
      counters.loads += 1;
      indexes.set(tenantId, index);
      // A failed load must not stay cached. An invalidation during a load deletes it, so the next call loads again.
      const loading = index;
      loading.catch(() => {
        if (indexes.get(tenantId) === loading) indexes.delete(tenantId);
      });
    }
    return index;
  };

  /** Updates in flight: a question asked after a change was announced waits for it (a few ms), so it never sees the old answer. */
  let syncing: Promise<unknown> = Promise.resolve();
  const track = <T>(update: Promise<T>): Promise<T> => {
    syncing = Promise.all([syncing, update.catch(() => undefined)]);
    return update;
  };
  const indexSynced = async (tenantId: string): Promise<TenantIndex> => {
    await syncing;
    return indexFor(tenantId);
  };

  const retrieve = async (
    tenantId: string,
    question: string,
    settings: Partial<RetrievalSettings> = {},
  ): Promise<ReferenceArticle[]> => {
    const { k, minScore } = { ...defaults, ...settings };
    const { index } = await indexSynced(tenantId);
    // A wider look than k finds the best competitor of another topic for the margin.
    return withMargin(index.search(question, Math.max(k, MARGIN_POOL)))
      .slice(0, k)
      .filter((article) => article.score >= minScore);
  };

  const match = async (tenantId: string, question: string): Promise<KnowledgeMatch | null> => {
    const { index } = await indexSynced(tenantId);
    const [best] = index.search(question, 1);
    return best
      ? { articleId: best.id, question: best.question, answer: best.answer, topic: best.topic, confidence: best.score }
      : null;
  };

  /** Applies fresh rows to a loaded index: active ones are (re)indexed, others and missing ids leave it. */
  const apply = (loaded: TenantIndex, ids: readonly string[], rows: ArticleRow[]): void => {
    const found = new Set<string>();
    counters.articlesApplied += rows.length;
    for (const row of rows) {
      found.add(row.id);
      if (row.active) loaded.index.upsert(toIndexed(row));
      else loaded.index.remove(row.id);
      if (row.updated_at > loaded.watermark) loaded.watermark = row.updated_at;
    }
    for (const id of ids) if (!found.has(id)) loaded.index.remove(id);
  };

  return {
    id: 'knowledge-base',
    defaults,
    match,
    retrieve,
    invalidate(tenantId: string): void {
      indexes.delete(tenantId);
    },
    applyChanges: (changes) => track(applyChanges(changes)),
    stats: () => ({ ...counters }),
    catchUp: (tenantId) => track(catchUp(tenantId)),
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
      const inputTokens = estimatePromptTokens(request.messages);
      const outputTokens = tokensOf(text);
      return {
        text,
        finishReason: 'stop',
        usage: { inputTokens, cachedInputTokens: 0, outputTokens, totalTokens: inputTokens + outputTokens },
        metadata: {
          model: KNOWLEDGE_BASE_MODEL,
          needsHuman: !confident,
          matchConfidence: found?.score ?? 0,
          matchMargin: found?.margin ?? null,
          confidenceThreshold: options.confidenceThreshold,
          ...(found ? { articleId: found.id, matchedQuestion: found.question, topic: found.topic } : {}),
        },
      };
    },
  };

  async function applyChanges(changes: readonly ArticleChange[]): Promise<void> {
    const byTenant = new Map<string, Set<string>>();
    for (const change of changes) {
      if (!indexes.has(change.tenantId)) continue; // not loaded here: its first use reads the current rows
      let ids = byTenant.get(change.tenantId);
      if (!ids) byTenant.set(change.tenantId, (ids = new Set()));
      ids.add(change.id);
    }
    for (const [tenantId, ids] of byTenant) {
      const loading = indexes.get(tenantId);
      if (!loading) continue;
      const loaded = await loading;
      const list = [...ids];
      apply(loaded, list, await readArticles(options.em, tenantId, 'id = any(?::uuid[])', [`{${list.join(',')}}`]));
    }
  }

  async function catchUp(only?: string): Promise<number> {
    let changed = 0;
    for (const [tenantId, loading] of [...indexes.entries()]) {
      if (only && tenantId !== only) continue;
      const loaded = await loading.catch(() => null);
      if (!loaded) continue;
      const since = new Date(loaded.watermark.getTime() - CATCH_UP_OVERLAP_MS);
      const rows = await readArticles(options.em, tenantId, 'updated_at >= ?', [since]);
      apply(loaded, [], rows);
      changed += rows.length;
    }
    return changed;
  }
}

interface ArticleRow {
  id: string;
  question: string;
  answer: string;
  topic: string | null;
  active: boolean;
  updated_at: Date;
}

function toIndexed(row: ArticleRow): IndexedArticle {
  return { id: row.id, question: row.question, answer: row.answer, topic: row.topic };
}

async function readArticles(
  em: EntityManager,
  tenantId: string,
  condition: string,
  parameters: unknown[],
): Promise<ArticleRow[]> {
  const rows = await em
    .fork()
    .getConnection()
    .execute<ArticleRow[]>(
      `select id, question, answer, topic, active, updated_at from knowledge_article where tenant_id = ? and ${condition}`,
      [tenantId, ...parameters],
    );
  return rows.map((row) => ({ ...row, updated_at: new Date(row.updated_at) }));
}

async function loadIndex(em: EntityManager, tenantId: string): Promise<TenantIndex> {
  const index = new KnowledgeIndex();
  let watermark = new Date(0);
  for (const row of await readArticles(em, tenantId, 'active', [])) {
    index.upsert(toIndexed(row));
    if (row.updated_at > watermark) watermark = row.updated_at;
  }
  return { index, watermark };
}
