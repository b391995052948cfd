import type { EntityManager } from '@mikro-orm/postgresql';
import { deliveryOf } from '../../src/conversations/delivery-store';
import type { Config } from '../../src/config';
import type { Orm } from '../../src/db/orm';
import type {
  CustomerChannel,
  CustomerChannelRegistry,
  DeliveryOptions,
  DeliveryReceipt,
} from '../../src/engine/outbound';
import type { ConversationEngine } from '../../src/engine/types';
import { AppError, badInput, notFound } from '../../src/errors';
import type { DomainEvents } from '../../src/events';
import { recordImplicitSignals, recordVote } from '../../src/feedback/feedback-service';
import type { RouteMounter } from '../../src/http';
import type { Logger } from '../../src/logger';
import type { Metrics } from '../../src/metrics';
import type { SecretBox } from '../../src/security/secret-box';
import { FeedbackTemplates } from './feedback-template';
import { TwilioClients } from './twilio-client';
import { createWhatsAppMetrics } from './whatsapp-metrics';
import { createRecovery, type RecoveryOptions } from './whatsapp-recovery';
import { WhatsAppSender } from './whatsapp-sender';
import { WhatsAppTenantDirectory } from './whatsapp-tenants';
import { createWebhookRoutes, STATUS_PATH } from './whatsapp-webhooks';
import { SignatureMismatchReporter } from './signature-diagnosis';
import type { ReadinessNotes } from '../../src/readiness';
import { WhatsAppWork } from './whatsapp-work';
import { realTimers, WhatsAppFlow, type ChannelTimers } from './whatsapp-flow';
import type { InstanceIdentity } from '../../src/instances/service-instance';
import { WhatsAppWorker, type FeedbackRecorder } from './whatsapp-worker';

export { INBOUND_PATH, STATUS_PATH } from './whatsapp-webhooks';

export type WhatsAppChannelConfig = Pick<
  Config,
  | 'publicBaseUrl'
  | 'TWILIO_ACCOUNT_SID'
  | 'TWILIO_AUTH_TOKEN'
  | 'TWILIO_API_URL'
  | 'WHATSAPP_SESSION_WINDOW_HOURS'
  | 'WHATSAPP_RETRY_BASE_MS'
  | 'WHATSAPP_RETRY_MAX_MS'
  | 'WHATSAPP_SEND_TIMEOUT_MS'
  | 'WHATSAPP_CONCURRENCY'
>;

/** Recovery of the engine's own stuck turns; optional so the channel runs against any ConversationEngine. */
type RecoveringEngine = ConversationEngine & {
  recoverStuckMessages?: () => Promise<unknown>;
  takeOverDeadClaims?: () => Promise<Array<{ id: string; conversationId: string; channel: string }>>;
};

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
  /** Timers on the same clock as `now` (default: real timers). */
  timers?: ChannelTimers;
  /** This process as a service instance: claims name it; a dead instance's work is taken over every `takeoverEveryMs`. */
  instance?: InstanceIdentity | null;
  /** How often to look for the work of instances that stopped heart-beating (default 2 s; 0 = never). */
  takeoverEveryMs?: number;
  /** A reply was given up for good (Twilio failed until the session window closed): raise an alert. */
  onGiveUp?: (failure: { tenantId: string; conversationId: string; messageId: string; reason: string }) => void;
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
  recover(options?: RecoveryOptions): Promise<number>;
  directory: WhatsAppTenantDirectory;
}

/**
 * The WhatsApp channel through Twilio, wired from its parts: the webhooks
 * (whatsapp-webhooks.ts) store each message through the engine and queue it
 * (whatsapp-work.ts: per-conversation order, bounded concurrency,
 * back-pressure); the worker answers it; the sender delivers replies; recovery
 * picks up what a restart left unfinished; status callbacks are recorded
 * (whatsapp-status.ts).
 */
