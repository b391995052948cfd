import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import { AgentInteraction, HumanCorrection, Tenant, WorkspacePost } from '../../src/db/entities';
import { approveCorrection, createCorrection, rejectCorrection } from '../../src/corrections/correction-service';
import { AppError } from '../../src/errors';
import type { DomainEventMap } from '../../src/events';
import {
  APPROVE_MODAL,
  approveModal,
  CORRECTION_MODAL,
  correctionModal,
  parseCorrectionSubmission,
  parseQuality,
  parseRejectReason,
  REJECT_MODAL,
  rejectModal,
  type ViewValues,
} from './correction-modal';
import {
  CORRECTION_APPROVE,
  CORRECTION_REJECT,
  correctionCardBlocks,
  REVIEW_CORRECT,
  reviewBlocks,
} from './review-blocks';
import { ackBudget, submissionKey, within } from './ack-budget';
import type { SlackContext } from './slack-context';
import { inReviewSample, readSlackSettings } from './slack-settings';
import { findPost, reviewPostFor } from './workspace-posts';

export const CORRECT_SHORTCUT = 'correct_reply';

async function renderReview(context: SlackContext, post: WorkspacePost): Promise<void> {
  const em = context.em();
  const interaction = await em.findOneOrFail(
    AgentInteraction,
    { id: post.interaction!.id },
    { populate: ['inboundMessage'] },
  );
  const corrections = await em.find(HumanCorrection, { interaction }, { orderBy: { createdAt: 'asc' } });
  const view = {
    interactionId: interaction.id,
    customerMessage: interaction.inboundMessage.text,
    reply: interaction.replyText,
    provider: interaction.provider,
    model: interaction.model,
    costUsd: interaction.costUsd,
    labels: post.labels,
    corrections: corrections.map((correction) => ({ authorId: correction.authorId, status: correction.status })),
  };
  const blocks = reviewBlocks(view);
  const text = `Bot reply to review: ${interaction.replyText.slice(0, 120)}`;
  const slack = await context.slackFor(post.tenant.id);
  if (post.postId === 'pending') {
    const posted = await slack.chat.postMessage({
      channel: post.channelId,
      text,
      blocks,
      unfurl_links: false,
    });
    post.postId = String(posted.ts);
  } else {
    await slack.chat.update({ channel: post.channelId, ts: post.postId, text, blocks });
  }
  await em.flush();
}

/**
 * Post a bot reply to the tenant's review channel, or add `label` to its
 * existing post. With `conversationId`, the conversation's last bot reply.
 */
export async function postReviewFor(
  context: SlackContext,
  input: { tenantId: string; interactionId?: string; conversationId?: string; label: string | null },
): Promise<WorkspacePost | null> {
  const em = context.em();
  const tenant = await em.findOneOrFail(Tenant, { id: input.tenantId });
  const channel = readSlackSettings(tenant.settings).reviewChannel;
  if (!channel) return null;
  const interaction = input.interactionId
    ? await em.findOne(AgentInteraction, { id: input.interactionId, tenant: input.tenantId })
    : await em.findOne(
        AgentInteraction,
        { conversation: input.conversationId, tenant: input.tenantId },
        { orderBy: { createdAt: 'desc' } },
      );
  if (!interaction) return null;
  return context.serial(`interaction:${interaction.id}`, async () => {
    const scoped = context.em();
    let post = await reviewPostFor(scoped, input.tenantId, interaction.id);
    if (post && (!input.label || post.labels.includes(input.label))) return post;
    if (post) post.labels = [...post.labels, input.label!];
    else
      post = scoped.create(WorkspacePost, {
        tenant: input.tenantId,
        purpose: 'review',
        channelId: channel,
        postId: 'pending',
        interaction: interaction.id,
        labels: input.label ? [input.label] : [],
      });
    await context.serial(`post:${post.id}`, () => renderReview({ ...context, em: () => scoped }, post!));
    return post;
  });
}

