import pino from 'pino';
import { INBOUND_PATH } from '../../../channels/whatsapp/whatsapp-channel';
import { issueApiKey } from '../../../src/auth/api-key-admin';
import { Tenant } from '../../../src/db/entities';
import { botBackNotice, handoffNotice } from '../../../src/engine/handoff';
import { runJob } from '../../../src/jobs';
import { createTenant } from '../../../src/tenants/tenant-service';
import { startFakeTwilioServer, type FakeTwilioServer } from '../../fakes/fake-twilio-server';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server';
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

/**
 * Slack is off (the default): a WhatsApp conversation handed to a human is
 * worked through GraphQL (queue, take, reply as agent, release), released by
 * the idle job, or taken back by the customer — and each time the customer
 * hears from the bot again.
 */
describe('handoffs without Slack', () => {
  let db: TestDatabase;
  let twilio: FakeTwilioServer;
  let gateway: ScriptedGateway;
  let whatsapp: WhatsAppHarness;
  let graphql: GraphqlTestServer;
  let agentKey: string;
  let otherTenantKey: string;
  let tenantId: string;
  let customer = 0;

  const sql = <T>(query: string, params: unknown[] = []) =>
    db.orm.em.fork().getConnection().execute<T[]>(query, params);
  const nextCustomer = () => `whatsapp:+4477022${String((customer += 1)).padStart(5, '0')}`;
  const customerSays = async (from: string, text: string) => {
    const response = await postSigned(whatsapp.baseUrl, INBOUND_PATH, inboundFields({ From: from, Body: text }));
    expect(response.status).toBe(200);
    await whatsapp.channel.idle();
  };
  const heard = (to: string) => twilio.sends.filter((send) => send.to === to).map((send) => send.renderedText);
  const conversationOf = async (from: string) => {
    const [row] = await sql<{ id: string; status: string; assignee: string | null }>(
      'select c.id, c.status, c.assignee from conversation c join contact k on k.id = c.contact_id where k.external_id = ? order by c.created_at desc limit 1',
      [from],
    );
    return row!;
  };
  const handOff = async () => {
    const from = nextCustomer();
    await customerSays(from, 'I want to be speaking with an agent please');
    const conversation = await conversationOf(from);
    expect(conversation.status).toBe('handed_off');
    expect(heard(from).at(-1)).toBe(handoffNotice('en'));
    return { from, conversationId: conversation.id };
  };
  /** After a release, the customer's next message is answered by the bot (the model is asked again). */
  const botAnswersAgain = async (from: string) => {
    const asked = gateway.requests.length;
    gateway.enqueue({ text: 'Your parcel ships within two working days.' });
    await customerSays(from, 'When will my parcel ship?');
    expect(gateway.requests.length).toBe(asked + 1);
    expect(heard(from).at(-1)).toBe('Your parcel ships within two working days.');
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    twilio = await startFakeTwilioServer({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN } });
    gateway = new ScriptedGateway();
    tenantId = await createWhatsAppTenant(db.orm, { settings: { feedbackPromptFrequency: 'never' } });
    whatsapp = await startWhatsAppHarness(db.orm, gateway, { twilioUrl: twilio.url });
    graphql = await startGraphqlServer(db.orm, { events: whatsapp.events, customers: whatsapp.registry });
    const em = db.orm.em.fork();
    const tenant = await em.findOneOrFail(Tenant, { id: tenantId });
    agentKey = (
      await issueApiKey(em, {
        tenantName: tenant.name,
        name: 'agent',
        scopes: ['analytics:view', 'corrections:write'],
        actor: 'system:keys-cli',
      })
    ).key;
    const other = await createTenant(em, { name: 'other-shop' });
    otherTenantKey = (
      await issueApiKey(em, {
        tenantName: other.name,
        name: 'other',
        scopes: ['analytics:view', 'corrections:write'],
        actor: 'system:keys-cli',
      })
    ).key;
  });
  afterAll(async () => {
    await graphql?.close();
    await whatsapp?.close();
    await twilio?.close();
    await db?.drop();
  });

  it('lists the conversation in the queue; an agent takes it, answers through WhatsApp, and gives it back with a notice', async () => {
    const { from, conversationId } = await handOff();
    const queue = await graphql.query(
      agentKey,
      `{ handoffQueue(unassignedOnly: true) { totalCount nodes { conversation { id status channel assignee } lastCustomerMessage { text } } } }`,
    );
    expect(queue.errors).toBeUndefined();
    const queued = queue.data!.handoffQueue.nodes.find(
      (node: { conversation: { id: string } }) => node.conversation.id === conversationId,
    );
    expect(queued).toEqual({
      conversation: { id: conversationId, status: 'HANDED_OFF', channel: 'WHATSAPP', assignee: null },
      lastCustomerMessage: { text: 'I want to be speaking with an agent please' },
    });
    // Another tenant neither sees nor touches it.
    const foreign = await graphql.query(otherTenantKey, `{ handoffQueue { totalCount } }`);
    expect(foreign.data!.handoffQueue.totalCount).toBe(0);
    const stolen = await graphql.query(otherTenantKey, `mutation($id: ID!) { takeConversation(id: $id) }`, {
      id: conversationId,
    });
    expect(stolen.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const taken = await graphql.query(agentKey, `mutation($id: ID!) { takeConversation(id: $id) }`, {
      id: conversationId,
    });
    expect(taken.errors).toBeUndefined();
    expect((await conversationOf(from)).assignee).toMatch(/^apikey:/);
    // While a human has it, the bot stays quiet.
    const asked = gateway.requests.length;
    await customerSays(from, 'hello? anyone there?');
    expect(gateway.requests.length).toBe(asked);

    const reply = await graphql.query(
      agentKey,
      `mutation($id: ID!, $text: String!) { replyAsAgent(id: $id, text: $text) { deliveryStatus reason conversation { assignee } } }`,
      {
        id: conversationId,
        text: 'Hi, this is Sam from the shop. Your refund is on its way.',
      },
    );
    expect(reply.errors).toBeUndefined();
    expect(reply.data!.replyAsAgent.deliveryStatus).toMatch(/queued|sent/);
    expect(heard(from).at(-1)).toBe('Hi, this is Sam from the shop. Your refund is on its way.');
    const [agentMessage] = await sql<{ author: string }>(
      `select author from message where conversation_id = ? and direction = 'outbound' order by created_at desc limit 1`,
      [conversationId],
    );
    expect(agentMessage!.author).toBe('agent');

    const released = await graphql.query(
      agentKey,
      `mutation($id: ID!) { releaseConversation(id: $id) { released noticeStatus conversation { status assignee } } }`,
      { id: conversationId },
    );
    expect(released.errors).toBeUndefined();
    expect(released.data!.releaseConversation).toMatchObject({
      released: true,
      conversation: { status: 'BOT', assignee: null },
    });
    expect(released.data!.releaseConversation.noticeStatus).toMatch(/queued|sent/);
    expect(heard(from).at(-1)).toBe(botBackNotice('en'));
    const again = await graphql.query(
      agentKey,
      `mutation($id: ID!) { releaseConversation(id: $id) { released noticeStatus } }`,
      { id: conversationId },
    );
    expect(again.data!.releaseConversation).toEqual({ released: false, noticeStatus: null });
    await botAnswersAgain(from);

    const audit = await sql<{ action: string; actor: string }>(
      `select action, actor from audit_log where target_id = ? order by created_at`,
      [conversationId],
    );
    expect(audit.map((row) => row.action)).toEqual([
      'conversation.take',
      'conversation.agent_reply',
      'conversation.release',
    ]);
    expect(new Set(audit.map((row) => row.actor)).size).toBe(1);
  });

  it('refuses an agent reply to a conversation that is with the bot', async () => {
    const from = nextCustomer();
    await customerSays(from, 'Do you ship to Norway?');
    const { id } = await conversationOf(from);
    const reply = await graphql.query(
      agentKey,
      `mutation($id: ID!) { replyAsAgent(id: $id, text: "hi") { deliveryStatus } }`,
      { id },
    );
    expect(reply.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('the idle job gives a quiet conversation back to the bot (and tells the customer); the bot answers again', async () => {
    const { from, conversationId } = await handOff();
    const context = (minutesLater: number) => ({
      orm: db.orm,
      logger: pino({ level: 'silent' }),
      retentionDays: 90,
      cleanupBatchSize: 1000,
      handoffIdleMinutes: 30,
      events: whatsapp.events,
      customers: whatsapp.registry,
      now: () => new Date(Date.now() + minutesLater * 60_000),
    });
    const early = await runJob('handoff-idle-release', context(10));
    expect(early).toMatchObject({ ran: true });
    expect((await conversationOf(from)).status).toBe('handed_off');

    const late = await runJob('handoff-idle-release', context(31));
    expect(late.ran && (late.result as { released: string[] }).released).toContain(conversationId);
    expect((await conversationOf(from)).status).toBe('bot');
    expect(heard(from).at(-1)).toBe(botBackNotice('en'));
    const [audit] = await sql<{ actor: string }>(
      `select actor from audit_log where target_id = ? and action = 'conversation.release'`,
      [conversationId],
    );
    expect(audit!.actor).toBe('system:idle-release');
    await botAnswersAgain(from);
  });

  it("honours the tenant's own idle time (0 = never)", async () => {
    await db.orm.em
      .fork()
      .getConnection()
      .execute(
        `update tenant set settings = jsonb_set(settings, '{handoff}', '{"idleReleaseMinutes": 0}') where id = ?`,
        [tenantId],
      );
    try {
      const { from } = await handOff();
      await runJob('handoff-idle-release', {
        orm: db.orm,
        logger: pino({ level: 'silent' }),
        retentionDays: 90,
        cleanupBatchSize: 1000,
        now: () => new Date(Date.now() + 24 * 3_600_000),
      });
      expect((await conversationOf(from)).status).toBe('handed_off');
    } finally {
      await db.orm.em
        .fork()
        .getConnection()
        .execute(`update tenant set settings = settings - 'handoff' where id = ?`, [tenantId]);
    }
  });

  it.each([
    ['back to bot', 'en'],
    ['Bot, please', 'en'],
    ['volver al bot', 'es'],
    ['retour au bot', 'fr'],
    ['zurück zum Bot', 'de'],
  ] as const)('the customer writes %j and has the bot back', async (text, language) => {
    const { from, conversationId } = await handOff();
    await customerSays(from, text);
    expect((await conversationOf(from)).status).toBe('bot');
    expect(heard(from).at(-1)).toBe(botBackNotice(language));
    const [audit] = await sql<{ actor: string }>(
      `select actor from audit_log where target_id = ? and action = 'conversation.release'`,
      [conversationId],
    );
    expect(audit!.actor).toBe(`customer:${conversationId}`);
    await botAnswersAgain(from);
  });

  it('a bot reply that promises a human hands the conversation off', async () => {
    const from = nextCustomer();
    gateway.enqueue({ text: "I'm sorry about that. Let me connect you to a live agent who can look into it." });
    await customerSays(from, 'My parcel arrived broken and I am really upset');
    const conversation = await conversationOf(from);
    expect(conversation.status).toBe('handed_off');
    const [row] = await sql<{ handoff_reason: string }>('select handoff_reason from conversation where id = ?', [
      conversation.id,
    ]);
    expect(row!.handoff_reason).toMatch(/promised a human/);
    // The next message waits for the human.
    const asked = gateway.requests.length;
    await customerSays(from, 'ok, waiting');
    expect(gateway.requests.length).toBe(asked);
  });
});
