import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { isActor, recordAudit } from '../audit/audit-service';
import { Alert } from '../db/entities';
import type { Orm } from '../db/orm';
import { badInput, notFound } from '../errors';
import type { Logger } from '../logger';
import type { AlertInput, AlertNotification, AlertNotifier, AlertView, RaiseOutcome } from './alert-types';

export interface AlertServiceOptions {
  orm: Orm;
  notifiers: AlertNotifier[];
  logger: Logger;
  /** A firing, unacknowledged alert is notified again at most this often. */
  repeatHours: number;
  /** Alerts of one tenant first notified within this many seconds share one message (0: never group). */
  groupWindowSeconds: number;
  /** How long the Silence button mutes an alert. */
  silenceMinutes: number;
  /** The GraphQL endpoint alert links open (`<PUBLIC_BASE_URL>/graphql`). */
  graphqlUrl: string;
  now?: () => Date;
}

export interface AlertService {
  /** Report that a condition holds. Idempotent per key: one message, repeats at most every `repeatHours`. */
  raise(input: AlertInput): Promise<{ alert: AlertView; outcome: RaiseOutcome }>;
  /** The condition no longer holds: the alert's message is updated. Null when no such alert is firing. */
  resolve(tenantId: string, key: string): Promise<AlertView | null>;
  /** Someone is on it: no more repeats of this episode. `by` an actor (`apikey:…`, `slack:…`): audited. */
  acknowledge(tenantId: string, alertId: string, by: string): Promise<AlertView>;
  /** No notifications for this alert (repeats or new episodes) for `minutes` (default `silenceMinutes`). Audited. */
  silence(tenantId: string, alertId: string, by: string, minutes?: number, reason?: string | null): Promise<AlertView>;
  /** Ends a silence now (no-op when the alert is not silenced). Audited. */
  unsilence(tenantId: string, alertId: string, by: string): Promise<AlertView>;
  /** Firing alerts of a tenant, newest first. */
  firing(tenantId: string): Promise<AlertView[]>;
  get(tenantId: string, alertId: string): Promise<AlertView>;
}

const SEVERITIES = ['info', 'warning', 'critical'];

/**
 * The channel-neutral alert state machine. Every decision happens inside one
 * transaction holding a per-tenant advisory lock, so two instances (or two
 * rules firing at once) never send two messages for one key or open two groups
 * in one window; notifier calls are made under that lock for the same reason,
 * and their failures are recorded on the alert, never thrown at the caller.
 */
