import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded-postgres';
import type { Logger } from '../src/logger';

export interface ScratchDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  name: string;
  /** True when no DATABASE_URL was given and an embedded server was started for the run. */
  embedded: boolean;
  /** Drop the database and stop (and delete) an embedded server; `keep` leaves both for inspection. */
  dispose(options?: { keep?: boolean }): Promise<void>;
}

/**
 * A throwaway database for a benchmark: on `serverUrl` (DATABASE_URL) when
 * given, otherwise on an embedded PostgreSQL in a temporary folder.
 */
export async function createScratchDatabase(options: {
  serverUrl?: string;
  prefix: string;
  logger?: Logger;
}): Promise<ScratchDatabase> {
  let server: EmbeddedDatabase | null = null;
  let dataDir: string | null = null;
  let serverUrl = options.serverUrl;
  if (!serverUrl) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-db-'));
    fs.chmodSync(dataDir, 0o755);
    server = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'db'),
      database: 'postgres',
      logger: options.logger,
    });
    serverUrl = server.url;
  }
  const name = `${options.prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({
    connectionString: Object.assign(new URL(serverUrl), { pathname: '/postgres' }).toString(),
  });
  // A dropped admin connection must not crash the benchmark before it reports.
  admin.on('error', () => {});
  await admin.connect();
  await admin.query(`create database ${name}`);
  let disposing: Promise<void> | null = null;
  const dispose = ({ keep = false } = {}) => {
    disposing ??= (async () => {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      if (!keep) await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
      await server?.stop();
      // An embedded server's files can be about 1 GB at scale: never leave them behind unless asked to.
      if (dataDir && !keep) fs.rmSync(dataDir, { recursive: true, force: true });
    })();
    return disposing;
  };
  // Ctrl-C (or a kill) in the middle of a run: drop the database and stop the server before exiting.
  function interrupted(signal: NodeJS.Signals): void {
    process.stderr.write(`\n${signal}: dropping ${name}${server ? ' and stopping the embedded server' : ''}…\n`);
    const code = signal === 'SIGINT' ? 130 : 143;
    dispose().then(
      () => process.exit(code),
      (error: unknown) => {
        process.stderr.write(
          `cleanup failed: ${error instanceof Error ? error.message : String(error)}; drop ${name} by hand\n`,
        );
        process.exit(code);
      },
    );
  }
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  // Whoever ends the process first (another signal handler, an error), the embedded server's files go at exit.
  if (dataDir) {
    const folder = dataDir;
    process.once('exit', () => {
      if (!disposing) fs.rmSync(folder, { recursive: true, force: true });
    });
  }
  return {
    url: Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString(),
    name,
    embedded: server !== null,
    dispose,
  };
}
