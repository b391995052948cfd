import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApiKey } from '../../src/auth/api-keys';
import { seedDemoTenant } from '../../src/db/seed';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ensureWebBuilt, startConsoleServer, type ConsoleTestServer } from '../helpers/console-server';
import { launchChromium, requireChromium, watchPage, sidewaysOverflow, submitSignIn } from '../helpers/browser';

/**
 * The API keys & audit page in Chromium against the service on a real
 * database, with the auth cache on (a minute) as in production: create a key
 * (shown once, copied, never stored by the browser), use it over the API and
 * in a second console session, revoke it and see both refused, find the
 * writes in the audit log and filter it. Screenshot: docs/console/access.png.
 */
const ARTIFACTS = path.join(__dirname, '../../test-artifacts/admin');
const DOCS = path.join(__dirname, '../../docs/console');
const KEY_NAME = 'nightly BI export';

/** The page's globals read here: this project's tsconfig has no DOM types (type only, usable inside page.evaluate). */
interface BrowserGlobals {
  document: { documentElement: { scrollWidth: number; innerHTML: string }; cookie: string };
  innerWidth: number;
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  navigator: { clipboard: { readText(): Promise<string> } };
}

let database: TestDatabase;
let server: ConsoleTestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let demoKey: string;
let viewerKey: string;
let newKey: string;
const cspViolations: string[] = [];
const pageErrors: string[] = [];

jest.setTimeout(180_000);

function watch(target: Page) {
  watchPage(target, { cspViolations, pageErrors });
}

const CREATE_KEY =
  'mutation ($name: String!, $scopes: [String!]!) { createApiKey(name: $name, scopes: $scopes) { key } }';

