import type { Config } from '../config';
import type { Logger } from '../logger';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';
import { migrate, openOrm, type Orm } from './orm';
import { withStartupLock } from './shared-state/startup-lock';

export interface Database {
  orm: Orm;
  /** 'external' when DATABASE_URL is set, otherwise the embedded server. */
  mode: 'external' | 'embedded';
  embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}

/**
 * DATABASE_URL when set; otherwise an embedded PostgreSQL in EMBEDDED_DB_DIR.
 * Either way the committed migrations are applied before anything else runs.
 */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  let embedded: EmbeddedDatabase | null = null;
  let url = config.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.embeddedDbDir, port: config.EMBEDDED_DB_PORT, logger });
    url = embedded.url;
    logger.info(
      { dataDir: embedded.dataDir, port: embedded.port, firstStart: embedded.created },
      'embedded PostgreSQL started',
    );
  }
  let orm: Orm;
  try {
    orm = await openOrm({ url, poolMax: config.DATABASE_POOL_MAX });
    // Several instances or cluster workers may start together: they migrate one at a time.
    const applied = await withStartupLock(url, () => migrate(orm));
    if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  return {
    orm,
    mode: embedded ? 'embedded' : 'external',
    embedded,
    async close() {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}
