import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApiKey } from '../../src/auth/api-keys';
import { Tenant } from '../../src/db/entities';
import { seedDemoTenant } from '../../src/db/seed';
import { recordVote } from '../../src/feedback/feedback-service';
import { activeModelVersion } from '../../src/learning/model-versions/model-version-service';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ensureWebBuilt, startConsoleServer, type ConsoleTestServer } from '../helpers/console-server';
import { launchChromium, requireChromium, watchPage, sidewaysOverflow } from '../helpers/browser';

/**
 * The admin console in a real browser (Debian's Chromium through
 * playwright-core) against the service on a real database: sign in, the
 * overview with data, feedback review → correction → approval → the bot
 * answers with it, every page at laptop width (and the overview on a phone),
 * screenshots in test-artifacts/admin/.
 */
const ARTIFACTS = path.join(__dirname, '../../test-artifacts/admin');
/** Screenshots of each page at laptop width, referenced by docs/console.md. */
const DOCS = path.join(__dirname, '../../docs/console');
const QUESTION = 'Do you ship to Iceland?';
const BETTER_REPLY = 'Yes: Iceland orders ship with Posten in 6 to 8 working days, duties included.';
const GIFT_QUESTION = 'Can you gift-wrap my order?';
const GIFT_ANSWER = 'Yes: tick “gift wrap” at checkout, $3 per parcel, with a handwritten card.';

let database: TestDatabase;
let server: ConsoleTestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let demoKey: string;
let emptyTenantKey: string;
let viewOnlyKey: string;
let tenantId: string;
const cspViolations: string[] = [];
const pageErrors: string[] = [];

jest.setTimeout(180_000);

async function ask(customer: string, text: string) {
  return server.stack.engine.handleTurn({
    tenantId,
    channel: 'terminal',
    externalId: customer,
    displayName: customer,
    text,
  });
}

/** A full-page screenshot: into docs/console/ for the walkthrough, or test-artifacts/admin/ for the rest. */
async function screenshot(name: string, target: Page = page, directory = DOCS) {
  // The whole page, cut at 2,400 px so the committed images stay small.
  const height = await target.evaluate(
    () => (globalThis as unknown as BrowserGlobals).document.documentElement.scrollHeight,
  );
  const width = target.viewportSize()?.width ?? 1280;
  await target.screenshot({
    path: path.join(directory, `${name}.png`),
    fullPage: true,
    clip: { x: 0, y: 0, width, height: Math.min(height, 2400) },
  });
}

