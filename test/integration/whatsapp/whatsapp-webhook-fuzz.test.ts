import { INBOUND_PATH, STATUS_PATH } from '../../../channels/whatsapp/whatsapp-channel';
import { ReadinessNotes } from '../../../src/readiness';
import { startFakeTwilioServer, type FakeTwilioServer } from '../../fakes/fake-twilio-server';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { ScriptedGateway } from '../../helpers/scripted-gateway';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  createWhatsAppTenant,
  inboundFields,
  messageSid,
  postSigned,
  startWhatsAppHarness,
  type WhatsAppHarness,
} from '../../helpers/whatsapp-harness';

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed from its index. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Form fields as the server will see them (URL encoding turns lone surrogates into U+FFFD), so the signature still matches. */
function asSent(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(new URLSearchParams(fields).toString()));
}

type Mutation = (fields: Record<string, string>, next: () => number) => void;
const pick = <T>(items: readonly T[], next: () => number): T => items[Math.floor(next() * items.length)]!;
const ugly = [
  '\u0000',
  'a\u0000b',
  '\u0001\u001f',
  '\ud83d',
  '\ud83d\ude00',
  '\u202e',
  "'; drop table message; --",
  '%00',
  '😀'.repeat(50),
];
const mutations: Mutation[] = [
  (fields, next) => (fields.Body = pick(ugly, next) + fields.Body),
  (fields, next) => (fields.ProfileName = pick(ugly, next)),
  (fields, next) => (fields.ProfileName = 'P'.repeat(200 + Math.floor(next() * 3000))),
  (fields, next) => (fields.From = `whatsapp:+${'9'.repeat(250 + Math.floor(next() * 1000))}`),
  (fields, next) => (fields.From = `whatsapp:+4477${pick(ugly, next)}`),
  (fields, next) => (fields.MessageSid = fields.SmsMessageSid = `SM${'f'.repeat(60 + Math.floor(next() * 500))}`),
  (fields, next) => (fields.MessageSid = fields.SmsMessageSid = `SM1${pick(ugly, next)}`),
  (fields, next) =>
    (fields.NumMedia = pick(
      ['10000000', '-1', '1e9', 'NaN', '11', '3', '1.5', ' 2 ', '0x10', '99999999999999999999'],
      next,
    )),
  (fields, next) => {
    fields.NumMedia = String(1 + Math.floor(next() * 10));
    fields.MediaUrl0 = `https://api.twilio.com/media/${pick(ugly, next)}`;
    fields.MediaContentType0 = pick(['image/jpeg', 'x'.repeat(5000), '\u0000'], next);
  },
  (fields, next) => {
    fields.ButtonPayload = pick(['fb:not-a-uuid:up', `fb:${'0'.repeat(36)}:down`, '\u0000', 'x'.repeat(10_000)], next);
    fields.ButtonText = pick(ugly, next);
  },
  (fields, next) => {
    fields.Latitude = pick(['91', 'abc', '\u0000', '1'.repeat(500)], next);
    fields.Longitude = pick(['-181', '', '\ud800'], next);
    fields.Address = 'A'.repeat(Math.floor(next() * 10_000));
  },
  (fields, next) => (fields.AccountSid = pick([`AC${'1'.repeat(500)}`, 'AC\u0000', ''], next)),
  (fields, next) => (fields.OriginalRepliedMessageSid = pick(['SM\u0000', 'x'.repeat(300)], next)),
  (fields, next) => (fields.MessageType = pick(['\u0000', 'z'.repeat(3000), 'sticker'], next)),
  (fields) => delete fields.Body,
];

