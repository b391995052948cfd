import type { EntityManager } from '@mikro-orm/postgresql';
import express, { type Request, type Response } from 'express';
import { Counter } from 'prom-client';
import twilio from 'twilio';
import type { Config } from '../../src/config';
import type { DeliveryStatus } from '../../src/db/entities';
import type { Orm } from '../../src/db/orm';
import type { CustomerChannel, CustomerChannelRegistry, DeliveryOptions, DeliveryReceipt } from '../../src/engine/outbound';
import type { ConversationEngine } from '../../src/engine/types';
import { AppError, badInput, notFound } from '../../src/errors';
import type { DomainEvents } from '../../src/events';
import { recordImplicitSignals, recordVote } from '../../src/feedback/feedback-service';
import type { RouteMounter } from '../../src/http';
import type { Logger } from '../../src/logger';
import type { Metrics } from '../../src/metrics';
import type { SecretBox } from '../../src/security/secret-box';
import type { ReadinessNotes } from '../../src/readiness';
import { ConversationQueue } from './conversation-queue';
import { diagnoseSignature, SignatureMismatchReporter } from './signature-diagnosis';
import { FeedbackTemplates } from './feedback-template';
import { TwilioClients } from './twilio-client';
import { isStatusProgress, parseInboundWebhook, parseStatusCallback, type FormFields } from './whatsapp-message';
import { WhatsAppSender } from './whatsapp-sender';
import { WhatsAppTenantDirectory, type WhatsAppTenant } from './whatsapp-tenants';
import { WhatsAppWorker, type FeedbackRecorder } from './whatsapp-worker';

export const INBOUND_PATH = '/channels/whatsapp/inbound';
export const STATUS_PATH = '/channels/whatsapp/status';
/** Twilio waits for an answer to the webhook; an empty TwiML response means "no reply in-band" (we reply through the REST API). */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export type WhatsAppChannelConfig = Pick<
  Config,
  | 'publicBaseUrl'
  | 'TWILIO_ACCOUNT_SID'
  | 'TWILIO_AUTH_TOKEN'
  | 'TWILIO_API_URL'
  | 'WHATSAPP_SESSION_WINDOW_HOURS'
  | 'WHATSAPP_SEND_RETRIES'
  | 'WHATSAPP_RETRY_BASE_MS'
  | 'WHATSAPP_SEND_TIMEOUT_MS'
  | 'WHATSAPP_CONCURRENCY'
>;

/** Recovery of the engine's own stuck turns; optional so the channel runs against any ConversationEngine. */
type RecoveringEngine = ConversationEngine & { recoverStuckMessages?: () => Promise<unknown> };

export interface WhatsAppChannelDependencies {
  config: WhatsAppChannelConfig;
  orm: Orm;
  engine: RecoveringEngine;
  secretBox: SecretBox;
  logger: Logger;
  metrics?: Metrics;
  events?: DomainEvents;
  /** The channel registers itself here on start(), so other code can deliver to WhatsApp customers. */
  customerChannels?: CustomerChannelRegistry;
  /** Defaults to src/feedback/feedback-service. */
  feedback?: FeedbackRecorder;
  /** How often to look for stored-but-unanswered messages while running (default 60 s; 0 = only at start). */
  recoverySweepMs?: number;
  /** Waiting tasks beyond which new messages are left to recovery (default max(1,000, 50 × WHATSAPP_CONCURRENCY)). */
  maxQueued?: number;
  now?: () => Date;
  /** Where a wrong PUBLIC_BASE_URL (proved by a signature check) is shown to operators (/readyz). */
  readiness?: ReadinessNotes;
}

export interface WhatsAppChannel extends CustomerChannel {
  mount: RouteMounter;
  /** Registers with the channel registry, then answers every message stored but not yet answered (after a crash or restart). */
  start(): Promise<void>;
  /** Stops taking work and waits for the turns in progress; unfinished work stays stored for the next start. */
  stop(): Promise<void>;
  /** Resolves when no turn or send is waiting or running (tests, benchmarks). */
  idle(): Promise<void>;
  /** Runs the recovery pass now; returns how many messages it found (at most `limit`). */
  recover(options?: { olderThanMs?: number; limit?: number }): Promise<number>;
  directory: WhatsAppTenantDirectory;
}

/**
 * The WhatsApp channel through Twilio. Inbound: verify the signature, store the
 * message through the engine, answer Twilio at once, process in the background
 * (per-conversation order, bounded concurrency). Outbound: the sender.
 */
