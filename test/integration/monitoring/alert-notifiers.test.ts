import { Alert } from '../../../src/db/entities';
import { createLogger } from '../../../src/logger';
import { createAlertSettingsReader, routeNotifiers } from '../../../src/monitoring/alert-routing';
import { createAlertService, type AlertService } from '../../../src/monitoring/alert-service';
import type { AlertInput, AlertNotification, AlertNotifier } from '../../../src/monitoring/alert-types';
import { createEmailNotifier } from '../../../src/monitoring/email-notifier';
import { createPagerDutyNotifier } from '../../../src/monitoring/pagerduty-notifier';
import { createTenant } from '../../../src/tenants/tenant-service';
import { startFakePagerDutyServer, type FakePagerDutyServer } from '../../fakes/fake-pagerduty-server';
import { startFakeSmtpServer, type FakeSmtpServer } from '../../fakes/fake-smtp-server';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

/** Stands in for the Slack notifier (tested against the fake Slack in the Slack suite) under its routable id. */
class RecordingSlack implements AlertNotifier {
  readonly id = 'slack';
  sent: AlertNotification[] = [];
  updates: AlertNotification[] = [];
  async send(notification: AlertNotification) {
    this.sent.push(notification);
    return `C1:${this.sent.length}`;
  }
  async update(_reference: string, notification: AlertNotification) {
    this.updates.push(notification);
  }
}

const ROUTING_KEY = 'R0ENKJH4Q2WQ3C8V0PF7ZA9B1D2E3F4G';

