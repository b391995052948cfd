import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApiKey } from '../../src/auth/api-keys';
import { Alert, AuditLog, ProviderUsage, Tenant } from '../../src/db/entities';
import { evaluateAlertRules } from '../../src/jobs/alert-rules';
import { createLogger } from '../../src/logger';
import { createAlertService } from '../../src/monitoring/alert-service';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ensureWebBuilt, startConsoleServer, type ConsoleTestServer } from '../helpers/console-server';
import { launchChromium, requireChromium, watchPage, sidewaysOverflow, submitSignIn } from '../helpers/browser';

/**
 * The Alerts page in Chromium against the service on a real database: the
 * empty state, an alert the provider-failure rule raises (real rules, real
 * alert service), acknowledged and silenced from the page, thresholds edited
 * with a refused value shown next to its field, and what a view-only key sees.
 */
const DOCS = path.join(__dirname, '../../docs/console');

let database: TestDatabase;
let server: ConsoleTestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tenantId: string;
let key: string;
let viewOnlyKey: string;
const pageErrors: string[] = [];
const cspViolations: string[] = [];

jest.setTimeout(180_000);

/** The page's globals these checks read (this project's tsconfig has no DOM types). */
interface BrowserGlobals {
  document: { documentElement: { scrollWidth: number; scrollHeight: number } };
  innerWidth: number;
}

async function signIn(target: Page, apiKey: string) {
  await submitSignIn(target, `${server.baseUrl}/admin`, apiKey);
  await target.getByRole('heading', { name: 'Overview' }).waitFor();
}

async function openAlerts(target: Page) {
  await target
    .getByRole('navigation', { name: 'Console pages' })
    .getByRole('link', { name: /^Alerts/ })
    .click();
  await target.getByRole('heading', { name: 'Alerts', exact: true }).waitFor();
}

/** The provider-failure rule's data as the gateway records it: 30 OpenAI calls in the last minutes, 12 failed. */
async function failingOpenAiCalls() {
  const em = database.orm.em.fork();
  const now = Date.now();
  for (let index = 0; index < 30; index += 1)
    em.create(ProviderUsage, {
      tenant: tenantId,
      provider: 'openai',
      model: 'gpt-4o-mini',
      latencyMs: 420,
      success: index >= 12,
      errorCode: index < 12 ? 'rate_limited' : null,
      createdAt: new Date(now - 5 * 60_000 + index * 1000),
    });
  await em.flush();
}

const storedAlert = () => database.orm.em.fork().findOneOrFail(Alert, { tenant: tenantId });
const storedSettings = async () =>
  (await database.orm.em.fork().findOneOrFail(Tenant, { id: tenantId })).settings.alerts;

beforeAll(async () => {
  requireChromium();
  ensureWebBuilt();
  fs.mkdirSync(DOCS, { recursive: true });
  database = await createTestDatabase();
  const em = database.orm.em.fork();
  const tenant = em.create(Tenant, { name: 'alerting shop' });
  await em.flush();
  tenantId = tenant.id;
  key = (
    await createApiKey(em, {
      tenant,
      name: 'on-call lead',
      scopes: ['analytics:view', 'corrections:write', 'users:manage'],
    })
  ).key;
  viewOnlyKey = (await createApiKey(em, { tenant, name: 'viewer', scopes: ['analytics:view'] })).key;
  server = await startConsoleServer(database.orm, database.url);
  browser = await launchChromium();
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: 'America/New_York',
    locale: 'en-US',
  });
  page = await context.newPage();
  watchPage(page, { cspViolations, pageErrors });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await database?.drop();
});