export function createAlertService(options: AlertServiceOptions): AlertService {
  const now = options.now ?? (() => new Date());
  const repeatMs = options.repeatHours * 3_600_000;
  const windowMs = options.groupWindowSeconds * 1000;

  const view = (alert: Alert): AlertView => ({
    id: alert.id,
    tenantId: alert.tenant.id,
    key: alert.key,
    title: alert.title,
    severity: alert.severity,
    description: alert.description,
    metric: alert.metric,
    value: alert.value,
    threshold: alert.threshold,
    query: alert.query,
    // A fragment, not ?query=: the console page reads it, while GET /graphql?query= would run the query without a key.
    queryUrl: alert.query ? `${options.graphqlUrl}#query=${encodeURIComponent(alert.query)}` : null,
    runbookUrl: alert.runbookUrl,
    status: alert.status,
    firedAt: alert.firedAt,
    resolvedAt: alert.resolvedAt,
    acknowledgedBy: alert.acknowledgedBy,
    acknowledgedAt: alert.acknowledgedAt,
    silencedUntil: alert.silencedUntil,
    silencedBy: alert.silencedBy,
    silenceReason: alert.silenceReason,
    notifyCount: alert.notifyCount,
  });

  async function locked<T>(tenantId: string, work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return options.orm.em.fork().transactional(async (tx) => {
      await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`parley-alerts:${tenantId}`]);
      // transactional() types its argument as the driver-agnostic EntityManager; it is the PostgreSQL one we forked.
      return work(tx as EntityManager);
    });
  }

  const stateOf = (alert: Alert) => ({
    acknowledgedAt: alert.acknowledgedAt,
    silencedUntil: alert.silencedUntil,
    silenceReason: alert.silenceReason,
  });
  /** The audit row of an acknowledgement or silence, in the same transaction (only for a real actor). */
  function audit(tx: EntityManager, alert: Alert, by: string, action: string, before: Record<string, unknown>) {
    if (!isActor(by)) return;
    const target = { targetType: 'Alert', targetId: alert.id };
    recordAudit(tx, { tenantId: alert.tenant.id, actor: by, action, ...target, before, after: stateOf(alert) });
  }

  async function groupOf(tx: EntityManager, group: string): Promise<Alert[]> {
    return tx.find(Alert, { notificationGroup: group }, { orderBy: { firedAt: 'asc', key: 'asc' } });
  }

  /** Re-render every message that shows `alert` (its group's message on each notifier). */
  async function refresh(tx: EntityManager, alert: Alert): Promise<void> {
    if (!alert.notificationGroup) return;
    const members = await groupOf(tx, alert.notificationGroup);
    const notification: AlertNotification = { tenantId: alert.tenant.id, kind: 'update', alerts: members.map(view) };
    // Concurrently: a notifier that is slow or retrying never holds back another's update.
    await Promise.all(
      options.notifiers.map(async (notifier) => {
        const reference = alert.notificationRefs[notifier.id];
        if (!reference) return;
        try {
          await notifier.update(reference, notification);
        } catch (error) {
          options.logger.warn(
            { err: error, notifier: notifier.id, alert: alert.key },
            'alert notification update failed',
          );
        }
      }),
    );
  }

  /**
   * Send to each notifier concurrently; one that throws (after its own retries)
   * is recorded and never stops the others.
   */
  async function sendAll(notifiers: AlertNotifier[], notification: AlertNotification, key: string) {
    const refs: Record<string, string> = {};
    const failed: string[] = [];
    const failures: string[] = [];
    await Promise.all(
      notifiers.map(async (notifier) => {
        try {
          const reference = await notifier.send(notification);
          if (reference) refs[notifier.id] = reference;
        } catch (error) {
          failed.push(notifier.id);
          failures.push(`${notifier.id}: ${error instanceof Error ? error.message : String(error)}`);
          options.logger.error({ err: error, notifier: notifier.id, alert: key }, 'alert notification failed');
        }
      }),
    );
    return { refs, failed: failed.sort(), error: failures.length ? failures.sort().join('; ') : null };
  }

  /** Try again the notifiers that failed the last time, and share their references with the group. */
  async function retryFailed(tx: EntityManager, alert: Alert): Promise<boolean> {
    const notifiers = options.notifiers.filter((notifier) => alert.notifyFailed.includes(notifier.id));
    if (!notifiers.length) return false;
    const members = alert.notificationGroup ? await groupOf(tx, alert.notificationGroup) : [alert];
    const sent = await sendAll(
      notifiers,
      { tenantId: alert.tenant.id, kind: 'new', alerts: members.map(view) },
      alert.key,
    );
    for (const member of members.includes(alert) ? members : [...members, alert]) {
      member.notificationRefs = { ...member.notificationRefs, ...sent.refs };
    }
    alert.notifyFailed = sent.failed;
    alert.notifyError = sent.error;
    await tx.flush();
    return true;
  }

  /** Send a first or repeat notification, joining an open group of the tenant when there is one. */
  async function notify(tx: EntityManager, alert: Alert, kind: 'new' | 'repeat', at: Date): Promise<RaiseOutcome> {
    const open =
      windowMs > 0
        ? await tx.findOne(
            Alert,
            {
              tenant: alert.tenant,
              id: { $ne: alert.id },
              notificationGroupStartedAt: { $gte: new Date(at.getTime() - windowMs) },
            },
            { orderBy: { notificationGroupStartedAt: 'desc' } },
          )
        : null;
    alert.notifiedAt = at;
    alert.notifyCount += 1;
    alert.notifyError = null;
    if (open?.notificationGroup) {
      alert.notificationGroup = open.notificationGroup;
      alert.notificationGroupStartedAt = open.notificationGroupStartedAt;
      alert.notificationRefs = { ...open.notificationRefs };
      await tx.flush();
      await refresh(tx, alert);
      return 'grouped';
    }
    alert.notificationGroup = randomUUID();
    alert.notificationGroupStartedAt = at;
    const { refs, failed, error } = await sendAll(
      options.notifiers,
      { tenantId: alert.tenant.id, kind, alerts: [view(alert)] },
      alert.key,
    );
    alert.notificationRefs = refs;
    alert.notifyError = error;
    alert.notifyFailed = failed;
    if (failed.length && !Object.keys(refs).length) {
      // Nothing went out: leave the alert un-notified so the next raise tries again.
      alert.notifiedAt = null;
      alert.notifyCount -= 1;
    }
    await tx.flush();
    return kind === 'repeat' ? 'repeated' : 'notified';
  }

  return {
    async raise(input) {
      if (!input.key.trim()) throw badInput('An alert needs a key: the stable name of the condition');
      if (!input.title.trim()) throw badInput('An alert needs a title');
      if (!SEVERITIES.includes(input.severity))
        throw badInput(`Alert severity must be one of ${SEVERITIES.join(', ')}`);
      return locked(input.tenantId, async (tx) => {
        const at = now();
        let alert = await tx.findOne(Alert, { tenant: input.tenantId, key: input.key });
        let newEpisode = false;
        if (!alert) {
          alert = tx.create(Alert, {
            tenant: input.tenantId,
            key: input.key,
            title: input.title,
            severity: input.severity,
            firedAt: at,
            lastSeenAt: at,
          });
          newEpisode = true;
        } else if (alert.status === 'resolved') {
          Object.assign(alert, {
            status: 'firing',
            firedAt: at,
            resolvedAt: null,
            acknowledgedBy: null,
            acknowledgedAt: null,
          });
          newEpisode = true;
        }
        Object.assign(alert, {
          title: input.title,
          severity: input.severity,
          description: input.description ?? alert.description,
          metric: input.metric ?? alert.metric,
          value: input.value ?? alert.value,
          threshold: input.threshold ?? alert.threshold,
          query: input.query ?? alert.query,
          runbookUrl: input.runbookUrl ?? alert.runbookUrl,
          lastSeenAt: at,
        });
        await tx.flush();

        let outcome: RaiseOutcome;
        if (alert.silencedUntil && alert.silencedUntil > at) outcome = 'silenced';
        else if (newEpisode || !alert.notifiedAt || alert.notifiedAt < alert.firedAt)
          outcome = await notify(tx, alert, 'new', at);
        else if (alert.acknowledgedAt) outcome = 'acknowledged';
        else if (at.getTime() - alert.notifiedAt.getTime() >= repeatMs) outcome = await notify(tx, alert, 'repeat', at);
        else if (await retryFailed(tx, alert)) outcome = 'retried';
        else outcome = 'deduplicated';
        options.logger.info({ tenantId: input.tenantId, alert: input.key, outcome }, 'alert raised');
        return { alert: view(alert), outcome };
      });
    },

    async resolve(tenantId, key) {
      return locked(tenantId, async (tx) => {
        const alert = await tx.findOne(Alert, { tenant: tenantId, key, status: 'firing' });
        if (!alert) return null;
        alert.status = 'resolved';
        alert.resolvedAt = now();
        await tx.flush();
        await refresh(tx, alert);
        return view(alert);
      });
    },

    async acknowledge(tenantId, alertId, by) {
      return locked(tenantId, async (tx) => {
        const alert = await tx.findOne(Alert, { tenant: tenantId, id: alertId });
        if (!alert) throw notFound('Alert', alertId);
        if (!alert.acknowledgedAt) {
          const before = stateOf(alert);
          alert.acknowledgedBy = by;
          alert.acknowledgedAt = now();
          audit(tx, alert, by, 'alert.acknowledge', before);
          await tx.flush();
          await refresh(tx, alert);
        }
        return view(alert);
      });
    },

    async silence(tenantId, alertId, by, minutes = options.silenceMinutes, reason = null) {
      if (!(minutes > 0)) throw badInput('Silence for a positive number of minutes');
      return locked(tenantId, async (tx) => {
        const alert = await tx.findOne(Alert, { tenant: tenantId, id: alertId });
        if (!alert) throw notFound('Alert', alertId);
        const before = stateOf(alert);
        alert.silencedUntil = new Date(now().getTime() + minutes * 60_000);
        alert.silencedBy = by;
        alert.silenceReason = reason?.trim() || null;
        audit(tx, alert, by, 'alert.silence', before);
        await tx.flush();
        await refresh(tx, alert);
        return view(alert);
      });
    },

    async unsilence(tenantId, alertId, by) {
      return locked(tenantId, async (tx) => {
        const alert = await tx.findOne(Alert, { tenant: tenantId, id: alertId });
        if (!alert) throw notFound('Alert', alertId);
        if (alert.silencedUntil && alert.silencedUntil > now()) {
          const before = stateOf(alert);
          Object.assign(alert, { silencedUntil: null, silencedBy: null, silenceReason: null });
          audit(tx, alert, by, 'alert.unsilence', before);
          await tx.flush();
          await refresh(tx, alert);
        }
        return view(alert);
      });
    },

    async firing(tenantId) {
      const alerts = await options.orm.em
        .fork()
        .find(Alert, { tenant: tenantId, status: 'firing' }, { orderBy: { firedAt: 'desc' } });
      return alerts.map(view);
    },

    async get(tenantId, alertId) {
      const alert = await options.orm.em.fork().findOne(Alert, { tenant: tenantId, id: alertId });
      if (!alert) throw notFound('Alert', alertId);
      return view(alert);
    },
  };
}
