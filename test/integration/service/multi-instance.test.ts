import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiKey } from '../../../src/auth/api-keys';
import { Tenant } from '../../../src/db/entities';
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

interface Instance {
  name: string;
  baseUrl: string;
  service: ServiceProcess;
}

interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Issue 17: three real service processes on one database behave as one
 * service: a change made through any instance is in force on the others at
 * once (through the parley_tenant_changed NOTIFY), Twilio's retries of one
 * message are answered once, the feedback rate limit and provider health are
 * shared, and a scheduled job runs once per slot.
 */
describe('several instances on one database', () => {
  let db: TestDatabase;
  let openai: FakeOpenAi;
  let twilio: FakeTwilioServer;
  let apiKey: string;
  let tenantId: string;
  const instances: Instance[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-multi-'));
  let sentFrom = 0;

  async function graphql(instance: Instance, query: string, variables: Record<string, unknown> = {}, key = apiKey) {
    const response = await fetch(`${instance.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphqlAnswer;
  }

  /** One customer message through `instance`; resolves with the API key the model call used. */
  async function turnThrough(instance: Instance, body?: string): Promise<string | null> {
    const from = `whatsapp:+4477009002${String(sentFrom++).padStart(2, '0')}`;
    const before = twilio.sends.length;
    const posts = openai.requests.filter((request) => request.method === 'POST').length;
    const response = await postSigned(
      instance.baseUrl,
      '/channels/whatsapp/inbound',
      inboundFields({ From: from, ...(body ? { Body: body } : {}) }),
    );
    expect(response.status).toBeLessThan(300);
    await twilio.waitForSends(before + 1, 30_000);
    const calls = openai.requests.filter((request) => request.method === 'POST');
    expect(calls.length).toBe(posts + 1);
    return calls[calls.length - 1]!.apiKey;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    openai = await startFakeOpenAi();
    twilio = await startFakeTwilioServer({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN } });
    tenantId = await createWhatsAppTenant(db.orm, { settings: { feedbackPromptFrequency: 'never' } });
    const em = db.orm.em.fork();
    const tenant = await em.findOneOrFail(Tenant, { id: tenantId });
    apiKey = (
      await createApiKey(em, { tenant, name: 'multi', scopes: ['users:manage', 'analytics:view', 'corrections:write'] })
    ).key;
    await em.flush();
    for (const name of ['a', 'b', 'c']) {
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const service = startService({
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: db.url,
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_BASE_URL: baseUrl,
        PARLEY_DATA_DIR: path.join(dataDir, name),
        PARLEY_SECRET_KEY: secretKeyHex,
        SEED_DEMO: 'false',
        OPENAI_API_KEY: 'sk-environment',
        OPENAI_BASE_URL: openai.url,
        TWILIO_API_URL: twilio.url,
        WHATSAPP_RETRY_BASE_MS: '10',
        JOBS_ENABLED: 'true',
        FEEDBACK_RATE_LIMIT: '4',
        FEEDBACK_RATE_WINDOW_SECONDS: '600',
      });
      instances.push({ name, baseUrl, service });
    }
    await Promise.all(instances.map((instance) => instance.service.waitForLog('parley listening', 180_000)));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.service.stop()));
    await openai?.close();
    await twilio?.close();
    await db?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('uses a provider key rotated through one instance on every other one from the next turn', async () => {
    const [a, b, c] = instances as [Instance, Instance, Instance];
    // Each instance has read (and cached) the tenant's keys.
    for (const instance of instances) expect(await turnThrough(instance)).toBe('sk-environment');
    const set = await graphql(a, 'mutation($key: String) { setTenantSecrets(input: { openaiApiKey: $key }) }', {
      key: 'sk-tenant-one',
    });
    expect(set.errors).toBeUndefined();
    expect(await turnThrough(b)).toBe('sk-tenant-one');
    expect(await turnThrough(c)).toBe('sk-tenant-one');
    await graphql(c, 'mutation($key: String) { setTenantSecrets(input: { openaiApiKey: $key }) }', {
      key: 'sk-tenant-two',
    });
    expect(await turnThrough(a)).toBe('sk-tenant-two');
    expect(await turnThrough(b)).toBe('sk-tenant-two');
  }, 120_000);

  it('puts an answer approved through one instance into the prompts of the others within a second', async () => {
    const [a, b, c] = instances as [Instance, Instance, Instance];
    const question = 'Can I pay for an order with a gift card bought in the Lisbon shop?';
    const answer = 'Yes: gift cards from any of our shops, Lisbon included, pay for online orders at checkout.';
    const created = await graphql(
      a,
      'mutation($input: CreateCorrectionInput!) { createCorrection(input: $input) { id } }',
      {
        input: { customerMessage: question, originalReply: 'I am not sure.', correctedReply: answer, qualityScore: 5 },
      },
    );
    expect(created.errors).toBeUndefined();
    const id = (created.data!.createCorrection as { id: string }).id;
    const approved = await graphql(a, 'mutation($id: ID!) { approveCorrection(id: $id) { __typename } }', { id });
    expect(approved.errors).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const instance of [b, c]) {
      const before = openai.requests.filter((request) => request.method === 'POST').length;
      await turnThrough(instance, question);
      const call = openai.requests.filter((request) => request.method === 'POST')[before]!;
      expect(JSON.stringify(call.body.messages)).toContain(answer);
    }
  }, 60_000);

  it('answers Twilio retries of one message once, whichever instances they reach', async () => {
    const fields = inboundFields({ From: 'whatsapp:+447700900399', Body: 'Where is my parcel?' });
    const before = twilio.sends.length;
    const responses = await Promise.all(
      [...instances, ...instances].map((instance) =>
        postSigned(instance.baseUrl, '/channels/whatsapp/inbound', fields),
      ),
    );
    expect(responses.every((response) => response.status < 300)).toBe(true);
    await twilio.waitForSends(before + 1, 30_000);
    // Give a duplicate every chance to show up: each instance has finished whatever it took on.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(twilio.sends.filter((send) => send.to === 'whatsapp:+447700900399')).toHaveLength(1);
    const rows = await db.orm.em
      .fork()
      .getConnection()
      .execute<{ direction: string; count: string }[]>(
        `select direction, count(*) from message where channel_message_id = ? group by 1`,
        [fields.MessageSid],
      );
    expect(rows.find((row) => row.direction === 'inbound')?.count).toBe('1');
  }, 60_000);

  it('shares the public feedback rate limit between instances', async () => {
    const mutation = 'mutation { submitFeedback(token: "unknown-token-0123456789", helpful: true) { helpful } }';
    const codes: Array<string | undefined> = [];
    for (const instance of [...instances, instances[0]!, instances[1]!]) {
      const answer = await graphql(instance, mutation, {}, '');
      codes.push(answer.errors?.[0]?.extensions?.code);
    }
    // The limit is 4 per window for all instances together: the fifth try, wherever it lands, is refused.
    expect(codes).toEqual(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'RATE_LIMITED']);
  }, 30_000);

  it("sums every instance's provider health, and a reset through one instance clears every instance", async () => {
    const [a, b, c] = instances as [Instance, Instance, Instance];
    const query = '{ providerHealth { provider model keyOwner calls successes circuit } }';
    const calls = openai.requests.filter((request) => request.method === 'POST' && request.apiKey !== 'sk-environment');
    type Entry = { provider: string; keyOwner: string; calls: number };
    const tenantCalls = async (instance: Instance) => {
      const answer = await graphql(instance, query);
      const entries = (answer.data?.providerHealth ?? []) as Entry[];
      return entries.filter((entry) => entry.keyOwner === 'tenant').reduce((sum, entry) => sum + entry.calls, 0);
    };
    // The tenant's own key answered turns on all three instances; each instance's view is the sum.
    expect(calls.length).toBeGreaterThanOrEqual(4);
    await until(
      () => tenantCalls(c),
      (total) => total >= calls.length,
      'the summed provider health on c',
    );
    await until(
      () => tenantCalls(a),
      (total) => total >= calls.length,
      'the summed provider health on a',
    );
    const reset = await graphql(b, 'mutation { resetProviderStats }');
    expect(reset.errors).toBeUndefined();
    expect(reset.data?.resetProviderStats).toBeGreaterThanOrEqual(1);
    for (const instance of instances)
      await until(
        () => tenantCalls(instance),
        (total) => total === 0,
        `the reset to reach ${instance.name}`,
      );
    // A reset instance counts again from zero, and the others see it.
    await turnThrough(a);
    await until(
      () => tenantCalls(c),
      (total) => total === 1,
      'the new call on c',
    );
  }, 90_000);

  it('uses a Twilio auth token changed through one instance on the others at once', async () => {
    const [a, b, c] = instances as [Instance, Instance, Instance];
    // b and c have the old token cached (their webhooks above were verified with it).
    const set = await graphql(
      a,
      'mutation { setTenantSecrets(input: { twilioAuthToken: "rotated-token-0123456789" }) }',
    );
    expect(set.errors).toBeUndefined();
    // The NOTIFY is delivered on commit; a second is far more than it needs.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const instance of [b, c]) {
      const fields = inboundFields({ From: 'whatsapp:+447700900499' });
      const oldSigned = await postSigned(instance.baseUrl, '/channels/whatsapp/inbound', fields);
      expect(oldSigned.status).toBe(403);
      const newSigned = await postSigned(instance.baseUrl, '/channels/whatsapp/inbound', fields, {
        token: 'rotated-token-0123456789',
      });
      expect(newSigned.status).toBeLessThan(300);
    }
  }, 60_000);

  it('runs a scheduled job once per minute across the instances', async () => {
    // Every instance schedules handoff-idle-release each minute; wait for a minute boundary all three saw.
    const boundary = Math.ceil((Date.now() + 1_000) / 60_000) * 60_000;
    const finished = () =>
      instances.flatMap((instance) =>
        instance.service.lines.filter(
          (line) =>
            line.job === 'handoff-idle-release' &&
            typeof line.time === 'string' &&
            Date.parse(line.time) >= boundary &&
            Date.parse(line.time) < boundary + 60_000,
        ),
      );
    await until(
      async () => finished(),
      (lines) => lines.length >= 3,
      'each instance to have fired handoff-idle-release',
      90_000,
    );
    const lines = finished();
    expect(lines.map((line) => `${String(line.msg)} ${String(line.reason ?? line.err ?? '')}`).sort()).toEqual([
      'job finished ',
      expect.stringMatching(/^job skipped /),
      expect.stringMatching(/^job skipped /),
    ]);
  }, 120_000);
});
