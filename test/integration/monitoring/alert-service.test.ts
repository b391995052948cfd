import { Alert } from '../../../src/db/entities';
import { createLogger } from '../../../src/logger';
import { createAlertService, type AlertService } from '../../../src/monitoring/alert-service';
import type { AlertNotification, AlertNotifier } from '../../../src/monitoring/alert-types';
import { createTenant } from '../../../src/tenants/tenant-service';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

/** A notifier that keeps what it was asked to send: the interface email and PagerDuty will implement. */
class RecordingNotifier implements AlertNotifier {
  readonly id = 'recording';
  sent: AlertNotification[] = [];
  updates: { reference: string; notification: AlertNotification }[] = [];
  failNext = false;
  async send(notification: AlertNotification): Promise<string | null> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('medium unavailable');
    }
    this.sent.push(notification);
    return `message-${this.sent.length}`;
  }
  async update(reference: string, notification: AlertNotification): Promise<void> {
    this.updates.push({ reference, notification });
  }
}

describe('alert service', () => {
  let database: TestDatabase;
  let tenantId: string;
  let clock: Date;
  let notifier: RecordingNotifier;
  let service: AlertService;
  const advance = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    tenantId = (await createTenant(database.orm.em.fork(), { name: 'alerts-tenant' })).id;
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await database.orm.em.fork().nativeDelete(Alert, {});
    clock = new Date('2026-11-24T10:00:00Z');
    notifier = new RecordingNotifier();
    service = createAlertService({
      orm: database.orm,
      notifiers: [notifier],
      logger: createLogger('silent'),
      repeatHours: 4,
      groupWindowSeconds: 30,
      silenceMinutes: 60,
      graphqlUrl: 'http://localhost:3000/graphql',
      now: () => clock,
    });
  });

  const failureRate = (key = 'provider-failure-rate:openai') => ({
    tenantId,
    key,
    title: 'OpenAI failure rate above threshold',
    severity: 'critical' as const,
    metric: 'provider_failure_rate',
    value: 0.62,
    threshold: 0.5,
    query: '{ providerHealth { provider failureRate } }',
  });

  it('sends one alert through the notifier interface with metric, threshold, since and query link', async () => {
    const { outcome, alert } = await service.raise(failureRate());
    expect(outcome).toBe('notified');
    expect(notifier.sent).toHaveLength(1);
    const [sent] = notifier.sent[0]!.alerts;
    expect(sent).toMatchObject({
      key: 'provider-failure-rate:openai',
      metric: 'provider_failure_rate',
      value: 0.62,
      threshold: 0.5,
      status: 'firing',
    });
    expect(sent!.firedAt.toISOString()).toBe('2026-11-24T10:00:00.000Z');
    expect(sent!.queryUrl).toBe(
      `http://localhost:3000/graphql#query=${encodeURIComponent('{ providerHealth { provider failureRate } }')}`,
    );
    expect(alert.notifyCount).toBe(1);
  });

  it('deduplicates a firing alert and repeats it only after the repeat interval', async () => {
    await service.raise(failureRate());
    advance(60 * 60_000);
    expect((await service.raise(failureRate())).outcome).toBe('deduplicated');
    advance(2 * 60 * 60_000);
    expect((await service.raise(failureRate())).outcome).toBe('deduplicated');
    expect(notifier.sent).toHaveLength(1);
    advance(60 * 60_000);
    expect((await service.raise(failureRate())).outcome).toBe('repeated');
    expect(notifier.sent).toHaveLength(2);
    expect(notifier.sent[1]!.kind).toBe('repeat');
  });

  it('does not repeat an acknowledged alert, and a new episode after resolution notifies again', async () => {
    const { alert } = await service.raise(failureRate());
    await service.acknowledge(tenantId, alert.id, 'slack:UONCALL');
    expect(notifier.updates.at(-1)!.notification.alerts[0]!.acknowledgedBy).toBe('slack:UONCALL');
    advance(5 * 60 * 60_000);
    expect((await service.raise(failureRate())).outcome).toBe('acknowledged');
    expect(notifier.sent).toHaveLength(1);
    await service.resolve(tenantId, 'provider-failure-rate:openai');
    advance(60_000);
    expect((await service.raise(failureRate())).outcome).toBe('notified');
    expect(notifier.sent).toHaveLength(2);
  });

  it('updates the same message when the alert resolves', async () => {
    await service.raise(failureRate());
    const resolved = await service.resolve(tenantId, 'provider-failure-rate:openai');
    expect(resolved?.status).toBe('resolved');
    expect(notifier.updates).toHaveLength(1);
    expect(notifier.updates[0]!.reference).toBe('message-1');
    expect(notifier.updates[0]!.notification.alerts[0]!.status).toBe('resolved');
    expect(await service.resolve(tenantId, 'provider-failure-rate:openai')).toBeNull();
  });

  it('groups alerts of one tenant that fire within the window into one message', async () => {
    await service.raise(failureRate('a'));
    advance(10_000);
    expect((await service.raise(failureRate('b'))).outcome).toBe('grouped');
    advance(15_000);
    expect((await service.raise(failureRate('c'))).outcome).toBe('grouped');
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.updates.at(-1)!.reference).toBe('message-1');
    expect(notifier.updates.at(-1)!.notification.alerts.map((alert) => alert.key)).toEqual(['a', 'b', 'c']);
    advance(31_000);
    expect((await service.raise(failureRate('d'))).outcome).toBe('notified');
    expect(notifier.sent).toHaveLength(2);
  });

  it('silences an alert for an hour: no new episode or repeat is sent until then', async () => {
    const { alert } = await service.raise(failureRate());
    const silenced = await service.silence(tenantId, alert.id, 'slack:UONCALL');
    expect(silenced.silencedUntil!.toISOString()).toBe('2026-11-24T11:00:00.000Z');
    await service.resolve(tenantId, 'provider-failure-rate:openai');
    advance(30 * 60_000);
    expect((await service.raise(failureRate())).outcome).toBe('silenced');
    expect(notifier.sent).toHaveLength(1);
    advance(31 * 60_000);
    expect((await service.raise(failureRate())).outcome).toBe('notified');
    expect(notifier.sent).toHaveLength(2);
  });

  it('records a notifier failure on the alert without failing the caller, and retries on the next raise', async () => {
    notifier.failNext = true;
    const { outcome } = await service.raise(failureRate());
    expect(outcome).toBe('notified');
    const stored = await database.orm.em.fork().findOneOrFail(Alert, { key: 'provider-failure-rate:openai' });
    expect(stored.notifyError).toContain('medium unavailable');
    expect(notifier.sent).toHaveLength(0);
    advance(5_000);
    expect((await service.raise(failureRate())).outcome).toBe('notified');
    expect(notifier.sent).toHaveLength(1);
  });

  it('rejects an alert without a key or with an unknown severity', async () => {
    await expect(service.raise({ ...failureRate(), key: ' ' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(service.raise({ ...failureRate(), severity: 'loud' as never })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    expect(await database.orm.em.fork().count(Alert, {})).toBe(0);
  });
});
