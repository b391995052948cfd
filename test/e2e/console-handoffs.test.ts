import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { INBOUND_PATH } from '../../channels/whatsapp/whatsapp-channel';
import { createApiKey } from '../../src/auth/api-keys';
import { Tenant } from '../../src/db/entities';
import { botBackNotice, handoffNotice } from '../../src/engine/handoff';
import { startFakeTwilioServer, type FakeTwilioServer } from '../fakes/fake-twilio-server';
import { ensureWebBuilt, startConsoleServer, type ConsoleTestServer } from '../helpers/console-server';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  createWhatsAppTenant,
  inboundFields,
  postSigned,
  secretBox,
} from '../helpers/whatsapp-harness';
import { launchChromium, requireChromium, watchPage } from '../helpers/browser';

/**
 * "Reply as agent" at the handoff desk, end to end: a WhatsApp customer (the
 * real channel, signed Twilio webhooks) asks for a person, an agent takes the
 * conversation in the console, answers in the browser, and the fake Twilio
 * receives exactly that text for that customer, once; then the agent releases
 * the conversation to the bot and the customer is told.
 */
const ARTIFACTS = path.join(__dirname, '../../test-artifacts/admin');
const CUSTOMER = 'whatsapp:+447700900555';
const OTHER_CUSTOMER = 'whatsapp:+447700900556';
const AGENT_TEXT = 'Hi Grace, this is Sam from the shop: your refund of $42.50 left today and arrives in 3–5 days.';

let database: TestDatabase;
let twilio: FakeTwilioServer;
let server: ConsoleTestServer;
let browser: Browser;
let page: Page;
let agentKey: string;
const pageErrors: string[] = [];
const cspViolations: string[] = [];

jest.setTimeout(120_000);

async function customerSays(from: string, name: string, text: string) {
  const response = await postSigned(
    server.baseUrl,
    INBOUND_PATH,
    inboundFields({ From: from, Body: text, ProfileName: name }),
  );
  expect(response.status).toBe(200);
  await server.whatsapp!.idle();
}

const heard = (to: string) => twilio.sends.filter((send) => send.to === to).map((send) => send.renderedText);

async function conversationOf(from: string) {
  const [row] = await database.orm.em
    .fork()
    .getConnection()
    .execute<{ id: string; status: string; assignee: string | null }[]>(
      'select c.id, c.status, c.assignee from conversation c join contact k on k.id = c.contact_id where k.external_id = ? order by c.created_at desc limit 1',
      [from],
    );
  return row!;
}

beforeAll(async () => {
  requireChromium();
  ensureWebBuilt();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  database = await createTestDatabase();
  twilio = await startFakeTwilioServer({ accounts: { [ACCOUNT_SID]: AUTH_TOKEN } });
  const tenantId = await createWhatsAppTenant(database.orm, {
    name: 'grace-shop',
    settings: { feedbackPromptFrequency: 'never' },
  });
  const em = database.orm.em.fork();
  const tenant = await em.findOneOrFail(Tenant, { id: tenantId });
  agentKey = (await createApiKey(em, { tenant, name: 'desk agent', scopes: ['analytics:view', 'corrections:write'] }))
    .key;
  server = await startConsoleServer(database.orm, database.url, { secretBox, whatsapp: { twilioUrl: twilio.url } });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Europe/London' });
  page = await context.newPage();
  watchPage(page, { cspViolations, pageErrors });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await twilio?.close();
  await database?.drop();
});

describe('handoff desk: reply as agent through WhatsApp', () => {
  it('hands a WhatsApp conversation off; the agent takes it, answers in the browser and the customer gets exactly that once; then releases it', async () => {
    await customerSays(CUSTOMER, 'Grace', 'I need human support please');
    // Another customer handed off at the same time must not receive the agent's words.
    await customerSays(OTHER_CUSTOMER, 'Ada', 'I need human support please');
    const conversation = await conversationOf(CUSTOMER);
    expect(conversation.status).toBe('handed_off');
    expect(heard(CUSTOMER)).toEqual([handoffNotice('en')]);

    await page.goto(`${server.baseUrl}/admin/handoffs`);
    await page.getByLabel('API key').fill(agentKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const card = page.getByRole('listitem', { name: 'Handoff: Grace' });
    await card.getByText('waiting', { exact: true }).waitFor();
    await card.getByText('whatsapp', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Take' }).click();
    await card.getByText(/taken by API key/).waitFor();
    expect((await conversationOf(CUSTOMER)).assignee).toMatch(/^apikey:/);

    const sendsBefore = twilio.sends.length;
    await card.getByLabel('Reply as agent').fill(AGENT_TEXT);
    await card.getByRole('button', { name: 'Send' }).click();
    await card
      .getByRole('status')
      .filter({ hasText: /^Sent \((queued|sent)/ })
      .waitFor();
    await server.whatsapp!.idle();
    await card.getByText(AGENT_TEXT).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'handoff-reply-as-agent.png'), fullPage: true });

    const agentSends = twilio.sends.slice(sendsBefore);
    expect(agentSends.map((send) => ({ to: send.to, text: send.renderedText }))).toEqual([
      { to: CUSTOMER, text: AGENT_TEXT },
    ]);
    expect(agentSends[0].accountSid).toBe(ACCOUNT_SID);
    expect(heard(OTHER_CUSTOMER)).toEqual([handoffNotice('en')]);
    const [stored] = await database.orm.em
      .fork()
      .getConnection()
      .execute<{ author: string; text: string }[]>(
        `select author, text from message where conversation_id = ? and direction = 'outbound' order by created_at desc limit 1`,
        [conversation.id],
      );
    expect(stored).toEqual({ author: 'agent', text: AGENT_TEXT });

    await card.getByRole('button', { name: 'Release to the bot' }).click();
    await card.waitFor({ state: 'detached' });
    await page.getByRole('listitem', { name: 'Handoff: Ada' }).waitFor();
    await server.whatsapp!.idle();
    expect((await conversationOf(CUSTOMER)).status).toBe('bot');
    // The customer heard: the handoff notice, the agent once, the bot-is-back notice.
    expect(heard(CUSTOMER)).toEqual([handoffNotice('en'), AGENT_TEXT, botBackNotice('en')]);
    expect(twilio.sends.filter((send) => send.renderedText === AGENT_TEXT)).toHaveLength(1);
  });

  it('ran without CSP violations or page errors', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
