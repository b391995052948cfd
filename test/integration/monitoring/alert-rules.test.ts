import crypto from 'node:crypto';
import { SecretBox } from '../../../src/security/secret-box';
import { Tenant } from '../../../src/db/entities';
import { seedDemoTenant } from '../../../src/db/seed';
import { recordVote } from '../../../src/feedback/feedback-service';
import { evaluateAlertRules, type AlertRulesResult } from '../../../src/jobs/alert-rules';
import { createLogger } from '../../../src/logger';
import { createAlertSettingsReader, routeNotifiers } from '../../../src/monitoring/alert-routing';
import { createAlertService, type AlertService } from '../../../src/monitoring/alert-service';
import type { TenantAlertSettings } from '../../../src/monitoring/alert-settings';
import { createEmailNotifier } from '../../../src/monitoring/email-notifier';
import { createPagerDutyNotifier } from '../../../src/monitoring/pagerduty-notifier';
import { startFakeGemini, type FakeGemini } from '../../fakes/fake-gemini-server';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/fake-openai-server';
import { startFakePagerDutyServer, type FakePagerDutyServer } from '../../fakes/fake-pagerduty-server';
import { startFakeSmtpServer, type FakeSmtpServer } from '../../fakes/fake-smtp-server';
import { createSlackApp, type SlackApp } from '../../../channels/slack/slack-app';
import { CustomerChannelRegistry } from '../../../src/engine/outbound';
import { DomainEvents } from '../../../src/events';
import { startFakeSlackServer, type FakeSlackServer } from '../../fakes/fake-slack-server';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { BOT_TOKEN, ONCALL_CHANNEL, SIGNING_SECRET, slackSettings } from '../../helpers/slack-harness';
import { engineFor } from '../../helpers/engine-fixtures';
import { gatewayFor } from '../providers/gateway-helpers';

const ROUTING_KEY = 'R0ENKJH4Q2WQ3C8V0PF7ZA9B1D2E3F4G';
const RUNBOOKS = 'https://parley.test/runbooks/';

