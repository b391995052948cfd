import type { App } from '@slack/bolt';
import { Conversation, Message, Tenant, WorkspacePost } from '../../src/db/entities';
import { handedOffWithoutPost } from '../../src/conversations/message-store';
import { releaseConversation } from '../../src/engine/handoff-service';
import { AppError } from '../../src/errors';
import { takeConversation } from '../../src/handoffs/handoff-desk';
import type { DomainEventMap } from '../../src/events';
import { handoffBlocks, handoffText, HANDOFF_RELEASE, HANDOFF_TAKE, type HandoffView } from './handoff-blocks';
import { postReviewFor } from './slack-review';
import { readSlackSettings, slackTenants } from './slack-settings';
import type { SlackContext } from './slack-context';
import { escapeMrkdwn, slackTextToPlain } from './slack-text';
import { findPost, openHandoffPost } from './workspace-posts';

const TRANSCRIPT_LENGTH = 8;

async function handoffView(context: SlackContext, post: WorkspacePost): Promise<HandoffView> {
  const em = context.em();
  const conversation = await em.findOneOrFail(Conversation, { id: post.conversation!.id }, { populate: ['contact'] });
  const recent = await em.find(Message, { conversation }, { orderBy: { createdAt: 'desc' }, limit: TRANSCRIPT_LENGTH });
  const contact = conversation.contact;
  return {
    conversationId: conversation.id,
    customer: contact.displayName ? `${contact.displayName} (${contact.externalId})` : contact.externalId,
    channel: conversation.channel,
    reason: conversation.handoffReason ?? 'handed off',
    handedOffAt: conversation.handedOffAt ?? post.createdAt,
    messages: recent.reverse().map((message) => ({ author: message.author, text: message.text })),
    assignee: post.assignee,
    released: post.closedAt
      ? {
          by: (post.labels.find((label) => label.startsWith('released-by:')) ?? 'released-by:someone').slice(12),
          at: post.closedAt,
        }
      : null,
  };
}

async function refreshHandoffPost(context: SlackContext, post: WorkspacePost): Promise<void> {
  const view = await handoffView(context, post);
  await (
    await context.slackFor(post.tenant.id)
  ).chat.update({
    channel: post.channelId,
    ts: post.postId,
    text: handoffText(view),
    blocks: handoffBlocks(view),
  });
}

/** Post a handed-off conversation to the tenant's handoff channel (once per handoff), and its last bot reply for review. */
export async function postHandoff(
  context: SlackContext,
  event: DomainEventMap['conversation.handed_off'],
): Promise<WorkspacePost | null> {
  const post = await context.serial(`conversation:${event.conversationId}`, () =>
    ensureHandoffPost(context, event.tenantId, event.conversationId),
  );
  await postReviewFor(context, { tenantId: event.tenantId, conversationId: event.conversationId, label: 'handoff' });
  return post;
}

async function ensureHandoffPost(
  context: SlackContext,
  tenantId: string,
  conversationId: string,
): Promise<WorkspacePost | null> {
  const em = context.em();
  const tenant = await em.findOneOrFail(Tenant, { id: tenantId });
  const channel = readSlackSettings(tenant.settings).handoffChannel;
  if (!channel) {
    context.logger.warn(
      { tenantId },
      'conversation handed off but the tenant has no Slack handoff channel (settings.channels.slack.handoffChannel)',
    );
    return null;
  }
  const existing = await openHandoffPost(em, tenantId, conversationId);
  if (existing) return existing;
  const conversation = await em.findOneOrFail(Conversation, { id: conversationId, tenant: tenantId });
  if (conversation.status !== 'handed_off') return null;
  const draft = em.create(WorkspacePost, {
    tenant: tenantId,
    purpose: 'handoff',
    channelId: channel,
    postId: 'pending',
    conversation,
  });
  const view = await handoffView(context, draft);
  const posted = await (
    await context.slackFor(tenantId)
  ).chat.postMessage({
    channel,
    text: handoffText(view),
    blocks: handoffBlocks(view),
    unfurl_links: false,
  });
  draft.postId = String(posted.ts);
  draft.channelId = String(posted.channel ?? channel);
  await em.flush();
  context.logger.info({ tenantId, conversationId, channel, ts: draft.postId }, 'handoff posted to Slack');
  return draft;
}