export function createWhatsAppChannel(deps: WhatsAppChannelDependencies): WhatsAppChannel {
  const { config, logger } = deps;
  const log = logger.child({ channel: 'whatsapp' });
  const em = (): EntityManager => deps.orm.em.fork() as EntityManager;
  const counters = createCounters(deps.metrics);
  const mismatches = new SignatureMismatchReporter(log, deps.readiness ?? null);
  const directory = new WhatsAppTenantDirectory(em, deps.secretBox, { fallbackAccountSid: config.TWILIO_ACCOUNT_SID, fallbackAuthToken: config.TWILIO_AUTH_TOKEN });
  const clients = new TwilioClients(config.TWILIO_API_URL, config.WHATSAPP_SEND_TIMEOUT_MS);
  const templates = new FeedbackTemplates(em, log);
  const sender = new WhatsAppSender(
    em,
    directory,
    clients,
    templates,
    log,
    {
      statusCallbackUrl: `${config.publicBaseUrl}${STATUS_PATH}`,
      sessionWindowHours: config.WHATSAPP_SESSION_WINDOW_HOURS,
      retries: config.WHATSAPP_SEND_RETRIES,
      retryBaseMs: config.WHATSAPP_RETRY_BASE_MS,
    },
    (status) => counters?.sends.inc({ status }),
    deps.now,
  );
  const worker = new WhatsAppWorker(em, deps.engine, sender, directory, deps.feedback ?? { recordVote, recordImplicitSignals }, log, deps.events ?? null);
  const queue = new ConversationQueue(config.WHATSAPP_CONCURRENCY, (error, conversationId) => log.error({ err: error, conversationId }, 'WhatsApp turn failed; it stays stored and is retried by recovery'));
  const queued = new Set<string>();
  let accepting = true;
  let sweep: NodeJS.Timeout | null = null;
  let unregister: (() => void) | null = null;

  /**
   * Past this many waiting tasks, new work is left in the database (it is stored already) and taken up by
   * recovery once the queue is half empty: under overload memory stays flat and nothing is lost.
   */
  const maxQueued = deps.maxQueued ?? Math.max(1_000, config.WHATSAPP_CONCURRENCY * 50);
  let deferred = false;

  function enqueue(conversationId: string, messageId: string, work: () => Promise<unknown>, force = false): void {
    // Not accepting (stopping): the message stays stored and the next start's recovery answers it.
    if (!accepting || queued.has(messageId)) return;
    if (!force && queued.size >= maxQueued) {
      if (!deferred) log.warn({ waiting: queued.size }, 'WhatsApp queue full: new messages wait in the database until it drains');
      deferred = true;
      return;
    }
    queued.add(messageId);
    queue.push(conversationId, async () => {
      try {
        await work();
      } finally {
        queued.delete(messageId);
        if (deferred && queued.size < maxQueued / 2) {
          deferred = false;
          recover({ limit: maxQueued / 2 }).catch((error: unknown) => log.error({ err: error }, 'WhatsApp catch-up after overload failed'));
        }
      }
    });
  }

  async function verify(request: Request, response: Response, tenant: WhatsAppTenant | null): Promise<boolean> {
    const signature = request.header('x-twilio-signature');
    const fields = formOf(request);
    // Twilio signs the URL it called: the public base URL plus the path and query as received.
    const url = `${config.publicBaseUrl}${request.originalUrl}`;
    const credentials = tenant ? await directory.credentialsFor(tenant) : null;
    const token = credentials?.authToken ?? (tenant ? null : config.TWILIO_AUTH_TOKEN ?? null);
    if (!signature || !token || !twilio.validateRequest(token, signature, url, fields)) {
      if (signature && token) mismatches.report(diagnoseSignature(token, signature, fields, url, request));
      counters?.webhooks.inc({ route: request.path === STATUS_PATH ? 'status' : 'inbound', outcome: 'forbidden' });
      log.warn({ path: request.path, hasSignature: Boolean(signature) }, 'rejected a WhatsApp webhook with a missing or invalid signature');
      response.status(403).json({ error: { code: 'FORBIDDEN', message: 'Invalid or missing X-Twilio-Signature: the request was not signed by Twilio with this account\'s auth token' } });
      return false;
    }
    return true;
  }

  async function inbound(request: Request, response: Response): Promise<void> {
    const fields = formOf(request);
    const to = typeof fields.To === 'string' ? fields.To : '';
    const serviceSid = typeof fields.MessagingServiceSid === 'string' ? fields.MessagingServiceSid : null;
    const tenant = to || serviceSid ? await directory.resolve(to, serviceSid) : null;
    if (!(await verify(request, response, tenant))) return;
    if (!tenant) return badRequest(response, 'inbound', `No tenant receives WhatsApp messages on ${to || 'an empty To'}: bind the number to a tenant (settings.channels.whatsapp.numbers)`);
    const parsed = parseInboundWebhook(fields);
    if (!parsed.ok) return badRequest(response, 'inbound', parsed.reason);
    const message = parsed.value;
    const received = await deps.engine.receive({
      tenantId: tenant.tenantId,
      channel: 'whatsapp',
      externalId: message.from,
      displayName: message.profileName,
      text: message.text,
      kind: message.kind,
      channelMessageId: message.messageSid,
      payload: message.payload,
      receivedAt: new Date(),
    });
    // Stored: now Twilio may have its answer. The turn runs after, through the REST API.
    response.status(200).type('text/xml').send(EMPTY_TWIML);
    counters?.webhooks.inc({ route: 'inbound', outcome: received.duplicate ? 'duplicate' : 'stored' });
    if (received.duplicate) log.info({ messageSid: message.messageSid }, 'duplicate WhatsApp delivery acknowledged');
    // A duplicate is queued only if this process is not already on it; the worker skips answered messages.
    const known = received.duplicate ? undefined : { tenantId: tenant.tenantId, conversationId: received.conversationId, kind: message.kind, text: message.text };
    enqueue(received.conversationId, received.messageId, () => worker.processInbound(received.messageId, known));
  }

  async function status(request: Request, response: Response): Promise<void> {
    const fields = formOf(request);
    const from = typeof fields.From === 'string' ? fields.From : '';
    const serviceSid = typeof fields.MessagingServiceSid === 'string' ? fields.MessagingServiceSid : null;
    const tenant = from || serviceSid ? await directory.resolve(from, serviceSid) : null;
    if (!(await verify(request, response, tenant))) return;
    if (!tenant) return badRequest(response, 'status', `No tenant sends WhatsApp messages from ${from || 'an empty From'}`);
    const parsed = parseStatusCallback(fields);
    if (!parsed.ok) return badRequest(response, 'status', parsed.reason);
    const recorded = await recordStatus(em(), tenant.tenantId, parsed.value);
    counters?.webhooks.inc({ route: 'status', outcome: recorded ? 'recorded' : 'ignored' });
    response.status(204).end();
  }

  function badRequest(response: Response, route: string, reason: string): void {
    counters?.webhooks.inc({ route, outcome: 'bad_request' });
    response.status(400).json({ error: { code: 'BAD_USER_INPUT', message: reason } });
  }

  async function recover(options: { olderThanMs?: number; limit?: number } = {}): Promise<number> {
    if (!accepting) return 0;
    if (deps.engine.recoverStuckMessages) await deps.engine.recoverStuckMessages();
    const age = Math.max(0, options.olderThanMs ?? 0);
    const limit = Math.max(1, Math.floor(options.limit ?? maxQueued));
    // Unanswered customer messages and stored-but-unsent replies, oldest first, so each conversation keeps its order.
    const rows = await em().getConnection().execute<{ id: string; conversation_id: string; direction: 'inbound' | 'outbound' }[]>(
      `select id, conversation_id, direction, created_at from message
        where channel = 'whatsapp' and direction = 'inbound' and processed_at is null and created_at < now() - (? * interval '1 millisecond')
       union all
       select id, conversation_id, direction, created_at from message
        where channel = 'whatsapp' and direction = 'outbound' and delivery_status = 'pending' and created_at < now() - (? * interval '1 millisecond')
       order by created_at limit ?`,
      [age, age, limit],
    );
    for (const row of rows) {
      if (row.direction === 'inbound') enqueue(row.conversation_id, row.id, () => worker.processInbound(row.id));
      else enqueue(row.conversation_id, row.id, () => sender.deliver(row.id));
    }
    // A full page means more may be waiting: take the next page when the queue has drained again.
    if (rows.length >= limit) deferred = true;
    if (rows.length) log.info({ messages: rows.length }, 'WhatsApp recovery queued stored messages');
    return rows.length;
  }

  const channel: WhatsAppChannel = {
    channel: 'whatsapp',
    directory,
    mount(app) {
      const router = express.Router();
      // Only these routes parse forms: the app has no global body parser (signatures need the raw fields).
      const form = express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 500 });
      router.post(INBOUND_PATH, form, inbound);
      router.post(STATUS_PATH, form, status);
      app.use(router);
    },
    async deliver(conversationId: string, text: string, options: DeliveryOptions): Promise<DeliveryReceipt> {
      const body = text.trim();
      if (!body) throw badInput('Nothing to send: the message text is empty');
      if (!accepting) throw new AppError('CONFLICT', 'The WhatsApp channel is shutting down: try again in a moment');
      const messageId = await worker.storeOutbound(conversationId, body, options.author, options.authorId ?? null);
      if (!messageId) throw notFound('WhatsApp conversation', conversationId);
      // Through the conversation's queue, so an agent's message never overtakes a bot reply being sent.
      // Forced past the overload limit: the caller waits for this one.
      await new Promise<void>((resolve) => enqueue(conversationId, messageId, () => sender.deliver(messageId).finally(resolve), true));
      const rows = await em().getConnection().execute<{ delivery_status: DeliveryStatus; delivery_error: string | null }[]>('select delivery_status, delivery_error from message where id = ?', [messageId]);
      return { messageId, status: rows[0]?.delivery_status ?? 'pending', reason: rows[0]?.delivery_error ?? null };
    },
    async start() {
      accepting = true;
      if (deps.customerChannels) unregister = deps.customerChannels.register(channel);
      await recover();
      const every = deps.recoverySweepMs ?? 60_000;
      if (every > 0) {
        sweep = setInterval(() => {
          // Only messages older than a sweep: younger ones are normally still in the live queue.
          recover({ olderThanMs: every }).catch((error: unknown) => log.error({ err: error }, 'WhatsApp recovery sweep failed'));
        }, every);
        sweep.unref();
      }
    },
    async stop() {
      accepting = false;
      if (sweep) clearInterval(sweep);
      sweep = null;
      unregister?.();
      unregister = null;
      await queue.stop();
    },
    idle: () => queue.idle(),
    recover,
  };
  return channel;
}

