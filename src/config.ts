import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';
import net from 'node:net';
import { ConfigError } from './errors';
import { weakKeyReason } from './security/key-strength';

/**
 * The only reader of process.env. Every setting is declared here once, with its
 * default and a human sentence saying what a valid value looks like; the README
 * table mirrors this list.
 */
const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const url = z.string().url();

interface Setting {
  schema: z.ZodTypeAny;
  expectation: string;
  default?: string;
}

export const settings = {
  NODE_ENV: {
    schema: z.enum(['development', 'production', 'test']),
    default: 'development',
    expectation: 'must be one of development, production, test',
  },
  HOST: {
    schema: z.string().min(1),
    default: '0.0.0.0',
    expectation: 'must be a host name or IP address to listen on',
  },
  PORT: { schema: port, default: '3000', expectation: 'must be a TCP port number between 0 and 65535' },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    expectation: 'must be one of fatal, error, warn, info, debug, trace, silent',
  },
  PUBLIC_BASE_URL: {
    schema: url.optional(),
    expectation:
      'must be the absolute URL the service is reachable at, as platforms call it (e.g. https://parley.example.com; default http://localhost:$PORT)',
  },
  DATABASE_URL: {
    schema: url.refine((value) => /^postgres(ql)?:\/\//.test(value)).optional(),
    expectation: 'must be a postgres:// connection URL',
  },
  DATABASE_POOL_MAX: {
    schema: positiveInt,
    default: '10',
    expectation: 'must be a positive integer (connections in the pool)',
  },
  PARLEY_DATA_DIR: { schema: z.string().min(1), default: './.parley', expectation: 'must be a directory path' },
  EMBEDDED_DB_DIR: {
    schema: z.string().min(1).optional(),
    expectation: 'must be a directory path (default: $PARLEY_DATA_DIR/db)',
  },
  EMBEDDED_DB_PORT: { schema: port.optional(), expectation: 'must be a TCP port number (default: a free port)' },
  PARLEY_SECRET_KEY: {
    schema: z
      .string()
      .refine((value) => decodeKey(value) !== null)
      .optional(),
    expectation: 'must be 32 bytes as 64 hex characters or base64 (generate one with: openssl rand -hex 32)',
  },
  SEED_DEMO: {
    schema: booleanString.optional(),
    expectation: 'must be true or false (default: true, false when NODE_ENV=production)',
  },
  TRUST_PROXY: {
    schema: z.string().refine((value) => parseTrustProxy(value) !== undefined),
    default: 'false',
    expectation:
      'must be false, true, a number of proxy hops, or a comma-separated list of proxy addresses/CIDRs (loopback, linklocal, uniquelocal allowed) as Express\'s "trust proxy" accepts',
  },
  METRICS_TOKEN: {
    schema: z.string().min(16).optional(),
    expectation: 'must be at least 16 characters; when set, GET /metrics needs Authorization: Bearer <token>',
  },
  METRICS_PORT: {
    schema: port.optional(),
    expectation: 'must be a TCP port number; when set, /metrics is served only there (on METRICS_HOST) and not on PORT',
  },
  METRICS_HOST: {
    schema: z.string().min(1),
    default: '127.0.0.1',
    expectation: 'must be a host name or IP address for the METRICS_PORT listener',
  },
  GRAPHQL_INTROSPECTION: {
    schema: booleanString.optional(),
    expectation:
      'must be true or false (default: open to everyone outside production; in production only to callers with an API key)',
  },
  FEEDBACK_TOKEN_TTL_DAYS: {
    schema: positiveInt,
    default: '30',
    expectation: 'must be a positive integer (days a feedback link works after it is issued)',
  },
  SHUTDOWN_TIMEOUT_MS: {
    schema: positiveInt,
    default: '10000',
    expectation: 'must be a positive integer (milliseconds)',
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
  HANDOFF_IDLE_RELEASE_MINUTES: {
    schema: z.coerce.number().int().min(0),
    default: '30',
    expectation:
      'must be a whole number of minutes (0 = never): a handed-off conversation quiet this long goes back to the bot, on every channel, unless the tenant sets settings.handoff.idleReleaseMinutes',
  },
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
  OPENAI_API_KEY: {
    schema: z.string().min(1).optional(),
    expectation: 'must be an OpenAI API key (tenants may store their own; without any key OpenAI is skipped)',
  },
  OPENAI_BASE_URL: {
    schema: url.optional(),
    expectation:
      'must be the absolute URL of an OpenAI-compatible API, including /v1 (e.g. http://localhost:11434/v1 for Ollama; default https://api.openai.com/v1)',
  },
  GEMINI_API_KEY: {
    schema: z.string().min(1).optional(),
    expectation: 'must be a Gemini API key (tenants may store their own; without any key Gemini is skipped)',
  },
  GEMINI_BASE_URL: {
    schema: url.optional(),
    expectation:
      'must be the absolute URL of the Gemini API, without the version (default https://generativelanguage.googleapis.com)',
  },
  PROVIDER_TIMEOUT_MS: {
    schema: positiveInt,
    default: '30000',
    expectation: 'must be a positive integer (milliseconds one provider call may take at most before failing over)',
  },
  PROVIDER_TURN_BUDGET_MS: {
    schema: positiveInt,
    default: '8000',
    expectation: 'must be a positive integer (milliseconds all model calls of one turn may take together)',
  },
  PROVIDER_MAX_RETRIES: {
    schema: z.coerce.number().int().min(0).max(10),
    default: '2',
    expectation: 'must be an integer from 0 to 10 (retries of one provider on retryable errors)',
  },
  HEALTH_WINDOW_MINUTES: {
    schema: positiveInt,
    default: '60',
    expectation: 'must be a positive integer (minutes of provider health history)',
  },
  CIRCUIT_FAILURE_RATE: {
    schema: z.coerce.number().gt(0).max(1),
    default: '0.5',
    expectation: 'must be a number above 0 and at most 1 (failure rate that opens a provider circuit)',
  },
  CIRCUIT_MIN_CALLS: {
    schema: positiveInt,
    default: '5',
    expectation: 'must be a positive integer (calls in the recent window before a circuit may open)',
  },
  CIRCUIT_WINDOW_CALLS: {
    schema: positiveInt,
    default: '10',
    expectation: 'must be a positive integer (the most recent calls a circuit judges)',
  },
  CIRCUIT_WINDOW_SECONDS: {
    schema: positiveInt,
    default: '60',
    expectation: 'must be a positive integer (seconds: calls older than this do not count towards opening a circuit)',
  },
  CIRCUIT_COOLDOWN_MS: {
    schema: positiveInt,
    default: '30000',
    expectation: 'must be a positive integer (milliseconds an open circuit waits before a probe)',
  },
  KB_CONFIDENCE_THRESHOLD: {
    schema: z.coerce.number().min(0).max(1),
    default: '0.3',
    expectation:
      'must be a number from 0 to 1 (knowledge similarity needed to answer, and to be a reference answer in a prompt)',
  },
  KB_MIN_MARGIN: {
    schema: z.coerce.number().min(0).max(1),
    default: '0.02',
    expectation:
      'must be a number from 0 to 1 (below a clear match, how far the best article must lead the best one of another topic for the knowledge base to answer)',
  },
  KB_RETRIEVAL_K: {
    schema: z.coerce.number().int().min(0).max(20),
    default: '3',
    expectation: 'must be an integer from 0 to 20 (approved answers put in each LLM prompt as references; 0 = none)',
  },
  KB_LISTEN: {
    schema: booleanString,
    default: 'true',
    expectation: 'must be true or false (listen for knowledge changes made by other instances)',
  },
  RESPONSE_CACHE_TTL_MS: {
    schema: z.coerce.number().int().min(0),
    default: '60000',
    expectation: 'must be a non-negative integer (milliseconds; 0 disables the response cache)',
  },
  ROUTE_CACHE_TTL_MS: {
    schema: z.coerce.number().int().min(0),
    default: '300000',
    expectation: 'must be a non-negative integer (milliseconds the provider selection is cached)',
  },
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
  INSTANCE_HEARTBEAT_MS: {
    schema: positiveInt,
    default: '2000',
    expectation: 'must be a positive integer (milliseconds between two heartbeats of this instance in PostgreSQL)',
  },
  INSTANCE_STALE_AFTER_MS: {
    schema: positiveInt,
    default: '10000',
    expectation:
      'must be a positive integer of at least two heartbeats (milliseconds without a heartbeat after which an instance is dead and its claims are taken over)',
  },
  MESSAGE_PROCESSING_LEASE_MS: {
    schema: positiveInt,
    default: '300000',
    expectation:
      'must be a positive integer (milliseconds a worker may spend answering one message before its claim is taken back after a crash)',
  },
  HISTORY_TOKEN_BUDGET: {
    schema: positiveInt,
    default: '8000',
    expectation:
      'must be a positive integer (tokens of conversation history sent with each turn; older messages are left out)',
  },
  JOBS_ENABLED: {
    schema: booleanString.optional(),
    expectation: 'must be true or false (scheduled jobs; default true, false when NODE_ENV=test)',
  },
  USAGE_RETENTION_DAYS: {
    schema: positiveInt,
    default: '90',
    expectation: 'must be a positive integer (days provider usage rows are kept; daily summaries are kept for good)',
  },
  USAGE_CLEANUP_BATCH_SIZE: {
    schema: positiveInt,
    default: '5000',
    expectation: 'must be a positive integer (usage rows deleted per statement by the weekly cleanup)',
  },
  GRAPHIQL_ENABLED: {
    schema: booleanString.optional(),
    expectation: 'must be true or false (default: true unless NODE_ENV is production)',
  },
  CONSOLE_SESSION_HOURS: {
    schema: z.coerce.number().positive().max(720),
    default: '12',
    expectation: 'must be a positive number of hours, at most 720 (how long an admin-console sign-in lasts)',
  },
  GRAPHQL_MAX_DEPTH: {
    schema: positiveInt,
    default: '10',
    expectation: 'must be a positive integer (deepest field nesting a GraphQL query may have)',
  },
  GRAPHQL_MAX_COST: {
    schema: positiveInt,
    default: '10000',
    expectation: 'must be a positive integer (graphql-armor cost units a GraphQL query may spend)',
  },
  FEEDBACK_RATE_LIMIT: {
    schema: positiveInt,
    default: '20',
    expectation:
      'must be a positive integer (public submitFeedback calls allowed per IP and per token each FEEDBACK_RATE_WINDOW_SECONDS)',
  },
  FEEDBACK_RATE_WINDOW_SECONDS: {
    schema: positiveInt,
    default: '60',
    expectation: 'must be a positive integer (seconds of the submitFeedback rate-limit window)',
  },
} satisfies Record<string, Setting>;

type Settings = typeof settings;
export type Config = {
  [K in keyof Settings]: z.infer<Settings[K]['schema']>;
} & {
  secretKey: Buffer | null;
  embeddedDbDir: string;
  publicBaseUrl: string;
  runbookBaseUrl: string;
  SEED_DEMO: boolean;
  trustProxy: TrustProxy;
};

/** Express's "trust proxy" value: off, every hop, a hop count, or the addresses of trusted proxies. */
export type TrustProxy = boolean | number | string[];

const namedSubnets = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY as Express accepts it, or undefined when the text is not a valid value. */
export function parseTrustProxy(text: string): TrustProxy | undefined {
  const value = text.trim().toLowerCase();
  if (value === '' || value === 'false' || value === '0' || value === 'no') return false;
  if (value === 'true' || value === 'yes') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const valid = entries.every((entry) => {
    if (namedSubnets.has(entry)) return true;
    const [address, bits, extra] = entry.split('/');
    if (extra !== undefined || !address || !net.isIP(address)) return false;
    if (bits === undefined) return true;
    const max = net.isIPv4(address) ? 32 : 128;
    return /^\d+$/.test(bits) && Number(bits) <= max;
  });
  return valid && entries.length ? entries : undefined;
}

/** 32-byte key from hex or base64, or null when the text is neither. */
export function decodeKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const fromBase64 = Buffer.from(trimmed, 'base64');
  return fromBase64.length === 32 ? fromBase64 : null;
}

