import { TwilioClients, RewritingRequestClient } from '../../../channels/whatsapp/twilio-client';
import { feedbackTemplateDefinition } from '../../../channels/whatsapp/whatsapp-message';
import { describeFailure } from '../../../channels/whatsapp/whatsapp-sender';
import { startFakeTwilioServer, type FakeTwilioServer } from '../../fakes/fake-twilio-server';

const ACCOUNT = 'AC' + 'a'.repeat(32);
const TOKEN = 'test-auth-token-0123456789';

describe('the official twilio client against the fake Twilio API', () => {
  let fake: FakeTwilioServer;
  beforeAll(async () => {
    fake = await startFakeTwilioServer({ accounts: { [ACCOUNT]: TOKEN } });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('rewrites api.twilio.com and content.twilio.com to the configured host, keeping paths', () => {
    const client = new RewritingRequestClient('http://127.0.0.1:9999/base/');
    expect(client.rewrite('https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json')).toBe(
      'http://127.0.0.1:9999/base/2010-04-01/Accounts/AC1/Messages.json',
    );
    expect(client.rewrite('https://content.twilio.com/v1/Content?PageSize=50')).toBe(
      'http://127.0.0.1:9999/base/v1/Content?PageSize=50',
    );
    expect(client.rewrite('https://example.com/x')).toBe('https://example.com/x');
  });

  it('sends a message as a form and gets Twilio-shaped JSON back', async () => {
    const client = new TwilioClients(fake.url, 2_000).get(ACCOUNT, TOKEN);
    const message = await client.messages.create({
      to: 'whatsapp:+447700900123',
      from: 'whatsapp:+14155238886',
      body: 'Hello',
      statusCallback: 'http://127.0.0.1:1/status',
    });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe('queued');
    expect(fake.sends).toEqual([
      expect.objectContaining({
        to: 'whatsapp:+447700900123',
        body: 'Hello',
        statusCallback: 'http://127.0.0.1:1/status',
      }),
    ]);
  });

  it('creates and lists a quick-reply Content template and renders it with variables on send', async () => {
    const client = new TwilioClients(fake.url, 2_000).get(ACCOUNT, TOKEN);
    const definition = feedbackTemplateDefinition();
    // Wire-format body (see feedback-template.ts for why the cast).
    const created = await client.content.v1.contents.create({
      friendly_name: definition.friendlyName,
      language: 'en',
      variables: definition.variables,
      types: definition.types,
    } as never);
    const listed = await client.content.v1.contents.list({ pageSize: 50 });
    expect(listed.map((content) => content.sid)).toEqual([created.sid]);
    await client.messages.create({
      to: 'whatsapp:+1',
      from: 'whatsapp:+2',
      contentSid: created.sid,
      contentVariables: JSON.stringify({ 1: 'Your order shipped.', 2: 'abc' }),
    });
    expect(fake.sends[0]).toMatchObject({
      renderedText: 'Your order shipped.',
      buttonIds: ['fb:abc:up', 'fb:abc:down'],
    });
  });

  it('surfaces injected 429/500 and timeouts as errors the sender classifies as retryable, and 400 as final', async () => {
    const client = new TwilioClients(fake.url, 300).get(ACCOUNT, TOKEN);
    const send = () =>
      client.messages.create({ to: 'whatsapp:+1', from: 'whatsapp:+2', body: 'x' }).then(
        () => null,
        (error: unknown) => describeFailure(error),
      );
    fake.failNext('messages', { status: 429, retryAfterSeconds: 1 });
    expect(await send()).toMatchObject({ retryable: true, code: 20429 });
    fake.failNext('messages', { status: 500 });
    expect(await send()).toMatchObject({ retryable: true });
    fake.failNext('messages', { hang: true });
    expect(await send()).toMatchObject({ retryable: true, reason: expect.stringContaining('timed out') });
    fake.failNext('messages', { status: 400, code: 21211 });
    expect(await send()).toMatchObject({ retryable: false, code: 21211 });
    expect(await send()).toBeNull();
  });

  it('rejects wrong credentials like Twilio', async () => {
    const client = new TwilioClients(fake.url, 2_000).get(ACCOUNT, 'wrong-token-0123456789');
    await expect(client.messages.create({ to: 'whatsapp:+1', from: 'whatsapp:+2', body: 'x' })).rejects.toMatchObject({
      status: 401,
    });
  });
});
