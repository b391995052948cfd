import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApiKey } from '../../src/auth/api-keys';
import { approveCorrection, createCorrection } from '../../src/corrections/correction-service';
import { AuditLog, FineTuningJob, OfflineModel, Tenant, TrainingSet } from '../../src/db/entities';
import { seedDemoTenant } from '../../src/db/seed';
import { addCases, createDataset } from '../../src/learning/datasets/dataset-service';
import { pollFineTuningJobs } from '../../src/learning/fine-tuning/fine-tuning-poll';
import { createFineTuningClients } from '../../src/learning/fine-tuning/openai-fine-tuning-client';
import { trainingSetFiles } from '../../src/learning/training/training-data-service';
import { createLogger } from '../../src/logger';
import { SecretBox } from '../../src/security/secret-box';
import { startFakeOpenAiFineTuning, type FakeOpenAiFineTuning } from '../fakes/fake-openai-fine-tuning-server';
import { approveCorrections } from '../integration/learning/fine-tuning-fixtures';
import { ensureWebBuilt, startConsoleServer, type ConsoleTestServer } from '../helpers/console-server';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { launchChromium, requireChromium, watchPage, sidewaysOverflow, submitSignIn } from '../helpers/browser';

/**
 * The Training page in Chromium against the service on a real database and
 * the fake OpenAI Files + Fine-tuning API: a tenant without approved
 * corrections is told how to get training data; with 30 approved corrections
 * (and 2 below the quality threshold) a training set is exported, its
 * statistics shown, its OpenAI file downloaded; a fine-tuning job is started,
 * polled (events and timeline) and cancelled, each after a confirmation; the
 * offline model is trained with its validation figures; a view-only key sees
 * no action buttons; the page fits a phone. Screenshot docs/console/training.png.
 */
const ARTIFACTS = path.join(__dirname, '../../test-artifacts/admin');
const DOCS = path.join(__dirname, '../../docs/console');
const actor = 'apikey:console-training-test' as const;
/** Tenant secrets' key, shared by the server and the polling job this test runs. */
const secretBox = new SecretBox(crypto.randomBytes(32));

let database: TestDatabase;
let fineTuningApi: FakeOpenAiFineTuning;
let server: ConsoleTestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tenantId: string;
let demoKey: string;
let viewOnlyKey: string;
let emptyTenantKey: string;
const pageErrors: string[] = [];
const cspViolations: string[] = [];

jest.setTimeout(240_000);

/** The page's globals read in page.evaluate (this project's tsconfig has no DOM types). */
interface BrowserGlobals {
  document: { documentElement: { scrollWidth: number; scrollHeight: number } };
  innerWidth: number;
}

function watch(target: Page) {
  watchPage(target, { cspViolations, pageErrors });
}

async function signIn(target: Page, key: string, path = '/training') {
  await submitSignIn(target, `${server.baseUrl}/admin${path}`, key);
  await target.getByRole('heading', { name: 'Training', exact: true }).waitFor();
}

const usd = (value: number) =>
  new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: value < 0.01 ? 5 : value < 1 ? 4 : 2,
    maximumFractionDigits: value < 0.01 ? 5 : value < 1 ? 4 : 2,
  }).format(value);