/** A customer wrote while a human has the conversation: show it in the handoff thread. */
export async function relayCustomerMessage(
  context: SlackContext,
  event: DomainEventMap['message.received'],
): Promise<void> {
  if (!event.handedOff) return;
  await context.serial(`conversation:${event.conversationId}`, async () => {
    const post =
      (await openHandoffPost(context.em(), event.tenantId, event.conversationId)) ??
      (await ensureHandoffPost(context, event.tenantId, event.conversationId));
    if (!post) return;
    await (
      await context.slackFor(event.tenantId)
    ).chat.postMessage({
      channel: post.channelId,
      thread_ts: post.postId,
      text: `*Customer:* ${escapeMrkdwn(event.text)}`,
      unfurl_links: false,
    });
  });
}

/** The conversation went back to the bot (button, idle release, API): close its post. */
export async function closeHandoffPost(
  context: SlackContext,
  event: DomainEventMap['conversation.released'],
): Promise<void> {
  await context.serial(`conversation:${event.conversationId}`, async () => {
    const em = context.em();
    const post = await openHandoffPost(em, event.tenantId, event.conversationId);
    if (!post) return;
    post.closedAt = new Date();
    // Who gave it back is kept with the post (a label) so a later re-render still shows it.
    post.labels = [...post.labels, `released-by:${event.by}`];
    await em.flush();
    await refreshHandoffPost(context, post);
    const why =
      event.by === 'system:idle-release'
        ? 'after a quiet spell with no messages'
        : `by ${event.by.startsWith('slack:') ? `<@${event.by.slice(6)}>` : event.by}`;
    await (
      await context.slackFor(event.tenantId)
    ).chat.postMessage({
      channel: post.channelId,
      thread_ts: post.postId,
      text: `↩️ Given back to the bot ${why}. Replies here are no longer sent to the customer.`,
    });
  });
}

/**
 * Handed-off conversations of Slack tenants that have no open post (Slack was
 * unreachable when they were handed off, or Slack was turned on later): post
 * them now, so no customer waits for a human nobody was told about.
 */
export async function postMissingHandoffs(context: SlackContext): Promise<string[]> {
  const posted: string[] = [];
  for (const { tenant, slack } of await slackTenants(context.em())) {
    if (!slack.handoffChannel) continue;
    const missing = await handedOffWithoutPost(context.em(), tenant.id, 'handoff', 100);
    for (const id of missing) {
      const post = await context.serial(`conversation:${id}`, () => ensureHandoffPost(context, tenant.id, id));
      if (post) posted.push(id);
    }
  }
  return posted;
}

/**
 * Open handoff posts whose conversation is no longer handed off: it was given
 * back to the bot where this process did not see the event (another instance,
 * the `npm run job` CLI). Close them as if the event had arrived.
 */
export async function closeReleasedPosts(context: SlackContext): Promise<string[]> {
  const em = context.em();
  const open = await em.find(
    WorkspacePost,
    { platform: 'slack', purpose: 'handoff', closedAt: null, conversation: { status: { $ne: 'handed_off' } } },
    { populate: ['tenant'], limit: 200 },
  );
  const closed: string[] = [];
  for (const post of open) {
    const conversationId = post.conversation!.id;
    const [audit] = await em
      .getConnection()
      .execute<Array<{ actor: string }>>(
        `select actor from audit_log where target_type = 'Conversation' and target_id = ? and action = 'conversation.release' order by created_at desc limit 1`,
        [conversationId],
      );
    await closeHandoffPost(context, { tenantId: post.tenant.id, conversationId, by: audit?.actor ?? 'someone' });
    closed.push(conversationId);
  }
  return closed;
}

