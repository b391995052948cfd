import { Conversation, HumanCorrection, Tenant, WorkspacePost } from '../../../src/db/entities';
import { makeConversationWithTurn, makeTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
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
import {
  blockActionPayload,
  eventually,
  postInteraction,
  slackSignature,
  viewSubmissionPayload,
} from '../../helpers/slack-requests';

type View = { callback_id: string; private_metadata: string };

describe('Slack hardening: malformed payloads, replays, the 3-second budget, who may give a conversation back', () => {
  let database: TestDatabase;
  let harness: SlackHarness;
  let tenant: Tenant;

  beforeAll(async () => {
    database = await createTestDatabase();
    harness = await startSlackHarness(database.orm);
    tenant = await makeTenant(database.orm.em.fork(), slackSettings(), 'slack-hardening-shop');
  });
  afterAll(async () => {
    await harness.close();
    await database.drop();
  });
  beforeEach(() => harness.slack.reset());

  async function signedPost(body: string, contentType: string): Promise<number> {
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(harness.url, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, body),
      },
      body,
    });
    return response.status;
  }

  it.each([
    ['a JSON null event', 'null', 'application/json'],
    ['a JSON string event', '"hello"', 'application/json'],
    ['a JSON array event', '[]', 'application/json'],
    ['broken JSON', '{"type":', 'application/json'],
    ['an interaction whose payload is null', 'payload=null', 'application/x-www-form-urlencoded'],
    ['an interaction whose payload is a number', 'payload=42', 'application/x-www-form-urlencoded'],
  ])('answers a signed %s with 400, not 500', async (_name, body, contentType) => {
    expect(await signedPost(body, contentType)).toBe(400);
  });

  async function openCorrectionModal(user: string): Promise<{ view: View; interactionId: string }> {
    const turn = await makeConversationWithTurn(database.orm.em.fork(), tenant, {
      question: 'Do you ship to Orkney?',
      reply: 'No.',
    });
    const em = database.orm.em.fork();
    const ts = `1700000${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}.000100`;
    em.create(WorkspacePost, {
      tenant: tenant.id,
      purpose: 'review',
      channelId: REVIEW_CHANNEL,
      postId: ts,
      interaction: turn.interaction.id,
    });
    await em.flush();
    await postInteraction(
      harness.url,
      SIGNING_SECRET,
      blockActionPayload({
        actionId: 'review_correct',
        value: turn.interaction.id,
        user,
        channel: REVIEW_CHANNEL,
        messageTs: ts,
      }),
    );
    const opened = await eventually(() => harness.slack.callsOf('views.open').at(-1) ?? null, 'correction modal');
    return { view: opened.args.view as View, interactionId: turn.interaction.id };
  }

  const submission = (view: View, user: string, corrected: string) =>
    viewSubmissionPayload({
      callbackId: view.callback_id,
      user,
      privateMetadata: view.private_metadata,
      values: {
        corrected_reply: { value: { type: 'plain_text_input', value: corrected } },
        reason: { value: { type: 'plain_text_input', value: null } },
        category: { value: { type: 'static_select', selected_option: { value: 'wrong_facts' } } },
        quality: { value: { type: 'static_select', selected_option: null } },
      },
    });

  it('creates one correction however often the same modal submission is delivered (retries, replays)', async () => {
    const { view, interactionId } = await openCorrectionModal(AGENT);
    const payload = submission(view, AGENT, 'Yes, to Orkney in 3 to 5 working days.');
    const responses = await Promise.all([1, 2, 3].map(() => postInteraction(harness.url, SIGNING_SECRET, payload)));
    responses.push(await postInteraction(harness.url, SIGNING_SECRET, payload, { retryNum: 1 }));
    for (const response of responses) expect(response.status).toBe(200);
    expect(await database.orm.em.fork().count(HumanCorrection, { interaction: interactionId })).toBe(1);
    // A changed submission of the same modal (the user fixed a field) is a new submission.
    await postInteraction(harness.url, SIGNING_SECRET, submission(view, AGENT, 'Yes, to Orkney in 3 to 5 days.'));
    expect(await database.orm.em.fork().count(HumanCorrection, { interaction: interactionId })).toBe(2);
  });

  it("acknowledges a submission within Slack's 3 seconds while users.info hangs", async () => {
    const user = 'U0SLOWNAME';
    const { view, interactionId } = await openCorrectionModal(user);
    harness.slack.inject('users.info', { kind: 'hang' }, 10);
    const started = Date.now();
    const response = await postInteraction(
      harness.url,
      SIGNING_SECRET,
      submission(view, user, 'Yes, we ship to Orkney.'),
    );
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_500);
    const correction = await eventually(
      () => database.orm.em.fork().findOne(HumanCorrection, { interaction: interactionId }),
      'correction',
    );
    expect(correction.authorName).toBe(user);
  });

  it('lets only the agent holding a conversation, or an approver, give it back to the bot', async () => {
    const em = database.orm.em.fork();
    const { conversation } = await makeConversationWithTurn(em, await em.findOneOrFail(Tenant, { id: tenant.id }));
    conversation.status = 'handed_off';
    conversation.handedOffAt = new Date();
    const post = em.create(WorkspacePost, {
      tenant: tenant.id,
      purpose: 'handoff',
      channelId: HANDOFF_CHANNEL,
      postId: '1700000100.000200',
      conversation: conversation.id,
      assignee: `slack:${AGENT}`,
      assignedAt: new Date(),
    });
    await em.flush();
    const press = (user: string) =>
      postInteraction(
        harness.url,
        SIGNING_SECRET,
        blockActionPayload({
          actionId: 'handoff_release',
          value: conversation.id,
          user,
          channel: HANDOFF_CHANNEL,
          messageTs: post.postId,
        }),
      );
    const statusOf = async () =>
      (await database.orm.em.fork().findOneOrFail(Conversation, { id: conversation.id })).status;

    expect((await press('U0BYSTANDER')).status).toBe(200);
    const told = await eventually(
      () => harness.slack.callsOf('chat.postEphemeral').find((call) => call.args.user === 'U0BYSTANDER') ?? null,
      'ephemeral refusal',
    );
    expect(String(told.args.text)).toContain(`<@${AGENT}> has this conversation`);
    expect(await statusOf()).toBe('handed_off');

    expect((await press(APPROVER)).status).toBe(200);
    await eventually(async () => ((await statusOf()) === 'bot' ? true : null), 'released by an approver');
  });
});
