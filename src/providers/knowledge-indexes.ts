import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import { KnowledgeIndex, type IndexedArticle } from '../learning/knowledge-index';

/** One changed knowledge article (from the `knowledge_article_changed` notification or a local write). */
export interface ArticleChange {
  tenantId: string;
  id: string;
}

interface TenantIndex {
  index: KnowledgeIndex;
  /** Latest updated_at read into the index: a catch-up re-reads rows changed since (with an overlap for clock skew). */
  watermark: Date;
}

/** Rows written by another instance's clock may carry a slightly older updated_at: re-read this much before the watermark. */
const CATCH_UP_OVERLAP_MS = 60_000;

export interface TenantIndexes {
  /** The tenant's index once every announced change is applied (a question asked after a change never sees the old answer). */
  synced(tenantId: string): Promise<KnowledgeIndex>;
  /** Drop a tenant's index; the next question loads it again. */
  invalidate(tenantId: string): void;
  /** Re-reads the changed articles and updates the loaded indexes in place (inactive or deleted rows leave the index). */
  applyChanges(changes: readonly ArticleChange[]): Promise<void>;
  /** Re-reads every article changed since each loaded index (or only `tenantId`'s) was last in sync; returns the rows read. */
  catchUp(tenantId?: string): Promise<number>;
  /** Full index loads and articles applied in place since start. */
  stats(): { loads: number; articlesApplied: number };
}

/**
 * Each tenant's active KnowledgeArticle rows in a `KnowledgeIndex`, loaded on
 * first use (at most `maxTenants` kept) and then kept current one article at a
 * time: changed ids are re-read and upserted or removed, and a catch-up re-reads
 * rows changed since the index's watermark.
 */
export function createTenantIndexes(options: { em: EntityManager; maxTenants?: number }): TenantIndexes {
  const indexes = new LRUCache<string, Promise<TenantIndex>>({ max: options.maxTenants ?? 1_000 });
  const counters = { loads: 0, articlesApplied: 0 };

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

  return {
    async synced(tenantId) {
      await syncing;
      return (await indexFor(tenantId)).index;
    },
    invalidate(tenantId) {
      indexes.delete(tenantId);
    },
    applyChanges: (changes) => track(applyChanges(changes)),
    catchUp: (tenantId) => track(catchUp(tenantId)),
    stats: () => ({ ...counters }),
  };
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