beforeAll(async () => {
  requireChromium();
  ensureWebBuilt();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.mkdirSync(DOCS, { recursive: true });
  database = await createTestDatabase();
  const seeded = await seedDemoTenant(database.orm.em.fork());
  demoKey = seeded!.apiKey;
  tenantId = seeded!.tenant.id;
  const em = database.orm.em.fork();
  const empty = em.create(Tenant, { name: 'brand-new shop' });
  await em.flush();
  emptyTenantKey = (
    await createApiKey(em, {
      tenant: empty,
      name: 'new tenant',
      scopes: ['analytics:view', 'corrections:write', 'users:manage'],
    })
  ).key;
  viewOnlyKey = (await createApiKey(em, { tenant: seeded!.tenant, name: 'viewer', scopes: ['analytics:view'] })).key;
  server = await startConsoleServer(database.orm, database.url);

  // Demo traffic through the real engine (offline knowledge base), and votes on it.
  const questions = [
    'Where is my order, and how can I track it?',
    'How do I cancel my order?',
    'What is your return policy?',
    'How long does delivery take?',
    'Do you offer express delivery?',
  ];
  for (const [index, question] of questions.entries()) {
    const turn = await ask(`customer-${index}`, question);
    if (turn.interactionId)
      await recordVote(database.orm.em.fork(), {
        tenantId,
        interactionId: turn.interactionId,
        helpful: index !== 1,
        source: 'terminal',
      });
  }
  const iceland = await ask('customer-iceland', QUESTION);
  expect(iceland.interactionId).toBeTruthy();
  await recordVote(database.orm.em.fork(), {
    tenantId,
    interactionId: iceland.interactionId!,
    helpful: false,
    comment: 'I asked about Iceland, not in general',
    source: 'terminal',
  });

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

/** A GraphQL request with the demo key (setting up what the console then shows). */
async function graphql(query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${server.baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${demoKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((error) => error.message).join('; '));
  return body.data;
}

/** The page's globals these checks read: this project's tsconfig has no DOM types (type only, so usable inside page.evaluate). */
interface BrowserGlobals {
  document: {
    activeElement: { textContent: string | null } | null;
    documentElement: { scrollWidth: number; scrollHeight: number };
    cookie: string;
  };
  innerWidth: number;
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
}

/** The text of the focused element (runs in the page, which has the DOM types this project's tsconfig lacks). */
const focusedText = () =>
  (globalThis as unknown as BrowserGlobals).document.activeElement?.textContent as string | undefined;

async function go(path: string) {
  await page
    .getByRole('navigation', { name: 'Console pages' })
    .getByRole('link', { name: new RegExp(`^${path}`) })
    .click();
}

describe('admin console in Chromium', () => {
  it('signs in with the API key; the key is nowhere in the browser afterwards', async () => {
    await page.goto(`${server.baseUrl}/admin`);
    await page.getByLabel('API key').fill('pk_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'unknown or revoked' }).waitFor();
    await screenshot('00-sign-in-error');
    await page.getByLabel('API key').fill(demoKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    // Runs in the page; typed by BrowserGlobals because this project's tsconfig has no DOM types.
    const storage = await page.evaluate(() => {
      const window = globalThis as unknown as BrowserGlobals;
      return JSON.stringify({
        local: { ...window.localStorage },
        session: { ...window.sessionStorage },
        cookie: window.document.cookie,
      });
    });
    expect(storage).not.toContain(demoKey);
    expect(storage).not.toContain('parley_session');
    const cookies = await context.cookies();
    expect(cookies.find((cookie) => cookie.name === 'parley_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
  });

  it('shows the overview with the demo traffic in figures and charts', async () => {
    const helpful = page.getByRole('region', { name: 'Helpful rate' });
    // 4 👍 of 6 votes
    await expect(helpful.locator('.metric-value').textContent()).resolves.toBe('66.7%');
    await expect(
      page.getByRole('region', { name: 'Cost per conversation' }).locator('.metric-value').textContent(),
    ).resolves.toMatch(/^\$\d/);
    expect(await page.locator('canvas[role="img"]').count()).toBeGreaterThanOrEqual(3);
    await expect(
      page
        .getByRole('cell', { name: /knowledge-base/ })
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    await screenshot('01-overview');

    const phone = await context.newPage();
    try {
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(`${server.baseUrl}/admin/`);
      await phone.getByRole('heading', { name: 'Overview' }).waitFor();
      await phone.locator('canvas[role="img"]').first().waitFor();
      await screenshot('02-overview-phone', phone, ARTIFACTS);
      // No horizontal scrolling of the page itself at phone width.
      expect(
        await phone.evaluate(
          () =>
            (globalThis as unknown as BrowserGlobals).document.documentElement.scrollWidth <=
            (globalThis as unknown as BrowserGlobals).innerWidth + 1,
        ),
      ).toBe(true);
    } finally {
      await phone.close();
    }
  });

  it("lists conversations and shows a transcript with each reply's route, cost, latency and feedback", async () => {
    await go('Conversations');
    await page.getByRole('heading', { name: 'Conversations' }).waitFor();
    await expect(page.locator('tbody tr').count()).resolves.toBe(6);
    await screenshot('03-conversations');
    await page.getByRole('link', { name: 'customer-iceland' }).click();
    await page.getByRole('heading', { name: 'customer-iceland' }).waitFor();
    await expect(page.locator('.reply-details').first().textContent()).resolves.toMatch(
      /Routeknowledge-base.*Cost\$.*Latency.*FeedbackNot helpful/s,
    );
    await screenshot('04-transcript');
  });

  it('reviews 👎 feedback, writes a correction in place, approves it, and the bot answers with it', async () => {
    await go('Feedback review');
    const card = page.locator('.card').filter({ hasText: 'I asked about Iceland' });
    await card.waitFor();
    await screenshot('05-feedback-review');
    await card.getByRole('button', { name: 'Write a correction' }).click();
    await card.getByLabel('Better reply').fill(BETTER_REPLY);
    await card.getByRole('button', { name: 'Send for approval' }).click();
    await card.getByText('Correction sent for approval').waitFor();

    await go('Corrections');
    const pending = page.locator('.card').filter({ hasText: BETTER_REPLY });
    await pending.waitFor();
    await pending.getByText('Changes').click();
    await expect(pending.locator('.diff ins').count()).resolves.toBeGreaterThan(0);
    await screenshot('06-corrections-pending');
    await pending.getByLabel('Quality (0–5)').selectOption('5');
    await pending.getByRole('button', { name: 'Approve' }).click();
    await pending.getByText('Approved: the bot answers with it from now on.').waitFor();

    const after = await ask('customer-after-approval', QUESTION);
    expect(after.reply?.text).toContain(BETTER_REPLY);
    await page.getByRole('tab', { name: 'Approved' }).click();
    await page
      .locator('.card')
      .filter({ hasText: BETTER_REPLY })
      .getByText(/approved/)
      .first()
      .waitFor();
    await screenshot('07-corrections-approved');
  });

  it('adds a knowledge article, finds it by search, and the bot answers with it', async () => {
    await go('Knowledge');
    await page.getByRole('heading', { name: 'Knowledge', exact: true }).waitFor();
    const form = page.getByRole('form', { name: 'Add an article' });
    await form.getByLabel('Question').fill(GIFT_QUESTION);
    await form.getByLabel('Answer').fill(GIFT_ANSWER);
    await form.getByLabel('Topic (optional)').fill('extras');
    await form.getByRole('button', { name: 'Add article' }).click();
    await form.getByText('Added: the bot answers with it from the next message.').waitFor();
    await page.getByLabel('Search questions and answers').fill('gift-wrap');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const card = page.getByRole('listitem', { name: `Article: ${GIFT_QUESTION}` });
    await card.waitFor();
    // The new article is already on the unfiltered first page: wait for the search's answer to replace the list.
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelectorAll(selector: string): { length: number } } }
        ).document.querySelectorAll('.cards > li').length === 1,
      undefined,
      { timeout: 15_000 },
    );
    await expect(page.locator('.cards > li').count()).resolves.toBe(1);
    await screenshot('08-knowledge');
    const turn = await ask('customer-gift', GIFT_QUESTION);
    expect(turn.reply?.text).toContain(GIFT_ANSWER);
    await page.getByLabel('Search questions and answers').fill('');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('.cards > li').nth(1).waitFor();
  });

  it('creates a draft version, evaluates it, activates it after a confirmation, and rolls back', async () => {
    // An evaluation dataset and a baseline run of version 1, through the API.
    await graphql(`
      mutation {
        createEvaluationDataset(name: "faq", description: "Common questions") {
          id
        }
      }
    `);
    const cases = [
      ['How do I cancel my order?', 'cancel'],
      ['What is your return policy?', 'return'],
      ['How long does delivery take?', 'delivery'],
      [QUESTION, BETTER_REPLY],
    ].map(([input, expectedReply]) => ({ input, expectedReply }));
    await graphql(
      `
        mutation ($cases: [EvaluationCaseInput!]!) {
          addEvaluationCases(dataset: "faq", cases: $cases) {
            id
          }
        }
      `,
      {
        cases,
      },
    );
    await graphql(`
      mutation {
        startEvaluation(dataset: "faq", modelVersion: "1") {
          id
        }
      }
    `);

    await go('Learning');
    await page.getByRole('heading', { name: 'Model versions' }).waitFor();
    await page.getByText('New draft version').click();
    await page.getByLabel('Notes').fill('Five articles per question');
    await page.getByLabel('Articles retrieved per question (optional)').fill('5');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByText('Draft version 2 created').waitFor();

    // Evaluate the draft from the console; the runs table follows it until it completes.
    const evaluate = page.getByRole('form', { name: 'Start an evaluation' });
    await evaluate.getByLabel('Model version number').fill('2');
    await evaluate.getByRole('button', { name: 'Start evaluation' }).click();
    const runs = page.locator('table', { has: page.getByText('Evaluation runs, newest first') });
    await runs.locator('tbody tr', { hasText: 'v2 on faq@2' }).filter({ hasText: 'completed' }).waitFor();
    await runs.getByRole('button', { name: 'v2 on faq@2' }).click();
    await page.getByText('Against the baseline run').waitFor();
    await page.getByRole('img', { name: /ROUGE-L, BLEU and exact match/ }).waitFor();

    await page.getByRole('button', { name: 'Activate version 2' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Confirm' });
    await expect(confirm.textContent()).resolves.toContain(
      'Version 2 replaces version 1 for every customer from their next message',
    );
    await expect(confirm.textContent()).resolves.toContain('It was never evaluated');
    await confirm.getByLabel('Reason (kept in the history)').fill('try more context');
    await confirm.getByRole('button', { name: 'Activate version 2' }).click();
    await page.getByText('Version 2 is active.').waitFor();
    const em = database.orm.em.fork();
    await expect(activeModelVersion(em, tenantId).then((version) => version.number)).resolves.toBe(2);

    await page.getByRole('button', { name: 'Roll back…' }).click();
    await expect(confirm.textContent()).resolves.toContain('Version 2 stops answering at once; version 1');
    await confirm.getByLabel('Reason (kept in the history)').fill('handoffs went up');
    await confirm.getByRole('button', { name: 'Roll back now' }).click();
    await page.getByText('Rolled back: version 1 is active.').waitFor();
    await expect(activeModelVersion(database.orm.em.fork(), tenantId).then((version) => version.number)).resolves.toBe(
      1,
    );
    const timeline = page.locator('.timeline');
    await timeline.getByText('v2 rolled back').waitFor();
    await expect(timeline.textContent()).resolves.toContain('“handoffs went up”');
    await screenshot('09-learning');
  });

  it('creates and starts an experiment, shows results per arm, then rolls the candidate out 10 → 50 % and aborts', async () => {
    await go('Experiments');
    const form = page.getByRole('form', { name: 'New experiment' });
    await form.getByLabel('Key').fill('five-articles');
    await form.getByLabel('Candidate').selectOption({ label: 'v2 (rolled back) — Five articles per question' });
    await form.getByLabel('Coverage (% of customers in the experiment)').fill('100');
    await form.getByRole('button', { name: 'Create experiment' }).click();
    const card = page.getByRole('listitem', { name: 'Experiment five-articles' });
    await card.getByText('Draft: no customer is assigned until it starts.').waitFor();
    await card.getByRole('button', { name: 'Start experiment' }).click();
    await card.locator('.badge', { hasText: 'running' }).waitFor();

    // Traffic through the real engine: every customer is in the experiment, split 50/50.
    for (let index = 0; index < 20; index++) {
      const turn = await ask(`experiment-customer-${index}`, 'How long does delivery take?');
      if (turn.interactionId)
        await recordVote(database.orm.em.fork(), {
          tenantId,
          interactionId: turn.interactionId,
          helpful: index % 2 === 0 || index % 5 === 1,
          source: 'terminal',
        });
    }
    await page.reload();
    const rows = card.locator('tbody tr');
    await rows.nth(1).waitFor();
    const customers = await rows.evaluateAll((cells) =>
      cells.map((row) => Number((row as unknown as { cells: { textContent: string }[] }).cells[1].textContent)),
    );
    expect(customers.reduce((sum, count) => sum + count, 0)).toBe(20);
    await screenshot('10-experiments');

    await card.getByRole('button', { name: 'Stop…' }).click();
    await card.getByLabel('Why stop?').fill('enough for a first look');
    await card.getByRole('button', { name: 'Stop experiment' }).click();
    await card.locator('.badge', { hasText: 'stopped' }).waitFor();

    const rollouts = page.getByRole('region', { name: 'Rollouts' });
    await rollouts.getByRole('button', { name: 'Start rollout' }).click();
    const rollout = rollouts.getByRole('listitem', { name: 'Rollout of version 2' });
    await expect(rollout.locator('[aria-current="step"]').textContent()).resolves.toBe('10 %');
    await rollout.getByLabel('Reason').fill('looks fine');
    await rollout.getByRole('button', { name: 'Advance stage' }).click();
    await rollout.locator('[aria-current="step"]', { hasText: '50 %' }).waitFor();
    await screenshot('11-rollouts');
    await rollout.getByRole('button', { name: 'Abort and roll back' }).click();
    await rollout.locator('.badge', { hasText: 'aborted' }).waitFor();
    await expect(activeModelVersion(database.orm.em.fork(), tenantId).then((version) => version.number)).resolves.toBe(
      1,
    );
  });

  it('takes a handed-off conversation at the handoff desk and releases it to the bot', async () => {
    await ask('customer-needs-human', 'I need human support please');
    await go('Handoff desk');
    const card = page.getByRole('listitem', { name: 'Handoff: customer-needs-human' });
    await card.getByText('waiting', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Take' }).click();
    await card.getByText(/taken by API key/).waitFor();
    await screenshot('12-handoff-desk');
    await card.getByRole('button', { name: 'Release to the bot' }).click();
    await page.getByText('Nobody is waiting for a human.').waitFor();
  });

  it('hides what the key may not do: a view-only key sees no activate, add or start buttons', async () => {
    const viewer = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const viewerPage = await viewer.newPage();
    viewerPage.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      await viewerPage.goto(`${server.baseUrl}/admin/learning`);
      await viewerPage.getByLabel('API key').fill(viewOnlyKey);
      await viewerPage.getByRole('button', { name: 'Sign in' }).click();
      await viewerPage.getByRole('heading', { name: 'Model versions' }).waitFor();
      expect(await viewerPage.getByRole('button', { name: /^Activate/ }).count()).toBe(0);
      expect(await viewerPage.getByRole('button', { name: 'Roll back…' }).count()).toBe(0);
      await viewerPage.getByRole('link', { name: 'Knowledge' }).click();
      await viewerPage
        .getByText('Adding, editing and importing articles needs a key with the users:manage scope.')
        .waitFor();
      expect(await viewerPage.getByRole('button', { name: 'Retire' }).count()).toBe(0);
      expect(await viewerPage.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    } finally {
      await viewer.close();
    }
  });

  it('shows providers, settings, GraphiQL with the session, and the pages that wait for their API', async () => {
    await go('Providers');
    await page.getByRole('heading', { name: 'Health now' }).waitFor();
    await page
      .getByRole('cell', { name: /knowledge-base/ })
      .first()
      .waitFor();
    await screenshot('13-providers');

    await go('Settings');
    await page.getByLabel('Feedback prompts (helpful / not helpful buttons)').selectOption('SOMETIMES');
    await page.getByLabel('Every n-th reply').fill('4');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved.').waitFor();
    await screenshot('14-settings');

    await go('GraphiQL');
    await page.locator('.graphiql-container').waitFor();
    // The editor fills in after mounting; running before that sends an empty document.
    await page.locator('.graphiql-query-editor').filter({ hasText: 'feedbackAnalytics' }).waitFor();
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.result-window').filter({ hasText: 'botReplies' }).waitFor();
    await expect(page.locator('.result-window').textContent()).resolves.not.toContain('UNAUTHENTICATED');
    await screenshot('16-graphiql');
  });

  it('is keyboard reachable: the first Tab lands on the skip link, then the pages', async () => {
    await page.goto(`${server.baseUrl}/admin/`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.keyboard.press('Tab');
    await expect(page.evaluate(focusedText)).resolves.toBe('Skip to content');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(focusedText)).resolves.toBe('Sign out');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(focusedText)).resolves.toBe('Overview');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(focusedText)).resolves.toBe('Conversations');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Conversations' }).waitFor();
  });

  it('fits a phone: no page scrolls sideways (wide tables scroll in their own box)', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    phone.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      for (const [path, heading] of [
        ['conversations', 'Conversations'],
        ['feedback', 'Feedback review'],
        ['corrections', 'Corrections'],
        ['providers', 'Providers'],
        ['settings', 'Settings'],
        ['handoffs', 'Handoff desk'],
        ['knowledge', 'Knowledge'],
        ['learning', 'Learning'],
        ['experiments', 'Experiments'],
      ]) {
        await phone.goto(`${server.baseUrl}/admin/${path}`);
        await phone.getByRole('heading', { name: heading, exact: true }).waitFor();
        await phone.locator('.state-loading').first().waitFor({ state: 'detached' });
        await screenshot(`phone-${path}`, phone, ARTIFACTS);
        const overflow = await sidewaysOverflow(phone);
        expect({ path, fits: overflow <= 1 }).toEqual({ path, fits: true });
      }
    } finally {
      await phone.close();
    }
  });

  it('signs out; a new tenant sees empty states that say what to do', async () => {
    await go('Overview');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect((await context.cookies()).find((cookie) => cookie.name === 'parley_session')).toBeUndefined();
    await page.getByLabel('API key').fill(emptyTenantKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('No conversations in this period yet.').waitFor();
    await screenshot('17-overview-new-tenant');
    await go('Feedback review');
    await page.getByText('No “not helpful” votes yet.').waitFor();
    await screenshot('18-feedback-new-tenant');
  });

  it('opens GraphiQL without a session for a pasted key (the Headers tab), not the sign-in form', async () => {
    const anonymous = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const graphiql = await anonymous.newPage();
    graphiql.on('pageerror', (error) => pageErrors.push(error.message));
    await graphiql.goto(`${server.baseUrl}/graphql`, { waitUntil: 'domcontentloaded' });
    await graphiql.locator('.graphiql-container').waitFor();
    expect(graphiql.url()).toBe(`${server.baseUrl}/admin/graphiql`);
    expect(await graphiql.getByLabel('API key').count()).toBe(0);
    await screenshot('14-graphiql-without-session', graphiql, ARTIFACTS);
    await anonymous.close();
  });

  it('ran without CSP violations or page errors', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
