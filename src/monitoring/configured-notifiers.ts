import type { Config } from '../config';
import type { Orm } from '../db/orm';
import type { Logger } from '../logger';
import { createAlertSettingsReader, routeNotifiers } from './alert-routing';
import type { AlertServiceOptions } from './alert-service';
import type { AlertNotifier } from './alert-types';
import { createEmailNotifier } from './email-notifier';
import { createLogAlertNotifier } from './log-alert-notifier';
import { createPagerDutyNotifier } from './pagerduty-notifier';

export interface ConfiguredNotifiers {
  /** Routed and retrying: what the alert service gets. */
  notifiers: AlertNotifier[];
  /** Which media are on, and why the others are off (for start-up logs and `npm run alert:test`). */
  enabled: string[];
  disabled: string[];
  close(): void;
}

/** The alert service's settings from the configuration (ALERT_*, and the console link in notifications). */
export function configuredAlertSettings(
  config: Config,
): Pick<AlertServiceOptions, 'repeatHours' | 'groupWindowSeconds' | 'silenceMinutes' | 'graphqlUrl'> {
  return {
    repeatHours: config.ALERT_REPEAT_HOURS,
    groupWindowSeconds: config.ALERT_GROUP_WINDOW_SECONDS,
    silenceMinutes: config.ALERT_SILENCE_MINUTES,
    graphqlUrl: `${config.publicBaseUrl}/graphql`,
  };
}

/**
 * The notifiers the configuration turns on: the log always, email when
 * ALERT_SMTP_URL is set, PagerDuty always (it sends only for tenants with a
 * routing key, or with PAGERDUTY_ROUTING_KEY), plus the ones a composition
 * root built (Slack). All of them go through per-tenant routing and retries.
 */
export function configuredNotifiers(
  config: Config,
  orm: Orm,
  logger: Logger,
  extra: AlertNotifier[] = [],
  options: { routeBySeverity?: boolean } = {},
): ConfiguredNotifiers {
  const settingsFor = createAlertSettingsReader(orm, logger);
  const raw: AlertNotifier[] = [createLogAlertNotifier(logger), ...extra];
  const disabled: string[] = [];
  let closeEmail = () => undefined as void;
  if (config.ALERT_SMTP_URL) {
    const email = createEmailNotifier({
      smtpUrl: config.ALERT_SMTP_URL,
      from: config.ALERT_EMAIL_FROM,
      defaultTo: (config.ALERT_EMAIL_TO ?? '')
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean),
      settingsFor,
    });
    raw.push(email);
    closeEmail = () => email.close();
  } else disabled.push('email (set ALERT_SMTP_URL)');
  raw.push(
    createPagerDutyNotifier({
      eventsUrl: config.PAGERDUTY_EVENTS_URL,
      defaultRoutingKey: config.PAGERDUTY_ROUTING_KEY ?? null,
      settingsFor,
      source: config.publicBaseUrl,
    }),
  );
  if (!config.PAGERDUTY_ROUTING_KEY)
    disabled.push('pagerduty for tenants without settings.alerts.pagerduty.routingKey (set PAGERDUTY_ROUTING_KEY)');
  return {
    notifiers: routeNotifiers(raw, {
      settingsFor,
      logger,
      retries: config.ALERT_NOTIFY_RETRIES,
      routeBySeverity: options.routeBySeverity,
    }),
    enabled: raw.map((notifier) => notifier.id),
    disabled,
    close: closeEmail,
  };
}