export async function onInteractionCreated(
  context: SlackContext,
  event: DomainEventMap['interaction.created'],
): Promise<void> {
  const tenant = await context.em().findOne(Tenant, { id: event.tenantId });
  if (!tenant || !inReviewSample(event.interactionId, readSlackSettings(tenant.settings).reviewSampleRate)) return;
  await postReviewFor(context, { tenantId: event.tenantId, interactionId: event.interactionId, label: 'sample' });
}

export async function onFeedbackRecorded(
  context: SlackContext,
  event: DomainEventMap['feedback.recorded'],
): Promise<void> {
  if (event.helpful) return;
  await postReviewFor(context, { tenantId: event.tenantId, interactionId: event.interactionId, label: 'thumbs_down' });
}

/** The bot reply a Slack post is about: a review post, a correction card, or a handoff post (its last reply). */
async function interactionOf(context: SlackContext, post: WorkspacePost): Promise<AgentInteraction | null> {
  const em = context.em();
  if (post.interaction)
    return em.findOne(AgentInteraction, { id: post.interaction.id }, { populate: ['inboundMessage'] });
  if (post.conversation)
    return em.findOne(
      AgentInteraction,
      { conversation: post.conversation.id },
      { orderBy: { createdAt: 'desc' }, populate: ['inboundMessage'] },
    );
  return null;
}

async function openCorrectionModal(
  context: SlackContext,
  input: { triggerId: string; post: WorkspacePost; channel: string; user: string },
): Promise<void> {
  const interaction = await interactionOf(context, input.post);
  const slack = await context.slackFor(input.post.tenant.id);
  if (!interaction) {
    await slack.chat.postEphemeral({
      channel: input.channel,
      user: input.user,
      text: 'There is no bot reply to correct on this message yet.',
    });
    return;
  }
  const privateMetadata = JSON.stringify({
    tenant: input.post.tenant.id,
    interaction: interaction.id,
    channel: input.channel,
  });
  await slack.views.open({
    trigger_id: input.triggerId,
    view: correctionModal({
      privateMetadata,
      customerMessage: interaction.inboundMessage.text,
      originalReply: interaction.replyText,
    }),
  });
}

async function renderCard(context: SlackContext, card: WorkspacePost): Promise<void> {
  const correction = await context.em().findOneOrFail(HumanCorrection, { id: card.correction!.id }, { refresh: true });
  const blocks = correctionCardBlocks({ ...correction, correctionId: correction.id });
  await (
    await context.slackFor(card.tenant.id)
  ).chat.update({
    channel: card.channelId,
    ts: card.postId,
    text: `Correction ${correction.status}`,
    blocks,
  });
}

const FIELD_BLOCKS: Record<string, string> = {
  correctedReply: 'corrected_reply',
  reason: 'reason',
  category: 'category',
  qualityScore: 'quality',
};

function isApprover(post: WorkspacePost, user: string): boolean {
  return readSlackSettings(post.tenant.settings).approvers.includes(user);
}

