import type { App } from '@slack/bolt';
import { Alert, Tenant } from '../../src/db/entities';
import type { AlertNotification, AlertNotifier, AlertView } from '../../src/monitoring/alert-types';
import type { SlackContext } from './slack-context';
import { readSlackSettings } from './slack-settings';
import { actorMention, button, context as contextBlock, escapeMrkdwn, slackDate, type Block } from './slack-text';

export const ALERT_ACKNOWLEDGE = 'alert_acknowledge';
export const ALERT_SILENCE = 'alert_silence';

const SEVERITY_ICON: Record<AlertView['severity'], string> = { info: 'ℹ️', warning: '⚠️', critical: '🚨' };

function formatNumber(value: number | null): string {
  if (value === null) return '–';
  return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, '');
}

/** One alert as Block Kit: title, severity, metric against threshold, since when, query link, state, buttons. */
export function alertBlocks(alert: AlertView): Block[] {
  const resolved = alert.status === 'resolved';
  const icon = resolved ? '✅' : SEVERITY_ICON[alert.severity];
  const blocks: Block[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `${icon} *${escapeMrkdwn(alert.title)}*${resolved ? ' — resolved' : ''}` },
    },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Severity*\n${alert.severity}` },
        {
          type: 'mrkdwn',
          text: `*Metric*\n${escapeMrkdwn(alert.metric ?? alert.key)}: ${formatNumber(alert.value)} (threshold ${formatNumber(alert.threshold)})`,
        },
        { type: 'mrkdwn', text: `*Since*\n${slackDate(alert.firedAt)}` },
        {
          type: 'mrkdwn',
          text: `*Status*\n${resolved && alert.resolvedAt ? `resolved ${slackDate(alert.resolvedAt)}` : 'firing'}`,
        },
      ],
    },
  ];
  if (alert.description)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(alert.description) } });
  const notes: string[] = [];
  if (alert.runbookUrl) notes.push(`<${alert.runbookUrl}|Runbook>`);
  if (alert.queryUrl) notes.push(`<${alert.queryUrl}|Open the GraphQL query>`);
  if (alert.acknowledgedBy && alert.acknowledgedAt)
    notes.push(`Acknowledged by ${actorMention(alert.acknowledgedBy)} ${slackDate(alert.acknowledgedAt)}`);
  if (alert.silencedUntil && alert.silencedUntil > new Date())
    notes.push(`🔕 Silenced by ${actorMention(alert.silencedBy)} until ${slackDate(alert.silencedUntil)}`);
  notes.push(`key \`${escapeMrkdwn(alert.key)}\``);
  blocks.push(contextBlock(notes.join('  ·  ')));
  if (!resolved) {
    const elements = [];
    if (!alert.acknowledgedAt) elements.push(button('Acknowledge', ALERT_ACKNOWLEDGE, alert.id, 'primary'));
    elements.push(button('Silence 1h', ALERT_SILENCE, alert.id));
    blocks.push({ type: 'actions', block_id: `alert:${alert.id}`, elements });
  }
  return blocks;
}

export function notificationBlocks(notification: AlertNotification): { text: string; blocks: Block[] } {
  const firing = notification.alerts.filter((alert) => alert.status === 'firing').length;
  const title =
    notification.alerts.length === 1
      ? notification.alerts[0]!.title
      : `${notification.alerts.length} alerts (${firing} firing)`;
  const prefix = notification.kind === 'repeat' ? 'Still firing: ' : '';
  const blocks: Block[] = [];
  notification.alerts.forEach((alert, index) => {
    if (index > 0) blocks.push({ type: 'divider' });
    blocks.push(...alertBlocks(alert));
  });
  if (notification.kind === 'repeat') blocks.unshift(contextBlock('🔁 Still firing and not acknowledged.'));
  return { text: `${prefix}${title}`, blocks: blocks.slice(0, 50) };
}

/** The Slack notifier: one message in the tenant's on-call channel, updated in place (reference `channel:ts`). */
export function createSlackAlertNotifier(context: SlackContext): AlertNotifier {
  return {
    id: 'slack',
    async send(notification) {
      const tenant = await context.em().findOne(Tenant, { id: notification.tenantId });
      const channel = tenant ? readSlackSettings(tenant.settings).oncallChannel : null;
      if (!channel) return null;
      const { text, blocks } = notificationBlocks(notification);
      const slack = await context.slackFor(notification.tenantId);
      const posted = await slack.chat.postMessage({ channel, text, blocks, unfurl_links: false });
      return `${String(posted.channel ?? channel)}:${String(posted.ts)}`;
    },
    async update(reference, notification) {
      const [channel, ts] = reference.split(':');
      const { text, blocks } = notificationBlocks(notification);
      await (await context.slackFor(notification.tenantId)).chat.update({ channel: channel!, ts: ts!, text, blocks });
    },
  };
}

/** Acknowledge / Silence 1h, pressed on an alert message of the tenant's on-call channel. */
export function registerAlertHandlers(app: App, context: SlackContext): void {
  const handle = (
    actionId: string,
    run: (tenantId: string, alertId: string, by: `slack:${string}`) => Promise<unknown>,
  ) =>
    app.action(actionId, async ({ ack, body, action }) => {
      await ack();
      if (body.type !== 'block_actions' || !body.channel || !body.message || action.type !== 'button') return;
      const alert = await context.em().findOne(Alert, { id: action.value ?? '' });
      // Only the message that shows this alert may act on it: a stale or foreign button finds nothing.
      if (
        !alert ||
        !alert.notificationRefs.slack ||
        alert.notificationRefs.slack !== `${body.channel.id}:${body.message.ts}`
      ) {
        // A button of a known alert answers with its tenant's token; an unknown one with the app's.
        const slack = alert ? await context.slackFor(alert.tenant.id) : context.client;
        await slack.chat.postEphemeral({
          channel: body.channel.id,
          user: body.user.id,
          text: 'This alert message is out of date; use the newest message for this alert.',
        });
        return;
      }
      if (!context.alerts) return;
      await run(alert.tenant.id, alert.id, `slack:${body.user.id}`);
    });
  handle(ALERT_ACKNOWLEDGE, (tenantId, alertId, by) => context.alerts!.acknowledge(tenantId, alertId, by));
  handle(ALERT_SILENCE, (tenantId, alertId, by) => context.alerts!.silence(tenantId, alertId, by));
}