describe('console Alerts page in Chromium', () => {
  it('explains what raises alerts while there are none', async () => {
    await signIn(page, key);
    await openAlerts(page);
    await page.getByText('No alerts yet: all quiet.').waitFor();
    await page.getByText(/provider calls failing/).waitFor();
    // The settings show the defaults in force.
    await expect(page.locator('#threshold-providerFailureRate').inputValue()).resolves.toBe('0.05');
  });

  it('shows an alert the provider-failure rule raised; acknowledges and silences it', async () => {
    await failingOpenAiCalls();
    const alerts = createAlertService({
      orm: database.orm,
      notifiers: [],
      logger: createLogger('silent'),
      repeatHours: 4,
      groupWindowSeconds: 0,
      silenceMinutes: 60,
      graphqlUrl: `${server.baseUrl}/graphql`,
    });
    const result = await evaluateAlertRules(database.orm, {
      alerts,
      logger: createLogger('silent'),
      now: new Date(),
      runbookBaseUrl: `${server.baseUrl}/runbooks/`,
    });
    expect(result.raised).toEqual({ notified: 1 });

    await page.reload();
    const card = page.getByRole('listitem', { name: /^Alert openai failing/ });
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('40.0% (threshold 5.0%)');
    await expect(card.textContent()).resolves.toMatch(/Firing since .*GMT-5/); // the viewer's zone
    await expect(card.getByRole('link', { name: 'Runbook' }).getAttribute('href')).resolves.toBe(
      `${server.baseUrl}/runbooks/provider-failure`,
    );
    await card.locator('.badge-alert-firing').waitFor();

    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await card.locator('.badge-alert-acknowledged').waitFor();
    await expect(card.textContent()).resolves.toContain('acknowledged by API key');
    expect((await storedAlert()).acknowledgedBy).toMatch(/^apikey:/);

    await card.getByRole('button', { name: 'Silence…' }).click();
    await card.getByLabel('Silence for').selectOption({ label: '4 hours' });
    await card.getByLabel('Reason').fill('OpenAI incident, tracked upstream');
    await card.getByRole('button', { name: 'Silence', exact: true }).click();
    await card.locator('.badge-alert-silenced').waitFor();
    await card.getByText(/Silenced until .*: OpenAI incident, tracked upstream/).waitFor();
    const silenced = await storedAlert();
    expect(silenced.silenceReason).toBe('OpenAI incident, tracked upstream');
    const minutes = (silenced.silencedUntil!.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(230);
    expect(minutes).toBeLessThanOrEqual(240);
    // Filters: another rule has nothing; back to all rules, the alert is there again.
    await page.locator('#alert-rule').selectOption({ label: 'Reply latency p95' });
    await page.getByText('No alerts match these filters.').waitFor();
    await page.locator('#alert-rule').selectOption({ label: 'All' });
    await card.waitFor();
    await expect(
      database.orm.em
        .fork()
        .count(AuditLog, { tenant: tenantId, action: { $in: ['alert.acknowledge', 'alert.silence'] } }),
    ).resolves.toBe(2);
  });

  it('edits thresholds: a bad value is refused next to its field and changes nothing', async () => {
    const field = page.locator('#threshold-providerFailureRate');
    await field.fill('1.5');
    await page.getByRole('button', { name: 'Save thresholds' }).click();
    const error = page.locator('#threshold-providerFailureRate-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe('Too big: expected number to be <=1');
    await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await storedSettings()).toBeUndefined();

    await field.fill('0.5');
    await page.locator('#threshold-latencyP95Ms').fill('8000');
    await page.getByRole('button', { name: 'Save thresholds' }).click();
    await page.getByRole('form', { name: 'Rule thresholds' }).getByText('Saved.').waitFor();
    expect(await error.count()).toBe(0);
    expect(await storedSettings()).toEqual({ rules: { providerFailureRate: 0.5, latencyP95Ms: 8000 } });

    // Routing: warnings to Slack only.
    await page.getByLabel('warning alerts to Email').uncheck();
    await page.getByRole('button', { name: 'Save routing' }).click();
    await page.getByRole('form', { name: 'Notification routing' }).getByText('Saved.').waitFor();
    expect(await storedSettings()).toMatchObject({ routes: { warning: ['slack'] } });

    await page.reload();
    await page.getByRole('listitem', { name: /^Alert openai failing/ }).waitFor();
    await expect(page.locator('#threshold-providerFailureRate').inputValue()).resolves.toBe('0.5');
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    const height = await page.evaluate(
      () => (globalThis as unknown as BrowserGlobals).document.documentElement.scrollHeight,
    );
    await page.screenshot({
      path: path.join(DOCS, 'alerts.png'),
      fullPage: true,
      clip: { x: 0, y: 0, width: 1280, height: Math.min(height, 2400) },
    });
  });

  it('gives a view-only key no buttons and read-only settings, and fits a phone', async () => {
    const viewer = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await signIn(viewer, viewOnlyKey);
      await viewer.goto(`${server.baseUrl}/admin/alerts`);
      const card = viewer.getByRole('listitem', { name: /^Alert openai failing/ });
      await card.waitFor();
      expect(await card.getByRole('button').count()).toBe(0);
      expect(await viewer.getByRole('button', { name: /^Save/ }).count()).toBe(0);
      await expect(viewer.locator('#threshold-providerFailureRate').getAttribute('readonly')).resolves.not.toBeNull();
      await viewer.getByText('Changing them needs a key with users:manage.').waitFor();
      expect(await sidewaysOverflow(viewer)).toBeLessThanOrEqual(1);
    } finally {
      await viewer.close();
    }
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
