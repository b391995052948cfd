import { z } from 'zod';
import { positiveInt, type Setting, url } from './setting';

/** Chat channels: WhatsApp through Twilio, Slack for human agents. */
export const channelsSettings = {
  TWILIO_ACCOUNT_SID: {
    schema: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/)
      .optional(),
    expectation:
      'must be a Twilio Account SID (AC followed by 32 hex characters, from the Twilio Console); tenants may set their own',
  },
  TWILIO_AUTH_TOKEN: {
    schema: z.string().min(16).optional(),
    expectation:
      'must be the Twilio auth token of TWILIO_ACCOUNT_SID (tenants may store their own as the twilioAuthToken secret)',
  },
  TWILIO_API_URL: {
    schema: url,
    default: 'https://api.twilio.com',
    expectation:
      'must be the absolute URL of the Twilio REST API; every *.twilio.com host (api, content) is sent there (tests point it at a fake Twilio)',
  },
  WHATSAPP_SESSION_WINDOW_HOURS: {
    schema: z.coerce.number().positive().max(168),
    default: '24',
    expectation:
      "must be a positive number of hours (WhatsApp allows free-form replies for 24 hours after the customer's last message)",
  },
  WHATSAPP_RETRY_BASE_MS: {
    schema: positiveInt,
    default: '500',
    expectation: 'must be a positive integer (milliseconds before the first retry; doubles each time)',
  },
  WHATSAPP_RETRY_MAX_MS: {
    schema: positiveInt,
    default: '300000',
    expectation:
      'must be a positive integer (milliseconds: the longest wait between two send attempts, unless Twilio asks for longer with Retry-After)',
  },
  WHATSAPP_SEND_TIMEOUT_MS: {
    schema: positiveInt,
    default: '15000',
    expectation: 'must be a positive integer (milliseconds one Twilio API call may take)',
  },
  WHATSAPP_CONCURRENCY: {
    schema: positiveInt,
    default: '32',
    expectation: 'must be a positive integer (conversations answered at the same time by one process)',
  },
  SLACK_BOT_TOKEN: {
    schema: z
      .string()
      .regex(/^xox[bpe]-/)
      .optional(),
    expectation: "must be the Slack app's bot token (xoxb-…, from OAuth & Permissions); Slack is off when unset",
  },
  SLACK_SIGNING_SECRET: {
    schema: z
      .string()
      .regex(/^[0-9a-f]{16,}$/i)
      .optional(),
    expectation: "must be the Slack app's signing secret (hex, from Basic Information); Slack is off when unset",
  },
  SLACK_API_URL: {
    schema: url.refine((value) => value.endsWith('/')),
    default: 'https://slack.com/api/',
    expectation: 'must be the Slack Web API base URL ending in a slash (tests point it at a fake Slack)',
  },
  SLACK_IDLE_SWEEP_SECONDS: {
    schema: positiveInt,
    default: '60',
    expectation: 'must be a positive integer (seconds between checks for idle handed-off conversations)',
  },
} satisfies Record<string, Setting>;
