// First: parses the command line (and answers --help) before anything heavy loads.
import './cli/command-line';
import 'reflect-metadata';
import cluster from 'node:cluster';
import { superviseWorkers } from './supervisor';
import { loadConfig, type Config } from './config';
import { openDatabase } from './db/database';
import { seedDemoTenant } from './db/seed';
import { ConfigError } from './errors';
import { createApp, createMetricsApp, listen, type RouteMounter } from './http';
import { ReadinessNotes } from './readiness';
import { DomainEvents } from './events';
import { defaultCatalogue } from './providers/model-catalogue';
import { createConversationStack } from './engine/engine-stack';
import { JobMetrics, ProviderHealthGauges, scheduleJobs } from './jobs';
import { createDigestMailer, emailList } from './monitoring/metrics-digest';
import { SharedRateLimiter } from './security/shared-rate-limiter';
import { createGraphqlMounter } from '../schema/graphql-server';
import { createAdminMounter, findWebRoot } from './admin/admin-router';
import { Lifecycle } from './lifecycle';
import { createLogger } from './logger';
import { createMetrics } from './metrics';
import { CustomerChannelRegistry } from './engine/outbound';
import { createAlertService, type AlertService } from './monitoring/alert-service';
import { ServiceInstance } from './instances/service-instance';
import type { AlertNotifier } from './monitoring/alert-types';
import { configuredAlertSettings, configuredNotifiers } from './monitoring/configured-notifiers';
import { runbookMounter } from './monitoring/runbooks';
import { createSlackApp, type SlackApp } from '../channels/slack/slack-app';
import { createWhatsAppChannel } from '../channels/whatsapp/whatsapp-channel';
import { slackConfigFrom, type SlackConfig } from '../channels/slack/slack-config';
import { resolveSecretKey, SecretBox } from './security/secret-box';
import { checkProviders, describeProviderCheck, type ProviderCheck } from './providers/provider-check';
import { createFineTuningClients } from './learning/fine-tuning/openai-fine-tuning-client';
import { generatedTrainingSets } from './learning/fine-tuning/training-set-source';
import { SharedProviderHealth, type ResetMessage } from './providers/shared-health';
import { withStartupLock } from './db/shared-state/startup-lock';
import { INSTANCE_ID, PROVIDER_HEALTH_RESET, TENANT_CHANGED } from './db/shared-state/instance-bus';

/**
 * The composition root: config → database → services → channels → GraphQL →
 * jobs → listen. The only file that knows every part.
 */