export function createWhatsAppChannel(deps: WhatsAppChannelDependencies): WhatsAppChannel {
  const { config, logger } = deps;
  const log = logger.child({ channel: 'whatsapp' });
  const em = (): EntityManager => deps.orm.em.fork() as EntityManager;
  const metrics = createWhatsAppMetrics(deps.metrics);
  const directory = new WhatsAppTenantDirectory(em, deps.secretBox, {
    fallbackAccountSid: config.TWILIO_ACCOUNT_SID,
    fallbackAuthToken: config.TWILIO_AUTH_TOKEN,
  });
  const clients = new TwilioClients(config.TWILIO_API_URL, config.WHATSAPP_SEND_TIMEOUT_MS);
  const templates = new FeedbackTemplates(em, log);
  const now = deps.now ?? (() => new Date());
  const instance = deps.instance ?? null;
  // The flow is built after the sender; the sender's hooks reach it once it exists.
  let flow: WhatsAppFlow | null = null;
  const sender = new WhatsAppSender(
    em,
    directory,
    clients,
    templates,
    log,
    {
      statusCallbackUrl: `${config.publicBaseUrl}${STATUS_PATH}`,
      sessionWindowHours: config.WHATSAPP_SESSION_WINDOW_HOURS,
      retryBaseMs: config.WHATSAPP_RETRY_BASE_MS,
      retryMaxMs: config.WHATSAPP_RETRY_MAX_MS,
    },
    (status) => metrics?.sends.inc({ status }),
    now,
    instance,
    {
      retryScheduled: (conversationId, messageId, at) => flow?.retryScheduled(conversationId, messageId, at),
      gaveUp: (failure) => deps.onGiveUp?.(failure),
    },
  );
  const worker = new WhatsAppWorker(
    em,
    deps.engine,
    sender,
    directory,
    deps.feedback ?? { recordVote, recordImplicitSignals },
    log,
    deps.events ?? null,
  );
  const maxQueued = deps.maxQueued ?? Math.max(1_000, config.WHATSAPP_CONCURRENCY * 50);
  const work = new WhatsAppWork(config.WHATSAPP_CONCURRENCY, maxQueued, log, (limit) => recover({ limit }));
  const channelFlow = new WhatsAppFlow({
    em,
    work,
    worker,
    sender,
    log,
    now,
    timers: deps.timers ?? realTimers,
    instance,
    takeOverTurns: deps.engine.takeOverDeadClaims?.bind(deps.engine) ?? null,
    takeoverEveryMs: deps.takeoverEveryMs ?? 2_000,
  });
  flow = channelFlow;
  const recover = createRecovery({
    em,
    work,
    flow: channelFlow,
    log,
    now,
    recoverEngine: deps.engine.recoverStuckMessages?.bind(deps.engine),
  });
  const mountWebhooks = createWebhookRoutes({
    mismatches: new SignatureMismatchReporter(log, deps.readiness ?? null),
    publicBaseUrl: config.publicBaseUrl,
    fallbackAuthToken: config.TWILIO_AUTH_TOKEN ?? null,
    em,
    engine: deps.engine,
    directory,
    flow: channelFlow,
    metrics,
    log,
  });
  let sweep: NodeJS.Timeout | null = null;
  let unregister: (() => void) | null = null;

  const channel: WhatsAppChannel = {
    channel: 'whatsapp',
    directory,
    mount: mountWebhooks,
    async deliver(conversationId: string, text: string, options: DeliveryOptions): Promise<DeliveryReceipt> {
      const body = text.trim();
      if (!body) throw badInput('Nothing to send: the message text is empty');
      if (!work.isAccepting)
        throw new AppError('CONFLICT', 'The WhatsApp channel is shutting down: try again in a moment');
      const messageId = await worker.storeOutbound(conversationId, body, options.author, options.authorId ?? null);
      if (!messageId) throw notFound('WhatsApp conversation', conversationId);
      // Through the conversation's queue, so an agent's message never overtakes a bot reply being sent.
      // Forced past the overload limit: the caller waits for this one.
      await new Promise<void>((resolve) => channelFlow.send(conversationId, messageId, true, resolve));
      const delivery = await deliveryOf(em(), messageId);
      return { messageId, status: delivery?.status ?? 'pending', reason: delivery?.reason ?? null };
    },
    async start() {
      work.open();
      if (deps.customerChannels) unregister = deps.customerChannels.register(channel);
      await channelFlow.start();
      await recover();
      const every = deps.recoverySweepMs ?? 60_000;
      if (every > 0) {
        sweep = setInterval(() => {
          // Only messages older than a sweep: younger ones are normally still in the live queue.
          recover({ olderThanMs: every }).catch((error: unknown) =>
            log.error({ err: error }, 'WhatsApp recovery sweep failed'),
          );
        }, every);
        sweep.unref();
      }
    },
    async stop() {
      if (sweep) clearInterval(sweep);
      sweep = null;
      unregister?.();
      unregister = null;
      channelFlow.stop();
      await work.stop();
    },
    idle: () => work.idle(),
    recover,
  };
  return channel;
}
