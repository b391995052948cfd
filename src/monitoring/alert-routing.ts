import { setTimeout as sleep } from 'node:timers/promises';
import { Tenant } from '../db/entities';
import type { Orm } from '../db/orm';
import type { Logger } from '../logger';
import { readAlertSettings, routeFor, ROUTABLE_NOTIFIERS, type TenantAlertSettings } from './alert-settings';
import type { AlertNotification, AlertNotifier, AlertSeverity } from './alert-types';

/** Looks up a tenant's `settings.alerts` (parsed with its zod schema; defaults when absent or invalid). */
export type AlertSettingsReader = (tenantId: string) => Promise<TenantAlertSettings>;

export function createAlertSettingsReader(orm: Orm, logger: Logger): AlertSettingsReader {
  return async (tenantId) => {
    const tenant = await orm.em.fork().findOne(Tenant, { id: tenantId }, { fields: ['settings'] });
    const { settings, error } = readAlertSettings(tenant?.settings);
    if (error) logger.warn({ tenantId, error }, 'invalid alert settings: using the defaults');
    return settings;
  };
}

/** An error a notifier throws when trying again cannot help (a 400 from PagerDuty, a rejected address). */
export class PermanentNotifierError extends Error {
  readonly retryable = false;
}

/** An error that says how long to wait before the next try (PagerDuty's 429 Retry-After). */
export interface RetryHint {
  retryAfterMs?: number;
}

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** The severity a message is routed by: the highest among its alerts. */
export function notificationSeverity(notification: AlertNotification): AlertSeverity {
  return notification.alerts.reduce<AlertSeverity>(
    (highest, alert) => (RANK[alert.severity] > RANK[highest] ? alert.severity : highest),
    'info',
  );
}

export interface RoutingOptions {
  settingsFor: AlertSettingsReader;
  logger: Logger;
  /** Tries after the first failure of one send or update (ALERT_NOTIFY_RETRIES). */
  retries: number;
  /** First backoff delay; doubles on each retry (with jitter), capped at 30 s. */
  backoffMs?: number;
  /** False: every notifier gets every severity (`npm run alert:test` exercises them all). */
  routeBySeverity?: boolean;
}

/**
 * Wraps notifiers with per-tenant, per-severity routing and retries. A routed
 * notifier answers `null` (nowhere to send) when the tenant's route for the
 * severity leaves it out, so the alert service stays channel-neutral. Failures
 * are retried with exponential backoff unless the error says it is permanent;
 * the alert service calls the notifiers concurrently, so one notifier's
 * retries never delay another's message.
 */
export function routeNotifiers(notifiers: AlertNotifier[], options: RoutingOptions): AlertNotifier[] {
  return notifiers.map((notifier) => {
    const routable = (ROUTABLE_NOTIFIERS as readonly string[]).includes(notifier.id);
    return {
      id: notifier.id,
      async send(notification) {
        if (routable && options.routeBySeverity !== false) {
          const settings = await options.settingsFor(notification.tenantId);
          if (!(routeFor(settings, notificationSeverity(notification)) as string[]).includes(notifier.id)) return null;
        }
        return withRetries(() => notifier.send(notification), notifier.id, options);
      },
      update(reference, notification) {
        return withRetries(() => notifier.update(reference, notification), notifier.id, options);
      },
    };
  });
}

export async function withRetries<T>(
  work: () => Promise<T>,
  label: string,
  options: Pick<RoutingOptions, 'retries' | 'backoffMs' | 'logger'>,
): Promise<T> {
  const base = options.backoffMs ?? 500;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      const permanent = (error as { retryable?: boolean }).retryable === false;
      if (permanent || attempt >= options.retries) throw error;
      const hinted = (error as RetryHint).retryAfterMs;
      const delay =
        hinted !== undefined
          ? Math.min(30_000, hinted)
          : Math.min(30_000, base * 2 ** attempt * (0.75 + Math.random() * 0.5));
      options.logger.warn(
        { err: error, notifier: label, attempt: attempt + 1, delayMs: Math.round(delay) },
        'alert delivery failed: retrying',
      );
      await sleep(delay);
    }
  }
}
