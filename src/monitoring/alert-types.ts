import type { AlertSeverity, AlertStatus } from '../db/entities';

export type { AlertSeverity, AlertStatus };

/** What a rule (or `npm run alert:test`) reports when a condition holds. */
export interface AlertInput {
  tenantId: string;
  /** Stable identity of the condition: one message per key, however often it fires. */
  key: string;
  title: string;
  severity: AlertSeverity;
  description?: string | null;
  /** The metric watched, its current value and the threshold it crossed. */
  metric?: string | null;
  value?: number | null;
  threshold?: number | null;
  /** A GraphQL query that shows the data behind the alert (linked from the notification). */
  query?: string | null;
  /** What on-call should do: a link to the rule's runbook. */
  runbookUrl?: string | null;
}

/** A channel-neutral snapshot of an alert, as notifiers render it. */
export interface AlertView {
  id: string;
  tenantId: string;
  key: string;
  title: string;
  severity: AlertSeverity;
  description: string | null;
  metric: string | null;
  value: number | null;
  threshold: number | null;
  query: string | null;
  /** A link that opens `query` in the GraphQL explorer, when there is a query. */
  queryUrl: string | null;
  runbookUrl: string | null;
  status: AlertStatus;
  /** Since when this episode has been firing. */
  firedAt: Date;
  resolvedAt: Date | null;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  silencedUntil: Date | null;
  silencedBy: string | null;
  /** Why it was silenced (absent in views built before the console asked). */
  silenceReason?: string | null;
  /** How many notifications went out for this alert (1 on the first, more with repeats). */
  notifyCount: number;
}

/** One message about one or more alerts of the same tenant (several when they fired within the grouping window). */
export interface AlertNotification {
  tenantId: string;
  /** `repeat`: the alerts are still firing after the repeat interval; `update`: an earlier message changes. */
  kind: 'new' | 'repeat' | 'update';
  alerts: AlertView[];
}

/**
 * Where alerts go: the log, Slack, email and PagerDuty Events v2. A notifier
 * turns a notification into one message on its medium and can later replace
 * that message's content (alert added to the group, resolved, acknowledged,
 * silenced). Notifiers never decide whether to notify: the alert service owns
 * deduplication, repeats, grouping and silences.
 */
export interface AlertNotifier {
  /** Stable id (`slack`, `email`, `pagerduty`): the key of the stored message references. */
  readonly id: string;
  /**
   * Send a new message. Returns a reference that `update` understands (Slack:
   * `channel:ts`; PagerDuty: the dedup key), or null when this notifier has
   * nowhere to send for the tenant. Throws when the medium refused it.
   */
  send(notification: AlertNotification): Promise<string | null>;
  /** Replace the content of the message `reference` (PagerDuty would send acknowledge/resolve events). */
  update(reference: string, notification: AlertNotification): Promise<void>;
}

/** What `raise` did, for logs, the CLI and tests. */
export type RaiseOutcome =
  'notified' | 'grouped' | 'repeated' | 'retried' | 'deduplicated' | 'acknowledged' | 'silenced';
