import { App, ExpressReceiver, LogLevel, type Logger as BoltLogger, webApi } from '@slack/bolt';
import express from 'express';
import { LRUCache } from 'lru-cache';
import type { Orm } from '../../src/db/orm';
import type { CustomerChannelRegistry } from '../../src/engine/outbound';
import type { DomainEventMap, DomainEventName, DomainEvents } from '../../src/events';
import type { RouteMounter } from '../../src/http';
import type { Logger } from '../../src/logger';
import type { AlertService } from '../../src/monitoring/alert-service';
import type { AlertNotifier } from '../../src/monitoring/alert-types';
import { createSlackAlertNotifier, registerAlertHandlers } from './slack-alert-notifier';
import type { SlackConfig } from './slack-config';
import type { SlackContext } from './slack-context';
import {
  closeHandoffPost,
  closeReleasedPosts,
  postHandoff,
  postMissingHandoffs,
  registerHandoffHandlers,
  relayCustomerMessage,
} from './slack-handoff';
import { onFeedbackRecorded, onInteractionCreated, registerReviewHandlers } from './slack-review';
import { registerSlashCommand } from './slash-command';
import { slackPayloadGuard } from './slack-payload-guard';
import { slackSettingsProblems } from './slack-settings';
import { createKeyedQueue } from './workspace-posts';
import { Tenant } from '../../src/db/entities';
import type { SecretBox } from '../../src/security/secret-box';
import { readTenantSecrets } from '../../src/tenants/tenant-service';

/** The URL path Slack calls for events, interactivity and the slash command (one path, as the manifest says). */
export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAppDependencies {
  config: SlackConfig;
  orm: Orm;
  /** Decrypts a tenant's own bot token (secret `slackBotToken`), used for that tenant's posts instead of the app's. */
  secretBox: SecretBox;
  events: DomainEvents;
  logger: Logger;
  /** Where agent replies go: the customer's own channel (WhatsApp), never a platform SDK from here. */
  customers: CustomerChannelRegistry;
  /**
   * Run handlers to the end before answering Slack. Off by default: Slack
   * allows 3 seconds, so handlers acknowledge first and work after.
   */
  processBeforeResponse?: boolean;
  /** Web API retries for 429/5xx/network errors (the client honours Retry-After). Default 3. */
  retries?: number;
}

