// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine } from './command-line';
import 'reflect-metadata';
import { createSlackApp } from '../../channels/slack/slack-app';
import { slackConfigFrom } from '../../channels/slack/slack-config';
import { loadConfig } from '../config';
import { runCli } from './cli-runner';
import { cliSecretBox } from './cli-services';
import { openDatabase } from '../db/database';
import { Tenant } from '../db/entities';
import { CustomerChannelRegistry } from '../engine/outbound';
import { DomainEvents } from '../events';
import { createLogger } from '../logger';
import { createAlertService } from '../monitoring/alert-service';
import type { AlertNotifier, AlertSeverity } from '../monitoring/alert-types';
import { configuredAlertSettings, configuredNotifiers } from '../monitoring/configured-notifiers';

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
    const tenants = tenantName
      ? await em.find(Tenant, { name: tenantName })
      : await em.find(Tenant, {}, { orderBy: { createdAt: 'asc' } });
    const tenant = tenants.length === 1 ? tenants[0]! : tenants.find((candidate) => candidate.name === 'demo');
    if (!tenant) {
      process.stderr.write(
        tenantName ? `No tenant named "${tenantName}".\n` : 'Several tenants exist: choose one with --tenant <name>.\n',
      );
      return 2;
    }
    const extra: AlertNotifier[] = [];
    if (slackConfig) {
      const slack = createSlackApp({
        config: slackConfig,
        orm: database.orm,
        secretBox: cliSecretBox(config),
        events: new DomainEvents(),
        logger,
        customers: new CustomerChannelRegistry(),
      });
      extra.push(slack.alertNotifier);
    }
    // Every medium for the test alert, whatever the tenant routes by severity: the point is to exercise them all.
    const delivery = configuredNotifiers(config, database.orm, createLogger('info'), extra, { routeBySeverity: false });
    const report: string[] = [];
    const notifiers = delivery.notifiers.map((notifier) => reporting(notifier, report));
    const alerts = createAlertService({
      orm: database.orm,
      notifiers,
      logger,
      ...configuredAlertSettings(config),
    });
    if (resolve) {
      const resolved = await alerts.resolve(tenant.id, 'parley-test-alert');
      process.stdout.write(
        resolved ? `Resolved the test alert of ${tenant.name}.\n` : `No firing test alert for ${tenant.name}.\n`,
      );
      process.stdout.write(report.map((line) => `  ${line}\n`).join(''));
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
    process.stdout.write(`Test alert for ${tenant.name}: ${outcome}.\n${report.map((line) => `  ${line}\n`).join('')}`);
    if (delivery.disabled.length)
      process.stdout.write(
        `Off: ${delivery.disabled.join('; ')}${slackConfig ? '' : '; slack (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)'}.\n`,
      );
    return report.some((line) => line.includes('FAILED')) ? 1 : 0;
    return 0;
  } finally {
    await database.close();
  }
}

/** Wraps a notifier to say, per medium, what happened to the test alert. */
function reporting(notifier: AlertNotifier, report: string[]): AlertNotifier {
  const attempt = async <T>(verb: string, work: () => Promise<T>, describe: (result: T) => string): Promise<T> => {
    try {
      const result = await work();
      report.push(`${notifier.id}: ${describe(result)}`);
      return result;
    } catch (error) {
      report.push(`${notifier.id}: ${verb} FAILED: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  };
  return {
    id: notifier.id,
    send: (notification) =>
      attempt(
        'send',
        () => notifier.send(notification),
        (reference) => (reference ? `sent (${reference})` : 'nowhere to send for this tenant'),
      ),
    update: (reference, notification) =>
      attempt(
        'update',
        () => notifier.update(reference, notification),
        () => `updated ${reference}`,
      ),
  };
}

runCli('alert:test', main);
