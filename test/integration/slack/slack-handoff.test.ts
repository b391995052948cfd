import { INBOUND_PATH } from '../../../channels/whatsapp/whatsapp-channel';
import { Conversation, WorkspacePost } from '../../../src/db/entities';
import { releaseIdleConversations } from '../../../src/handoffs/idle-release';
import { startFakeTwilioServer, type FakeTwilioServer } from '../../fakes/fake-twilio-server';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { ScriptedGateway } from '../../helpers/scripted-gateway';
import {
  AGENT,
  APPROVER,
  HANDOFF_CHANNEL,
  REVIEW_CHANNEL,
  SIGNING_SECRET,
  slackSettings,
  startSlackHarness,
  type SlackHarness,
} from '../../helpers/slack-harness';
import { blockActionPayload, eventually, postEvent, postInteraction } from '../../helpers/slack-requests';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  createWhatsAppTenant,
  inboundFields,
  postSigned,
  startWhatsAppHarness,
  type WhatsAppHarness,
} from '../../helpers/whatsapp-harness';

describe('handoff round trip: WhatsApp → Slack thread → WhatsApp', () => {
  let database: TestDatabase;
  let twilio: FakeTwilioServer;
  let gateway: ScriptedGateway;
  let whatsapp: WhatsAppHarness;
  let slack: SlackHarness;
  let customer = 0;
  let replySequence = 0;

  const sql = <T>(query: string, params: unknown[] = []) =>
    database.orm.em.fork().getConnection().execute<T[]>(query, params);
  const nextCustomer = () => `whatsapp:+4477011${String((customer += 1)).padStart(5, '0')}`;
  const settle = async () => {
    await whatsapp.channel.idle();
    await slack.app.settled();
    await whatsapp.channel.idle();
  };
  const customerSays = async (from: string, body: string) => {
    const response = await postSigned(
      whatsapp.baseUrl,
      INBOUND_PATH,
      inboundFields({ From: from, Body: body, ProfileName: 'Ada' }),
    );
    expect(response.status).toBe(200);
    await settle();
  };
  const conversationOf = async (from: string) =>
    (
      await sql<{ id: string; status: string }>(
        'select c.id, c.status from conversation c join contact k on k.id = c.contact_id where k.external_id = ? order by c.created_at desc limit 1',
        [from],
      )
    )[0]!;
  const handoffPostOf = (conversationId: string) =>
    eventually(
      () =>
        database.orm.em
          .fork()
          .findOne(
            WorkspacePost,
            { purpose: 'handoff', conversation: conversationId },
            { orderBy: { createdAt: 'desc' } },
          ),
      'handoff post',
    );
  const agentReply = (
    post: WorkspacePost,
    user: string,
    text: string,
    ts = `1800000000.${String((replySequence += 1)).padStart(6, '0')}`,
  ) =>
    postEvent(slack.url, SIGNING_SECRET, {
      type: 'message',
      channel: post.channelId,
      user,
      text,
      ts,
      thread_ts: post.postId,
      channel_type: 'channel',
      event_ts: ts,
    });
  const press = (post: WorkspacePost, actionId: string, user = AGENT) =>
    postInteraction(
      slack.url,
      SIGNING_SECRET,
      blockActionPayload({
        actionId,
        value: post.conversation!.id,
        user,
        channel: post.channelId,
        messageTs: post.postId,
      }),
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    twilio = await startFakeTwilioServer({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN } });
    gateway = new ScriptedGateway();
    await createWhatsAppTenant(database.orm, {
      name: 'handoff-shop',
      settings: { feedbackPromptFrequency: 'never', ...slackSettings() },
    });
    whatsapp = await startWhatsAppHarness(database.orm, gateway, { twilioUrl: twilio.url });
    slack = await startSlackHarness(database.orm, { events: whatsapp.events, customers: whatsapp.registry });
  });
  afterAll(async () => {
    await slack?.close();
    await whatsapp?.close();
    await twilio?.close();
    await database?.drop();
  });

  it('brings the conversation to Slack, sends thread replies to the customer, relays the customer, and gives it back to the bot', async () => {
    const from = nextCustomer();
    gateway.enqueue({ text: 'Your order ships tomorrow.' });
    await customerSays(from, 'Where is my order #1234?');
    await customerSays(from, 'I want to talk to a human please');
    const conversation = await conversationOf(from);
    expect(conversation.status).toBe('handed_off');

    // The handoff post: customer, channel, why, the last messages, Take it / Give back to bot.
    const post = await handoffPostOf(conversation.id);
    expect(post.channelId).toBe(HANDOFF_CHANNEL);
    const message = slack.slack.messages.get(`${post.channelId}:${post.postId}`)!;
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain(from.replace('whatsapp:', ''));
    expect(shown).toContain('whatsapp');
    expect(shown).toContain('Where is my order #1234?');
    expect(shown).toContain('Your order ships tomorrow.');
    expect(shown).toContain('I want to talk to a human please');
    expect(shown).toContain('"action_id":"handoff_take"');
    expect(shown).toContain('"action_id":"handoff_release"');
    // The bot reply that led to the handoff goes to the review channel.
    const review = await eventually(
      () => database.orm.em.fork().findOne(WorkspacePost, { purpose: 'review', channelId: REVIEW_CHANNEL }),
      'review post',
    );
    expect(review.labels).toContain('handoff');

    // Take it.
    expect((await press(post, 'handoff_take')).status).toBe(200);
    expect(JSON.stringify(message.blocks)).toContain(`<@${AGENT}> has this conversation`);
    expect(JSON.stringify(message.blocks)).not.toContain('handoff_take');

    // The agent answers in the thread: delivered on WhatsApp (Slack markup turned into plain text) and stored as an agent message.
    const sendsBefore = twilio.sends.length;
    const reply = await agentReply(
      post,
      AGENT,
      "Hi Ada, I'm on it &amp; your parcel is <https://track.example/1234|here>",
    );
    expect(reply.status).toBe(200);
    await settle();
    const delivered = twilio.sends.slice(sendsBefore);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      to: from,
      body: "Hi Ada, I'm on it & your parcel is here (https://track.example/1234)",
    });
    const stored = await sql<{ author: string; direction: string; text: string }>(
      "select author, direction, text from message where conversation_id = ? and author = 'agent'",
      [conversation.id],
    );
    expect(stored).toEqual([
      {
        author: 'agent',
        direction: 'outbound',
        text: "Hi Ada, I'm on it & your parcel is here (https://track.example/1234)",
      },
    ]);

    // Slack redelivering the same event does not send it twice.
    const ts = `1800000000.${String(replySequence).padStart(6, '0')}`;
    await agentReply(post, AGENT, "Hi Ada, I'm on it &amp; your parcel is <https://track.example/1234|here>", ts);
    await settle();
    expect(twilio.sends.length).toBe(sendsBefore + 1);

    // Someone else replying in the thread is told, and nothing reaches the customer.
    await agentReply(post, APPROVER, 'I can help too');
    await settle();
    expect(twilio.sends.length).toBe(sendsBefore + 1);
    expect(slack.slack.callsOf('chat.postEphemeral').at(-1)!.args).toMatchObject({
      user: APPROVER,
      channel: HANDOFF_CHANNEL,
    });

    // The customer writes during the handoff: it appears in the thread, and the bot stays quiet.
    const asked = gateway.requests.length;
    await customerSays(from, 'Thank you, I will wait');
    const relayed = await eventually(
      () =>
        [...slack.slack.messages.values()].find(
          (item) => item.threadTs === post.postId && item.text.includes('Thank you, I will wait'),
        ),
      'customer message in the thread',
    );
    expect(relayed.text).toBe('*Customer:* Thank you, I will wait');
    expect(gateway.requests.length).toBe(asked);

    // Give back to bot: the conversation returns to the bot, the post says so, thread replies stop.
    expect((await press(post, 'handoff_release')).status).toBe(200);
    await settle();
    expect((await conversationOf(from)).status).toBe('bot');
    expect(JSON.stringify(message.blocks)).toContain(`Given back to the bot by <@${AGENT}>`);
    expect(JSON.stringify(message.blocks)).not.toContain('handoff_release');
    const sendsAfterRelease = twilio.sends.length;
    await agentReply(post, AGENT, 'One more thing');
    await settle();
    expect(twilio.sends.length).toBe(sendsAfterRelease);
    expect(String(slack.slack.callsOf('chat.postEphemeral').at(-1)!.args.text)).toContain('back with the bot');

    gateway.enqueue({ text: 'Anything else I can help with?' });
    await customerSays(from, 'Is there anything else?');
    expect(gateway.requests.length).toBe(asked + 1);
  });

  it("gives an idle handed-off conversation back to the bot after the tenant's idle time", async () => {
    const from = nextCustomer();
    await customerSays(from, 'Can I speak to a person?');
    const conversation = await conversationOf(from);
    expect(conversation.status).toBe('handed_off');
    const post = await handoffPostOf(conversation.id);

    // The idle release is the core's job (every channel); the Slack app follows the released event.
    const release = (now: Date) =>
      releaseIdleConversations(database.orm.em.fork(), { now, defaultMinutes: 30, events: slack.events });
    expect((await release(new Date(Date.now() + 10 * 60_000))).released).not.toContain(conversation.id);
    expect((await release(new Date(Date.now() + 31 * 60_000))).released).toContain(conversation.id);
    await settle();
    const fresh = await database.orm.em.fork().findOneOrFail(Conversation, { id: conversation.id });
    expect(fresh.status).toBe('bot');
    const closed = await database.orm.em.fork().findOneOrFail(WorkspacePost, { id: post.id });
    expect(closed.closedAt).toBeInstanceOf(Date);
    const notice = [...slack.slack.messages.values()].find(
      (item) => item.threadTs === post.postId && item.text.includes('quiet spell'),
    );
    expect(notice).toBeDefined();
  });

  it('posts a handoff Slack missed once Slack answers again, and reports a reply the customer could not get', async () => {
    const from = nextCustomer();
    slack.slack.inject('chat.postMessage', { kind: 'error', error: 'service_unavailable' });
    await customerSays(from, 'Human please');
    const conversation = await conversationOf(from);
    expect(conversation.status).toBe('handed_off');
    expect(
      await database.orm.em.fork().count(WorkspacePost, { purpose: 'handoff', conversation: conversation.id }),
    ).toBe(0);

    expect(await slack.app.postMissingHandoffs()).toEqual([conversation.id]);
    expect(await slack.app.postMissingHandoffs()).toEqual([]);
    const post = await handoffPostOf(conversation.id);

    twilio.failNext('messages', { status: 400, code: 21610 }, 10);
    await agentReply(post, AGENT, 'Hello from the team');
    await settle();
    const warning = [...slack.slack.messages.values()].find(
      (item) => item.threadTs === post.postId && item.text.startsWith('⚠️ Not delivered'),
    );
    expect(warning).toBeDefined();
    const [stored] = await sql<{ delivery_status: string }>(
      "select delivery_status from message where conversation_id = ? and author = 'agent'",
      [conversation.id],
    );
    expect(stored!.delivery_status).toBe('failed');
  });
});
