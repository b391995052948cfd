import { z } from 'zod';
import { positiveInt, type Setting, url } from './setting';

/** Alerting: grouping, repeats, silences, and the email and PagerDuty notifiers. */
export const alertsSettings = {
  ALERT_REPEAT_HOURS: {
    schema: z.coerce.number().positive(),
    default: '4',
    expectation: 'must be a positive number of hours between repeats of a still-firing alert',
  },
  ALERT_GROUP_WINDOW_SECONDS: {
    schema: z.coerce.number().int().min(0),
    default: '30',
    expectation: 'must be a whole number of seconds (0 turns grouping off)',
  },
  ALERT_SILENCE_MINUTES: {
    schema: positiveInt,
    default: '60',
    expectation: 'must be a positive integer (minutes the Silence button mutes an alert)',
  },
  ALERT_SMTP_URL: {
    schema: z
      .string()
      .regex(/^smtps?:\/\//)
      .optional(),
    expectation:
      'must be an SMTP URL (smtp://user:password@host:587 or smtps://…:465); email alerts are off when unset',
  },
  ALERT_EMAIL_FROM: {
    schema: z.string().min(3),
    default: 'parley alerts <alerts@localhost>',
    expectation: 'must be the From address of alert emails',
  },
  ALERT_EMAIL_TO: {
    schema: z.string().optional(),
    expectation: 'must be a comma-separated list of addresses that get alert emails when a tenant names none',
  },
  PAGERDUTY_EVENTS_URL: {
    schema: url,
    default: 'https://events.pagerduty.com',
    expectation: 'must be the PagerDuty Events API base URL, without /v2/enqueue (tests point it at a fake PagerDuty)',
  },
  PAGERDUTY_ROUTING_KEY: {
    schema: z.string().min(1).optional(),
    expectation:
      'must be a PagerDuty Events API v2 integration (routing) key used when a tenant sets none; PagerDuty is off without any key',
  },
  ALERT_RUNBOOK_BASE_URL: {
    schema: url.refine((value) => value.endsWith('/')).optional(),
    expectation:
      'must be a URL ending in a slash under which the alert runbooks are published (<url><rule>); default <PUBLIC_BASE_URL>/runbooks/',
  },
  ALERT_NOTIFY_RETRIES: {
    schema: z.coerce.number().int().min(0).max(10),
    default: '3',
    expectation:
      'must be an integer from 0 to 10 (retries of a failed email or PagerDuty delivery, with exponential backoff)',
  },
} satisfies Record<string, Setting>;
