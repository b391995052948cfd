import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded-postgres';

declare global {
  var __parleyEmbedded: EmbeddedDatabase | undefined;
}

/**
 * Without DATABASE_URL, start one embedded PostgreSQL for the whole run in a
 * fresh temporary folder; test files create their own databases on it.
 * TEST_DATABASE_URL carries the server to the workers.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-db-'));
  fs.chmodSync(dataDir, 0o755);
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'db'), database: 'parley_test' });
  globalThis.__parleyEmbedded = embedded;
  process.env.TEST_DATABASE_URL = embedded.url;
}
