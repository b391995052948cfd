import type { Logger } from '../logger';
import type { AlertNotification, AlertNotifier, AlertView } from './alert-types';

/**
 * Writes alerts to the service log: always on, so an alert is visible somewhere
 * even before Slack (or email, PagerDuty) is set up. Its reference is the
 * alert group's first key, which is all a log line needs.
 */
export function createLogAlertNotifier(logger: Logger): AlertNotifier {
  const line = (alert: AlertView) => ({
    alert: alert.key,
    severity: alert.severity,
    status: alert.status,
    metric: alert.metric,
    value: alert.value,
    threshold: alert.threshold,
    since: alert.firedAt.toISOString(),
    acknowledgedBy: alert.acknowledgedBy,
    silencedUntil: alert.silencedUntil?.toISOString() ?? null,
  });
  const write = (notification: AlertNotification) => {
    for (const alert of notification.alerts) {
      const level = alert.status === 'resolved' ? 'info' : alert.severity === 'critical' ? 'error' : 'warn';
      logger[level](
        { tenantId: notification.tenantId, kind: notification.kind, ...line(alert) },
        `alert ${alert.status}: ${alert.title}`,
      );
    }
  };
  return {
    id: 'log',
    async send(notification) {
      write(notification);
      return notification.alerts[0]?.key ?? null;
    },
    async update(_reference, notification) {
      write(notification);
    },
  };
}
