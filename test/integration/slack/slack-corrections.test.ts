import { AuditLog, HumanCorrection, KnowledgeArticle, Tenant, WorkspacePost } from '../../../src/db/entities';
import { loadConfig } from '../../../src/config';
import { createModelGateway, type ProviderGateway } from '../../../src/providers/gateway';
import { makeConversationWithTurn, makeTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import {
  AGENT,
  APPROVER,
  REVIEW_CHANNEL,
  SIGNING_SECRET,
  slackSettings,
  startSlackHarness,
  type SlackHarness,
} from '../../helpers/slack-harness';
import {
  blockActionPayload,
  eventually,
  messageShortcutPayload,
  postInteraction,
  viewSubmissionPayload,
} from '../../helpers/slack-requests';

const QUESTION = 'Do you deliver to the Shetland Islands?';
const WRONG = 'Sorry, we only deliver to mainland UK.';
const RIGHT = 'Yes: we deliver to the Shetland Islands in 3 to 5 working days, at the standard rate.';

type View = {
  callback_id: string;
  private_metadata: string;
  blocks: Array<{ block_id?: string; element?: { initial_value?: string; initial_option?: { value: string } } }>;
};

describe('reviewing and correcting bot replies in Slack', () => {
  let database: TestDatabase;
  let harness: SlackHarness;
  let gateway: ProviderGateway;
  let tenant: Tenant;

  beforeAll(async () => {
    database = await createTestDatabase();
    harness = await startSlackHarness(database.orm);
    harness.slack.users.set(AGENT, 'Grace Agent');
    const config = loadConfig({ NODE_ENV: 'test' }, { dotenvPath: false });
    gateway = createModelGateway({ config, em: database.orm.em, events: harness.events });
    tenant = await makeTenant(database.orm.em.fork(), slackSettings(), 'slack-corrections-shop');
  });
  afterAll(async () => {
    await harness.close();
    await database.drop();
  });
  beforeEach(() => harness.slack.reset());

  async function thumbsDownReview() {
    const turn = await makeConversationWithTurn(database.orm.em.fork(), tenant, { question: QUESTION, reply: WRONG });
    harness.events.emit('feedback.recorded', {
      tenantId: tenant.id,
      interactionId: turn.interaction.id,
      helpful: false,
      source: 'whatsapp',
    });
    await harness.app.settled();
    const review = await eventually(
      () => database.orm.em.fork().findOne(WorkspacePost, { purpose: 'review', interaction: turn.interaction.id }),
      'review post',
    );
    return { turn, review, message: harness.slack.messages.get(`${review.channelId}:${review.postId}`)! };
  }

  async function openedView(): Promise<View> {
    const opened = harness.slack.callsOf('views.open').at(-1);
    expect(opened).toBeDefined();
    return opened!.args.view as View;
  }

  const submitCorrection = (
    view: View,
    values: { corrected?: string; reason?: string; category?: string; quality?: string },
    user = AGENT,
  ) =>
    postInteraction(
      harness.url,
      SIGNING_SECRET,
      viewSubmissionPayload({
        callbackId: view.callback_id,
        user,
        privateMetadata: view.private_metadata,
        values: {
          corrected_reply: { value: { type: 'plain_text_input', value: values.corrected ?? null } },
          reason: { value: { type: 'plain_text_input', value: values.reason ?? null } },
          category: {
            value: { type: 'static_select', selected_option: values.category ? { value: values.category } : null },
          },
          quality: {
            value: { type: 'static_select', selected_option: values.quality ? { value: values.quality } : null },
          },
        },
      }),
    );

  it('posts a 👎 reply to the review channel with the exchange, provider, model, cost and a Correct button', async () => {
    const { review, message } = await thumbsDownReview();
    expect(review.channelId).toBe(REVIEW_CHANNEL);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain(QUESTION);
    expect(text).toContain(WRONG);
    expect(text).toContain('knowledge-base · knowledge-base · $0.000000');
    expect(text).toContain('marked this reply unhelpful');
    expect(text).toContain('"action_id":"review_correct"');
  });

  it("Correct → modal with field errors → pending correction with the agent's Slack identity → approval by an approver teaches the knowledge base", async () => {
    const before = await gateway.reply({
      tenantId: tenant.id,
      messages: [{ role: 'user', content: QUESTION }],
      cacheable: false,
    });
    expect(before.text).not.toBe(RIGHT);

    const { turn, review, message } = await thumbsDownReview();
    await postInteraction(
      harness.url,
      SIGNING_SECRET,
      blockActionPayload({
        actionId: 'review_correct',
        value: turn.interaction.id,
        user: AGENT,
        channel: REVIEW_CHANNEL,
        messageTs: review.postId,
      }),
    );
    const modal = await openedView();
    expect(modal.callback_id).toBe('correction_modal');
    expect(JSON.stringify(modal.blocks)).toContain(WRONG);
    expect(modal.blocks.find((block) => block.block_id === 'corrected_reply')!.element!.initial_value).toBe(WRONG);

    const invalid = await submitCorrection(modal, { corrected: WRONG, quality: '9' });
    expect(invalid.status).toBe(200);
    expect(invalid.json).toEqual({
      response_action: 'errors',
      errors: {
        corrected_reply: expect.stringContaining('same as the bot reply'),
        category: expect.any(String),
        quality: expect.any(String),
      },
    });
    const empty = await submitCorrection(modal, { corrected: '   ', category: 'tone' });
    expect((empty.json as { errors: Record<string, string> }).errors).toEqual({
      corrected_reply: expect.stringContaining('Write the reply'),
    });
    expect(await database.orm.em.fork().count(HumanCorrection, { tenant })).toBe(0);

    const valid = await submitCorrection(modal, {
      corrected: RIGHT,
      reason: 'We do deliver to the islands',
      category: 'wrong_facts',
      quality: '4',
    });
    expect(valid.status).toBe(200);
    const correction = await database.orm.em
      .fork()
      .findOneOrFail(HumanCorrection, { interaction: turn.interaction.id });
    expect(correction).toMatchObject({
      status: 'pending',
      authorId: `slack:${AGENT}`,
      authorName: 'Grace Agent',
      correctedReply: RIGHT,
      category: 'wrong_facts',
      qualityScore: 4,
      customerMessage: QUESTION,
      originalReply: WRONG,
    });
    expect(JSON.stringify(message.blocks)).toContain(`Correction by <@${AGENT}>: pending approval`);
    const card = await database.orm.em
      .fork()
      .findOneOrFail(WorkspacePost, { purpose: 'correction', correction: correction.id });
    const cardMessage = harness.slack.messages.get(`${card.channelId}:${card.postId}`)!;
    expect(cardMessage.threadTs).toBe(review.postId);
    expect(JSON.stringify(cardMessage.blocks)).toContain('"action_id":"correction_approve"');

    // Someone who is not an approver gets an ephemeral "not allowed" and nothing changes.
    const press = (user: string, actionId = 'correction_approve') =>
      postInteraction(
        harness.url,
        SIGNING_SECRET,
        blockActionPayload({
          actionId,
          value: correction.id,
          user,
          channel: card.channelId,
          messageTs: card.postId,
          threadTs: review.postId,
        }),
      );
    const opensBefore = harness.slack.callsOf('views.open').length;
    await press(AGENT);
    const ephemeral = harness.slack.callsOf('chat.postEphemeral').at(-1)!;
    expect(ephemeral.args).toMatchObject({ user: AGENT, channel: card.channelId });
    expect(String(ephemeral.args.text)).toContain('not allowed');
    expect(harness.slack.callsOf('views.open')).toHaveLength(opensBefore);
    expect((await database.orm.em.fork().findOneOrFail(HumanCorrection, { id: correction.id })).status).toBe('pending');

    // The approver is asked for the quality score, then the correction is approved exactly as the GraphQL mutation does.
    await press(APPROVER);
    const approveView = await openedView();
    expect(approveView.callback_id).toBe('correction_approve_modal');
    expect(approveView.blocks.find((block) => block.block_id === 'quality')!.element!.initial_option).toMatchObject({
      value: '4',
    });
    // A non-approver submitting the approval form (a forwarded view) is refused too.
    const sneaky = await postInteraction(
      harness.url,
      SIGNING_SECRET,
      viewSubmissionPayload({
        callbackId: approveView.callback_id,
        user: AGENT,
        privateMetadata: approveView.private_metadata,
        values: { quality: { value: { selected_option: { value: '5' } } } },
      }),
    );
    expect((sneaky.json as { response_action: string }).response_action).toBe('errors');
    const approved = await postInteraction(
      harness.url,
      SIGNING_SECRET,
      viewSubmissionPayload({
        callbackId: approveView.callback_id,
        user: APPROVER,
        privateMetadata: approveView.private_metadata,
        values: { quality: { value: { selected_option: { value: '5' } } } },
      }),
    );
    expect(approved.status).toBe(200);
    const decided = await database.orm.em.fork().findOneOrFail(HumanCorrection, { id: correction.id });
    expect(decided).toMatchObject({ status: 'approved', decidedBy: `slack:${APPROVER}`, qualityScore: 5 });
    expect(decided.decidedAt).toBeInstanceOf(Date);
    expect(
      await database.orm.em.fork().count(AuditLog, { action: 'correction.approve', actor: `slack:${APPROVER}` }),
    ).toBe(1);
    expect(await database.orm.em.fork().count(KnowledgeArticle, { tenant, source: 'correction', answer: RIGHT })).toBe(
      1,
    );
    expect(JSON.stringify(cardMessage.blocks)).toContain(`Approved by <@${APPROVER}>`);
    expect(JSON.stringify(cardMessage.blocks)).not.toContain('correction_approve');

    // The knowledge base answers with the correction from the next message on.
    const after = await gateway.reply({
      tenantId: tenant.id,
      messages: [{ role: 'user', content: QUESTION }],
      cacheable: false,
    });
    expect(after.provider).toBe('knowledge-base');
    expect(after.text).toBe(RIGHT);

    // Pressing Approve again: already decided.
    await press(APPROVER);
    expect(String(harness.slack.callsOf('chat.postEphemeral').at(-1)!.args.text)).toContain('already approved');
  });

  it('the message shortcut opens the same modal; an approver can reject with a reason', async () => {
    const { turn, review } = await thumbsDownReview();
    await postInteraction(
      harness.url,
      SIGNING_SECRET,
      messageShortcutPayload({
        callbackId: 'correct_reply',
        user: AGENT,
        channel: REVIEW_CHANNEL,
        messageTs: review.postId,
      }),
    );
    const modal = await openedView();
    expect(modal.callback_id).toBe('correction_modal');
    expect(JSON.parse(modal.private_metadata)).toMatchObject({ interaction: turn.interaction.id });
    await submitCorrection(modal, { corrected: 'We deliver to all Scottish islands.', category: 'incomplete' });
    const correction = await database.orm.em
      .fork()
      .findOneOrFail(HumanCorrection, { interaction: turn.interaction.id });
    expect(correction.qualityScore).toBeNull();
    const card = await database.orm.em
      .fork()
      .findOneOrFail(WorkspacePost, { purpose: 'correction', correction: correction.id });

    await postInteraction(
      harness.url,
      SIGNING_SECRET,
      blockActionPayload({
        actionId: 'correction_reject',
        value: correction.id,
        user: APPROVER,
        channel: card.channelId,
        messageTs: card.postId,
      }),
    );
    const rejectView = await openedView();
    expect(rejectView.callback_id).toBe('correction_reject_modal');
    const noReason = await postInteraction(
      harness.url,
      SIGNING_SECRET,
      viewSubmissionPayload({
        callbackId: rejectView.callback_id,
        user: APPROVER,
        privateMetadata: rejectView.private_metadata,
        values: { reason: { value: { value: '' } } },
      }),
    );
    expect(noReason.json).toMatchObject({ response_action: 'errors', errors: { reason: expect.any(String) } });
    await postInteraction(
      harness.url,
      SIGNING_SECRET,
      viewSubmissionPayload({
        callbackId: rejectView.callback_id,
        user: APPROVER,
        privateMetadata: rejectView.private_metadata,
        values: { reason: { value: { value: 'Not all islands: Fair Isle is excluded.' } } },
      }),
    );
    expect(await database.orm.em.fork().findOneOrFail(HumanCorrection, { id: correction.id })).toMatchObject({
      status: 'rejected',
      decidedBy: `slack:${APPROVER}`,
      rejectionReason: 'Not all islands: Fair Isle is excluded.',
    });
  });

  it('the shortcut on a message parley did not post explains itself and opens nothing', async () => {
    await postInteraction(
      harness.url,
      SIGNING_SECRET,
      messageShortcutPayload({
        callbackId: 'correct_reply',
        user: AGENT,
        channel: REVIEW_CHANNEL,
        messageTs: '1699999999.000100',
      }),
    );
    expect(harness.slack.callsOf('views.open')).toHaveLength(0);
    expect(String(harness.slack.callsOf('chat.postEphemeral')[0]!.args.text)).toContain('not one of them');
  });

  it('samples other replies for review by the configured rate, and a 👎 on a sampled reply updates its post', async () => {
    const sampled = await makeTenant(database.orm.em.fork(), slackSettings({ reviewSampleRate: 1 }));
    const turn = await makeConversationWithTurn(database.orm.em.fork(), sampled);
    harness.events.emit('interaction.created', {
      tenantId: sampled.id,
      conversationId: turn.conversation.id,
      interactionId: turn.interaction.id,
      replyMessageId: turn.reply.id,
    });
    await harness.app.settled();
    expect(harness.slack.callsOf('chat.postMessage')).toHaveLength(1);
    harness.events.emit('feedback.recorded', {
      tenantId: sampled.id,
      interactionId: turn.interaction.id,
      helpful: false,
      source: 'whatsapp',
    });
    await harness.app.settled();
    expect(harness.slack.callsOf('chat.postMessage')).toHaveLength(1);
    const posted = [...harness.slack.messages.values()][0]!;
    expect(JSON.stringify(posted.blocks)).toContain('Sampled for review');
    expect(JSON.stringify(posted.blocks)).toContain('unhelpful');

    const unsampled = await makeTenant(database.orm.em.fork(), slackSettings({ reviewSampleRate: 0 }));
    const other = await makeConversationWithTurn(database.orm.em.fork(), unsampled);
    harness.events.emit('interaction.created', {
      tenantId: unsampled.id,
      conversationId: other.conversation.id,
      interactionId: other.interaction.id,
      replyMessageId: other.reply.id,
    });
    harness.events.emit('feedback.recorded', {
      tenantId: unsampled.id,
      interactionId: other.interaction.id,
      helpful: true,
      source: 'whatsapp',
    });
    await harness.app.settled();
    expect(harness.slack.callsOf('chat.postMessage')).toHaveLength(1);
  });
});