describe('WhatsApp webhook fuzz: validly signed garbage never gets a 5xx and is never stored', () => {
  let db: TestDatabase;
  let fake: FakeTwilioServer;
  let harness: WhatsAppHarness;
  const sql = <T>(query: string, params: unknown[] = []) =>
    db.orm.em.fork().getConnection().execute<T[]>(query, params);

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeTwilioServer({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN } });
    await createWhatsAppTenant(db.orm);
    harness = await startWhatsAppHarness(db.orm, new ScriptedGateway(), { twilioUrl: fake.url });
  });
  afterAll(async () => {
    await harness?.close();
    await fake?.close();
    await db?.drop();
  });

  it('600 fuzzed inbound webhooks: 0 answered 5xx; every 400 names a field and stored nothing; every stored text is clean', async () => {
    const next = random(20261201);
    const outcomes = { ok: 0, badRequest: 0, serverError: 0, other: 0 };
    const rejectedSids: string[] = [];
    const acceptedSids: string[] = [];
    for (let index = 0; index < 600; index++) {
      const fields = inboundFields({ From: `whatsapp:+4477${String(index).padStart(6, '0')}` });
      const count = 1 + Math.floor(next() * 3);
      for (let step = 0; step < count; step++) pick(mutations, next)(fields, next);
      const sent = asSent(fields);
      const response = await postSigned(harness.baseUrl, INBOUND_PATH, sent);
      const sid = sent.MessageSid ?? sent.SmsMessageSid ?? '';
      if (response.status >= 500) {
        outcomes.serverError += 1;
        throw new Error(`case ${index} answered ${response.status}: ${JSON.stringify(sent).slice(0, 300)}`);
      } else if (response.status === 400) {
        outcomes.badRequest += 1;
        expect(JSON.parse(response.body).error.message).toMatch(
          /MessageSid|AccountSid|From|To|NumMedia|OriginalRepliedMessageSid|MessagingServiceSid|must appear once/,
        );
        rejectedSids.push(sid);
      } else if (response.status === 200) {
        outcomes.ok += 1;
        acceptedSids.push(sid);
      } else outcomes.other += 1;
    }
    await harness.channel.idle();
    expect(outcomes.serverError).toBe(0);
    expect(outcomes.other).toBe(0);
    expect(outcomes.badRequest).toBeGreaterThan(100);
    expect(outcomes.ok).toBeGreaterThan(100);
    // Nothing from a refused request reached the database (SIDs that are too long could not even be compared, so check by prefix too).
    const [leaked] = await sql<{ count: number }>(
      `select count(*)::int as count from message where channel_message_id = any(?::text[]) and direction = 'inbound'`,
      [`{${rejectedSids.map((sid) => JSON.stringify(sid)).join(',')}}`],
    );
    expect(leaked!.count).toBe(0);
    const [stored] = await sql<{ count: number }>(
      `select count(*)::int as count from message where direction = 'inbound'`,
    );
    expect(stored!.count).toBe(new Set(acceptedSids).size);
    const [tooLong] = await sql<{ count: number }>(
      `select count(*)::int as count from contact where length(coalesce(display_name, '')) > 255`,
    );
    expect(tooLong!.count).toBe(0);
    if (process.env.FUZZ_REPORT) process.stdout.write(`whatsapp fuzz: ${JSON.stringify(outcomes)}\n`);
  }, 180_000);

  it('answers NumMedia=10000000 with 400 at once, without allocating for it', async () => {
    const started = Date.now();
    const before = process.memoryUsage().heapUsed;
    const response = await postSigned(harness.baseUrl, INBOUND_PATH, inboundFields({ NumMedia: '10000000' }));
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.message).toBe('NumMedia must be a whole number from 0 to 10');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('stores a NUL-bearing body and profile name cleaned, and truncates a long profile name to the column', async () => {
    const sid = messageSid();
    const response = await postSigned(
      harness.baseUrl,
      INBOUND_PATH,
      inboundFields({
        MessageSid: sid,
        SmsMessageSid: sid,
        From: 'whatsapp:+447700111222',
        Body: 'where\u0000 is my order',
        ProfileName: `A\u0000da${'x'.repeat(400)}`,
      }),
    );
    expect(response.status).toBe(200);
    const [row] = await sql<{ text: string; display_name: string }>(
      'select m.text, k.display_name from message m join conversation c on c.id = m.conversation_id join contact k on k.id = c.contact_id where m.channel_message_id = ?',
      [sid],
    );
    expect(row!.text).toBe('where is my order');
    expect(row!.display_name).toHaveLength(255);
    expect(row!.display_name.startsWith('Adax')).toBe(true);
  });

  it('refuses over-long and NUL-bearing status callbacks with 400, never 500', async () => {
    for (const MessageSid of [`SM${'a'.repeat(300)}`, 'SM\u0000abc']) {
      const response = await postSigned(harness.baseUrl, STATUS_PATH, {
        MessageSid,
        AccountSid: ACCOUNT_SID,
        MessageStatus: 'delivered',
        From: 'whatsapp:+14155238886',
        To: 'whatsapp:+447700111222',
      });
      expect(response.status).toBe(400);
    }
  });
});

describe('a wrong PUBLIC_BASE_URL', () => {
  it('is logged with the URL Twilio signed and shown in /readyz details', async () => {
    const db = await createTestDatabase();
    const fake = await startFakeTwilioServer({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN } });
    const readiness = new ReadinessNotes();
    await createWhatsAppTenant(db.orm);
    const harness = await startWhatsAppHarness(db.orm, new ScriptedGateway(), {
      twilioUrl: fake.url,
      config: { publicBaseUrl: 'https://parley.example.com' },
      channel: { readiness },
    });
    try {
      // Twilio calls the address configured in its console (here the harness's own) and signs that URL.
      const response = await postSigned(harness.baseUrl, INBOUND_PATH, inboundFields());
      expect(response.status).toBe(403);
      expect(readiness.snapshot().twilioSignature).toMatchObject({
        expectedUrl: `https://parley.example.com${INBOUND_PATH}`,
        signedUrl: `${harness.baseUrl}${INBOUND_PATH}`,
        mismatches: 1,
      });
      // A forged signature proves nothing about the configuration: the note is not changed by it.
      await postSigned(harness.baseUrl, INBOUND_PATH, inboundFields(), { signature: 'forged' });
      expect(readiness.snapshot().twilioSignature).toMatchObject({ mismatches: 1 });
    } finally {
      await harness.close();
      await fake.close();
      await db.drop();
    }
  });
});