async function api(key: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${server.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
}

/** Signs in and waits for `heading`, or for the menu when the landing page depends on the key's scopes. */
async function signIn(target: Page, key: string, heading?: string) {
  await submitSignIn(target, `${server.baseUrl}/admin`, key);
  if (heading) await target.getByRole('heading', { name: heading }).waitFor();
  else await target.getByRole('navigation', { name: 'Console pages' }).waitFor();
}

/** Everything the browser keeps for this origin: storage, readable cookies and the page's HTML. */
async function browserState(target: Page) {
  return target.evaluate(() => {
    const window = globalThis as unknown as BrowserGlobals;
    return JSON.stringify({
      local: { ...window.localStorage },
      session: { ...window.sessionStorage },
      cookie: window.document.cookie,
      html: window.document.documentElement.innerHTML,
    });
  });
}

/** A full-page screenshot (these pages stay well under the 2,400 px the other console test cuts at). */
async function screenshot(name: string, target: Page, directory: string) {
  await target.screenshot({ path: path.join(directory, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  requireChromium();
  ensureWebBuilt();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  database = await createTestDatabase();
  const seeded = await seedDemoTenant(database.orm.em.fork());
  demoKey = seeded!.apiKey;
  viewerKey = (
    await createApiKey(database.orm.em.fork(), { tenant: seeded!.tenant, name: 'viewer', scopes: ['analytics:view'] })
  ).key;
  server = await startConsoleServer(database.orm, database.url, { authCacheMs: 60_000 });
  await server.stack.bus?.ready;
  browser = await launchChromium();
  // A viewer in Tokyo: audit times must read in their zone.
  context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    timezoneId: 'Asia/Tokyo',
    locale: 'en-GB',
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
  page = await context.newPage();
  watch(page);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await database?.drop();
});

describe('API keys & audit page in Chromium', () => {
  it('creates a key shown once, with a copy button, kept nowhere in the browser', async () => {
    await signIn(page, demoKey, 'Overview');
    await page.goto(`${server.baseUrl}/admin/access`);
    await page.getByRole('heading', { name: 'API keys & audit' }).waitFor();
    const demoRow = page.getByRole('row', { name: 'Key demo (all scopes)' });
    await demoRow.getByText('this session').waitFor();

    await page.getByLabel('Name (what or who will use it)').fill(KEY_NAME);
    await page.getByRole('checkbox', { name: /analytics:view/ }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('alert').filter({ hasText: 'Store this key now: it is shown only once.' });
    await shown.waitFor();
    newKey = (await shown.getByLabel(`The new key “${KEY_NAME}”`).textContent())!;
    expect(newKey).toMatch(/^pk_[\w-]{20,}$/);
    await shown.getByRole('button', { name: 'Copy' }).click();
    await shown.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).navigator.clipboard.readText())).toBe(
      newKey,
    );
    await page
      .getByRole('row', { name: `Key ${KEY_NAME}` })
      .getByText('unused')
      .waitFor();
    const stored = JSON.parse(await browserState(page)) as { local: object; session: object; cookie: string };
    expect(JSON.stringify([stored.local, stored.session, stored.cookie])).not.toContain(newKey);

    await shown.getByRole('button', { name: 'I have stored it' }).click();
    await shown.waitFor({ state: 'detached' });
    expect(await browserState(page)).not.toContain(newKey);
    // Reloading the page cannot bring it back either.
    await page.reload();
    await page.getByRole('row', { name: `Key ${KEY_NAME}` }).waitFor();
    expect(await browserState(page)).not.toContain(newKey);
  });

  it('the new key works over the API and in a console session of its own', async () => {
    expect((await api(newKey, '{ feedback { totalCount } }')).data).toEqual({ feedback: { totalCount: 0 } });
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const session = await other.newPage();
    watch(session);
    try {
      await signIn(session, newKey, 'Overview');
      // Revoke it on the access page; the other session must end on its next request.
      const row = page.getByRole('row', { name: `Key ${KEY_NAME}` });
      await row.getByRole('button', { name: `Revoke ${KEY_NAME}` }).click();
      const dialog = page.getByRole('alertdialog', { name: 'Confirm revocation' });
      await dialog.getByText(`Revoke “${KEY_NAME}”`).waitFor();
      await dialog.getByText('every console session opened with it ends').waitFor();
      expect(await dialog.locator('.state-warning').count()).toBe(0);
      await dialog.getByRole('button', { name: 'Revoke the key' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Revoked “${KEY_NAME}”` })
        .waitFor();
      await row.getByText(/^revoked /).waitFor();

      expect((await api(newKey, '{ feedback { totalCount } }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await session.reload();
      await session.getByLabel('API key').waitFor();
    } finally {
      await other.close();
    }
  });

  it('warns before revoking the key of this session, and does nothing on cancel', async () => {
    await page
      .getByRole('row', { name: 'Key demo (all scopes)' })
      .getByRole('button', { name: /^Revoke/ })
      .click();
    const dialog = page.getByRole('alertdialog', { name: 'Confirm revocation' });
    await dialog.getByText('This is the key of your current session: you will be signed out at once').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await api(demoKey, '{ apiKeys { id } }')).errors).toBeUndefined();
  });

  it('shows the writes in the audit log, readable and in the viewer’s zone, and filters them', async () => {
    const log = page.getByRole('table', { name: 'Audit log entries' });
    const created = log.getByRole('row', { name: /did apikey\.create on API key “nightly BI export”/ });
    const revoked = log.getByRole('row', { name: /did apikey\.revoke on API key “nightly BI export”/ });
    await created.waitFor();
    await revoked.waitFor();
    await expect(revoked.textContent()).resolves.toContain('key “demo (all scopes)”');
    await expect(revoked.textContent()).resolves.toMatch(/GMT\+9/);
    await expect(log.getByRole('row', { name: /did console\.sign_in/ }).count()).resolves.toBeGreaterThan(0);
    await screenshot('access', page, DOCS);

    const filters = page.getByRole('form', { name: 'Audit log filters' });
    await filters.getByLabel('Action', { exact: true }).fill('apikey.revoke');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('1 entry', { exact: true }).waitFor();
    await expect(log.getByRole('row').count()).resolves.toBe(2); // header + the revocation
    await revoked.waitFor();

    await filters.getByLabel('From', { exact: true }).fill('2099-01-01T00:00');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No audit entries match these filters.').waitFor();

    await filters.getByLabel('To', { exact: true }).fill('2098-01-01T00:00');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('alert').filter({ hasText: '“From” must be before “to”.' }).waitFor();

    await filters.getByRole('button', { name: 'Clear' }).click();
    await created.waitFor();
  });

  it('pages through the audit log', async () => {
    // 25 more audited writes: two pages of 20.
    for (let index = 0; index < 25; index += 1) {
      const answer = await api(demoKey, CREATE_KEY, { name: `bulk ${index}`, scopes: ['analytics:view'] });
      expect(answer.errors).toBeUndefined();
    }
    await page.reload();
    // The console session's requests count as uses of the key it was opened with.
    await page.getByRole('row', { name: 'Key demo (all scopes)' }).getByText(/ ago$/).waitFor();
    const log = page.getByRole('table', { name: 'Audit log entries' });
    await log.getByRole('row', { name: /API key “bulk 24”/ }).waitFor();
    await page.getByRole('button', { name: 'Older →' }).click();
    await log.getByRole('row', { name: /API key “bulk 0”/ }).waitFor();
    await expect(log.getByRole('row', { name: /API key “bulk 24”/ }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: '← Newer' }).click();
    await log.getByRole('row', { name: /API key “bulk 24”/ }).waitFor();
  });

  it('hides the page from a key without users:manage and fits a phone', async () => {
    const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, timezoneId: 'Asia/Tokyo' });
    const phone = await phoneContext.newPage();
    watch(phone);
    try {
      await signIn(phone, demoKey, 'Overview');
      await phone.goto(`${server.baseUrl}/admin/access`);
      await phone.getByRole('heading', { name: 'API keys & audit' }).waitFor();
      await phone.locator('.state-loading').first().waitFor({ state: 'detached' });
      await screenshot('phone-access', phone, ARTIFACTS);
      expect(await sidewaysOverflow(phone)).toBeLessThanOrEqual(1);

      await phone.getByRole('button', { name: 'Sign out' }).click();
      await signIn(phone, viewerKey, 'Overview');
      const nav = phone.getByRole('navigation', { name: 'Console pages' });
      expect(await nav.getByRole('link', { name: /API keys/ }).count()).toBe(0);
    } finally {
      await phoneContext.close();
    }
  });

  it('revokes the key of the current session after the warning, and signs the session out', async () => {
    const created = await api(demoKey, CREATE_KEY, { name: 'temporary admin', scopes: ['users:manage'] });
    const key = (created.data as { createApiKey: { key: string } }).createApiKey.key;
    const own = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const session = await own.newPage();
    watch(session);
    try {
      await signIn(session, key);
      await session.goto(`${server.baseUrl}/admin/access`);
      const row = session.getByRole('row', { name: 'Key temporary admin' });
      await row.getByText('this session').waitFor();
      await row.getByRole('button', { name: 'Revoke temporary admin' }).click();
      const dialog = session.getByRole('alertdialog', { name: 'Confirm revocation' });
      await dialog.getByText('This is the key of your current session').waitFor();
      await dialog.getByRole('button', { name: 'Revoke the key' }).click();
      // The page's next request is refused: the console goes back to its sign-in form.
      await session.getByRole('button', { name: 'Sign in' }).waitFor();
    } finally {
      await own.close();
    }
    expect((await api(key, '{ apiKeys { id } }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('ran without CSP violations or page errors', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
