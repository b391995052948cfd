import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { freePort, startService, type ServiceProcess } from '../../helpers/service-process';
import { secretKeyHex } from '../../helpers/whatsapp-harness';

function listeningPids(service: ServiceProcess): number[] {
  return service.lines
    .filter((line) => typeof line.msg === 'string' && line.msg.startsWith('parley listening'))
    .map((line) => Number(line.pid));
}

async function until(done: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Issue 17: WEB_CONCURRENCY runs supervised workers on one port; a dead worker is replaced, SIGHUP restarts them all. */
describe('WEB_CONCURRENCY', () => {
  let db: TestDatabase;
  let service: ServiceProcess | null = null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cluster-'));

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });

  afterAll(async () => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves from two workers, replaces a killed one, restarts them on SIGHUP and stops on SIGTERM', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    service = startService({
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_BASE_URL: baseUrl,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_SECRET_KEY: secretKeyHex,
      SEED_DEMO: 'true',
      WEB_CONCURRENCY: '2',
    });
    const running = service;
    await running.waitForLog('supervising workers');
    await until(() => listeningPids(running).length === 2, 'two workers listening', 180_000);
    const [first, second] = listeningPids(running) as [number, number];
    expect(first).not.toBe(second);
    expect(first).not.toBe(running.child.pid);
    // Both workers migrated and seeded on one empty database, one after the other: one demo tenant.
    const tenants = await db.orm.em.getConnection().execute<{ count: string }[]>('select count(*) from tenant');
    expect(tenants[0]!.count).toBe('1');
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);

    process.kill(first, 'SIGKILL');
    await running.waitForLog('worker died; starting a replacement');
    await until(() => listeningPids(running).length === 3, 'a replacement worker', 180_000);
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);

    running.child.kill('SIGHUP');
    await running.waitForLog('workers restarted', 240_000);
    expect(listeningPids(running)).toHaveLength(5);
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);

    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    const messages = running.lines.map((line) => line.msg);
    expect(messages).toContain('stopping workers');
    expect(messages.filter((message) => message === 'worker died; starting a replacement')).toHaveLength(1);
  }, 600_000);
});
