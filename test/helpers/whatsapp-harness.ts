import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import twilio from 'twilio';
import {
  createWhatsAppChannel,
  type WhatsAppChannel,
  type WhatsAppChannelConfig,
  type WhatsAppChannelDependencies,
} from '../../channels/whatsapp/whatsapp-channel';
import type { Orm } from '../../src/db/orm';
import {
  createConversationEngine,
  type ConversationEngineOptions,
  type ConversationEngineService,
} from '../../src/engine/conversation-engine';
import { CustomerChannelRegistry } from '../../src/engine/outbound';
import { DomainEvents } from '../../src/events';
import { createApp } from '../../src/http';
import { createMetrics } from '../../src/metrics';
import { SecretBox } from '../../src/security/secret-box';
import { createTenant } from '../../src/tenants/tenant-service';
import { setWhatsAppSettings } from '../../src/tenants/whatsapp-settings';
import type { ModelGateway } from '../../src/providers/types';
import type { TenantSettings } from '../../src/db/entities';

export const ACCOUNT_SID = 'AC' + '1'.repeat(32);
export const AUTH_TOKEN = 'tenant-auth-token-0123456789abcdef';
export const BUSINESS_NUMBER = 'whatsapp:+14155238886';

/** A parley HTTP server with the WhatsApp channel and the real engine on a test database, talking to a fake Twilio. */
export interface WhatsAppHarness {
  baseUrl: string;
  channel: WhatsAppChannel;
  engine: ConversationEngineService;
  events: DomainEvents;
  registry: CustomerChannelRegistry;
  box: SecretBox;
  close(): Promise<void>;
}

/** The harness's PARLEY_SECRET_KEY (hex), for a service process that must read the secrets it wrote. */
export const secretKeyHex = crypto.randomBytes(32).toString('hex');
export const secretBox = new SecretBox(Buffer.from(secretKeyHex, 'hex'));

export async function createWhatsAppTenant(
  orm: Orm,
  options: { name?: string; number?: string; settings?: TenantSettings; accountSid?: string; authToken?: string } = {},
): Promise<string> {
  const em = orm.em.fork();
  const tenant = await createTenant(em, {
    name: options.name ?? `shop-${crypto.randomBytes(3).toString('hex')}`,
    settings: options.settings ?? { feedbackPromptFrequency: 'always' },
  });
  await setWhatsAppSettings(em, secretBox, tenant.id, {
    numbers: [options.number ?? BUSINESS_NUMBER],
    accountSid: options.accountSid ?? ACCOUNT_SID,
    authToken: options.authToken ?? AUTH_TOKEN,
  });
  return tenant.id;
}

export async function startWhatsAppHarness(
  orm: Orm,
  gateway: ModelGateway,
  options: {
    twilioUrl: string;
    config?: Partial<WhatsAppChannelConfig>;
    engine?: Partial<ConversationEngineOptions>;
    channel?: Partial<WhatsAppChannelDependencies>;
    start?: boolean;
  },
): Promise<WhatsAppHarness> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const events = new DomainEvents();
  const engine = createConversationEngine({ orm, gateway, events, logger, ...options.engine });
  const registry = new CustomerChannelRegistry();
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const channel = createWhatsAppChannel({
    config: {
      publicBaseUrl: baseUrl,
      TWILIO_ACCOUNT_SID: undefined,
      TWILIO_AUTH_TOKEN: undefined,
      TWILIO_API_URL: options.twilioUrl,
      WHATSAPP_SESSION_WINDOW_HOURS: 24,
      WHATSAPP_RETRY_BASE_MS: 5,
      WHATSAPP_RETRY_MAX_MS: 1_000,
      WHATSAPP_SEND_TIMEOUT_MS: 2_000,
      WHATSAPP_CONCURRENCY: 8,
      ...options.config,
    },
    orm,
    engine,
    secretBox,
    logger,
    metrics: createMetrics({ defaults: false }),
    events,
    customerChannels: registry,
    recoverySweepMs: 0,
    ...options.channel,
  });
  const app = await createApp({ orm, logger, metrics: createMetrics({ defaults: false }) }, [channel.mount]);
  server.on('request', app);
  if (options.start ?? true) await channel.start();
  return {
    baseUrl,
    channel,
    engine,
    events,
    registry,
    box: secretBox,
    async close() {
      await channel.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let sequence = 0;
/** A Twilio MessageSid-shaped id, unique per call. */
export function messageSid(): string {
  sequence += 1;
  return `SM${crypto.randomBytes(12).toString('hex')}${String(sequence).padStart(8, '0')}`;
}

/** Fields Twilio sends with every WhatsApp message webhook. */
export function inboundFields(overrides: Record<string, string> = {}): Record<string, string> {
  const sid = overrides.MessageSid ?? messageSid();
  return {
    SmsMessageSid: sid,
    NumMedia: '0',
    ProfileName: 'Ada',
    MessageType: 'text',
    SmsSid: sid,
    WaId: '447700900123',
    SmsStatus: 'received',
    Body: 'Hello',
    To: BUSINESS_NUMBER,
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: 'whatsapp:+447700900123',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
}

/** POSTs a form to parley signed the way Twilio signs it (the twilio library's own function), unless `signature` overrides it. */
export async function postSigned(
  baseUrl: string,
  path: string,
  fields: Record<string, string>,
  options: { signature?: string | null; token?: string } = {},
): Promise<{ status: number; body: string; contentType: string | null }> {
  const url = `${baseUrl}${path}`;
  const signature =
    options.signature === undefined
      ? twilio.getExpectedTwilioSignature(options.token ?? AUTH_TOKEN, url, fields)
      : options.signature;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...(signature ? { 'X-Twilio-Signature': signature } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') };
}
