import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApiKey } from '../../src/auth/api-keys';
import { AuditLog, Tenant } from '../../src/db/entities';
import { addArticle } from '../../src/knowledge/knowledge-service';
import { SecretBox } from '../../src/security/secret-box';
import { readTenantSecrets } from '../../src/tenants/tenant-service';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ensureWebBuilt, startConsoleServer, type ConsoleTestServer } from '../helpers/console-server';
import { launchChromium, requireChromium, watchPage, sidewaysOverflow, submitSignIn } from '../helpers/browser';

/**
 * The channel settings (Settings page) and the business profile (Knowledge
 * page) in Chromium against the service on a real database: WhatsApp numbers
 * and a write-only auth token, a number bound to another tenant refused next
 * to its field, Slack channels with a refused approver, a placeholder filled
 * from the unfilled list and gone from it, a view-only key's read-only
 * profile, and a phone's width.
 */
const DOCS = path.join(__dirname, '../../docs/console');
const TWILIO_TOKEN = 'twilio-token-0123456789abcdef';
const SLACK_TOKEN = 'xoxb-1234567890-secretslacktoken';

let database: TestDatabase;
let server: ConsoleTestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tenantId: string;
let key: string;
let viewOnlyKey: string;
const box = new SecretBox(crypto.randomBytes(32));
const pageErrors: string[] = [];
const cspViolations: string[] = [];
/** Every GraphQL answer the page received. */
const answers: Promise<string>[] = [];

jest.setTimeout(180_000);

async function signIn(target: Page, apiKey: string) {
  await submitSignIn(target, `${server.baseUrl}/admin`, apiKey);
  await target.getByRole('heading', { name: 'Overview' }).waitFor();
}

async function noSidewaysScroll(target: Page) {
  expect(await sidewaysOverflow(target)).toBeLessThanOrEqual(1);
}

const storedTenant = () => database.orm.em.fork().findOneOrFail(Tenant, { id: tenantId });

function watch(target: Page) {
  watchPage(target, { cspViolations, pageErrors });
  target.on('response', (response) => {
    if (response.url().endsWith('/graphql')) answers.push(response.text().catch(() => ''));
  });
}

beforeAll(async () => {
  requireChromium();
  ensureWebBuilt();
  fs.mkdirSync(DOCS, { recursive: true });
  database = await createTestDatabase();
  const em = database.orm.em.fork();
  const tenant = em.create(Tenant, { name: 'settings shop' });
  em.create(Tenant, {
    name: 'other shop',
    settings: { channels: { whatsapp: { numbers: ['whatsapp:+14155550199'] } } },
  });
  await em.flush();
  tenantId = tenant.id;
  key = (
    await createApiKey(em, {
      tenant,
      name: 'admin',
      scopes: ['analytics:view', 'corrections:write', 'users:manage'],
    })
  ).key;
  viewOnlyKey = (await createApiKey(em, { tenant, name: 'viewer', scopes: ['analytics:view'] })).key;
  await addArticle(em, {
    tenantId,
    actor: 'system:test',
    question: 'Where can I see my past orders?',
    answer: 'Open {{Order History}} after signing in.',
  });
  server = await startConsoleServer(database.orm, database.url, { secretBox: box });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  page = await context.newPage();
  watch(page);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await database?.drop();
});