async function main(): Promise<void> {
  let config: Config;
  let slackConfig: SlackConfig | null;
  try {
    config = loadConfig();
    slackConfig = slackConfigFrom(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`parley: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  if (config.WEB_CONCURRENCY > 1 && cluster.isPrimary) {
    // WEB_CONCURRENCY mode: this process only supervises; each worker runs the rest of main(). The local secret
    // key (when PARLEY_SECRET_KEY is unset) is created here first, so the workers all read the same one.
    resolveSecretKey(config.secretKey, config.PARLEY_DATA_DIR);
    superviseWorkers({
      workers: config.WEB_CONCURRENCY,
      logger,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      entry: __filename,
    });
    return;
  }
  const lifecycle = new Lifecycle(logger);
  let shuttingDown = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (shuttingDown) return;
      shuttingDown = true;
      const timer = setTimeout(() => {
        logger.error('shutdown took too long; exiting');
        process.exit(1);
      }, config.SHUTDOWN_TIMEOUT_MS + 5_000);
      timer.unref();
      void lifecycle.shutdown(signal).then(() => process.exit(0));
    });
  }

  const secret = resolveSecretKey(config.secretKey, config.PARLEY_DATA_DIR);
  if (secret.warning) logger.warn({ file: `${config.PARLEY_DATA_DIR}/secret.key` }, secret.warning);
  if (secret.created)
    logger.warn(
      { file: `${config.PARLEY_DATA_DIR}/secret.key` },
      'generated a local secret key; set PARLEY_SECRET_KEY in production',
    );
  const secretBox = new SecretBox(secret.key);

  const database = await openDatabase(config, logger);
  lifecycle.onShutdown('database', () => database.close());
  const orm = database.orm;

  if (config.SEED_DEMO) {
    const url = orm.config.get('clientUrl');
    const seed = () => seedDemoTenant(orm.em.fork());
    const seeded = await (url ? withStartupLock(url, seed) : seed());
    if (seeded) printFirstRun(config, seeded.tenant.name, seeded.articles, seeded.apiKey);
  }

  const metrics = createMetrics();
  const readiness = new ReadinessNotes();
  const mounters: RouteMounter[] = [];
  const events = new DomainEvents((error, event) =>
    logger.error({ err: error, event }, 'domain event listener failed'),
  );

  // Providers (routing, failover, health and caches behind ModelGateway; the knowledge base works with no keys)
  // and the conversation engine on top: the same recipe as the terminal chat.
  // This process as a service instance with a heartbeat: if it dies, other instances take its claims over in seconds.
  const instance = new ServiceInstance(() => orm.em.fork(), logger, {
    heartbeatMs: config.INSTANCE_HEARTBEAT_MS,
    staleAfterMs: config.INSTANCE_STALE_AFTER_MS,
  });
  await instance.start();
  lifecycle.onShutdown('instance', () => instance.stop());
  const stack = createConversationStack({
    config,
    orm,
    events,
    logger,
    secretBox,
    registry: metrics.registry,
    instance,
  });
  const { gateway, engine } = stack;
  lifecycle.onShutdown('providers', () => stack.close());
  logger.info({ providers: gateway.configuredProviders() }, 'model providers');
  // A rejected key or a wrong base URL is said once here (and shown in /readyz), not on every turn.
  let providerChecks: ProviderCheck[] | 'pending' = 'pending';
  void checkProviders(config).then(
    (checks) => {
      providerChecks = checks;
      for (const check of checks)
        if (check.status !== 'ok')
          logger.warn({ provider: check.provider, status: check.status, url: check.url }, describeProviderCheck(check));
    },
    (error: unknown) => logger.warn({ err: error }, 'could not check the model providers'),
  );

  let resolveAlerts!: (alerts: AlertService) => void;
  const alertsReady = new Promise<AlertService>((resolve) => (resolveAlerts = resolve));

  // Channels register here; code that is not a channel (the Slack agent side) delivers to customers through it.
  const customerChannels = new CustomerChannelRegistry();

  // WhatsApp through Twilio: tenants bind their numbers in settings.channels.whatsapp. start() registers it with
  // customerChannels and answers every message stored but not answered before the last stop or crash.
  const whatsapp = createWhatsAppChannel({
    config,
    orm,
    engine,
    secretBox,
    logger,
    metrics,
    events,
    customerChannels,
    readiness,
    instance,
    takeoverEveryMs: config.INSTANCE_HEARTBEAT_MS,
    // A reply Twilio refused until the session window closed: on-call hears of it (alerts exist further down).
    onGiveUp: (failure) => {
      void alertsReady.then((alerts) =>
        alerts
          .raise({
            tenantId: failure.tenantId,
            key: 'whatsapp-reply-given-up',
            title: 'WhatsApp replies could not be delivered',
            severity: 'critical',
            description: `A reply (message ${failure.messageId}, conversation ${failure.conversationId}) was given up: ${failure.reason}`,
            query: `{ conversation(id: "${failure.conversationId}") { messages { id deliveryStatus deliveryError sendAttempts } } }`,
          })
          .catch((error: unknown) => logger.error({ err: error }, 'could not raise the WhatsApp delivery alert')),
      );
    },
  });
  mounters.push(whatsapp.mount);
  // A tenant's WhatsApp binding or Twilio token changed on any instance: read the bindings again on the next webhook.
  stack.bus?.on(TENANT_CHANGED, () => whatsapp.directory.invalidate());
  stack.bus?.onReconnect(() => whatsapp.directory.invalidate());
  await whatsapp.start();
  lifecycle.onShutdown('whatsapp', () => whatsapp.stop());

  // Slack app for human agents and on-call: mounted only when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set.
  const alertNotifiers: AlertNotifier[] = [];
  let slack: SlackApp | null = null;
  if (slackConfig) {
    const slackApp = createSlackApp({
      config: slackConfig,
      orm,
      secretBox,
      events,
      logger,
      customers: customerChannels,
    });
    slack = slackApp;
    mounters.push(slackApp.mount);
    alertNotifiers.push(slackApp.alertNotifier);
    slackApp.start();
    lifecycle.onShutdown('slack', () => slackApp.stop());
    logger.info({ url: `${config.publicBaseUrl}/slack/events`, api: slackConfig.apiUrl }, 'Slack app on');
    slackApp.verify().then(
      (workspace) => logger.info({ workspace }, 'Slack bot token accepted'),
      (error: unknown) =>
        logger.warn(
          { err: error },
          'Slack did not accept SLACK_BOT_TOKEN (auth.test failed): posts to Slack will fail until it is fixed',
        ),
    );
  } else {
    logger.info(
      'Slack app off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to bring handoffs, reviews and alerts to Slack',
    );
  }

  // Alerts: raised by the alert-rules job (and `npm run alert:test`), delivered by the log, Slack, email and PagerDuty,
  // each routed per tenant and severity and retried on failure.
  const delivery = configuredNotifiers(config, orm, logger, alertNotifiers);
  mounters.push(runbookMounter());
  lifecycle.onShutdown('alert-email', async () => delivery.close());
  logger.info({ notifiers: delivery.enabled, off: delivery.disabled }, 'alert notifiers');
  const alerts = createAlertService({
    orm,
    notifiers: delivery.notifiers,
    logger,
    ...configuredAlertSettings(config),
  });
  slack?.attachAlertService(alerts);
  resolveAlerts(alerts);

  // Fine-tuning (OpenAI Files + Fine-tuning APIs): the tenant's key or OPENAI_API_KEY, at OPENAI_BASE_URL.
  const fineTuning = {
    clients: createFineTuningClients({
      em: orm.em,
      secretBox,
      apiKey: config.OPENAI_API_KEY,
      baseUrl: config.OPENAI_BASE_URL,
    }),
    trainingSets: generatedTrainingSets,
    gateway,
  };
  // Provider health of every instance: this one's counters and circuits are written every 2 s and summed on read;
  // resetProviderStats reaches every instance through the bus.
  const sharedHealth = new SharedProviderHealth({
    health: gateway.health,
    em: () => orm.em.fork(),
    instance: INSTANCE_ID,
    windowMs: config.HEALTH_WINDOW_MINUTES * 60_000,
    logger,
    announceReset: async (message) => {
      await orm.em.getConnection().execute('select pg_notify(?, ?)', [PROVIDER_HEALTH_RESET, JSON.stringify(message)]);
    },
  });
  sharedHealth.start();
  stack.bus?.on(PROVIDER_HEALTH_RESET, (payload) => {
    void sharedHealth
      .applyReset(JSON.parse(payload) as ResetMessage)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not apply a provider-health reset'));
  });
  lifecycle.onShutdown('provider-health', () => sharedHealth.stop());

  // GraphQL control plane.
  const graphql = await createGraphqlMounter(
    {
      orm,
      logger,
      events,
      secretBox,
      catalogue: defaultCatalogue,
      providerHealth: sharedHealth,
      gateway,
      fineTuning,
      customers: customerChannels,
      alerts,
      feedbackRateLimiter: new SharedRateLimiter(
        () => orm.em.fork(),
        config.FEEDBACK_RATE_LIMIT,
        config.FEEDBACK_RATE_WINDOW_SECONDS * 1000,
      ),
      feedbackTokenTtlDays: config.FEEDBACK_TOKEN_TTL_DAYS,
    },
    {
      graphiql: config.GRAPHIQL_ENABLED ?? config.NODE_ENV !== 'production',
      maxDepth: config.GRAPHQL_MAX_DEPTH,
      maxCost: config.GRAPHQL_MAX_COST,
      blockFieldSuggestions: config.NODE_ENV === 'production',
      introspection: (config.GRAPHQL_INTROSPECTION ?? config.NODE_ENV !== 'production') ? 'open' : 'with-key',
      // Key lookups are cached only while the bus carries revocations from every instance.
      invalidations: stack.bus ?? undefined,
    },
  );
  mounters.push(graphql.mount);
  lifecycle.onShutdown('graphql', () => graphql.stop());

  // The admin console (/admin): the built web app and its sign-in; it works through /graphql like any client.
  mounters.push(
    createAdminMounter({
      orm,
      logger,
      webRoot: findWebRoot(),
      sessionTtlMs: config.CONSOLE_SESSION_HOURS * 3_600_000,
      graphiql: config.GRAPHIQL_ENABLED ?? config.NODE_ENV !== 'production',
    }),
  );

  // Scheduled jobs (JOBS_ENABLED; off by default under NODE_ENV=test). Each run holds a PostgreSQL advisory lock, so several instances are safe.
  if (config.JOBS_ENABLED ?? config.NODE_ENV !== 'test') {
    const digestMailer = config.ALERT_SMTP_URL
      ? createDigestMailer({ smtpUrl: config.ALERT_SMTP_URL, from: config.ALERT_EMAIL_FROM })
      : null;
    const jobs = scheduleJobs({
      orm,
      logger,
      retentionDays: config.USAGE_RETENTION_DAYS,
      cleanupBatchSize: config.USAGE_CLEANUP_BATCH_SIZE,
      handoffIdleMinutes: config.HANDOFF_IDLE_RELEASE_MINUTES,
      events,
      customers: customerChannels,
      // The platform keys' health only: tenants' own keys are theirs to watch (GraphQL providerHealth).
      healthSnapshot: () => gateway.health.snapshot({ tenantId: null }),
      gauges: new ProviderHealthGauges(metrics.registry),
      metrics: new JobMetrics(metrics.registry),
      alerts,
      runbookBaseUrl: config.runbookBaseUrl,
      digestMailer,
      digestDefaultTo: emailList(config.ALERT_EMAIL_TO),
      fineTuning,
    });
    lifecycle.onShutdown('jobs', () => {
      digestMailer?.close();
      return jobs.stop();
    });
    logger.info({ nextRuns: jobs.nextRuns() }, 'scheduled jobs');
  }

  const app = await createApp(
    {
      orm,
      logger,
      metrics,
      readiness,
      trustProxy: config.trustProxy,
      metricsToken: config.METRICS_TOKEN ?? null,
      serveMetrics: config.METRICS_PORT === undefined,
      publicBaseUrl: config.publicBaseUrl,
      readinessDetails: () => ({ providers: providerChecks }),
    },
    mounters,
  );
  const server = await listen(app, config.PORT, config.HOST);
  lifecycle.onShutdown('http', () => server.close(config.SHUTDOWN_TIMEOUT_MS));
  if (config.METRICS_PORT !== undefined) {
    const metricsServer = await listen(
      createMetricsApp({ metrics, metricsToken: config.METRICS_TOKEN ?? null }),
      config.METRICS_PORT,
      config.METRICS_HOST,
    );
    lifecycle.onShutdown('metrics-http', () => metricsServer.close(1_000));
    logger.info({ port: metricsServer.port, host: config.METRICS_HOST }, 'metrics listener');
  }
  logger.info(
    { port: server.port, database: database.mode, pid: process.pid },
    `parley listening on http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${server.port}`,
  );
}

function printFirstRun(config: Config, tenant: string, articles: number, apiKey: string): void {
  const base = config.publicBaseUrl;
  process.stdout.write(
    [
      '',
      `  First run: created the demo tenant "${tenant}" with ${articles} knowledge-base answers.`,
      `  Control-plane API key (all scopes, shown only now): ${apiKey}`,
      `  Health:  ${base}/readyz     Metrics: ${base}/metrics`,
      `  Admin console: ${base}/admin (sign in with the key)   GraphQL: ${base}/graphql (Authorization: Bearer <key>)`,
      '  Try the bot in the terminal:  npm run chat',
      '',
    ].join('\n') + '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`parley: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