function formOf(request: Request): FormFields {
  const body: unknown = request.body;
  return body && typeof body === 'object' ? (body as FormFields) : {};
}

/**
 * Applies a status callback. The last part of a reply (the one with the buttons)
 * carries the message's status; a failure of any earlier part marks it failed
 * too. Statuses never move backwards (callbacks arrive out of order).
 */
async function recordStatus(em: EntityManager, tenantId: string, callback: { messageSid: string; status: DeliveryStatus; rawStatus: string; errorCode: string | null; errorMessage: string | null }): Promise<boolean> {
  const connection = em.getConnection();
  let rows = await connection.execute<{ id: string; delivery_status: DeliveryStatus | null }[]>(
    `select id, delivery_status from message where channel = 'whatsapp' and channel_message_id = ? and tenant_id = ? and direction = 'outbound'`,
    [callback.messageSid, tenantId],
  );
  const isMainPart = rows.length > 0;
  if (!rows.length) {
    rows = await connection.execute(
      `select id, delivery_status from message where tenant_id = ? and channel = 'whatsapp' and direction = 'outbound'
          and created_at > now() - interval '7 days' and payload->'twilioSids' @> to_jsonb(?::text)`,
      [tenantId, callback.messageSid],
    );
  }
  const message = rows[0];
  if (!message) return false;
  const event = { sid: callback.messageSid, status: callback.rawStatus, errorCode: callback.errorCode, at: new Date().toISOString() };
  const applies = (isMainPart || callback.status === 'failed' || callback.status === 'undelivered') && isStatusProgress(message.delivery_status, callback.status);
  const error = callback.errorCode ? `Twilio error ${callback.errorCode}${callback.errorMessage ? `: ${callback.errorMessage}` : ''}` : null;
  await connection.execute(
    `update message set
        delivery_status = case when ? then ?::varchar else delivery_status end,
        delivery_error = case when ? and ?::text is not null then ?::text else delivery_error end,
        payload = jsonb_set(coalesce(payload, '{}'::jsonb), '{statusHistory}', coalesce(payload->'statusHistory', '[]'::jsonb) || jsonb_build_array(?::jsonb))
      where id = ?`,
    [applies, callback.status, applies, error, error, JSON.stringify(event), message.id],
  );
  return true;
}

function createCounters(metrics: Metrics | undefined): { webhooks: Counter<'route' | 'outcome'>; sends: Counter<'status'> } | null {
  if (!metrics) return null;
  const existing = (name: string) => metrics.registry.getSingleMetric(name);
  // Two channels on one registry (tests) share the counters instead of registering twice.
  const webhooks = (existing('parley_whatsapp_webhooks_total') as Counter<'route' | 'outcome'> | undefined) ??
    new Counter({ name: 'parley_whatsapp_webhooks_total', help: 'Twilio WhatsApp webhooks by route and outcome', labelNames: ['route', 'outcome'], registers: [metrics.registry] });
  const sends = (existing('parley_whatsapp_sends_total') as Counter<'status'> | undefined) ??
    new Counter({ name: 'parley_whatsapp_sends_total', help: 'WhatsApp replies by recorded delivery outcome', labelNames: ['status'], registers: [metrics.registry] });
  return { webhooks, sends };
}
