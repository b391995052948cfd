import { Alert, AuditLog, ProviderUsage, Tenant } from '../../../src/db/entities';
import { evaluateAlertRules } from '../../../src/jobs/alert-rules';
import { createLogger } from '../../../src/logger';
import { createAlertService, type AlertService } from '../../../src/monitoring/alert-service';
import { issuePlatformKey } from '../../../src/tenants/tenant-admin';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server';

const ALERT_FIELDS = `id key rule title severity status metric value threshold runbookUrl firedAt resolvedAt
  acknowledgedBy acknowledgedAt silenced silencedUntil silencedBy silenceReason notifyCount`;
const LIST = `query($filter: AlertFilterInput, $first: Int, $after: String) {
  alerts(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor } nodes { ${ALERT_FIELDS} }
  }
}`;
const SETTINGS_FIELDS = `thresholds { name value defaultValue custom description }
  routes { severity notifiers defaults custom } emailTo pagerDutyRoutingKeySet monthlyBudgetUsd disabledRules rules problem`;
const UPDATE = `mutation($input: AlertSettingsInput!) { updateAlertSettings(input: $input) { ${SETTINGS_FIELDS} } }`;
const RUNBOOKS = 'https://parley.test/runbooks/';

describe('GraphQL: alerts', () => {
  let database: TestDatabase;
  let server: GraphqlTestServer;
  let shop: TenantFixture;
  let other: TenantFixture;
  let platformKey: string;
  let service: AlertService;
  const now = new Date('2026-11-20T12:00:00Z');
  const logger = createLogger('silent');

  /** The provider-failure rule's data: 30 OpenAI calls in the last 15 minutes, 12 of them failed (40 %). */
  async function failingCalls(tenant: Tenant) {
    const em = database.orm.em.fork();
    for (let index = 0; index < 30; index += 1)
      em.create(ProviderUsage, {
        tenant: tenant.id,
        provider: 'openai',
        model: 'gpt-4o-mini',
        latencyMs: 400,
        success: index >= 12,
        errorCode: index < 12 ? 'rate_limited' : null,
        createdAt: new Date(now.getTime() - 5 * 60_000 + index * 1000),
      });
    await em.flush();
  }
  const evaluate = () => evaluateAlertRules(database.orm, { alerts: service, logger, now, runbookBaseUrl: RUNBOOKS });
  const audits = (tenantId: string, action: string) =>
    database.orm.em.fork().count(AuditLog, { tenant: tenantId, action });

  beforeAll(async () => {
    database = await createTestDatabase();
    shop = await makeControlPlaneTenant(database.orm.em.fork(), 'alerts-shop');
    other = await makeControlPlaneTenant(database.orm.em.fork(), 'alerts-other');
    platformKey = (await issuePlatformKey(database.orm.em.fork(), { name: 'ops' })).key;
    server = await startGraphqlServer(database.orm);
    service = createAlertService({
      orm: database.orm,
      notifiers: [],
      logger,
      repeatHours: 4,
      groupWindowSeconds: 0,
      silenceMinutes: 60,
      graphqlUrl: 'https://parley.test/graphql',
      now: () => now,
    });
    await failingCalls(shop.tenant);
    expect((await evaluate()).raised).toEqual({ notified: 1 });
    // Older history of the shop: a latency alert that fired and resolved; the other tenant's own firing alert.
    await service.raise({
      tenantId: shop.tenant.id,
      key: 'latency-p95',
      title: 'Reply latency p95 above 5 s',
      severity: 'warning',
      value: 7200,
      threshold: 5000,
    });
    await service.resolve(shop.tenant.id, 'latency-p95');
    await service.raise({ tenantId: other.tenant.id, key: 'handoff-spike', title: 'Handoffs', severity: 'warning' });
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const list = async (key: string, variables: Record<string, unknown> = {}) => {
    const result = await server.query(key, LIST, variables);
    expect(result.errors).toBeUndefined();
    return result.data!.alerts;
  };
  const firingId = async () => (await list(shop.keys['analytics:view'], { filter: { status: 'FIRING' } })).nodes[0].id;

  it('lists the alert the provider-failure rule raised, firing first, with value, threshold and runbook', async () => {
    const page = await list(shop.keys['analytics:view']);
    expect(page.totalCount).toBe(2);
    expect(page.nodes.map((alert: { key: string; status: string }) => [alert.key, alert.status])).toEqual([
      ['provider-failure:openai', 'FIRING'],
      ['latency-p95', 'RESOLVED'],
    ]);
    expect(page.nodes[0]).toMatchObject({
      rule: 'provider-failure',
      severity: 'CRITICAL',
      metric: 'provider_failure_rate',
      value: 0.4,
      threshold: 0.05,
      runbookUrl: `${RUNBOOKS}provider-failure`,
      silenced: false,
      acknowledgedAt: null,
    });
    // Filters combine; the other tenant's alert never shows.
    const byRule = await list(shop.keys['analytics:view'], { filter: { rule: 'provider-failure' } });
    expect(byRule.nodes.map((alert: { key: string }) => alert.key)).toEqual(['provider-failure:openai']);
    expect((await list(shop.keys['analytics:view'], { filter: { severity: 'WARNING' } })).totalCount).toBe(1);
    expect((await list(shop.keys['analytics:view'], { filter: { rule: 'handoff-spike' } })).totalCount).toBe(0);
    expect((await list(other.keys['analytics:view'])).nodes.map((alert: { key: string }) => alert.key)).toEqual([
      'handoff-spike',
    ]);
  });

  it('pages with cursors and refuses a cursor or rule it did not write', async () => {
    const first = await list(shop.keys['analytics:view'], { first: 1 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await list(shop.keys['analytics:view'], { first: 1, after: first.pageInfo.endCursor });
    expect(second.nodes.map((alert: { key: string }) => alert.key)).toEqual(['latency-p95']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    for (const variables of [{ after: 'bm90LWEtY3Vyc29y' }, { filter: { rule: "x' or 1=1" } }, { first: 0 }]) {
      const refused = await server.query(shop.keys['analytics:view'], LIST, variables);
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('acknowledges with corrections:write only, audited, and never across tenants', async () => {
    const id = await firingId();
    const ack = `mutation($id: ID!) { acknowledgeAlert(id: $id) { ${ALERT_FIELDS} } }`;
    const forbidden = await server.query(shop.keys['analytics:view'], ack, { id });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const foreign = await server.query(other.keys['corrections:write'], ack, { id });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await audits(other.tenant.id, 'alert.acknowledge')).toBe(0);

    const done = await server.query(shop.keys['corrections:write'], ack, { id });
    expect(done.errors).toBeUndefined();
    expect(done.data!.acknowledgeAlert.acknowledgedBy).toMatch(/^apikey:/);
    expect(done.data!.acknowledgeAlert.status).toBe('FIRING');
    await server.query(shop.keys['corrections:write'], ack, { id }); // idempotent: one audit row
    expect(await audits(shop.tenant.id, 'alert.acknowledge')).toBe(1);
    // The alert service sees it: the rule holding still is no repeat.
    expect((await evaluate()).raised).toEqual({ acknowledged: 1 });
    const acknowledged = await list(shop.keys['analytics:view'], { filter: { acknowledged: true } });
    expect(acknowledged.nodes.map((alert: { id: string }) => alert.id)).toEqual([id]);
  });

  it('silences for a duration with a reason, refuses bad ones, un-silences; all audited and tenant-scoped', async () => {
    const id = await firingId();
    const silence = `mutation($id: ID!, $minutes: Int!, $reason: String!) {
      silenceAlert(id: $id, minutes: $minutes, reason: $reason) { ${ALERT_FIELDS} } }`;
    for (const variables of [
      { id, minutes: 0, reason: 'maintenance' },
      { id, minutes: 20_000, reason: 'maintenance' },
      { id, minutes: 60, reason: '   ' },
    ]) {
      const refused = await server.query(shop.keys['corrections:write'], silence, variables);
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const foreign = await server.query(other.keys.all, silence, { id, minutes: 60, reason: 'not mine' });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await database.orm.em.fork().findOneOrFail(Alert, { id })).silencedUntil).toBeNull();

    const silenced = await server.query(shop.keys['corrections:write'], silence, {
      id,
      minutes: 120,
      reason: 'OpenAI incident, tracked upstream',
    });
    expect(silenced.errors).toBeUndefined();
    const alert = silenced.data!.silenceAlert;
    expect(alert).toMatchObject({ silenced: true, silenceReason: 'OpenAI incident, tracked upstream' });
    const minutes = (Date.parse(alert.silencedUntil) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(110);
    expect(minutes).toBeLessThanOrEqual(120);
    expect(await audits(shop.tenant.id, 'alert.silence')).toBe(1);

    const unsilence = `mutation($id: ID!) { unsilenceAlert(id: $id) { ${ALERT_FIELDS} } }`;
    expect((await server.query(other.keys.all, unsilence, { id })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const back = await server.query(shop.keys['corrections:write'], unsilence, { id });
    expect(back.data!.unsilenceAlert).toMatchObject({ silenced: false, silencedUntil: null, silenceReason: null });
    expect(await audits(shop.tenant.id, 'alert.unsilence')).toBe(1);
  });

  it('reads thresholds with defaults and routing; writes them validated, audited, and the rules use them', async () => {
    const read = await server.query(shop.keys['analytics:view'], `{ alertSettings { ${SETTINGS_FIELDS} } }`);
    expect(read.errors).toBeUndefined();
    const settings = read.data!.alertSettings;
    expect(settings.thresholds).toContainEqual(
      expect.objectContaining({ name: 'providerFailureRate', value: 0.05, defaultValue: 0.05, custom: false }),
    );
    expect(settings.routes).toContainEqual({
      severity: 'CRITICAL',
      notifiers: ['PAGERDUTY', 'SLACK', 'EMAIL'],
      defaults: ['PAGERDUTY', 'SLACK', 'EMAIL'],
      custom: false,
    });
    expect(settings.rules).toContain('latency-p95');

    const forbidden = await server.query(shop.keys['corrections:write'], UPDATE, {
      input: { thresholds: { providerFailureRate: 0.5 } },
    });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Refused values: each reported under its field, nothing written, no audit row.
    const before = (await database.orm.em.fork().findOneOrFail(Tenant, { id: shop.tenant.id })).settings;
    const refused = await server.query(shop.keys['users:manage'], UPDATE, {
      input: { thresholds: { providerFailureRate: 1.5, windowMinutes: 0 }, emailTo: ['not-an-address'] },
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toMatch(/thresholds\.windowMinutes: .*thresholds\.providerFailureRate: /);
    expect(refused.errors?.[0]?.message).toContain('emailTo: ');
    const unknownRule = await server.query(shop.keys['users:manage'], UPDATE, {
      input: { disabledRules: ['latency-p99'] },
    });
    expect(unknownRule.errors?.[0]?.message).toMatch(/^disabledRules: /);
    expect((await database.orm.em.fork().findOneOrFail(Tenant, { id: shop.tenant.id })).settings).toEqual(before);
    expect(await audits(shop.tenant.id, 'tenant.alerts.update')).toBe(0);

    const updated = await server.query(shop.keys['users:manage'], UPDATE, {
      input: {
        thresholds: { providerFailureRate: 0.5, latencyP95Ms: 8000 },
        routes: { critical: ['SLACK'], info: [] },
        emailTo: ['oncall@shop.test'],
      },
    });
    expect(updated.errors).toBeUndefined();
    const next = updated.data!.updateAlertSettings;
    expect(next.thresholds).toContainEqual(
      expect.objectContaining({ name: 'providerFailureRate', value: 0.5, defaultValue: 0.05, custom: true }),
    );
    expect(next.routes).toContainEqual(
      expect.objectContaining({ severity: 'CRITICAL', notifiers: ['SLACK'], custom: true }),
    );
    expect(next.routes).toContainEqual(expect.objectContaining({ severity: 'INFO', notifiers: [], custom: true }));
    expect(next.emailTo).toEqual(['oncall@shop.test']);
    expect(await audits(shop.tenant.id, 'tenant.alerts.update')).toBe(1);
    // Other settings are untouched; the other tenant keeps its defaults.
    const stored = (await database.orm.em.fork().findOneOrFail(Tenant, { id: shop.tenant.id })).settings;
    expect({ ...stored, alerts: undefined }).toEqual({ ...before, alerts: undefined });
    const others = await server.query(other.keys['analytics:view'], `{ alertSettings { thresholds { name custom } } }`);
    expect(others.data!.alertSettings.thresholds.every((threshold: { custom: boolean }) => !threshold.custom)).toBe(
      true,
    );

    // The rule reads the new threshold: 40 % failures is under 50 %, so the alert resolves.
    expect((await evaluate()).resolved).toBe(1);
    expect((await list(shop.keys['analytics:view'], { filter: { status: 'FIRING' } })).totalCount).toBe(0);

    // null resets a threshold to its default.
    const reset = await server.query(shop.keys['users:manage'], UPDATE, {
      input: { thresholds: { providerFailureRate: null } },
    });
    expect(reset.data!.updateAlertSettings.thresholds).toContainEqual(
      expect.objectContaining({ name: 'providerFailureRate', value: 0.05, custom: false }),
    );
    expect(reset.data!.updateAlertSettings.thresholds).toContainEqual(
      expect.objectContaining({ name: 'latencyP95Ms', value: 8000, custom: true }),
    );
  });

  it('applies two settings saves made at once one after the other: neither change is lost', async () => {
    const saves = await Promise.all(
      [{ minSamples: 5 }, { handoffRate: 0.4 }, { qualityDropRatio: 0.2 }].map((thresholds) =>
        server.query(shop.keys['users:manage'], UPDATE, { input: { thresholds } }),
      ),
    );
    expect(saves.map((save) => save.errors)).toEqual([undefined, undefined, undefined]);
    const stored = (await database.orm.em.fork().findOneOrFail(Tenant, { id: shop.tenant.id })).settings;
    expect((stored.alerts as { rules: Record<string, number> }).rules).toMatchObject({
      minSamples: 5,
      handoffRate: 0.4,
      qualityDropRatio: 0.2,
      latencyP95Ms: 8000,
    });
  });

  it('gives platform keys no tenant alerts', async () => {
    for (const query of [LIST, `{ alertSettings { rules } }`]) {
      const result = await server.query(platformKey, query);
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const write = await server.query(platformKey, UPDATE, { input: { monthlyBudgetUsd: 10 } });
    expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