export function registerHandoffHandlers(app: App, context: SlackContext): void {
  app.action(HANDOFF_TAKE, async ({ ack, body }) => {
    await ack();
    if (body.type !== 'block_actions' || !body.channel || !body.message) return;
    const user = body.user.id;
    const channel = body.channel.id;
    const em = context.em();
    const post = await findPost(em, channel, body.message.ts);
    if (!post?.conversation || post.purpose !== 'handoff') return;
    const client = await context.slackFor(post.tenant.id);
    await context.serial(`conversation:${post.conversation.id}`, async () => {
      await em.refresh(post);
      const conversation = await em.findOneOrFail(Conversation, { id: post.conversation!.id }, { refresh: true });
      if (post.closedAt || conversation.status !== 'handed_off') {
        await client.chat.postEphemeral({ channel, user, text: 'This conversation is already back with the bot.' });
        return;
      }
      if (post.assignee && post.assignee !== `slack:${user}`) {
        await client.chat.postEphemeral({
          channel,
          user,
          text: `<@${post.assignee.slice(6)}> already has this conversation.`,
        });
        return;
      }
      try {
        await takeConversation(context.em(), {
          tenantId: post.tenant.id,
          conversationId: conversation.id,
          by: `slack:${user}`,
        });
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'CONFLICT') throw error;
        await client.chat.postEphemeral({ channel, user, text: error.message });
        return;
      }
      post.assignee = `slack:${user}`;
      post.assignedAt = new Date();
      await em.flush();
      await refreshHandoffPost(context, post);
    });
  });

  app.action(HANDOFF_RELEASE, async ({ ack, body }) => {
    await ack();
    if (body.type !== 'block_actions' || !body.channel || !body.message) return;
    const post = await findPost(context.em(), body.channel.id, body.message.ts);
    if (!post?.conversation || post.purpose !== 'handoff') return;
    // Only the agent holding the conversation (or an approver) gives it back; unassigned, anyone in the channel may.
    const user = body.user.id;
    if (
      post.assignee &&
      post.assignee !== `slack:${user}` &&
      !readSlackSettings(post.tenant.settings).approvers.includes(user)
    ) {
      await (
        await context.slackFor(post.tenant.id)
      ).chat.postEphemeral({
        channel: body.channel.id,
        user,
        text: `<@${post.assignee.slice(6)}> has this conversation: only they (or an approver) can give it back to the bot.`,
      });
      return;
    }
    await releaseConversation(
      context.em(),
      { tenantId: post.tenant.id, conversationId: post.conversation.id, by: `slack:${body.user.id}` },
      { events: context.events },
    );
  });

  // Agents answer in the handoff post's thread; each reply goes to the customer.
  app.event('message', async ({ event }) => {
    if (event.subtype === 'file_share' && 'thread_ts' in event && event.thread_ts && 'user' in event && event.user) {
      const post = await findPost(context.em(), event.channel, event.thread_ts);
      if (post?.purpose === 'handoff') {
        await (
          await context.slackFor(post.tenant.id)
        ).chat.postEphemeral({
          channel: event.channel,
          user: event.user,
          thread_ts: event.thread_ts,
          text: 'Files are not sent to the customer: only the text of your replies is. Paste a link instead.',
        });
      }
      return;
    }
    if (event.subtype !== undefined && event.subtype !== 'thread_broadcast') return;
    if (!('thread_ts' in event) || !event.thread_ts || event.thread_ts === event.ts) return;
    if ('bot_id' in event && event.bot_id) return;
    const user = 'user' in event ? event.user : undefined;
    const text = 'text' in event ? event.text : undefined;
    if (!user || !text) return;
    const em = context.em();
    const post = await findPost(em, event.channel, event.thread_ts);
    if (!post?.conversation || post.purpose !== 'handoff') return;
    const client = await context.slackFor(post.tenant.id);
    await context.serial(`conversation:${post.conversation.id}`, async () => {
      if (!(await context.rememberReply(post.tenant.id, `${event.channel}:${event.ts}`))) return;
      await em.refresh(post);
      const conversation = await em.findOneOrFail(Conversation, { id: post.conversation!.id }, { refresh: true });
      const tell = (message: string) =>
        client.chat.postEphemeral({ channel: event.channel, user, thread_ts: post.postId, text: message });
      if (post.closedAt || conversation.status !== 'handed_off') {
        await tell('This conversation is back with the bot, so your reply was not sent to the customer.');
        return;
      }
      if (post.assignee && post.assignee !== `slack:${user}`) {
        await tell(
          `<@${post.assignee.slice(6)}> has this conversation, so your reply was not sent. Ask them to hand it over, or reply after they give it back.`,
        );
        return;
      }
      if (conversation.assignee && conversation.assignee !== `slack:${user}`) {
        await tell(
          `${conversation.assignee} has this conversation (taken through the API), so your reply was not sent.`,
        );
        return;
      }
      if (!post.assignee) {
        await takeConversation(context.em(), {
          tenantId: post.tenant.id,
          conversationId: conversation.id,
          by: `slack:${user}`,
        });
        post.assignee = `slack:${user}`;
        post.assignedAt = new Date();
        await em.flush();
        await refreshHandoffPost(context, post);
      }
      let problem: string | null;
      try {
        const receipt = await context.customers.deliver(conversation.channel, conversation.id, slackTextToPlain(text), {
          author: 'agent',
          authorId: `slack:${user}`,
        });
        problem =
          receipt.status === 'failed' || receipt.status === 'not_sent' ? (receipt.reason ?? receipt.status) : null;
      } catch (error) {
        // The channel is not running here, or refused the text: say so in the thread rather than lose the reply silently.
        context.logger.error({ err: error, conversationId: conversation.id }, 'agent reply could not be delivered');
        problem = error instanceof Error ? error.message : String(error);
      }
      if (problem)
        await client.chat.postMessage({
          channel: event.channel,
          thread_ts: post.postId,
          text: `⚠️ Not delivered to the customer: ${escapeMrkdwn(problem)}`,
        });
    });
  });
}
