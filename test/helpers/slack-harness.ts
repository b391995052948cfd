import pino from 'pino';
import { createSlackApp, SLACK_EVENTS_PATH, type SlackApp } from '../../channels/slack/slack-app';
import type { Orm } from '../../src/db/orm';
import type { TenantSettings } from '../../src/db/entities';
import { CustomerChannelRegistry } from '../../src/engine/outbound';
import { DomainEvents } from '../../src/events';
import { createApp, listen, type RunningServer } from '../../src/http';
import { createMetrics } from '../../src/metrics';
import { createAlertService, type AlertService, type AlertServiceOptions } from '../../src/monitoring/alert-service';
import type { SecretBox } from '../../src/security/secret-box';
import { secretBox as testSecretBox } from './whatsapp-harness';
import { startFakeSlackServer, type FakeSlackServer } from '../fakes/fake-slack-server';

/** A signing secret shaped like Slack's (32 hex characters). */
export const SIGNING_SECRET = 'a3f1c9e07b2d4e6f8a0b1c2d3e4f5a6b';
export const BOT_TOKEN = 'xoxb-1111-2222-parleytesttoken';
export const HANDOFF_CHANNEL = 'C0HANDOFF';
export const REVIEW_CHANNEL = 'C0REVIEW';
export const ONCALL_CHANNEL = 'C0ONCALL';
export const APPROVER = 'U0LEAD';
export const AGENT = 'U0AGENT';

/** Tenant settings that route everything to the test channels. */
export function slackSettings(overrides: Record<string, unknown> = {}): TenantSettings {
  return {
    channels: {
      slack: {
        handoffChannel: HANDOFF_CHANNEL,
        reviewChannel: REVIEW_CHANNEL,
        oncallChannel: ONCALL_CHANNEL,
        approvers: [APPROVER],
        reviewSampleRate: 0,
        idleReleaseMinutes: 30,
        ...overrides,
      },
    },
  };
}

export interface SlackHarness {
  /** POST target for signed Slack requests. */
  url: string;
  slack: FakeSlackServer;
  app: SlackApp;
  events: DomainEvents;
  customers: CustomerChannelRegistry;
  alerts: AlertService;
  secretBox: SecretBox;
  close(): Promise<void>;
}

/**
 * parley's HTTP server with the real Slack app mounted, its Web API client
 * talking to a fake Slack, and the alert service delivering through it.
 * Handlers run before the HTTP answer (processBeforeResponse) so a test sees
 * their effects when the request returns.
 */
export async function startSlackHarness(
  orm: Orm,
  options: {
    events?: DomainEvents;
    customers?: CustomerChannelRegistry;
    alerts?: Partial<AlertServiceOptions>;
    retries?: number;
    processBeforeResponse?: boolean;
    /** Decrypts tenants' own bot tokens; by default the key the WhatsApp harness encrypts tenant secrets with. */
    secretBox?: SecretBox;
  } = {},
): Promise<SlackHarness> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const slack = await startFakeSlackServer();
  const events = options.events ?? new DomainEvents();
  const customers = options.customers ?? new CustomerChannelRegistry();
  const secretBox = options.secretBox ?? testSecretBox;
  const app = createSlackApp({
    config: {
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      apiUrl: slack.apiUrl,
      publicBaseUrl: 'https://parley.test',
      idleSweepSeconds: 3600,
    },
    orm,
    events,
    logger,
    customers,
    secretBox,
    processBeforeResponse: options.processBeforeResponse ?? true,
    retries: options.retries ?? 0,
  });
  const alerts = createAlertService({
    orm,
    notifiers: [app.alertNotifier],
    logger,
    repeatHours: 4,
    groupWindowSeconds: 30,
    silenceMinutes: 60,
    graphqlUrl: 'https://parley.test/graphql',
    ...options.alerts,
  });
  app.attachAlertService(alerts);
  app.start();
  const http = await createApp({ orm, logger, metrics: createMetrics({ defaults: false }) }, [app.mount]);
  const server: RunningServer = await listen(http, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${server.port}${SLACK_EVENTS_PATH}`,
    slack,
    secretBox,
    app,
    events,
    customers,
    alerts,
    async close() {
      await app.stop();
      await server.close(1_000);
      await slack.close();
    },
  };
}
