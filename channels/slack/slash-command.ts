import type { App } from '@slack/bolt';
import { Conversation, HumanCorrection, WorkspacePost, type Tenant } from '../../src/db/entities';
import { ackBudget } from './ack-budget';
import type { SlackContext } from './slack-context';
import { slackSettingsProblems, slackTenants, tenantsForChannel } from './slack-settings';
import { actorMention, escapeMrkdwn, slackDate } from './slack-text';

export const HELP_TEXT = [
  '*/parley* — parley in Slack',
  '• `/parley status` — open handoffs, corrections waiting for approval, firing alerts',
  '• `/parley handoffs` — the conversations waiting for or with a human, with links',
  '• `/parley help` — this message',
  'Run it in one of your parley channels (handoff, review or on-call).',
].join('\n');

/** The tenant a command in `channel` is about: the one whose Slack channels include it, or the only Slack tenant. */
async function tenantOf(context: SlackContext, channel: string): Promise<Tenant | null> {
  const direct = await tenantsForChannel(context.em(), channel);
  if (direct.length === 1) return direct[0]!;
  const all = await slackTenants(context.em());
  return all.length === 1 ? all[0]!.tenant : null;
}

export async function statusText(context: SlackContext, tenant: Tenant): Promise<string> {
  const em = context.em();
  const [handoffs, pending, alerts] = await Promise.all([
    em.count(Conversation, { tenant, status: 'handed_off' }),
    em.count(HumanCorrection, { tenant, status: 'pending' }),
    context.alerts ? context.alerts.firing(tenant.id) : Promise.resolve([]),
  ]);
  const lines = [
    `*parley status for ${escapeMrkdwn(tenant.name)}*`,
    `• Conversations with a human: *${handoffs}*`,
    `• Corrections waiting for approval: *${pending}*`,
    `• Firing alerts: *${alerts.length}*`,
    ...alerts
      .slice(0, 5)
      .map((alert) => `   – ${alert.severity}: ${escapeMrkdwn(alert.title)} (since ${slackDate(alert.firedAt)})`),
  ];
  const problems = slackSettingsProblems(tenant.settings);
  if (problems.length)
    lines.push('⚠️ Settings ignored:', ...problems.map((problem) => `   – ${escapeMrkdwn(problem)}`));
  return lines.join('\n');
}

export async function handoffsText(context: SlackContext, tenant: Tenant): Promise<string> {
  const em = context.em();
  const conversations = await em.find(
    Conversation,
    { tenant, status: 'handed_off' },
    { populate: ['contact'], orderBy: { handedOffAt: 'asc' }, limit: 15 },
  );
  if (!conversations.length) return 'No conversation is waiting for a human. 🎉';
  const lines = [`*Conversations with a human (${conversations.length})*`];
  for (const conversation of conversations) {
    const post = await em.findOne(
      WorkspacePost,
      { purpose: 'handoff', conversation, closedAt: null },
      { orderBy: { createdAt: 'desc' } },
    );
    let link = '';
    if (post) {
      const permalink = await (
        await context.slackFor(tenant.id)
      ).chat.getPermalink({ channel: post.channelId, message_ts: post.postId });
      if (permalink.permalink) link = ` · <${permalink.permalink}|open>`;
    }
    const who = post?.assignee ? actorMention(post.assignee) : '_nobody yet_';
    const customer = conversation.contact.displayName ?? conversation.contact.externalId;
    lines.push(
      `• ${escapeMrkdwn(customer)} (${conversation.channel}) since ${slackDate(conversation.handedOffAt ?? conversation.lastActivityAt)} · ${who}${link}`,
    );
  }
  return lines.join('\n');
}

export function registerSlashCommand(app: App, context: SlackContext): void {
  app.command('/parley', async ({ ack, command }) => {
    const verb = command.text.trim().toLowerCase().split(/\s+/)[0] ?? '';
    if (verb === '' || verb === 'help') {
      await ack({ response_type: 'ephemeral', text: HELP_TEXT });
      return;
    }
    if (verb !== 'status' && verb !== 'handoffs') {
      await ack({ response_type: 'ephemeral', text: `Unknown command \`${escapeMrkdwn(verb)}\`.\n${HELP_TEXT}` });
      return;
    }
    const tenant = await tenantOf(context, command.channel_id);
    if (!tenant) {
      await ack({
        response_type: 'ephemeral',
        text: 'This channel is not linked to a parley tenant: run the command in a handoff, review or on-call channel named in the tenant settings (settings.channels.slack).',
      });
      return;
    }
    // The text needs queries: past the budget Slack gets an empty acknowledgement and the answer follows as an ephemeral message.
    const budget = ackBudget(ack);
    const text = verb === 'status' ? await statusText(context, tenant) : await handoffsText(context, tenant);
    if (!(await budget.ack({ response_type: 'ephemeral', text }))) {
      await (
        await context.slackFor(tenant.id)
      ).chat.postEphemeral({
        channel: command.channel_id,
        user: command.user_id,
        text,
      });
    }
  });
}