beforeAll(async () => {
  requireChromium();
  ensureWebBuilt();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.mkdirSync(DOCS, { recursive: true });
  database = await createTestDatabase();
  fineTuningApi = await startFakeOpenAiFineTuning();
  const seeded = await seedDemoTenant(database.orm.em.fork());
  demoKey = seeded!.apiKey;
  tenantId = seeded!.tenant.id;
  const em = database.orm.em.fork();
  viewOnlyKey = (await createApiKey(em, { tenant: seeded!.tenant, name: 'viewer', scopes: ['analytics:view'] })).key;
  const empty = em.create(Tenant, { name: 'no-corrections shop' });
  await em.flush();
  emptyTenantKey = (
    await createApiKey(em, {
      tenant: empty,
      name: 'new',
      scopes: ['analytics:view', 'corrections:write', 'users:manage'],
    })
  ).key;

  // 30 approved corrections of quality 5 (the training data) and 2 of quality 2 (filtered out).
  await approveCorrections(database, tenantId, actor, 30);
  for (const index of [1, 2]) {
    const correction = await createCorrection(database.orm.em.fork(), {
      tenantId,
      actor,
      customerMessage: `Is gift card ${index} refundable?`,
      originalReply: 'Maybe.',
      correctedReply: `Gift card ${index} is not refundable.`,
      category: 'policy',
    });
    await approveCorrection(database.orm.em.fork(), { tenantId, actor, correctionId: correction.id, qualityScore: 2 });
  }
  // A small evaluation dataset the offline model's draft is evaluated on.
  const { dataset } = await createDataset(database.orm.em.fork(), { tenantId, actor, name: 'delivery-smoke' });
  await addCases(database.orm.em.fork(), {
    tenantId,
    actor,
    datasetId: dataset.id,
    source: 'import',
    cases: Array.from({ length: 12 }, (_, index) => ({
      input: `How do I change delivery option ${index} for my parcel?`,
      expectedReply: `Open Orders, choose the parcel and pick delivery option ${index}; it applies at once.`,
      expectedTopic: null,
      expectHandoff: false,
      context: [],
    })),
  });

  server = await startConsoleServer(database.orm, database.url, {
    secretBox,
    fineTuning: { baseUrl: fineTuningApi.url, apiKey: 'sk-console-test' },
  });
  browser = await launchChromium();
  context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    timezoneId: 'America/New_York',
    locale: 'en-US',
    acceptDownloads: true,
  });
  page = await context.newPage();
  watch(page);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fineTuningApi?.close();
  await database?.drop();
});

