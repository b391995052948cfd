import { Entity, Index, OptionalProps, Property, Unique } from '@mikro-orm/core';
import { TenantScoped } from './tenant-scoped';

export type AlertSeverity = 'info' | 'warning' | 'critical';
export type AlertStatus = 'firing' | 'resolved';

/**
 * One alert per (tenant, key), whatever the number of times it fires: the row
 * keeps the notification state (what was sent, where, when) that makes
 * deduplication, repeats, grouping, acknowledgement and silencing work across
 * restarts and instances.
 */
@Entity({ tableName: 'alert' })
@Unique({ properties: ['tenant', 'key'] })
@Index({ properties: ['tenant', 'status'] })
@Index({ properties: ['notificationGroup'] })
export class Alert extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'updatedAt'
    | 'description'
    | 'metric'
    | 'value'
    | 'threshold'
    | 'query'
    | 'status'
    | 'firedAt'
    | 'lastSeenAt'
    | 'resolvedAt'
    | 'notifiedAt'
    | 'notifyCount'
    | 'notificationGroup'
    | 'notificationGroupStartedAt'
    | 'notificationRefs'
    | 'notifyError'
    | 'notifyFailed'
    | 'runbookUrl'
    | 'acknowledgedBy'
    | 'acknowledgedAt'
    | 'silencedUntil'
    | 'silencedBy'
    | 'silenceReason';

  /** Stable identity of the condition, e.g. `provider-failure-rate:openai:gpt-4o`. */
  @Property({ type: 'string' })
  key!: string;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'string' })
  severity!: AlertSeverity;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: 'string', nullable: true })
  metric: string | null = null;

  @Property({ type: 'double', nullable: true })
  value: number | null = null;

  @Property({ type: 'double', nullable: true })
  threshold: number | null = null;

  /** The GraphQL query that shows the data behind the alert. */
  @Property({ type: 'text', nullable: true })
  query: string | null = null;

  @Property({ type: 'string' })
  status: AlertStatus = 'firing';

  /** Since when the current episode has been firing. */
  @Property({ type: 'datetime' })
  firedAt: Date = new Date();

  @Property({ type: 'datetime' })
  lastSeenAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  resolvedAt: Date | null = null;

  /** Last time a notification (first or repeat) went out for this alert. */
  @Property({ type: 'datetime', nullable: true })
  notifiedAt: Date | null = null;

  @Property({ type: 'integer' })
  notifyCount: number = 0;

  /** Alerts notified together (same tenant, within the grouping window) share a group and its messages. */
  @Property({ type: 'uuid', nullable: true })
  notificationGroup: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  notificationGroupStartedAt: Date | null = null;

  /** Per notifier id, the reference of the message it sent (Slack: `channel:ts`), for later updates. */
  @Property({ type: 'json' })
  notificationRefs: Record<string, string> = {};

  @Property({ type: 'text', nullable: true })
  notifyError: string | null = null;

  /** Notifiers whose last send failed after its retries: the next raise of the condition tries them again. */
  @Property({ type: 'json' })
  notifyFailed: string[] = [];

  @Property({ type: 'text', nullable: true })
  runbookUrl: string | null = null;

  @Property({ type: 'string', nullable: true })
  acknowledgedBy: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  acknowledgedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  silencedUntil: Date | null = null;

  @Property({ type: 'string', nullable: true })
  silencedBy: string | null = null;

  /** Why it was silenced (the console asks; Slack's button gives none). */
  @Property({ type: 'text', nullable: true })
  silenceReason: string | null = null;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