describe('console channel settings and business profile in Chromium', () => {
  it('binds WhatsApp numbers with a token that is never shown; a number of another tenant is refused at its field', async () => {
    await signIn(page, key);
    await page.goto(`${server.baseUrl}/admin/settings`);
    const form = page.getByRole('form', { name: 'WhatsApp' });
    await form.getByText('Not connected yet').waitFor();

    await page.locator('#wa-numbers').fill('+14155238886\n+14155550199');
    await page.locator('#wa-token').fill(TWILIO_TOKEN);
    await form.getByRole('button', { name: 'Save WhatsApp' }).click();
    const error = page.locator('#wa-numbers-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe(
      'That WhatsApp number or Messaging Service is already bound to tenant other shop',
    );
    await expect(page.locator('#wa-numbers').getAttribute('aria-invalid')).resolves.toBe('true');
    expect((await storedTenant()).settings.channels?.whatsapp).toBeUndefined();
    expect((await readTenantSecrets(database.orm.em.fork(), box, tenantId)).twilioAuthToken).toBeUndefined();

    await page.locator('#wa-numbers').fill('+14155238886');
    await page.locator('#wa-keywords').fill('paid, ordered');
    await form.getByRole('button', { name: 'Save WhatsApp' }).click();
    await form.getByText('Saved.').waitFor();
    expect(await error.count()).toBe(0);
    await form.locator('label[for="wa-token"] .badge-met').waitFor();
    await expect(page.locator('#wa-token').inputValue()).resolves.toBe('');
    await expect(page.locator('#wa-numbers').inputValue()).resolves.toBe('whatsapp:+14155238886');
    expect((await storedTenant()).settings.channels?.whatsapp).toEqual({
      numbers: ['whatsapp:+14155238886'],
      completedActionKeywords: ['paid', 'ordered'],
    });
    expect((await readTenantSecrets(database.orm.em.fork(), box, tenantId)).twilioAuthToken).toBe(TWILIO_TOKEN);

    await page.reload();
    await page.getByRole('form', { name: 'WhatsApp' }).getByText('Messages sent to these senders').waitFor();
    await expect(page.locator('#wa-numbers').inputValue()).resolves.toBe('whatsapp:+14155238886');
    expect(await page.content()).not.toContain(TWILIO_TOKEN);
  });

  it('sets Slack channels and a bot token; a bad approver is refused at its field and changes nothing', async () => {
    const form = page.getByRole('form', { name: 'Slack' });
    await page.locator('#slack-handoffChannel').fill('C0HANDOFF1');
    await page.locator('#slack-reviewChannel').fill('C0REVIEW1');
    await page.locator('#slack-approvers').fill('lead');
    await form.getByRole('button', { name: 'Save Slack' }).click();
    const error = page.locator('#slack-approvers-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe('Must be Slack user ids such as U0123ABCD');
    expect((await storedTenant()).settings.channels?.slack).toBeUndefined();

    await page.locator('#slack-approvers').fill('U0LEAD1, U0LEAD2');
    await page.locator('#slack-idle').fill('45');
    await page.locator('#slack-token').fill(SLACK_TOKEN);
    await form.getByRole('button', { name: 'Save Slack' }).click();
    await form.getByText('Saved.').waitFor();
    expect(await error.count()).toBe(0);
    await form.locator('label[for="slack-token"] .badge-met').waitFor();
    expect((await storedTenant()).settings.channels?.slack).toEqual({
      handoffChannel: 'C0HANDOFF1',
      reviewChannel: 'C0REVIEW1',
      approvers: ['U0LEAD1', 'U0LEAD2'],
      idleReleaseMinutes: 45,
    });
    expect((await readTenantSecrets(database.orm.em.fork(), box, tenantId)).slackBotToken).toBe(SLACK_TOKEN);

    await page.reload();
    await expect(page.locator('#slack-handoffChannel').inputValue()).resolves.toBe('C0HANDOFF1');
    await expect(page.locator('#slack-approvers').inputValue()).resolves.toBe('U0LEAD1, U0LEAD2');
    expect(await page.content()).not.toContain(SLACK_TOKEN);
    await page.screenshot({ path: path.join(DOCS, 'settings-channels.png'), fullPage: true });
    // Neither token ever came back from the API, not even in the answers to the saves.
    const bodies = (await Promise.all(answers)).join('\n');
    expect(bodies).toContain('authTokenSet');
    expect(bodies).not.toContain(TWILIO_TOKEN);
    expect(bodies).not.toContain(SLACK_TOKEN);
    // The audit log has the saves, the tokens only as "changed" / by name.
    const audits = await database.orm.em
      .fork()
      .find(AuditLog, { tenant: tenantId, action: { $like: 'tenant.%' } }, { orderBy: { createdAt: 'asc' } });
    expect(audits.map((row) => row.action)).toEqual(
      expect.arrayContaining(['tenant.settings.whatsapp.update', 'tenant.settings.slack.update']),
    );
    expect(JSON.stringify(audits.map((row) => [row.before, row.after]))).not.toMatch(
      new RegExp(`${TWILIO_TOKEN}|${SLACK_TOKEN}`),
    );

    // Clearing the bot token asks first, then the tenant has none.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('form', { name: 'Slack' }).getByRole('button', { name: 'Clear token' }).click();
    await page.locator('label[for="slack-token"] .badge').filter({ hasText: 'not set' }).waitFor();
    expect((await readTenantSecrets(database.orm.em.fork(), box, tenantId)).slackBotToken).toBeUndefined();
    expect((await storedTenant()).settings.channels?.slack).toMatchObject({ handoffChannel: 'C0HANDOFF1' });
  });

  it('fills a placeholder from the unfilled list; it leaves the list once saved', async () => {
    await page.goto(`${server.baseUrl}/admin/knowledge`);
    const unfilled = page.getByRole('note', { name: 'Unfilled placeholders' });
    await unfilled.getByRole('button', { name: '{{Order History}}' }).click();
    const value = page.getByLabel('Value of {{Order History}}');
    await expect(
      value.evaluate((element) => element === (element.ownerDocument as { activeElement: unknown }).activeElement),
    ).resolves.toBe(true);
    await value.fill('Account → Orders');
    await page.locator('#profile-supportEmail').fill('not an address');
    const profile = page.getByRole('form', { name: 'Business profile' });
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await page.locator('#profile-supportEmail-error').waitFor();
    await expect(page.locator('#profile-supportEmail-error').textContent()).resolves.toBe('Must be an email address');
    expect((await storedTenant()).settings.profile).toBeUndefined();
    await unfilled.waitFor();

    await page.locator('#profile-supportEmail').fill('help@shop.example.com');
    await profile.getByRole('button', { name: 'Save profile' }).click();
    await profile.getByText('Saved.').waitFor();
    await unfilled.waitFor({ state: 'detached' });
    expect((await storedTenant()).settings.profile).toEqual({
      supportEmail: 'help@shop.example.com',
      values: { 'Order History': 'Account → Orders' },
    });
    await page.screenshot({ path: path.join(DOCS, 'knowledge-profile.png'), fullPage: true });
  });

  it('shows a view-only key the profile read-only, and fits a phone', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    watch(phone);
    try {
      await signIn(phone, viewOnlyKey);
      await phone.goto(`${server.baseUrl}/admin/knowledge`);
      const value = phone.getByLabel('Value of {{Order History}}');
      await value.waitFor();
      await expect(value.inputValue()).resolves.toBe('Account → Orders');
      await expect(value.getAttribute('readonly')).resolves.not.toBeNull();
      await expect(phone.locator('#profile-supportEmail').getAttribute('readonly')).resolves.not.toBeNull();
      expect(await phone.getByRole('button', { name: 'Save profile' }).count()).toBe(0);
      await phone.getByText('Changing the profile needs a key with users:manage.').waitFor();
      await noSidewaysScroll(phone);
    } finally {
      await phone.close();
    }
    const adminPhone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    watch(adminPhone);
    try {
      await signIn(adminPhone, key);
      await adminPhone.goto(`${server.baseUrl}/admin/settings`);
      await adminPhone.getByRole('form', { name: 'Slack' }).waitFor();
      await adminPhone.getByRole('form', { name: 'WhatsApp' }).waitFor();
      await noSidewaysScroll(adminPhone);
      await adminPhone.goto(`${server.baseUrl}/admin/knowledge`);
      await adminPhone
        .getByRole('form', { name: 'Business profile' })
        .getByRole('button', { name: 'Save profile' })
        .waitFor();
      await noSidewaysScroll(adminPhone);
    } finally {
      await adminPhone.close();
    }
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
