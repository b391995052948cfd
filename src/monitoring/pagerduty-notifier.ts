import type { AlertSettingsReader, RetryHint } from './alert-routing';
import { PermanentNotifierError } from './alert-routing';
import { alertLines, notificationSubject } from './alert-text';
import type { AlertNotification, AlertNotifier, AlertView } from './alert-types';

export interface PagerDutyNotifierOptions {
  /** PAGERDUTY_EVENTS_URL: events go to `<url>/v2/enqueue`. */
  eventsUrl: string;
  /** PAGERDUTY_ROUTING_KEY: for tenants without `settings.alerts.pagerduty.routingKey`. */
  defaultRoutingKey: string | null;
  settingsFor: AlertSettingsReader;
  /** `payload.source` of triggered events (the public base URL). */
  source: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';

/** The event body of PagerDuty Events API v2 (POST /v2/enqueue). */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: PagerDutyAction;
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  links?: Array<{ href: string; text: string }>;
  client?: string;
  client_url?: string;
}

class PagerDutyError extends Error implements RetryHint {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** What an update means for the incident: resolve when nothing fires, acknowledge when every firing alert is. */
export function pagerDutyAction(alerts: AlertView[]): PagerDutyAction {
  const firing = alerts.filter((alert) => alert.status === 'firing');
  if (!firing.length) return 'resolve';
  if (firing.every((alert) => alert.acknowledgedAt)) return 'acknowledge';
  return 'trigger';
}

/** The event that triggers (or re-triggers with fresh details) the incident of a notification. */
export function triggerEvent(
  notification: AlertNotification,
  routingKey: string,
  dedupKey: string,
  source: string,
): PagerDutyEvent {
  const [first] = notification.alerts;
  const links: Array<{ href: string; text: string }> = [];
  for (const alert of notification.alerts) {
    if (alert.runbookUrl) links.push({ href: alert.runbookUrl, text: `Runbook: ${alert.title}` });
    if (alert.queryUrl) links.push({ href: alert.queryUrl, text: `Data: ${alert.title}` });
  }
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      // PagerDuty truncates summaries at 1024 characters.
      summary: notificationSubject(notification).slice(0, 1024),
      source,
      severity: notification.alerts.some((alert) => alert.severity === 'critical')
        ? 'critical'
        : first?.severity === 'warning'
          ? 'warning'
          : 'info',
      timestamp: first?.firedAt.toISOString(),
      component: first?.metric ?? undefined,
      group: `tenant:${notification.tenantId}`,
      class: first?.key.split(':')[0],
      custom_details: Object.fromEntries(notification.alerts.map((alert) => [alert.key, alertLines(alert).join('\n')])),
    },
    links,
    client: 'parley',
  };
}

/**
 * PagerDuty Events API v2. The reference is the event's `dedup_key`
 * (`parley:<tenant>:<first alert key>:<fired at>`), so one alert episode is one
 * incident: the first message triggers it, updates acknowledge or resolve it,
 * and a repeat re-triggers the same key (PagerDuty deduplicates it into the
 * open incident). A 202 is success; 400 is a bad event (permanent); 429 and
 * 5xx are retried by the routing layer (ALERT_NOTIFY_RETRIES with backoff).
 */
export function createPagerDutyNotifier(options: PagerDutyNotifierOptions): AlertNotifier {
  const send = options.fetch ?? fetch;
  const endpoint = `${options.eventsUrl.replace(/\/+$/, '')}/v2/enqueue`;
  const routingKey = async (tenantId: string) =>
    (await options.settingsFor(tenantId)).pagerduty?.routingKey ?? options.defaultRoutingKey;

  async function enqueue(event: PagerDutyEvent): Promise<string> {
    let response: Response;
    try {
      response = await send(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      // Network errors and timeouts are worth retrying; say where we tried to go.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new PagerDutyError(
        `PagerDuty unreachable at ${endpoint}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
        0,
      );
    }
    const text = await response.text();
    let body: { status?: string; message?: string; dedup_key?: string; errors?: string[] } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // Proxies and 5xx pages answer with HTML: the status code decides.
    }
    if (response.status === 202 || response.ok) return body.dedup_key ?? event.dedup_key;
    const detail = `PagerDuty answered ${response.status}: ${body.message ?? text.slice(0, 200)}${body.errors?.length ? ` (${body.errors.join('; ')})` : ''}`;
    if (response.status === 429 || response.status >= 500) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new PagerDutyError(
        detail,
        response.status,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      );
    }
    throw new PermanentNotifierError(detail);
  }

  return {
    id: 'pagerduty',
    async send(notification) {
      const key = await routingKey(notification.tenantId);
      const [first] = notification.alerts;
      if (!key || !first) return null;
      const dedupKey = `parley:${notification.tenantId}:${first.key}:${first.firedAt.getTime()}`;
      return enqueue(triggerEvent(notification, key, dedupKey, options.source));
    },
    async update(reference, notification) {
      const key = await routingKey(notification.tenantId);
      if (!key) return;
      const action = pagerDutyAction(notification.alerts);
      if (action === 'trigger') await enqueue(triggerEvent(notification, key, reference, options.source));
      else await enqueue({ routing_key: key, event_action: action, dedup_key: reference });
    },
  };
}
