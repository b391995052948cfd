import { INBOUND_PATH } from '../../../channels/whatsapp/whatsapp-channel';
import { startFakeTwilioServer, type FakeTwilioServer } from '../../fakes/fake-twilio-server';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { ScriptedGateway } from '../../helpers/scripted-gateway';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  createWhatsAppTenant,
  inboundFields,
  postSigned,
  startWhatsAppHarness,
} from '../../helpers/whatsapp-harness';

/** One real millisecond is this many on the channel's clock: a 4-minute outage passes in 8 s. */
const FACTOR = 30;
const OUTAGE_MINUTES = 4;
const RETRY_AFTER_SECONDS = 5;

/**
 * Issue 10 item 4: a Twilio outage longer than about 7.5 s lost replies for
 * good (Retry-After ignored, 5 attempts, then `failed`, retries sleeping in
 * worker slots). Here Twilio answers 429 (Retry-After: 5) for two minutes, then
 * 500 for two more, on an accelerated clock: every reply still goes out once,
 * in order per conversation, no retry comes sooner than Retry-After, and no
 * worker is held while the retries wait.
 */
describe('WhatsApp through a Twilio outage of minutes', () => {
  let db: TestDatabase;
  let fake: FakeTwilioServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeTwilioServer({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN } });
  });
  afterAll(async () => {
    await fake?.close();
    await db?.drop();
  });

  it('keeps retrying while the session window allows and delivers everything in order after it', async () => {
    const origin = Date.now();
    const now = () => new Date(origin + (Date.now() - origin) * FACTOR);
    // The outage runs from the start until OUTAGE_MINUTES after every message is in (posting takes real time too).
    let outageEnd = Number.POSITIVE_INFINITY;
    let switchTo500 = Number.POSITIVE_INFINITY;
    fake.failWhile(
      'messages',
      { status: 429, retryAfterSeconds: RETRY_AFTER_SECONDS },
      () => now().getTime() < switchTo500,
    );
    fake.failWhile('messages', { status: 500 }, () => now().getTime() < outageEnd);
    const number = 'whatsapp:+15552000001';
    await createWhatsAppTenant(db.orm, { number, settings: { feedbackPromptFrequency: 'never' } });
    const harness = await startWhatsAppHarness(db.orm, new ScriptedGateway(), {
      twilioUrl: fake.url,
      config: { WHATSAPP_RETRY_BASE_MS: 500, WHATSAPP_RETRY_MAX_MS: 60_000, WHATSAPP_CONCURRENCY: 4 },
      channel: {
        now,
        timers: {
          setTimeout: (callback, ms) => setTimeout(callback, Math.ceil(ms / FACTOR)),
          clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
        },
      },
    });
    try {
      const customers = Array.from(
        { length: 10 },
        (_, index) => `whatsapp:+4477003330${String(index).padStart(2, '0')}`,
      );
      for (const question of ['first', 'second'])
        for (const from of customers) {
          const response = await postSigned(
            harness.baseUrl,
            INBOUND_PATH,
            inboundFields({ To: number, From: from, Body: `${question} question of ${from}` }),
          );
          expect(response.status).toBe(200);
        }
      // Mid-outage: every turn is done and every reply waits in the database; no worker waits with it.
      await harness.channel.idle();
      switchTo500 = now().getTime() + (OUTAGE_MINUTES / 2) * 60_000;
      outageEnd = now().getTime() + OUTAGE_MINUTES * 60_000;
      expect(fake.sends).toHaveLength(0);
      const pending = await db.orm.em
        .fork()
        .getConnection()
        .execute<{ count: number }[]>(
          `select count(*)::int as count from message where direction = 'outbound' and delivery_status = 'pending'`,
        );
      expect(pending).toEqual([{ count: customers.length * 2 }]);

      const total = customers.length * 2;
      await fake.waitForSends(total, 60_000);
      await harness.channel.idle();
      const recoveredAt = now().getTime();
      for (const from of customers)
        expect(fake.sends.filter((send) => send.to === from).map((send) => send.renderedText)).toEqual([
          `You asked: first question of ${from}`,
          `You asked: second question of ${from}`,
        ]);
      const rows = await db.orm.em
        .fork()
        .getConnection()
        .execute<{ delivery_status: string; attempts: { at: string; reason: string }[] | null }[]>(
          `select delivery_status, failed_attempts as attempts from message where direction = 'outbound'`,
        );
      expect(rows).toHaveLength(total);
      expect(rows.filter((row) => row.delivery_status !== 'queued')).toEqual([]);
      // After a 429 with Retry-After: 5, the next attempt came no sooner (timers may round down by a millisecond).
      let honoured = 0;
      for (const row of rows) {
        const attempts = row.attempts ?? [];
        for (let index = 1; index < attempts.length; index += 1) {
          if (!attempts[index - 1]!.reason.includes('HTTP 429')) continue;
          const gap = Date.parse(attempts[index]!.at) - Date.parse(attempts[index - 1]!.at);
          expect(gap).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000 - 2 * FACTOR);
          honoured += 1;
        }
      }
      expect(honoured).toBeGreaterThan(0);
      const attempts = rows.reduce((sum, row) => sum + (row.attempts?.length ?? 0), 0);
      process.stdout.write(
        `Twilio outage: ${Math.round((outageEnd - origin) / 60_000)} min of 429/500 (clock ×${FACTOR}), ${total} replies, 0 lost, 0 failed, 0 duplicated, ${attempts} failed attempts (${honoured} after a Retry-After), everyone answered ${Math.round((recoveredAt - outageEnd) / 1000)} s (clock) after the outage\n`,
      );
    } finally {
      await harness.close();
    }
  }, 120_000);
});
