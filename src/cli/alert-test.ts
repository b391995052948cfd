// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine } from './command-line';
import 'reflect-metadata';
import { createSlackApp } from '../../channels/slack/slack-app';
import { slackConfigFrom } from '../../channels/slack/slack-config';
import { loadConfig } from '../config';
import { runCli } from './cli-runner';
import { openDatabase } from '../db/database';
import { Tenant } from '../db/entities';
import { CustomerChannelRegistry } from '../engine/outbound';
import { DomainEvents } from '../events';
import { createLogger } from '../logger';
import { createAlertService } from '../monitoring/alert-service';
import type { AlertNotifier, AlertSeverity } from '../monitoring/alert-types';
import { createLogAlertNotifier } from '../monitoring/log-alert-notifier';

/**
 * `npm run alert:test`: an entry point like main.ts (a composition root, so it
 * may build the Slack notifier) that raises or resolves one test alert.
 */
async function main(): Promise<number> {
  const { values } = commandLine();
  const tenantName = typeof values.tenant === 'string' ? values.tenant : null;
  // The spec checked the value against the three severities.
  const severity = (typeof values.severity === 'string' ? values.severity : 'warning') as AlertSeverity;
  const resolve = values.resolve === true;

  const config = loadConfig();
  const slackConfig = slackConfigFrom(config);
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const database = await openDatabase(config, logger);
  try {
    const em = database.orm.em.fork();
    const tenants = tenantName ? await em.find(Tenant, { name: tenantName }) : await em.find(Tenant, {}, { orderBy: { createdAt: 'asc' } });
    const tenant = tenants.length === 1 ? tenants[0]! : tenants.find((candidate) => candidate.name === 'demo');
    if (!tenant) {
      process.stderr.write(tenantName ? `No tenant named "${tenantName}".\n` : 'Several tenants exist: choose one with --tenant <name>.\n');
      return 2;
    }
    const notifiers: AlertNotifier[] = [createLogAlertNotifier(createLogger('info'))];
    if (slackConfig) {
      const slack = createSlackApp({ config: slackConfig, orm: database.orm, events: new DomainEvents(), logger, customers: new CustomerChannelRegistry() });
      notifiers.push(slack.alertNotifier);
    }
    const alerts = createAlertService({
      orm: database.orm,
      notifiers,
      logger,
      repeatHours: config.ALERT_REPEAT_HOURS,
      groupWindowSeconds: config.ALERT_GROUP_WINDOW_SECONDS,
      silenceMinutes: config.ALERT_SILENCE_MINUTES,
      graphqlUrl: `${config.publicBaseUrl}/graphql`,
    });
    if (resolve) {
      const resolved = await alerts.resolve(tenant.id, 'parley-test-alert');
      process.stdout.write(resolved ? `Resolved the test alert of ${tenant.name}.\n` : `No firing test alert for ${tenant.name}.\n`);
      return 0;
    }
    const { outcome } = await alerts.raise({
      tenantId: tenant.id,
      key: 'parley-test-alert',
      title: 'Test alert from npm run alert:test',
      severity,
      description: 'Sent to check that alerts reach on-call. Resolve it with npm run alert:test -- --resolve.',
      metric: 'parley_test_metric',
      value: 1,
      threshold: 0,
      query: '{ providerHealth { provider model calls failureRate circuit } }',
    });
    process.stdout.write(`Test alert for ${tenant.name}: ${outcome}. Notifiers: ${notifiers.map((notifier) => notifier.id).join(', ')}${slackConfig ? '' : ' (Slack off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)'}.\n`);
    return 0;
  } finally {
    await database.close();
  }
}

runCli('alert:test', main);