/**
 * Parse and validate the environment. Throws a ConfigError naming the first bad
 * variable; nothing else in the code reads process.env.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { dotenvPath?: string | false } = {},
): Config {
  const merged: Record<string, string | undefined> = { ...env };
  const dotenvPath = options.dotenvPath === undefined ? path.resolve('.env') : options.dotenvPath;
  if (dotenvPath && fs.existsSync(dotenvPath)) {
    const parsed = dotenv.parse(fs.readFileSync(dotenvPath));
    for (const [key, value] of Object.entries(parsed)) if (merged[key] === undefined) merged[key] = value;
  }
  const result: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(settings) as [string, Setting][]) {
    const raw = merged[name];
    const value = raw === undefined || raw === '' ? setting.default : raw;
    const parsed = setting.schema.safeParse(value);
    if (!parsed.success) throw new ConfigError(name, `${setting.expectation} (got ${describe(name, raw)})`);
    result[name] = parsed.data;
  }
  const config = result as Config;
  config.secretKey = config.PARLEY_SECRET_KEY ? decodeKey(config.PARLEY_SECRET_KEY) : null;
  const weakness = config.secretKey ? weakKeyReason(config.PARLEY_SECRET_KEY!, config.secretKey) : null;
  if (weakness)
    throw new ConfigError('PARLEY_SECRET_KEY', `is too weak: ${weakness}; generate one with: openssl rand -hex 32`);
  config.SEED_DEMO = config.SEED_DEMO ?? config.NODE_ENV !== 'production';
  config.trustProxy = parseTrustProxy(config.TRUST_PROXY) ?? false;
  config.publicBaseUrl = (config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
  config.runbookBaseUrl = config.ALERT_RUNBOOK_BASE_URL ?? `${config.publicBaseUrl}/runbooks/`;
  config.embeddedDbDir = path.resolve(config.EMBEDDED_DB_DIR ?? path.join(config.PARLEY_DATA_DIR, 'db'));
  if (config.NODE_ENV === 'production' && !config.secretKey) {
    throw new ConfigError(
      'PARLEY_SECRET_KEY',
      'is required in production (64 hex characters; generate one with: openssl rand -hex 32)',
    );
  }
  return config;
}

function describe(name: string, raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'nothing';
  if (/KEY|SECRET|TOKEN|PASSWORD/.test(name)) return 'a value that is hidden';
  return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
}