export interface SlackApp {
  bolt: App;
  client: webApi.WebClient;
  /** Mounts POST /slack/events on the shared Express app (Bolt reads and verifies the raw body itself). */
  mount: RouteMounter;
  /** Posts alerts to each tenant's on-call channel. */
  alertNotifier: AlertNotifier;
  /** The alert service exists after the notifier; the Acknowledge / Silence buttons need it. */
  attachAlertService(service: AlertService): void;
  /** Subscribe to domain events and start the sweep that keeps handoff posts in line with the conversations. */
  start(): void;
  /** Check the bot token with auth.test; resolves to the workspace name, or throws with Slack's error. */
  verify(): Promise<string>;
  /** Close handoff posts of conversations given back to the bot elsewhere (another instance, a job, the API); returns their ids. */
  closeReleasedPosts(): Promise<string[]>;
  /** Post handed-off conversations that have no handoff post yet (runs at start and on every sweep); returns their ids. */
  postMissingHandoffs(): Promise<string[]>;
  /** Resolves when the domain-event work started so far has finished. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'slack' });
  let level = LogLevel.INFO;
  const text = (parts: unknown[]) =>
    parts
      .map((part) => (typeof part === 'string' ? part : part instanceof Error ? part.message : JSON.stringify(part)))
      .join(' ');
  return {
    debug: (...parts: unknown[]) => child.debug(text(parts)),
    info: (...parts: unknown[]) => child.info(text(parts)),
    warn: (...parts: unknown[]) => child.warn(text(parts)),
    error: (...parts: unknown[]) => child.error(text(parts)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * The Slack app for human agents and on-call: Bolt on an ExpressReceiver whose
 * router is mounted on parley's one HTTP server, the Web API client pointed at
 * `SLACK_API_URL`. Bolt verifies every request's signature and timestamp over
 * the raw body (401 for forged or stale requests, before any handler runs).
 */
export function createSlackApp(deps: SlackAppDependencies): SlackApp {
  const logger = boltLogger(deps.logger);
  const receiver = new ExpressReceiver({
    signingSecret: deps.config.signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    processBeforeResponse: deps.processBeforeResponse ?? false,
    logger,
    // Bolt attaches its router to this app too; parley serves the router from its own app instead.
    app: express(),
  });
  const bolt = new App({
    token: deps.config.botToken,
    receiver,
    logger,
    convoStore: false,
    // With a static token Bolt would call auth.test before the first request; the token is checked at start-up instead.
    tokenVerificationEnabled: false,
    clientOptions: {
      slackApiUrl: deps.config.apiUrl,
      retryConfig: { retries: deps.retries ?? 3, factor: 2, minTimeout: 200, maxTimeout: 5_000 },
      timeout: 10_000,
    },
  });
  const client = bolt.client;
  // One Web API client per distinct tenant token, configured like Bolt's own (same API URL, retries, timeout).
  const tenantClients = new LRUCache<string, webApi.WebClient>({ max: 500 });
  const clientFor = (token: string): webApi.WebClient => {
    let tenantClient = tenantClients.get(token);
    if (!tenantClient) {
      tenantClient = new webApi.WebClient(token, {
        slackApiUrl: deps.config.apiUrl,
        retryConfig: { retries: deps.retries ?? 3, factor: 2, minTimeout: 200, maxTimeout: 5_000 },
        timeout: 10_000,
        logger,
      });
      tenantClients.set(token, tenantClient);
    }
    return tenantClient;
  };
  const names = new LRUCache<string, string>({ max: 2_000, ttl: 60 * 60_000 });
  const seenReplies = new LRUCache<string, true>({ max: 10_000 });
  const context: SlackContext = {
    orm: deps.orm,
    client,
    events: deps.events,
    logger: deps.logger.child({ component: 'slack' }),
    customers: deps.customers,
    serial: createKeyedQueue(),
    alerts: null,
    publicBaseUrl: deps.config.publicBaseUrl,
    em: () => deps.orm.em.fork(),
    async slackFor(tenantId) {
      // Read on every call (one indexed row): a rotated token is used from the next post, on every instance.
      const secrets = await readTenantSecrets(deps.orm.em.fork(), deps.secretBox, tenantId);
      const token = secrets.slackBotToken?.trim();
      return token ? clientFor(token) : client;
    },
    async userName(tenantId, userId) {
      const key = `${tenantId}:${userId}`;
      const cached = names.get(key);
      if (cached) return cached;
      try {
        const info = await (await context.slackFor(tenantId)).users.info({ user: userId });
        const name = info.user?.real_name || info.user?.profile?.real_name || info.user?.name || userId;
        names.set(key, name);
        return name;
      } catch (error) {
        deps.logger.warn({ err: error, userId }, 'could not read a Slack user name');
        return userId;
      }
    },
    async rememberReply(tenantId, key) {
      if (seenReplies.has(key)) return false;
      const claimed = await deps.orm.em
        .fork()
        .getConnection()
        .execute<Array<{ key: string }>>(
          'insert into slack_submission (id, tenant_id, created_at, key) values (gen_random_uuid(), ?, now(), ?) on conflict (key) do nothing returning key',
          [tenantId, `reply:${key}`.slice(0, 64)],
        );
      seenReplies.set(key, true);
      return claimed.length > 0;
    },
  };

  registerHandoffHandlers(bolt, context);
  registerReviewHandlers(bolt, context);
  registerAlertHandlers(bolt, context);
  registerSlashCommand(bolt, context);
  bolt.error(async (error) => {
    deps.logger.error({ err: error }, 'Slack handler failed');
  });

  const inFlight = new Set<Promise<unknown>>();
  const unsubscribe: Array<() => void> = [];
  let sweep: NodeJS.Timeout | null = null;

  function follow<K extends DomainEventName>(
    event: K,
    handler: (context: SlackContext, payload: DomainEventMap[K]) => Promise<unknown>,
  ): void {
    unsubscribe.push(
      deps.events.on(event, (payload) => {
        const work = handler(context, payload).catch((error: unknown) =>
          deps.logger.error({ err: error, event }, 'Slack could not follow a domain event'),
        );
        inFlight.add(work);
        void work.finally(() => inFlight.delete(work));
      }),
    );
  }

  return {
    bolt,
    client,
    mount: (app) => {
      app.post(SLACK_EVENTS_PATH, ...slackPayloadGuard());
      app.use(receiver.router);
    },
    alertNotifier: createSlackAlertNotifier(context),
    attachAlertService(service) {
      context.alerts = service;
    },
    start() {
      follow('conversation.handed_off', postHandoff);
      follow('message.received', relayCustomerMessage);
      follow('conversation.released', closeHandoffPost);
      follow('interaction.created', onInteractionCreated);
      follow('feedback.recorded', onFeedbackRecorded);
      const sweepOnce = () => {
        const work = (async () => {
          await postMissingHandoffs(context).catch((error: unknown) =>
            deps.logger.error({ err: error }, 'posting missing handoffs failed'),
          );
          // The idle release itself is the handoff-idle-release job (src/jobs), for every channel; Slack only reflects it.
          await closeReleasedPosts(context).catch((error: unknown) =>
            deps.logger.error({ err: error }, 'closing released handoff posts failed'),
          );
        })();
        inFlight.add(work);
        void work.finally(() => inFlight.delete(work));
      };
      sweepOnce();
      // Settings Slack cannot use are ignored; say so once at start-up rather than silently.
      void deps.orm.em
        .fork()
        .find(Tenant, {})
        .then((tenants) => {
          for (const tenant of tenants) {
            const problems = slackSettingsProblems(tenant.settings);
            if (problems.length)
              deps.logger.warn(
                { tenant: tenant.name, problems },
                'tenant Slack settings partly invalid; those values are ignored',
              );
          }
        })
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not check tenant Slack settings'));
      sweep = setInterval(sweepOnce, deps.config.idleSweepSeconds * 1000);
      sweep.unref();
    },
    async verify() {
      const identity = await client.auth.test();
      return String(identity.team ?? identity.team_id ?? 'unknown workspace');
    },
    closeReleasedPosts: () => closeReleasedPosts(context),
    postMissingHandoffs: () => postMissingHandoffs(context),
    async settled() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    async stop() {
      if (sweep) clearInterval(sweep);
      for (const off of unsubscribe.splice(0)) off();
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}
