import { KNOWLEDGE_ARTICLE_CHANGED, type InstanceBus } from '../db/shared-state/instance-bus';
import type { Logger } from '../logger';
import type { ArticleChange, KnowledgeBaseProvider } from '../providers/knowledge-base';

export interface KnowledgeListenerOptions {
  /** The process's instance bus (its one LISTEN connection, which also carries tenant and provider-health changes). */
  bus: Pick<InstanceBus, 'on' | 'off' | 'onReconnect' | 'offReconnect' | 'connected' | 'ready'>;
  knowledgeBase: Pick<KnowledgeBaseProvider, 'applyChanges' | 'catchUp'>;
  logger?: Logger;
  /** Notifications arriving within this window are applied together (an import writes thousands). Default 20 ms. */
  batchMs?: number;
  /** First delay before a failed catch-up is tried again; doubles up to 30 s. Default 500 ms. */
  retryMs?: number;
}

export interface KnowledgeListener {
  /** Resolves once the bus is listening and the loaded indexes have caught up with what was written before. */
  readonly ready: Promise<void>;
  /** True while the bus's LISTEN connection is up (and this listener is open). */
  connected(): boolean;
  /** Stops applying notifications (the bus itself stays open: its owner closes it). */
  close(): Promise<void>;
}

/**
 * Keeps this instance's knowledge indexes current with writes made anywhere:
 * the instance bus LISTENs on `knowledge_article_changed` (a trigger notifies
 * on every insert, update and delete, whatever wrote it) and each changed
 * article is applied in place. Once the bus is first listening, and after
 * every reconnect (the bus re-opens a lost connection with backoff), the loaded
 * indexes re-read rows changed since they were last in sync, so notifications
 * sent while disconnected are not lost; a catch-up that fails is tried again
 * with backoff. NOTIFY is delivered only after the writing transaction commits.
 */
export function startKnowledgeListener(options: KnowledgeListenerOptions): KnowledgeListener {
  const { bus, knowledgeBase, logger } = options;
  const batchMs = options.batchMs ?? 20;
  const firstRetry = options.retryMs ?? 500;
  let closed = false;
  let flushTimer: NodeJS.Timeout | null = null;
  let pending: ArticleChange[] = [];
  let markClosed: () => void = () => {};
  const closing = new Promise<void>((resolve) => (markClosed = resolve));

  const flush = () => {
    flushTimer = null;
    const batch = pending;
    pending = [];
    if (batch.length === 0 || closed) return;
    knowledgeBase.applyChanges(batch).catch((error: unknown) => {
      logger?.warn({ err: error, changes: batch.length }, 'could not apply knowledge changes; catching up instead');
      knowledgeBase
        .catchUp()
        .catch((catchUpError: unknown) => logger?.error({ err: catchUpError }, 'knowledge catch-up failed'));
    });
  };

  /** Catch-ups waiting to be tried again: close() ends them, so `ready` never hangs. */
  const retries = new Map<NodeJS.Timeout, () => void>();

  /** Re-reads what changed while this instance was not listening; retried with backoff until it succeeds (or close). */
  const catchUp = async (): Promise<void> => {
    for (let wait = firstRetry; !closed; wait = Math.min(wait * 2, 30_000)) {
      try {
        await knowledgeBase.catchUp();
        return;
      } catch (error) {
        if (closed) return;
        logger?.warn({ err: error, retryInMs: wait }, 'knowledge catch-up failed; retrying');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            retries.delete(timer);
            resolve();
          }, wait);
          timer.unref();
          retries.set(timer, resolve);
        });
      }
    }
  };

  const onChange = (payload: string) => {
    if (closed || !payload) return;
    try {
      const change = JSON.parse(payload) as ArticleChange;
      pending.push({ tenantId: change.tenantId, id: change.id });
    } catch {
      return;
    }
    flushTimer ??= setTimeout(flush, batchMs);
  };
  // Notifications sent while the bus was down are lost: re-read what changed meanwhile.
  const onReconnect = () => void catchUp();
  bus.on(KNOWLEDGE_ARTICLE_CHANGED, onChange);
  bus.onReconnect(onReconnect);
  // Anything written before this instance was listening.
  const ready = Promise.race([bus.ready.then(() => catchUp()), closing]);

  return {
    ready,
    connected: () => !closed && bus.connected(),
    async close() {
      closed = true;
      markClosed();
      bus.off(KNOWLEDGE_ARTICLE_CHANGED, onChange);
      bus.offReconnect(onReconnect);
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      pending = [];
      for (const [timer, resolve] of retries) {
        clearTimeout(timer);
        resolve();
      }
      retries.clear();
    },
  };
}
