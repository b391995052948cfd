import type { AlertNotification, AlertView } from './alert-types';

/** Plain-text rendering shared by email and PagerDuty. */
export function formatValue(value: number | null): string {
  if (value === null) return '–';
  return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, '');
}

export function alertSummary(alert: AlertView): string {
  const state = alert.status === 'resolved' ? 'RESOLVED' : alert.severity.toUpperCase();
  return `[${state}] ${alert.title}`;
}

export function notificationSubject(notification: AlertNotification): string {
  const alerts = notification.alerts;
  const firing = alerts.filter((alert) => alert.status === 'firing').length;
  const head = alerts.length === 1 ? alertSummary(alerts[0]!) : `${alerts.length} alerts (${firing} firing)`;
  return `${notification.kind === 'repeat' ? 'Still firing: ' : ''}${head}`;
}

export function alertLines(alert: AlertView): string[] {
  const lines = [
    alertSummary(alert),
    `Metric: ${alert.metric ?? alert.key} = ${formatValue(alert.value)} (threshold ${formatValue(alert.threshold)})`,
    `Since: ${alert.firedAt.toISOString()}`,
    `Status: ${alert.status === 'resolved' && alert.resolvedAt ? `resolved ${alert.resolvedAt.toISOString()}` : 'firing'}`,
  ];
  if (alert.description) lines.push('', alert.description);
  if (alert.runbookUrl) lines.push(`Runbook: ${alert.runbookUrl}`);
  if (alert.queryUrl) lines.push(`Data: ${alert.queryUrl}`);
  if (alert.acknowledgedBy && alert.acknowledgedAt)
    lines.push(`Acknowledged by ${alert.acknowledgedBy} at ${alert.acknowledgedAt.toISOString()}`);
  if (alert.silencedUntil)
    lines.push(`Silenced by ${alert.silencedBy ?? 'someone'} until ${alert.silencedUntil.toISOString()}`);
  lines.push(`Key: ${alert.key}`);
  return lines;
}

export function notificationText(notification: AlertNotification): string {
  const blocks = notification.alerts.map((alert) => alertLines(alert).join('\n'));
  const head = notification.kind === 'repeat' ? 'Still firing and not acknowledged.\n\n' : '';
  return `${head}${blocks.join('\n\n---\n\n')}\n`;
}