describe('the five alert rules, driven by traffic through the engine and the provider layer', () => {
  let database: TestDatabase;
  let tenantId: string;
  let gemini: FakeGemini;
  let openai: FakeOpenAi;
  let smtp: FakeSmtpServer;
  let pagerDuty: FakePagerDutyServer;
  let fakeSlack: FakeSlackServer;
  let slackApp: SlackApp;
  let alerts: AlertService;
  let email: ReturnType<typeof createEmailNotifier>;
  let engine: ReturnType<typeof engineFor>['engine'];
  let engineClock: { now: number };
  let gatewayClock: { now: number };
  /** The data clock (engine, gateway, rule windows) and the alert service's clock (repeats) move separately. */
  let now = Date.parse('2026-12-01T08:00:00Z');
  let alertNow = now;
  let customer = 0;
  const logger = createLogger('silent');

  const baseSettings: TenantAlertSettings = {
    routes: { critical: ['pagerduty', 'slack', 'email'], warning: ['pagerduty', 'slack', 'email'], info: ['email'] },
    email: { to: ['oncall@demo.example'] },
    pagerduty: { routingKey: ROUTING_KEY },
    monthlyBudgetUsd: 10_000,
    rules: { windowMinutes: 10, minSamples: 5, qualityBaselineHours: 2 },
  };
  const setAlertSettings = async (changes: Partial<TenantAlertSettings>) => {
    const em = database.orm.em.fork();
    const tenant = await em.findOneOrFail(Tenant, tenantId);
    tenant.settings = { ...tenant.settings, ...slackSettings(), alerts: { ...baseSettings, ...changes } };
    await em.flush();
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    tenantId = (await seedDemoTenant(database.orm.em.fork()))!.tenant.id;
    [gemini, openai, smtp, pagerDuty, fakeSlack] = await Promise.all([
      startFakeGemini(),
      startFakeOpenAi(),
      startFakeSmtpServer(),
      startFakePagerDutyServer(),
      startFakeSlackServer(),
    ]);
    await setAlertSettings({});
    const under = gatewayFor(database, {
      GEMINI_API_KEY: 'gk-test',
      GEMINI_BASE_URL: gemini.url,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.url,
      PROVIDER_MAX_RETRIES: 0,
      RESPONSE_CACHE_TTL_MS: 0,
    });
    gatewayClock = under.clock;
    const built = engineFor(database.orm, under.gateway);
    engine = built.engine;
    engineClock = built.clock;
    // The real Slack notifier (Bolt's Web API client) posting to the fake Slack's on-call channel.
    slackApp = createSlackApp({
      config: {
        botToken: BOT_TOKEN,
        signingSecret: SIGNING_SECRET,
        apiUrl: fakeSlack.apiUrl,
        publicBaseUrl: 'https://parley.test',
        idleSweepSeconds: 3600,
      },
      orm: database.orm,
      secretBox: new SecretBox(crypto.randomBytes(32)),
      events: new DomainEvents(),
      logger,
      customers: new CustomerChannelRegistry(),
      retries: 0,
    });
    const settingsFor = createAlertSettingsReader(database.orm, logger);
    email = createEmailNotifier({ smtpUrl: smtp.url, from: 'alerts@parley.test', defaultTo: [], settingsFor });
    const pager = createPagerDutyNotifier({
      eventsUrl: pagerDuty.url,
      defaultRoutingKey: null,
      settingsFor,
      source: 'parley.test',
    });
    alerts = createAlertService({
      orm: database.orm,
      notifiers: routeNotifiers([email, pager, slackApp.alertNotifier], {
        settingsFor,
        logger,
        retries: 2,
        backoffMs: 5,
      }),
      logger,
      repeatHours: 4,
      groupWindowSeconds: 0,
      silenceMinutes: 60,
      graphqlUrl: 'https://parley.test/graphql',
      now: () => new Date(alertNow),
    });
  });
  afterAll(async () => {
    email.close();
    await Promise.all([gemini.close(), openai.close(), smtp.close(), pagerDuty.close(), fakeSlack.close()]);
    await database.drop();
  });

  const advance = (minutes: number) => {
    now += minutes * 60_000;
    alertNow += minutes * 60_000;
  };
  /** `count` customers each send one message (a new conversation each), one second apart. */
  const traffic = async (
    count: number,
    text: (index: number) => string = (index) => `How can I track my order ${index}?`,
  ) => {
    const interactions: string[] = [];
    for (let index = 0; index < count; index += 1) {
      now += 1_000;
      alertNow += 1_000;
      engineClock.now = now;
      gatewayClock.now = now;
      const turn = await engine.handleTurn({
        tenantId,
        channel: 'terminal',
        externalId: `rules-customer-${(customer += 1)}`,
        text: text(customer),
      });
      if (turn.interactionId) interactions.push(turn.interactionId);
    }
    return interactions;
  };
  const evaluate = (): Promise<AlertRulesResult> =>
    evaluateAlertRules(database.orm, { alerts, logger, now: new Date(now), runbookBaseUrl: RUNBOOKS });
  const slackPosts = () => fakeSlack.callsOf('chat.postMessage');
  const sentCounts = () => ({
    pagerduty: pagerDuty.events.length,
    slack: slackPosts().length,
    email: smtp.emails.length,
  });
  const incidentsOf = (key: string) =>
    [...pagerDuty.incidents.values()].filter((incident) => incident.dedupKey.includes(`:${key}:`));

  /**
   * One rule's whole life: it fires and notifies once on every medium with its
   * runbook, stays quiet while the same condition holds, repeats after
   * ALERT_REPEAT_HOURS, resolves everywhere when the condition clears, and
   * stays quiet after that.
   */
  async function lifecycle(key: string, rule: string, fire: () => Promise<void>, clear: () => Promise<void>) {
    pagerDuty.reset();
    smtp.emails.length = 0;
    fakeSlack.reset();

    await fire();
    const fired = await evaluate();
    expect(fired.raised.notified).toBe(1);
    const firing = await alerts.firing(tenantId);
    expect(firing.map((alert) => alert.key)).toEqual([key]);
    expect(firing[0]!.runbookUrl).toBe(`${RUNBOOKS}${rule}`);
    expect(sentCounts()).toEqual({ pagerduty: 1, slack: 1, email: 1 });
    expect(pagerDuty.events[0]!.links).toContainEqual(expect.objectContaining({ href: `${RUNBOOKS}${rule}` }));
    expect(smtp.emails[0]!.text).toContain(`Runbook: ${RUNBOOKS}${rule}`);
    expect(slackPosts()[0]!.args.channel).toBe(ONCALL_CHANNEL);
    expect(JSON.stringify(slackPosts()[0]!.args.blocks)).toContain(`<${RUNBOOKS}${rule}|Runbook>`);

    // The job runs again a minute later, the condition still holding: nothing is sent twice.
    advance(1);
    expect((await evaluate()).raised).toEqual({ deduplicated: 1 });
    expect(sentCounts()).toEqual({ pagerduty: 1, slack: 1, email: 1 });

    // Four hours later (alert clock; the data window has not moved) it is still firing and unacknowledged: one repeat.
    alertNow += 4 * 3_600_000;
    expect((await evaluate()).raised).toEqual({ repeated: 1 });
    expect(sentCounts()).toEqual({ pagerduty: 2, slack: 2, email: 2 });
    expect(incidentsOf(key)).toHaveLength(1); // PagerDuty deduplicates the repeat into the open incident
    expect(smtp.emails[1]!.header('subject')).toMatch(/^Still firing: /);

    await clear();
    const cleared = await evaluate();
    expect(cleared.resolved).toBe(1);
    expect(await alerts.firing(tenantId)).toEqual([]);
    expect(pagerDuty.events.at(-1)).toMatchObject({ event_action: 'resolve' });
    expect(incidentsOf(key).every((incident) => incident.status === 'resolved')).toBe(true);
    expect(smtp.emails.at(-1)!.header('subject')).toMatch(/^Re: \[RESOLVED\]/);
    // Slack: every message of the alert is updated in place to show it resolved.
    const updates = fakeSlack.callsOf('chat.update');
    expect(updates.length).toBeGreaterThan(0);
    expect(JSON.stringify(updates.at(-1)!.args.blocks)).toContain('resolved');

    // Cleared and quiet: nothing more goes out.
    const after = sentCounts();
    const pagerDutyEvents = pagerDuty.events.length;
    const slackUpdates = fakeSlack.callsOf('chat.update').length;
    advance(1);
    expect((await evaluate()).resolved).toBe(0);
    expect(sentCounts()).toEqual(after);
    expect(pagerDuty.events).toHaveLength(pagerDutyEvents);
    expect(fakeSlack.callsOf('chat.update')).toHaveLength(slackUpdates);
    // Leave a clean window for the next rule.
    advance(30);
  }

  it('provider failure: a failing Gemini pages on-call, and resolves when Gemini answers again', async () => {
    await lifecycle(
      'provider-failure:gemini',
      'provider-failure',
      async () => {
        gemini.failAlways({ kind: 'status', status: 500 });
        await traffic(6);
      },
      async () => {
        gemini.reset();
        advance(11);
        await traffic(6);
      },
    );
  });

  it('latency: replies slower than 5 s at p95 alert, and resolve when replies are fast again', async () => {
    await lifecycle(
      'latency-p95',
      'latency-p95',
      async () => {
        // The vendor takes 7 s (on the gateway's clock) to answer.
        gemini.setReply(() => {
          gatewayClock.now += 7_000;
          return 'Your parcel ships within two working days.';
        });
        await traffic(6);
      },
      async () => {
        gemini.reset();
        advance(11);
        await traffic(6);
      },
    );
  });

  it('handoff spike: most customers asking for a human alerts, and resolves when they stop', async () => {
    await lifecycle(
      'handoff-spike',
      'handoff-spike',
      async () => {
        await traffic(5, () => 'I want to talk to a real person please');
        await traffic(1);
      },
      async () => {
        advance(11);
        await traffic(6);
      },
    );
  });

  it('cost spike: spend above the monthly budget pace alerts, and resolves when the budget covers it', async () => {
    await lifecycle(
      'cost-spike',
      'cost-spike',
      async () => {
        await setAlertSettings({ monthlyBudgetUsd: 0.001 });
        await traffic(6);
      },
      async () => {
        await setAlertSettings({});
      },
    );
  });

  it('quality degradation: 👎 after a 👍 baseline alerts, and resolves when replies are liked again', async () => {
    const vote = async (interactions: string[], helpful: boolean) => {
      for (const interactionId of interactions)
        await recordVote(database.orm.em.fork(), {
          tenantId,
          interactionId,
          helpful,
          source: 'terminal',
          at: new Date(now),
        });
    };
    await vote(await traffic(6), true);
    advance(30);
    await lifecycle(
      'quality-degradation',
      'quality-degradation',
      async () => {
        await vote(await traffic(6), false);
      },
      async () => {
        advance(11);
        await vote(await traffic(6), true);
      },
    );
  });
});
