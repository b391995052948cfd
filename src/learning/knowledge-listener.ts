import pg from 'pg';
import type { Logger } from '../logger';
import type { ArticleChange, KnowledgeBaseProvider } from '../providers/knowledge-base';

/** The channel the knowledge_article trigger notifies (Migration20261201140000KnowledgeRetrieval). */
export const KNOWLEDGE_CHANNEL = 'knowledge_article_changed';

export interface KnowledgeListenerOptions {
  /** PostgreSQL connection string (the service's database). */
  url: string;
  knowledgeBase: Pick<KnowledgeBaseProvider, 'applyChanges' | 'catchUp'>;
  logger?: Logger;
  /** Notifications arriving within this window are applied together (an import writes thousands). Default 20 ms. */
  batchMs?: number;
  /** First reconnect delay; doubles up to 30 s. Default 500 ms. */
  reconnectMs?: number;
}

export interface KnowledgeListener {
  /** Resolves once the first LISTEN is in place. */
  readonly ready: Promise<void>;
  /** True while the LISTEN connection is up. */
  connected(): boolean;
  close(): Promise<void>;
}

/**
 * Keeps this instance's knowledge indexes current with writes made anywhere:
 * a dedicated connection LISTENs on `knowledge_article_changed` (a trigger
 * notifies on every insert, update and delete, whatever wrote it) and applies
 * each changed article in place. A lost connection is re-opened with backoff;
 * after every (re)connect the loaded indexes re-read rows changed since they
 * were last in sync, so notifications sent while disconnected are not lost.
 * NOTIFY is delivered only after the writing transaction commits.
 */
export function startKnowledgeListener(options: KnowledgeListenerOptions): KnowledgeListener {
  const { knowledgeBase, logger } = options;
  const batchMs = options.batchMs ?? 20;
  const firstDelay = options.reconnectMs ?? 500;
  let client: pg.Client | null = null;
  let closed = false;
  let isConnected = false;
  let delay = firstDelay;
  let retryTimer: NodeJS.Timeout | null = null;
  let flushTimer: NodeJS.Timeout | null = null;
  let pending: ArticleChange[] = [];
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const flush = () => {
    flushTimer = null;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    knowledgeBase.applyChanges(batch).catch((error: unknown) => {
      logger?.warn({ err: error, changes: batch.length }, 'could not apply knowledge changes; catching up instead');
      knowledgeBase
        .catchUp()
        .catch((catchUpError: unknown) => logger?.error({ err: catchUpError }, 'knowledge catch-up failed'));
    });
  };

  const scheduleReconnect = () => {
    isConnected = false;
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
    retryTimer.unref();
    delay = Math.min(delay * 2, 30_000);
  };

  async function connect(): Promise<void> {
    const connection = new pg.Client({ connectionString: options.url, application_name: 'parley-knowledge-listener' });
    client = connection;
    connection.on('error', (error) => {
      logger?.warn({ err: error }, 'knowledge listener connection lost; reconnecting');
      connection.end().catch(() => undefined);
      if (client === connection) scheduleReconnect();
    });
    connection.on('end', () => {
      if (client === connection) scheduleReconnect();
    });
    connection.on('notification', (message) => {
      if (message.channel !== KNOWLEDGE_CHANNEL || !message.payload) return;
      try {
        const change = JSON.parse(message.payload) as ArticleChange;
        pending.push({ tenantId: change.tenantId, id: change.id });
      } catch {
        return;
      }
      flushTimer ??= setTimeout(flush, batchMs);
    });
    try {
      await connection.connect();
      await connection.query(`listen ${KNOWLEDGE_CHANNEL}`);
      if (closed) {
        await connection.end();
        return;
      }
      isConnected = true;
      delay = firstDelay;
      // Anything written while this instance was not listening.
      await knowledgeBase.catchUp();
      markReady();
    } catch (error) {
      logger?.warn({ err: error }, 'knowledge listener could not connect; retrying');
      connection.end().catch(() => undefined);
      if (client === connection) scheduleReconnect();
    }
  }

  void connect();
  return {
    ready,
    connected: () => isConnected,
    async close() {
      closed = true;
      markReady();
      if (retryTimer) clearTimeout(retryTimer);
      if (flushTimer) clearTimeout(flushTimer);
      const connection = client;
      client = null;
      isConnected = false;
      await connection?.end().catch(() => undefined);
    },
  };
}
