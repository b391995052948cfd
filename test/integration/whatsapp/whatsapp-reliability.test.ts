import { INBOUND_PATH } from '../../../channels/whatsapp/whatsapp-channel';
import { replies, shouldPromptFeedback } from '../../../channels/whatsapp/whatsapp-message';
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
  type WhatsAppHarness,
} from '../../helpers/whatsapp-harness';

const OTHER_ACCOUNT = 'AC' + '2'.repeat(32);
const OTHER_TOKEN = 'other-account-token-0123456789';

describe('WhatsApp channel: crashes, retries, template fallback and prompt frequency', () => {
  let db: TestDatabase;
  let fake: FakeTwilioServer;
  const open: WhatsAppHarness[] = [];
  let numberSequence = 0;

  const sql = <T>(query: string, params: unknown[] = []) =>
    db.orm.em.fork().getConnection().execute<T[]>(query, params);
  const start = async (
    gateway: ScriptedGateway,
    options: Parameters<typeof startWhatsAppHarness>[2] = { twilioUrl: '' },
  ) => {
    const harness = await startWhatsAppHarness(db.orm, gateway, { ...options, twilioUrl: fake.url });
    open.push(harness);
    return harness;
  };
  /** A tenant on its own business number, so tests do not see each other's conversations. */
  const tenantOn = async (
    settings: Record<string, unknown> = { feedbackPromptFrequency: 'always' },
    account = { sid: ACCOUNT_SID, token: AUTH_TOKEN },
  ) => {
    const number = `whatsapp:+1555000${String((numberSequence += 1)).padStart(4, '0')}`;
    const tenantId = await createWhatsAppTenant(db.orm, {
      number,
      settings,
      accountSid: account.sid,
      authToken: account.token,
    });
    return { tenantId, number, token: account.token, sid: account.sid };
  };
  const post = (
    harness: WhatsAppHarness,
    tenant: { number: string; token: string; sid: string },
    fields: Record<string, string>,
  ) =>
    postSigned(harness.baseUrl, INBOUND_PATH, inboundFields({ To: tenant.number, AccountSid: tenant.sid, ...fields }), {
      token: tenant.token,
    });
  const sendsTo = (from: string) => fake.sends.filter((item) => item.to === from);

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeTwilioServer({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN, [OTHER_ACCOUNT]: OTHER_TOKEN } });
  });
  afterEach(async () => {
    for (const harness of open.splice(0)) await harness.close();
  });
  afterAll(async () => {
    await fake?.close();
    await db?.drop();
  });

  it('answers, exactly once, messages stored by an instance that stopped before replying', async () => {
    const tenant = await tenantOn();
    const first = await start(new ScriptedGateway());
    // The instance goes away right after storing: its queue takes no more work, as after a crash.
    await first.channel.stop();
    const from = 'whatsapp:+447700111001';
    expect((await post(first, tenant, { From: from, Body: 'First question' })).status).toBe(200);
    expect((await post(first, tenant, { From: from, Body: 'Second question' })).status).toBe(200);
    expect(sendsTo(from)).toHaveLength(0);

    const gateway = new ScriptedGateway();
    const second = await start(gateway);
    const third = await start(gateway);
    await Promise.all([second.channel.idle(), third.channel.idle()]);
    await second.channel.recover();
    await Promise.all([second.channel.idle(), third.channel.idle()]);
    // Both stored messages answered once each, in order, although two instances recovered them.
    expect(sendsTo(from).map((item) => item.renderedText)).toEqual([
      'You asked: First question',
      'You asked: Second question',
    ]);
    const unanswered = await sql<{ count: number }>(
      `select count(*)::int as count from message where channel = 'whatsapp' and direction = 'inbound' and processed_at is null`,
    );
    expect(unanswered).toEqual([{ count: 0 }]);
  });

  it('takes over a turn whose worker died mid-answer and sends one reply', async () => {
    const tenant = await tenantOn();
    const stuck = new ScriptedGateway();
    let release!: () => void;
    stuck.gate = new Promise<void>((resolve) => (release = resolve));
    const dying = await start(stuck);
    const from = 'whatsapp:+447700111002';
    await post(dying, tenant, { From: from, Body: 'Where is my parcel?' });
    // Wait until the dying worker holds the claim (its model call never returns).
    for (let attempt = 0; attempt < 100 && stuck.requests.length === 0; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stuck.requests).toHaveLength(1);

    const rescuer = await start(new ScriptedGateway(), { twilioUrl: '', engine: { processingLeaseMs: 1 } });
    await rescuer.channel.idle();
    expect(sendsTo(from).map((item) => item.renderedText)).toEqual(['You asked: Where is my parcel?']);
    // The old worker wakes up late: its claim is gone, so it must not send a second reply.
    release();
    await dying.channel.idle();
    expect(sendsTo(from)).toHaveLength(1);
  });

  it('delivers a reply that was stored but never sent before a crash', async () => {
    const tenant = await tenantOn();
    const first = await start(new ScriptedGateway(), { twilioUrl: '', start: false });
    const from = 'whatsapp:+447700111003';
    // The engine answered and stored the reply, then the process died before the send.
    const turn = await first.engine.handleTurn({
      tenantId: tenant.tenantId,
      channel: 'whatsapp',
      externalId: from,
      text: 'Opening hours?',
      channelMessageId: 'SMcrash0001',
      payload: { to: tenant.number },
    });
    expect(turn.status).toBe('replied');
    expect(sendsTo(from)).toHaveLength(0);
    const second = await start(new ScriptedGateway());
    await second.channel.idle();
    const [sent] = sendsTo(from);
    expect(sent).toMatchObject({
      renderedText: 'You asked: Opening hours?',
      buttonIds: [`fb:${turn.interactionId}:up`, `fb:${turn.interactionId}:down`],
    });
    const third = await start(new ScriptedGateway());
    await third.channel.idle();
    expect(sendsTo(from)).toHaveLength(1);
  });

  it('under overload leaves new messages in the database and answers them all once the queue drains', async () => {
    const tenant = await tenantOn();
    const gateway = new ScriptedGateway();
    let release!: () => void;
    gateway.gate = new Promise<void>((resolve) => (release = resolve));
    const harness = await start(gateway, {
      twilioUrl: '',
      config: { WHATSAPP_CONCURRENCY: 1 },
      channel: { maxQueued: 2 },
    });
    const customers = Array.from({ length: 5 }, (_unused, index) => `whatsapp:+4477003330${index}`);
    for (const from of customers)
      expect((await post(harness, tenant, { From: from, Body: `Question from ${from}` })).status).toBe(200);
    const before = fake.sends.length;
    release();
    await fake.waitForSends(before + 5);
    await harness.channel.idle();
    for (const from of customers)
      expect(sendsTo(from).map((item) => item.renderedText)).toEqual([`You asked: Question from ${from}`]);
  });

  it('retries failed sends at times scheduled in the database, honouring Retry-After, and records each failed attempt', async () => {
    const tenant = await tenantOn();
    const harness = await start(new ScriptedGateway(), { twilioUrl: '', config: { WHATSAPP_SEND_TIMEOUT_MS: 300 } });
    const from = 'whatsapp:+447700111004';
    fake.failNext('messages', { status: 500 });
    fake.failNext('messages', { status: 429, retryAfterSeconds: 1 });
    fake.failNext('messages', { hang: true });
    await post(harness, tenant, { From: from, Body: 'Do you price match?' });
    // The retries wait in the database (next_attempt_at), not in a worker: the queue is idle meanwhile.
    await harness.channel.idle();
    await fake.waitForSends(fake.sends.length + 1);
    await harness.channel.idle();
    expect(sendsTo(from)).toHaveLength(1);
    const [stored] = await sql<{
      delivery_status: string;
      attempts: { reason: string; at: string; unknown: boolean }[];
    }>(`select m.delivery_status, m.failed_attempts as attempts from message m where m.channel_message_id = ?`, [
      sendsTo(from)[0]!.sid,
    ]);
    expect(stored!.delivery_status).toBe('queued');
    expect(stored!.attempts.map((attempt) => [attempt.reason, attempt.unknown])).toEqual([
      [expect.stringContaining('HTTP 500'), false],
      [expect.stringContaining('HTTP 429'), false],
      // No answer: the send may have gone through, so the next attempt first looked for it (it had not).
      [expect.stringContaining('timed out'), true],
    ]);
    // The attempt after the 429 came no sooner than its Retry-After (1 s).
    const gap = new Date(stored!.attempts[2]!.at).getTime() - new Date(stored!.attempts[1]!.at).getTime();
    expect(gap).toBeGreaterThanOrEqual(1_000 - 300);
  });

  it('does not send again a reply Twilio accepted but never confirmed (it looks for it first)', async () => {
    const tenant = await tenantOn();
    const harness = await start(new ScriptedGateway(), { twilioUrl: '', config: { WHATSAPP_SEND_TIMEOUT_MS: 300 } });
    const from = 'whatsapp:+447700111014';
    const lists = fake.listCount();
    fake.failNext('messages', { acceptThenHang: true });
    await post(harness, tenant, { From: from, Body: 'Was my payment received?' });
    await fake.waitForSends(fake.sends.length + 1);
    const sid = sendsTo(from)[0]!.sid;
    for (let wait = 0; wait < 200; wait += 1) {
      const [row] = await sql<{ delivery_status: string }>(
        `select delivery_status from message where channel_message_id = ?`,
        [sid],
      );
      if (row?.delivery_status === 'queued') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await harness.channel.idle();
    expect(sendsTo(from)).toHaveLength(1);
    expect(fake.listCount()).toBeGreaterThan(lists);
    const [stored] = await sql<{ delivery_status: string }>(
      `select delivery_status from message where channel_message_id = ?`,
      [sid],
    );
    expect(stored).toEqual({ delivery_status: 'queued' });
  });

  it('gives up on a reply only when the session window closes, with the reason, and says so', async () => {
    const tenant = await tenantOn();
    const given: string[] = [];
    const harness = await start(new ScriptedGateway(), {
      twilioUrl: '',
      // A 3-second window: the outage outlasts it.
      config: { WHATSAPP_SESSION_WINDOW_HOURS: 3 / 3_600, WHATSAPP_RETRY_MAX_MS: 400 },
      channel: { onGiveUp: (failure) => given.push(failure.reason) },
    });
    const from = 'whatsapp:+447700111005';
    let down = true;
    fake.failWhile('messages', { status: 503 }, () => down);
    await post(harness, tenant, { From: from, Body: 'Is the shop open?' });
    for (let wait = 0; wait < 400 && given.length === 0; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 25));
    down = false;
    await harness.channel.idle();
    expect(sendsTo(from)).toHaveLength(0);
    const rows = await sql<{ delivery_status: string; delivery_error: string; attempts: number }>(
      `select m.delivery_status, m.delivery_error, jsonb_array_length(m.failed_attempts) as attempts from message m join conversation c on c.id = m.conversation_id join contact k on k.id = c.contact_id where k.external_id = ? and m.direction = 'outbound'`,
      [from],
    );
    expect(rows).toEqual([
      {
        delivery_status: 'failed',
        delivery_error: expect.stringMatching(/session window closed.*HTTP 503/),
        attempts: expect.any(Number),
      },
    ]);
    expect(rows[0]!.attempts).toBeGreaterThan(4);
    expect(given).toEqual([rows[0]!.delivery_error]);
  });

  it('falls back to text with "reply 👍 or 👎" when the Content API is unavailable, and a typed 👍 still counts', async () => {
    const tenant = await tenantOn({ feedbackPromptFrequency: 'always' }, { sid: OTHER_ACCOUNT, token: OTHER_TOKEN });
    fake.setContentApiAvailable(false);
    const harness = await start(new ScriptedGateway());
    const from = 'whatsapp:+447700111006';
    await post(harness, tenant, { From: from, Body: 'Can I return boots?' });
    await harness.channel.idle();
    fake.setContentApiAvailable(true);
    const [reply] = sendsTo(from);
    expect(reply).toMatchObject({
      contentSid: null,
      body: `You asked: Can I return boots?\n\n${replies.fallbackPrompt}`,
    });
    await post(harness, tenant, { From: from, Body: '👍' });
    await harness.channel.idle();
    const [feedback] = await sql<{ helpful: boolean }>(
      `select f.helpful from interaction_feedback f join agent_interaction ai on ai.id = f.interaction_id join message m on m.id = ai.reply_message_id where m.channel_message_id = ?`,
      [reply!.sid],
    );
    expect(feedback).toEqual({ helpful: true });
  });

  it('creates the template once per account and reuses it across tenants of that account', async () => {
    const first = await tenantOn();
    const second = await tenantOn();
    const harness = await start(new ScriptedGateway());
    await post(harness, first, { From: 'whatsapp:+447700111007', Body: 'Hi' });
    await post(harness, second, { From: 'whatsapp:+447700111008', Body: 'Hi' });
    await harness.channel.idle();
    const templates = fake.templates.filter((template) => template.accountSid === ACCOUNT_SID);
    expect(templates).toHaveLength(1);
    expect(sendsTo('whatsapp:+447700111008')[0]!.contentSid).toBe(templates[0]!.sid);
    const stored = await sql<{ sid: string }>(
      `select settings->'channels'->'whatsapp'->'feedbackTemplate'->>'contentSid' as sid from tenant where id in (?, ?)`,
      [first.tenantId, second.tenantId],
    );
    expect(stored.map((row) => row.sid)).toEqual([templates[0]!.sid, templates[0]!.sid]);
  });

  it('prompts never, or on the deterministic fraction chosen for "sometimes"', async () => {
    const never = await tenantOn({ feedbackPromptFrequency: 'never' });
    const sometimes = await tenantOn({ feedbackPromptFrequency: 'sometimes', feedbackPromptEvery: 2 });
    const harness = await start(new ScriptedGateway());
    await post(harness, never, { From: 'whatsapp:+447700111009', Body: 'Question one' });
    for (let index = 0; index < 8; index += 1)
      await post(harness, sometimes, { From: `whatsapp:+4477002220${index}`, Body: `Question ${index}` });
    await harness.channel.idle();
    expect(sendsTo('whatsapp:+447700111009')[0]).toMatchObject({ contentSid: null, buttonIds: [] });
    expect(sendsTo('whatsapp:+447700111009')[0]!.body).not.toContain('👍');
    const interactions = await sql<{ id: string; sid: string }>(
      `select ai.id, m.channel_message_id as sid from agent_interaction ai join message m on m.id = ai.reply_message_id where ai.tenant_id = ?`,
      [sometimes.tenantId],
    );
    expect(interactions).toHaveLength(8);
    for (const interaction of interactions) {
      const sent = fake.sends.find((item) => item.sid === interaction.sid)!;
      expect(sent.buttonIds.length > 0).toBe(shouldPromptFeedback('sometimes', 2, interaction.id));
    }
  });
});