describe('Training page in Chromium', () => {
  it('tells a tenant without approved corrections how to get training data', async () => {
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const target = await other.newPage();
    watch(target);
    try {
      await signIn(target, emptyTenantKey);
      await target.getByText('No training data yet: this tenant has no approved corrections.').waitFor();
      await target.getByText(/correct them, and approve the corrections/).waitFor();
      expect(await target.locator('summary', { hasText: 'Export a training set' }).count()).toBe(0);
      await target.getByText('No fine-tuning jobs yet.').waitFor();
      await target.screenshot({ path: path.join(ARTIFACTS, 'training-empty.png'), fullPage: true });
    } finally {
      await other.close();
    }
  });

  it('exports a training set with the chosen settings and shows its statistics', async () => {
    await signIn(page, demoKey);
    await page.getByText('32 approved corrections').waitFor();
    await page.getByText('No training set exported yet.').waitFor();
    await page.locator('summary', { hasText: 'Export a training set' }).click();
    await page.getByLabel('Minimum quality score, 0–5 (default 4)').fill('4');
    await page.getByLabel('Mask emails, phone and order numbers').selectOption('yes');
    await page.getByRole('button', { name: 'Export training set' }).click();

    const exported = page.getByRole('status').filter({ hasText: /^Training set #1 exported: 30 examples/ });
    await exported.waitFor();
    const set = await database.orm.em.fork().findOneOrFail(TrainingSet, { tenant: tenantId, number: 1 });
    await expect(exported.textContent()).resolves.toBe(
      `Training set #1 exported: 30 examples (${set.trainCount} training, ${set.validationCount} validation).`,
    );
    expect(set.settings).toMatchObject({ minQuality: 4, maskPersonalData: true });
    expect(set.exampleCount).toBe(30);

    const card = page.getByRole('listitem', { name: 'Training set #1' });
    await card.getByText('30 examples', { exact: true }).waitFor();
    await card.getByText(`${set.trainCount} training · ${set.validationCount} validation`, { exact: false }).waitFor();
    // Filtered out, with the reason: the two corrections below the quality threshold.
    await card.getByRole('list', { name: 'Filtered out' }).getByText('quality score below 4: 2').waitFor();
    // Warnings as the API gave them (fewer than the 50 examples OpenAI recommends).
    expect(set.warnings.length).toBeGreaterThan(0);
    for (const warning of set.warnings) await card.getByRole('list', { name: 'Warnings' }).getByText(warning).waitFor();
    // Estimated cost per provider and model, in dollars, as computed by the service.
    const costs = card.getByRole('table', { name: 'Estimated training cost of set #1' });
    for (const cost of set.statistics.estimatedCost) {
      const row = costs.getByRole('row').filter({ hasText: cost.model });
      await expect(row.textContent()).resolves.toContain(usd(cost.usd));
      await expect(row.textContent()).resolves.toContain(cost.format === 'gemini' ? 'Gemini (Vertex AI)' : 'OpenAI');
    }
    // Examples per topic and category add up to the set.
    const categories = card.locator('table').filter({ has: page.locator('caption', { hasText: 'By category' }) });
    await expect(categories.getByRole('row').filter({ hasText: 'wrong_facts' }).textContent()).resolves.toContain('30');
    await card.getByText(`Tokens: ${set.statistics.tokens.total.toLocaleString('en-US')} in all`).waitFor();
  });

  it('downloads the OpenAI training file exactly as the API serves it', async () => {
    const card = page.getByRole('listitem', { name: 'Training set #1' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('button', { name: 'OpenAI train JSONL' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('training-set-1-openai-train.jsonl');
    const saved = fs.readFileSync((await download.path())!, 'utf8');
    const set = await database.orm.em.fork().findOneOrFail(TrainingSet, { tenant: tenantId, number: 1 });
    const files = await trainingSetFiles(database.orm.em.fork(), tenantId, set.id, 'openai');
    expect(saved).toBe(files.train);
    expect(saved.trim().split('\n')).toHaveLength(set.trainCount);
    await card
      .getByRole('status')
      .filter({ hasText: `Saved training-set-1-openai-train.jsonl (${set.trainCount} examples).` })
      .waitFor();
  });

  it('starts a fine-tuning job after a confirmation that says what will happen; shows its events and timeline', async () => {
    const set = await database.orm.em.fork().findOneOrFail(TrainingSet, { tenant: tenantId, number: 1 });
    await page.getByText('No fine-tuning jobs yet.').waitFor();
    await page.locator('summary', { hasText: 'Start a fine-tuning job' }).click();
    await page.getByLabel('Provider').selectOption('openai');
    await expect(page.getByLabel('Base model', { exact: true }).inputValue()).resolves.toBe('gpt-4o-mini-2024-07-18');
    await page.getByRole('form', { name: 'Start a fine-tuning job' }).getByLabel('Training set').selectOption(set.id);
    await page.getByRole('button', { name: 'Start…' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Confirm the fine-tuning job' });
    const cost = set.statistics.estimatedCost.find((entry) => entry.model === 'gpt-4o-mini-2024-07-18')!;
    const said = await dialog.textContent();
    expect(said).toContain(
      `uploads training set #1 (${set.trainCount} training and ${set.validationCount} validation examples) to OpenAI and fine-tunes gpt-4o-mini-2024-07-18`,
    );
    expect(said).toContain(`Estimated training cost: ${usd(cost.usd)}`);
    expect(said).toContain('nothing reaches customers until someone activates or rolls it out');
    expect(fineTuningApi.jobs.size).toBe(0);
    await dialog.getByRole('button', { name: 'Start fine-tuning' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Job .* started \(ftjob-/ })
      .waitFor();

    // The fake OpenAI got the set's training file and a job on the chosen model.
    const [created] = [...fineTuningApi.jobs.values()];
    expect(created).toMatchObject({ model: 'gpt-4o-mini-2024-07-18' });
    const files = await trainingSetFiles(database.orm.em.fork(), tenantId, set.id, 'openai');
    expect(fineTuningApi.files.get(created.trainingFile)?.content).toBe(files.train);

    // The polling job runs (as the scheduler would) three times: validating_files → queued → running, with events.
    for (let poll = 0; poll < 3; poll++)
      await pollFineTuningJobs({
        em: database.orm.em,
        clients: createFineTuningClients({
          em: database.orm.em,
          secretBox,
          apiKey: 'sk-console-test',
          baseUrl: fineTuningApi.url,
        }),
        logger: createLogger('silent'),
        now: new Date(),
      });
    const job = await database.orm.em.fork().findOneOrFail(FineTuningJob, { tenant: tenantId });
    expect(job.status).toBe('running');
    await page.getByRole('button', { name: 'Refresh' }).click();
    const card = page.getByRole('listitem', { name: `Fine-tuning job ${job.suffix}` });
    await card.getByText('OpenAI: running').waitFor();
    await card.locator('.badge', { hasText: 'training' }).waitFor();
    const timeline = card.getByRole('list', { name: `Timeline of ${job.suffix}` });
    const items = await timeline.getByRole('listitem').allTextContents();
    expect(items[0]).toMatch(/^Started \(manual by API key [0-9a-f]{8}\) /);
    expect(items[1]).toMatch(new RegExp(`^Submitted to OpenAI as ${job.providerJobId} `));
    // Then every provider event, in the order OpenAI logged them.
    const events = items.slice(2);
    expect(events).toHaveLength(job.events.length);
    events.forEach((item, index) => expect(item.startsWith(`${job.events[index].message} `)).toBe(true));
    expect(job.events.map((event) => event.message)).toContain('Fine-tuning job started');
    await screenshotDocs();
  });

  it('cancels the job after a confirmation; OpenAI is told and the job shows cancelled', async () => {
    const job = await database.orm.em.fork().findOneOrFail(FineTuningJob, { tenant: tenantId });
    const card = page.getByRole('listitem', { name: `Fine-tuning job ${job.suffix}` });
    await card.getByRole('button', { name: 'Cancel job…' }).click();
    const dialog = card.getByRole('alertdialog', { name: 'Confirm the cancellation' });
    const said = await dialog.textContent();
    expect(said).toContain(`This asks OpenAI to cancel job ${job.providerJobId} (gpt-4o-mini-2024-07-18, now running)`);
    expect(said).toContain('no fine-tuned model or draft version is made');
    // Keeping it running changes nothing.
    await dialog.getByRole('button', { name: 'Keep it running' }).click();
    expect(fineTuningApi.jobs.get(job.providerJobId!)!.status).toBe('running');
    await card.getByRole('button', { name: 'Cancel job…' }).click();
    await dialog.getByLabel('Reason (kept in the audit log)').fill('wrong base model');
    await dialog.getByRole('button', { name: 'Cancel the job' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Job ${job.suffix} cancelled.` })
      .waitFor();
    await card.getByText('cancelled', { exact: true }).waitFor();
    await card.getByText('OpenAI: cancelled').waitFor();
    expect(await card.getByRole('button', { name: 'Cancel job…' }).count()).toBe(0);
    expect(fineTuningApi.jobs.get(job.providerJobId!)!.status).toBe('cancelled');
    const audit = await database.orm.em
      .fork()
      .findOneOrFail(AuditLog, { action: 'fine_tuning.cancel', targetId: job.id });
    expect(audit.after).toMatchObject({ phase: 'cancelled', status: 'cancelled', reason: 'wrong base model' });
    // A new job can be started again.
    await page.locator('summary', { hasText: 'Start a fine-tuning job' }).waitFor();
  });

  it('trains the offline model and shows its validation figures', async () => {
    await page.locator('summary', { hasText: 'Train offline model' }).click();
    const form = page.getByRole('form', { name: 'Train offline model' });
    await expect(form.getByLabel('Training set').inputValue()).resolves.toBe(
      (await database.orm.em.fork().findOneOrFail(TrainingSet, { tenant: tenantId, number: 1 })).id,
    );
    await form.getByLabel('Evaluation dataset').selectOption('delivery-smoke');
    await form.getByRole('button', { name: 'Train offline model' }).click();
    const done = form.getByRole('status').or(form.getByRole('alert'));
    await done.waitFor({ timeout: 120_000 });
    await expect(done.textContent()).resolves.toMatch(/^Trained on set #1/);
    const model = await database.orm.em.fork().findOneOrFail(OfflineModel, { tenant: tenantId });
    const validation = model.metrics!.validation as { cases: number; topicAccuracy: number | null };
    const text = await done.textContent();
    expect(text).toContain(`(${model.exampleCount} examples`);
    expect(text).toMatch(/Draft v\d+ \(\w+\); evaluation on delivery-smoke@\d+: completed/);
    const row = page
      .getByRole('table', { name: 'Offline models' })
      .getByRole('row')
      .filter({ hasText: model.id.slice(0, 8) });
    await expect(row.textContent()).resolves.toContain(model.algorithm);
    await expect(row.textContent()).resolves.toContain(String(validation.cases));
  });

  it('saves the fine-tuning settings (the monthly schedule off)', async () => {
    await page.locator('summary', { hasText: 'Fine-tuning settings' }).click();
    await page.getByLabel('Schedule', { exact: true }).selectOption('off');
    await page.getByLabel('New approved corrections a scheduled job needs').fill('80');
    await page.getByRole('button', { name: 'Save fine-tuning settings' }).click();
    await page.getByText('Fine-tuning settings saved.').waitFor();
    const tenant = await database.orm.em.fork().findOneOrFail(Tenant, { id: tenantId });
    expect(tenant.settings.fineTuning).toMatchObject({ schedule: 'off', minNewExamples: 80 });
  });

  it('hides the actions a view-only key may not take', async () => {
    const viewer = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const target = await viewer.newPage();
    watch(target);
    try {
      await signIn(target, viewOnlyKey);
      await target.getByRole('listitem', { name: 'Training set #1' }).waitFor();
      await target.getByText('Exporting a training set needs a key with the corrections:write scope.').waitFor();
      await target.getByText('Starting and cancelling jobs needs a key with the users:manage scope.').waitFor();
      await target.getByText('Training needs a key with the corrections:write scope.').waitFor();
      for (const name of ['Export a training set', 'Start a fine-tuning job', 'Train offline model'])
        expect(await target.locator('summary', { hasText: name }).count()).toBe(0);
      expect(await target.getByRole('button', { name: 'Save fine-tuning settings' }).count()).toBe(0);
      // Reading and downloading stays open to analytics:view.
      await target.getByRole('button', { name: 'Gemini train JSONL' }).waitFor();
    } finally {
      await viewer.close();
    }
  });

  it('fits a phone without sideways scrolling', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    watch(phone);
    try {
      await phone.goto(`${server.baseUrl}/admin/training`);
      await phone.getByRole('listitem', { name: 'Training set #1' }).waitFor();
      expect(await sidewaysOverflow(phone)).toBeLessThanOrEqual(1);
      await phone.screenshot({ path: path.join(ARTIFACTS, 'phone-training.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it('ran without CSP violations or page errors', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

/** docs/console/training.png: the whole page at laptop width, cut at 2,400 px. */
async function screenshotDocs() {
  const height = await page.evaluate(
    () => (globalThis as unknown as BrowserGlobals).document.documentElement.scrollHeight,
  );
  await page.screenshot({
    path: path.join(DOCS, 'training.png'),
    fullPage: true,
    clip: { x: 0, y: 0, width: 1280, height: Math.min(height, 2400) },
  });
}