export function registerReviewHandlers(app: App, context: SlackContext): void {
  app.action(REVIEW_CORRECT, async ({ ack, body }) => {
    await ack();
    if (body.type !== 'block_actions' || !body.channel || !body.message) return;
    const post = await findPost(context.em(), body.channel.id, body.message.ts);
    if (!post) return;
    await openCorrectionModal(context, {
      triggerId: body.trigger_id,
      post,
      channel: body.channel.id,
      user: body.user.id,
    });
  });

  app.shortcut(CORRECT_SHORTCUT, async ({ ack, shortcut }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const post = await findPost(context.em(), shortcut.channel.id, shortcut.message.ts);
    if (!post) {
      // No parley post, so no tenant: the app's own token answers.
      await context.client.chat.postEphemeral({
        channel: shortcut.channel.id,
        user: shortcut.user.id,
        text: 'Correct this reply works on bot replies parley posted for review (or on handoff and correction posts). This message is not one of them.',
      });
      return;
    }
    await openCorrectionModal(context, {
      triggerId: shortcut.trigger_id,
      post,
      channel: shortcut.channel.id,
      user: shortcut.user.id,
    });
  });

  app.view(CORRECTION_MODAL, async ({ ack: slackAck, body, view }) => {
    // Bolt types a view's ack as a union of its shapes; this handler sends nothing or field errors.
    const budget = ackBudget(
      slackAck as (response?: { response_action: 'errors'; errors: Record<string, string> }) => Promise<void>,
    );
    // private_metadata is what openCorrectionModal wrote; Slack hands it back verbatim in a signed request.
    const metadata = JSON.parse(view.private_metadata) as { tenant: string; interaction: string; channel: string };
    const user = body.user.id;
    // Field errors go in the acknowledgement; past the budget they go to the user as an ephemeral message.
    const refuse = async (errors: Record<string, string>) => {
      if (await budget.ack({ response_action: 'errors', errors })) return;
      await (
        await context.slackFor(metadata.tenant)
      ).chat.postEphemeral({
        channel: metadata.channel,
        user,
        text: `Your correction was not saved: ${Object.values(errors).join(' ')}`,
      });
    };
    const em = context.em();
    const interaction = await em.findOne(AgentInteraction, { id: metadata.interaction, tenant: metadata.tenant });
    if (!interaction) {
      await refuse({ corrected_reply: 'This bot reply no longer exists.' });
      return;
    }
    // Bolt types state values loosely; ViewValues names the fields this modal's inputs produce.
    const parsed = parseCorrectionSubmission(view.state.values as ViewValues, interaction.replyText);
    if (!parsed.ok) {
      await refuse(parsed.errors);
      return;
    }
    // A name lookup through the Slack API must not cost the acknowledgement: the user id stands in when it is slow.
    const authorName = await within(context.userName(metadata.tenant, user), 800, user);
    const key = submissionKey(view.id, view.state.values);
    let correction: HumanCorrection | null;
    try {
      // The submission is recorded in the transaction that creates the correction: a retry or replay (here or
      // on another instance) finds the key and does nothing; a refused submission leaves no key behind.
      correction = await em.transactional(async (tx) => {
        const fresh = await tx.execute<{ key: string }[]>(
          'insert into slack_submission (id, tenant_id, created_at, key) values (?, ?, now(), ?) on conflict (key) do nothing returning key',
          [randomUUID(), metadata.tenant, key],
        );
        if (!fresh.length) return null;
        if (Math.random() < 0.01)
          await tx.execute(
            `delete from slack_submission where tenant_id = ? and created_at < now() - interval '7 days'`,
            [metadata.tenant],
            'run',
          );
        return createCorrection(tx, {
          tenantId: metadata.tenant,
          actor: `slack:${user}`,
          authorName,
          interactionId: interaction.id,
          ...parsed.value,
        });
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'BAD_USER_INPUT') {
        const field = FIELD_BLOCKS[String(error.details?.field ?? '')] ?? 'corrected_reply';
        await refuse({ [field]: error.message });
        return;
      }
      throw error;
    }
    await budget.ack();
    if (!correction) {
      context.logger.info({ viewId: view.id }, 'Slack correction submission seen before: ignored');
      return;
    }
    const review = await postReviewFor(context, {
      tenantId: metadata.tenant,
      interactionId: interaction.id,
      label: null,
    });
    if (review) await context.serial(`post:${review.id}`, () => renderReview(context, review));
    const channel = review?.channelId ?? metadata.channel;
    const blocks = correctionCardBlocks({ ...correction, correctionId: correction.id });
    const posted = await (
      await context.slackFor(metadata.tenant)
    ).chat.postMessage({
      channel,
      thread_ts: review?.postId,
      text: 'Correction pending approval',
      blocks,
    });
    const cardEm = context.em();
    cardEm.create(WorkspacePost, {
      tenant: metadata.tenant,
      purpose: 'correction',
      channelId: String(posted.channel ?? channel),
      postId: String(posted.ts),
      interaction: interaction.id,
      correction: correction.id,
    });
    await cardEm.flush();
  });

  const decision = (
    actionId: string,
    open: (card: WorkspacePost, correction: HumanCorrection, triggerId: string) => Promise<unknown>,
  ) =>
    app.action(actionId, async ({ ack, body }) => {
      await ack();
      if (body.type !== 'block_actions' || !body.channel || !body.message) return;
      const channel = body.channel.id;
      const user = body.user.id;
      const card = await findPost(context.em(), channel, body.message.ts);
      if (!card?.correction || card.purpose !== 'correction') return;
      const slack = await context.slackFor(card.tenant.id);
      if (!isApprover(card, user)) {
        await slack.chat.postEphemeral({
          channel,
          user,
          text: 'You are not allowed to approve or reject corrections. Ask an admin to add you to the approvers (users:manage) in the tenant settings.',
        });
        return;
      }
      const correction = await context.em().findOneOrFail(HumanCorrection, { id: card.correction.id });
      if (correction.status !== 'pending') {
        await slack.chat.postEphemeral({
          channel,
          user,
          text: `This correction was already ${correction.status}.`,
        });
        return;
      }
      await open(card, correction, body.trigger_id);
    });

  decision(CORRECTION_APPROVE, async (card, correction, triggerId) =>
    (await context.slackFor(card.tenant.id)).views.open({
      trigger_id: triggerId,
      view: approveModal({
        privateMetadata: JSON.stringify({ card: card.id }),
        correctedReply: correction.correctedReply,
        proposedScore: correction.qualityScore,
      }),
    }),
  );
  decision(CORRECTION_REJECT, async (card, correction, triggerId) =>
    (await context.slackFor(card.tenant.id)).views.open({
      trigger_id: triggerId,
      view: rejectModal({
        privateMetadata: JSON.stringify({ card: card.id }),
        correctedReply: correction.correctedReply,
      }),
    }),
  );

  const decide = (
    callbackId: string,
    field: string,
    run: (card: WorkspacePost, values: ViewValues, user: string) => Promise<Record<string, string> | null>,
  ) =>
    app.view(callbackId, async ({ ack, body, view }) => {
      // Written by the Approve / Reject button handler; returned verbatim by Slack.
      const { card: cardId } = JSON.parse(view.private_metadata) as { card: string };
      const card = await context
        .em()
        .findOne(WorkspacePost, { id: cardId, purpose: 'correction' }, { populate: ['tenant', 'correction'] });
      if (!card?.correction) {
        await ack({ response_action: 'errors', errors: { [field]: 'This correction no longer exists.' } });
        return;
      }
      if (!isApprover(card, body.user.id)) {
        await ack({ response_action: 'errors', errors: { [field]: 'You are not allowed to decide on corrections.' } });
        return;
      }
      let errors: Record<string, string> | null;
      try {
        // As above: the loosely typed state of a modal built here.
        errors = await run(card, view.state.values as ViewValues, body.user.id);
      } catch (error) {
        if (
          error instanceof AppError &&
          (error.code === 'CONFLICT' || error.code === 'BAD_USER_INPUT' || error.code === 'NOT_FOUND')
        )
          errors = { [field]: error.message };
        else throw error;
      }
      if (errors) {
        await ack({ response_action: 'errors', errors });
        return;
      }
      await ack();
      await renderCard(context, card);
      const review = card.interaction ? await reviewPostFor(context.em(), card.tenant.id, card.interaction.id) : null;
      if (review) await context.serial(`post:${review.id}`, () => renderReview(context, review));
    });

  decide(APPROVE_MODAL, 'quality', async (card, values, user) => {
    const parsed = parseQuality(values);
    if (!parsed.ok) return parsed.errors;
    await approveCorrection(
      context.em(),
      {
        tenantId: card.tenant.id,
        actor: `slack:${user}`,
        correctionId: card.correction!.id,
        qualityScore: parsed.score,
      },
      { events: context.events },
    );
    return null;
  });
  decide(REJECT_MODAL, 'reason', async (card, values, user) => {
    const parsed = parseRejectReason(values);
    if (!parsed.ok) return parsed.errors;
    await rejectCorrection(context.em(), {
      tenantId: card.tenant.id,
      actor: `slack:${user}`,
      correctionId: card.correction!.id,
      reason: parsed.reason,
    });
    return null;
  });
}
