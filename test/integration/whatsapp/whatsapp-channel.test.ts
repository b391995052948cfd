import twilio from 'twilio';
import { INBOUND_PATH, STATUS_PATH } from '../../../channels/whatsapp/whatsapp-channel';
import { replies } from '../../../channels/whatsapp/whatsapp-message';
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

describe('WhatsApp channel over HTTP with the real engine and the fake Twilio API', () => {
  let db: TestDatabase;
  let fake: FakeTwilioServer;
  let gateway: ScriptedGateway;
  let harness: WhatsAppHarness;
  let tenantId: string;
  let customer = 0;

  const sql = <T>(query: string, params: unknown[] = []) =>
    db.orm.em.fork().getConnection().execute<T[]>(query, params);
  /** A new customer per test, so conversations do not leak between tests. */
  const nextCustomer = () => `whatsapp:+4477009${String((customer += 1)).padStart(5, '0')}`;
  const send = (fields: Record<string, string>) => postSigned(harness.baseUrl, INBOUND_PATH, inboundFields(fields));
  const settle = () => harness.channel.idle();

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeTwilioServer({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN } });
    gateway = new ScriptedGateway();
    tenantId = await createWhatsAppTenant(db.orm);
    harness = await startWhatsAppHarness(db.orm, gateway, { twilioUrl: fake.url });
  });
  afterAll(async () => {
    await harness?.close();
    await fake?.close();
    await db?.drop();
  });

  it('answers a signed text webhook with empty TwiML, then replies with 👍/👎 buttons for that interaction', async () => {
    const from = nextCustomer();
    gateway.enqueue({ text: 'Your parcel ships within two working days.' });
    const response = await send({ From: from, Body: 'When will my order ship?' });
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/text\/xml/);
    expect(response.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    await settle();

    const [reply] = fake.sends.filter((item) => item.to === from);
    const [interaction] = await sql<{ id: string; reply_message_id: string }>(
      'select ai.id, ai.reply_message_id from agent_interaction ai join conversation c on c.id = ai.conversation_id join contact k on k.id = c.contact_id where k.external_id = ?',
      [from],
    );
    expect(reply).toMatchObject({
      from: 'whatsapp:+14155238886',
      renderedText: 'Your parcel ships within two working days.',
      buttonIds: [`fb:${interaction!.id}:up`, `fb:${interaction!.id}:down`],
    });
    expect(reply!.statusCallback).toBe(`${harness.baseUrl}${STATUS_PATH}`);
    const [stored] = await sql<{ delivery_status: string; channel_message_id: string }>(
      'select delivery_status, channel_message_id from message where id = ?',
      [interaction!.reply_message_id],
    );
    expect(stored).toEqual({ delivery_status: 'queued', channel_message_id: reply!.sid });
    // The template was created through the Content API once and its SID stored on the tenant.
    expect(fake.templates).toHaveLength(1);
    const [tenant] = await sql<{ sid: string }>(
      `select settings->'channels'->'whatsapp'->'feedbackTemplate'->>'contentSid' as sid from tenant where id = ?`,
      [tenantId],
    );
    expect(tenant!.sid).toBe(fake.templates[0]!.sid);
  });

  it('records a tap on the right interaction, keeps the history when the customer changes their mind, and answers each tap', async () => {
    const from = nextCustomer();
    await send({ From: from, Body: 'Do you ship to Norway?' });
    await settle();
    const reply = fake.sends.filter((item) => item.to === from).at(-1)!;
    const [upId, downId] = reply.buttonIds;
    expect(upId).toMatch(/:up$/);
    expect(downId).toMatch(/:down$/);
    const tap = (payload: string, text: string) =>
      send({
        From: from,
        Body: text,
        ButtonText: text,
        ButtonPayload: payload,
        OriginalRepliedMessageSid: reply.sid,
        MessageType: 'button',
      });

    expect((await tap(downId!, '👎')).status).toBe(200);
    await settle();
    const interactionId = upId!.split(':')[1]!;
    let [feedback] = await sql<{ helpful: boolean; source: string; history: { helpful: boolean }[] }>(
      'select helpful, source, history from interaction_feedback where interaction_id = ?',
      [interactionId],
    );
    expect(feedback).toMatchObject({ helpful: false, source: 'whatsapp' });
    expect(fake.sends.filter((item) => item.to === from).at(-1)).toMatchObject({
      body: replies.thanksDown,
      contentSid: null,
    });

    await tap(upId!, '👍');
    await settle();
    [feedback] = await sql('select helpful, source, history from interaction_feedback where interaction_id = ?', [
      interactionId,
    ]);
    expect(feedback!.helpful).toBe(true);
    expect(feedback!.history.map((vote) => vote.helpful)).toEqual([false, true]);
    expect(fake.sends.filter((item) => item.to === from).at(-1)).toMatchObject({ body: replies.thanksUp });
    // Taps are answered by the channel, never by the model.
    expect(gateway.requests.filter((request) => request.messages.at(-1)?.content === '👍')).toHaveLength(0);
  });

  it('rejects forged and missing signatures with 403 and stores nothing', async () => {
    const before = await sql<{ count: string }>('select count(*) from message');
    const fields = inboundFields({ Body: 'forged' });
    expect(
      (await postSigned(harness.baseUrl, INBOUND_PATH, fields, { token: 'some-other-token-000000000' })).status,
    ).toBe(403);
    expect((await postSigned(harness.baseUrl, INBOUND_PATH, fields, { signature: null })).status).toBe(403);
    // A valid signature over different fields is a forgery too.
    const tampered = await postSigned(harness.baseUrl, INBOUND_PATH, fields, {
      signature: twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${harness.baseUrl}${INBOUND_PATH}`, {
        ...fields,
        Body: 'original',
      }),
    });
    expect(tampered.status).toBe(403);
    expect(await sql('select count(*) from message')).toEqual(before);
  });

  it('answers malformed and unknown-number webhooks with 400 and a reason', async () => {
    const noSid = inboundFields();
    delete noSid.MessageSid;
    delete noSid.SmsMessageSid;
    const malformed = await postSigned(harness.baseUrl, INBOUND_PATH, noSid);
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body).error.message).toContain('MessageSid');
    // Unknown receiving number: no tenant token to check against and no service-wide token → 403 (cannot tell it from a forgery).
    const unknown = await postSigned(harness.baseUrl, INBOUND_PATH, inboundFields({ To: 'whatsapp:+19998887777' }));
    expect(unknown.status).toBe(403);
  });

  it('acknowledges duplicate deliveries and answers once', async () => {
    const from = nextCustomer();
    const fields = { From: from, Body: 'Is the tent waterproof?', MessageSid: `SMdup${Date.now()}` };
    const responses = await Promise.all([send(fields), send(fields), send(fields)]);
    expect(responses.map((item) => item.status)).toEqual([200, 200, 200]);
    await settle();
    await send(fields);
    await settle();
    expect(
      await sql('select count(*)::int as count from message where channel_message_id = ?', [fields.MessageSid]),
    ).toEqual([{ count: 1 }]);
    expect(fake.sends.filter((item) => item.to === from)).toHaveLength(1);
  });

  it('answers media and location politely with "text only" and records them', async () => {
    const from = nextCustomer();
    await send({
      From: from,
      Body: '',
      NumMedia: '1',
      MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
      MediaContentType0: 'image/jpeg',
      MessageType: 'image',
    });
    await send({
      From: from,
      Body: '',
      Latitude: '51.5072',
      Longitude: '-0.1276',
      Address: 'London',
      MessageType: 'location',
    });
    await settle();
    expect(fake.sends.filter((item) => item.to === from).map((item) => item.body)).toEqual([
      replies.onlyText,
      replies.onlyText,
    ]);
    const stored = await sql<{ kind: string; processed: boolean }>(
      `select m.kind, m.processed_at is not null as processed from message m join conversation c on c.id = m.conversation_id join contact k on k.id = c.contact_id where k.external_id = ? and m.direction = 'inbound' order by m.created_at`,
      [from],
    );
    expect(stored).toEqual([
      { kind: 'media', processed: true },
      { kind: 'location', processed: true },
    ]);
  });

  it('splits replies over 1,024 characters, buttons on the last part only', async () => {
    const from = nextCustomer();
    const long = Array.from(
      { length: 40 },
      (_unused, index) => `Step ${index + 1}: check the seams and the zips of your tent carefully.`,
    ).join(' ');
    expect(long.length).toBeGreaterThan(2048);
    gateway.enqueue({ text: long });
    await send({ From: from, Body: 'How do I care for my tent?' });
    await settle();
    const parts = fake.sends.filter((item) => item.to === from);
    expect(parts.length).toBe(3);
    for (const part of parts) expect(part.renderedText.length).toBeLessThanOrEqual(1024);
    expect(parts.slice(0, -1).every((part) => part.contentSid === null && part.buttonIds.length === 0)).toBe(true);
    expect(parts.at(-1)!.buttonIds).toHaveLength(2);
    expect(parts.map((part) => part.renderedText).join(' ')).toBe(long);
  });

  it('does not send free-form messages outside the 24-hour session window, and records why', async () => {
    const from = nextCustomer();
    await send({ From: from, Body: 'Hi' });
    await settle();
    const [conversation] = await sql<{ id: string }>(
      'select c.id from conversation c join contact k on k.id = c.contact_id where k.external_id = ?',
      [from],
    );
    await sql(
      `update message set created_at = created_at - interval '25 hours' where conversation_id = ? and direction = 'inbound'`,
      [conversation!.id],
    );
    const sendsBefore = fake.sends.length;
    const receipt = await harness.registry.deliver(
      'whatsapp',
      conversation!.id,
      'An agent here: your refund is on its way.',
      { author: 'agent', authorId: 'slack:U1' },
    );
    expect(receipt).toMatchObject({
      status: 'not_sent',
      reason: expect.stringContaining('24-hour WhatsApp session window'),
    });
    expect(fake.sends.length).toBe(sendsBefore);
    const [stored] = await sql<{ author: string; delivery_status: string }>(
      'select author, delivery_status from message where id = ?',
      [receipt.messageId],
    );
    expect(stored).toEqual({ author: 'agent', delivery_status: 'not_sent' });
  });

  it('delivers an agent message through the registry within the window, without buttons', async () => {
    const from = nextCustomer();
    await send({ From: from, Body: 'Hello' });
    await settle();
    const [conversation] = await sql<{ id: string }>(
      'select c.id from conversation c join contact k on k.id = c.contact_id where k.external_id = ?',
      [from],
    );
    const receipt = await harness.registry.deliver('whatsapp', conversation!.id, 'Hi, this is Sam from the shop.', {
      author: 'agent',
    });
    expect(receipt.status).toBe('queued');
    expect(fake.sends.at(-1)).toMatchObject({ to: from, body: 'Hi, this is Sam from the shop.', contentSid: null });
    await expect(
      harness.registry.deliver('whatsapp', '00000000-0000-4000-8000-000000000000', 'x', { author: 'agent' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('stops prompting after "stop feedback" and resumes after "start feedback"', async () => {
    const from = nextCustomer();
    await send({ From: from, Body: 'stop feedback' });
    await settle();
    expect(fake.sends.at(-1)).toMatchObject({ to: from, body: replies.feedbackStopped });
    await send({ From: from, Body: 'What sizes do the boots come in?' });
    await settle();
    expect(fake.sends.at(-1)).toMatchObject({ to: from, contentSid: null, buttonIds: [] });
    expect(fake.sends.at(-1)!.body).not.toContain('👍');
    await send({ From: from, Body: 'start feedback' });
    await send({ From: from, Body: 'And the jackets?' });
    await settle();
    expect(fake.sends.at(-1)!.buttonIds).toHaveLength(2);
  });

  it('records status callbacks in order of progress and rejects unsigned ones', async () => {
    const from = nextCustomer();
    await send({ From: from, Body: 'Track my order' });
    await settle();
    const reply = fake.sends.filter((item) => item.to === from).at(-1)!;
    expect(await fake.postStatusCallback(reply.sid, 'sent')).toBe(204);
    expect(await fake.postStatusCallback(reply.sid, 'read')).toBe(204);
    expect(await fake.postStatusCallback(reply.sid, 'delivered')).toBe(204);
    const [stored] = await sql<{ delivery_status: string; history: { status: string }[] }>(
      `select delivery_status, status_history as history from message where channel_message_id = ?`,
      [reply.sid],
    );
    expect(stored!.delivery_status).toBe('read');
    expect(stored!.history.map((event) => event.status)).toEqual(['sent', 'read', 'delivered']);
    const forged = await postSigned(
      harness.baseUrl,
      STATUS_PATH,
      {
        MessageSid: reply.sid,
        AccountSid: ACCOUNT_SID,
        MessageStatus: 'failed',
        From: 'whatsapp:+14155238886',
        To: from,
      },
      { token: 'not-the-token-0000000000' },
    );
    expect(forged.status).toBe(403);
    const [after] = await sql<{ delivery_status: string }>(
      'select delivery_status from message where channel_message_id = ?',
      [reply.sid],
    );
    expect(after!.delivery_status).toBe('read');
  });

  it('tells the customer a person will answer on handoff and stays quiet until released', async () => {
    const from = nextCustomer();
    await send({ From: from, Body: 'I want to talk to a human please' });
    await settle();
    const notice = fake.sends.filter((item) => item.to === from).at(-1)!;
    expect(notice.contentSid).toBeNull();
    expect(notice.body).toMatch(/person|human|agent|team/i);
    const count = fake.sends.length;
    const asked = gateway.requests.length;
    await send({ From: from, Body: 'Hello? Anyone?' });
    await settle();
    expect(fake.sends.length).toBe(count);
    expect(gateway.requests.length).toBe(asked);
  });

  it('counts a typed 👍 right after a bot reply as a vote and records a completed action from keywords', async () => {
    const from = nextCustomer();
    await send({ From: from, Body: 'How do I pay by card?' });
    await settle();
    const interactionId = fake.sends.at(-1)!.buttonIds[0]!.split(':')[1]!;
    await send({ From: from, Body: '👍' });
    await settle();
    await send({ From: from, Body: 'Great, I paid just now' });
    await settle();
    const [feedback] = await sql<{ helpful: boolean; completed_action: boolean }>(
      'select helpful, completed_action from interaction_feedback where interaction_id = ?',
      [interactionId],
    );
    expect(feedback).toEqual({ helpful: true, completed_action: true });
  });
});