describe('alert notifiers: email over SMTP, PagerDuty Events v2, routing and retries', () => {
  let database: TestDatabase;
  let smtp: FakeSmtpServer;
  let pagerDuty: FakePagerDutyServer;
  let tenantId: string;
  let bareTenantId: string;
  let slack: RecordingSlack;
  let service: AlertService;
  let email: ReturnType<typeof createEmailNotifier>;
  let clock: Date;
  const logger = createLogger('silent');

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = await startFakeSmtpServer();
    pagerDuty = await startFakePagerDutyServer();
    const em = database.orm.em.fork();
    tenantId = (
      await createTenant(em, {
        name: 'paged',
        settings: { alerts: { email: { to: ['oncall@paged.example'] }, pagerduty: { routingKey: ROUTING_KEY } } },
      })
    ).id;
    // Invalid settings (a typo in a notifier name) must not silence alerts: the defaults apply.
    bareTenantId = (
      await createTenant(em, { name: 'bare', settings: { alerts: { routes: { critical: ['pagerdoody'] } } } })
    ).id;
  });
  afterAll(async () => {
    email?.close();
    await smtp.close();
    await pagerDuty.close();
    await database.drop();
  });
  beforeEach(async () => {
    await database.orm.em.fork().nativeDelete(Alert, {});
    pagerDuty.reset();
    smtp.emails.length = 0;
    clock = new Date('2026-12-01T10:00:00Z');
    slack = new RecordingSlack();
    const settingsFor = createAlertSettingsReader(database.orm, logger);
    email?.close();
    email = createEmailNotifier({
      smtpUrl: smtp.url,
      from: 'parley alerts <alerts@parley.test>',
      defaultTo: ['ops@parley.test'],
      settingsFor,
      timeoutMs: 5_000,
    });
    const pager = createPagerDutyNotifier({
      eventsUrl: pagerDuty.url,
      defaultRoutingKey: null,
      settingsFor,
      source: 'parley.test',
    });
    service = createAlertService({
      orm: database.orm,
      notifiers: routeNotifiers([email, pager, slack], { settingsFor, logger, retries: 2, backoffMs: 5 }),
      logger,
      repeatHours: 4,
      groupWindowSeconds: 0,
      silenceMinutes: 60,
      graphqlUrl: 'http://parley.test/graphql',
      now: () => clock,
    });
  });

  const alert = (overrides: Partial<AlertInput> = {}): AlertInput => ({
    tenantId,
    key: 'latency-p95',
    title: 'Reply latency p95 above 5 s',
    severity: 'critical',
    metric: 'reply_latency_p95_ms',
    value: 7200,
    threshold: 5000,
    runbookUrl: 'https://github.com/parley/parley/blob/main/docs/runbooks/latency.md',
    query: '{ providerHealth { provider p95LatencyMs } }',
    ...overrides,
  });

  it('routes a critical alert to PagerDuty, Slack and email, each once, with the runbook link', async () => {
    const { outcome } = await service.raise(alert());
    expect(outcome).toBe('notified');
    expect(pagerDuty.events).toHaveLength(1);
    const [event] = pagerDuty.events;
    expect(event).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      payload: { severity: 'critical', source: 'parley.test', summary: '[CRITICAL] Reply latency p95 above 5 s' },
    });
    expect(event!.links).toContainEqual({
      href: 'https://github.com/parley/parley/blob/main/docs/runbooks/latency.md',
      text: 'Runbook: Reply latency p95 above 5 s',
    });
    expect(slack.sent).toHaveLength(1);
    expect(smtp.emails).toHaveLength(1);
    expect(smtp.emails[0]!.to).toEqual(['oncall@paged.example']);
    expect(smtp.emails[0]!.header('subject')).toBe('[CRITICAL] Reply latency p95 above 5 s');
    expect(smtp.emails[0]!.text).toContain(
      'Runbook: https://github.com/parley/parley/blob/main/docs/runbooks/latency.md',
    );

    // The same condition again: nothing goes out anywhere.
    clock = new Date(clock.getTime() + 60_000);
    expect((await service.raise(alert({ value: 7400 }))).outcome).toBe('deduplicated');
    expect([pagerDuty.events.length, slack.sent.length, smtp.emails.length]).toEqual([1, 1, 1]);
  });

  it('routes a warning to Slack and email only, and info to email only', async () => {
    await service.raise(alert({ key: 'handoff-rate', severity: 'warning', title: 'Handoff rate above 25 %' }));
    await service.raise(alert({ key: 'digest', severity: 'info', title: 'Weekly quality digest' }));
    expect(pagerDuty.events).toHaveLength(0);
    expect(slack.sent.map((sent) => sent.alerts[0]!.key)).toEqual(['handoff-rate']);
    expect(smtp.emails.map((received) => received.header('subject'))).toEqual([
      '[WARNING] Handoff rate above 25 %',
      '[INFO] Weekly quality digest',
    ]);
  });

  it('acknowledges and resolves the PagerDuty incident by dedup key, and replies in the email thread', async () => {
    const { alert: raised } = await service.raise(alert());
    const dedupKey = pagerDuty.events[0]!.dedup_key;
    await service.acknowledge(tenantId, raised.id, 'U123');
    expect(pagerDuty.incidents.get(dedupKey)?.status).toBe('acknowledged');
    await service.resolve(tenantId, 'latency-p95');
    expect(pagerDuty.events.map((event) => [event.event_action, event.dedup_key])).toEqual([
      ['trigger', dedupKey],
      ['acknowledge', dedupKey],
      ['resolve', dedupKey],
    ]);
    expect(pagerDuty.incidents.get(dedupKey)?.status).toBe('resolved');
    const firstId = smtp.emails[0]!.header('message-id');
    const reply = smtp.emails[smtp.emails.length - 1]!;
    expect(reply.header('in-reply-to')).toBe(firstId);
    expect(reply.header('subject')).toBe('Re: [RESOLVED] Reply latency p95 above 5 s');
    expect(slack.updates.at(-1)!.alerts[0]!.status).toBe('resolved');

    // It fires again later: a new episode is a new incident.
    clock = new Date(clock.getTime() + 3_600_000);
    await service.raise(alert());
    expect(pagerDuty.incidents.size).toBe(2);
  });

  it('retries PagerDuty on 429 and 5xx with backoff until it accepts the event', async () => {
    pagerDuty.inject({ status: 429 });
    pagerDuty.inject({ status: 502 });
    const { outcome } = await service.raise(alert());
    expect(outcome).toBe('notified');
    expect(pagerDuty.requests.map((request) => request.status)).toEqual([429, 502, 202]);
    expect(pagerDuty.incidents.size).toBe(1);
  });

  it('a notifier that stays down never blocks the others and is retried on the next raise', async () => {
    pagerDuty.inject({ status: 503 }, 3); // the first try and both retries
    const first = await service.raise(alert());
    expect(first.outcome).toBe('notified');
    expect([slack.sent.length, smtp.emails.length, pagerDuty.events.length]).toEqual([1, 1, 0]);
    const stored = await database.orm.em.fork().findOneOrFail(Alert, { tenant: tenantId, key: 'latency-p95' });
    expect(stored.notifyFailed).toEqual(['pagerduty']);
    expect(stored.notifyError).toMatch(/pagerduty: PagerDuty answered 503/);

    // The rule evaluates again a minute later: only PagerDuty is tried again.
    clock = new Date(clock.getTime() + 60_000);
    expect((await service.raise(alert())).outcome).toBe('retried');
    expect([slack.sent.length, smtp.emails.length, pagerDuty.events.length]).toEqual([1, 1, 1]);
    clock = new Date(clock.getTime() + 60_000);
    expect((await service.raise(alert())).outcome).toBe('deduplicated');
    expect(pagerDuty.events).toHaveLength(1);

    // And the incident it opened is resolved with the alert.
    await service.resolve(tenantId, 'latency-p95');
    expect(pagerDuty.events.at(-1)).toMatchObject({
      event_action: 'resolve',
      dedup_key: pagerDuty.events[0]!.dedup_key,
    });
  });

  it('does not retry a refusal that cannot succeed (SMTP 550, PagerDuty 400)', async () => {
    smtp.reject(550);
    await service.raise(alert());
    expect(smtp.emails).toHaveLength(0);
    const stored = await database.orm.em.fork().findOneOrFail(Alert, { tenant: tenantId, key: 'latency-p95' });
    expect(stored.notifyFailed).toEqual(['email']);
    expect(stored.notifyError).toMatch(/SMTP refused/);
    expect(pagerDuty.events).toHaveLength(1);
  });

  it('retries a temporary SMTP refusal (451)', async () => {
    smtp.reject(451);
    await service.raise(alert());
    expect(smtp.emails).toHaveLength(1);
  });

  it("uses the default routes and recipients when a tenant's alert settings are invalid", async () => {
    await service.raise(alert({ tenantId: bareTenantId }));
    // No routing key anywhere: PagerDuty has nowhere to send; email goes to ALERT_EMAIL_TO.
    expect(pagerDuty.events).toHaveLength(0);
    expect(smtp.emails.map((received) => received.to)).toEqual([['ops@parley.test']]);
    expect(slack.sent).toHaveLength(1);
  });
});
