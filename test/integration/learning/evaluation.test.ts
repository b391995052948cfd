import fs from 'node:fs';
import path from 'node:path';
import { costAnalytics } from '../../../src/analytics/cost-analytics';
import { approveCorrection, createCorrection } from '../../../src/corrections/correction-service';
import {
  AuditLog,
  DatasetVersion,
  EvaluationResult,
  KnowledgeArticle,
  ModelVersion,
  Tenant,
} from '../../../src/db/entities';
import { DEMO_TENANT_NAME, seedDemoTenant } from '../../../src/db/seed';
import { readCaseFile, sampleCases } from '../../../src/learning/datasets/case-file';
import {
  addCases,
  archiveCases,
  createDataset,
  importApprovedCorrections,
  resolveDatasetVersion,
  versionCases,
} from '../../../src/learning/datasets/dataset-service';
import { evaluationReport, renderReport } from '../../../src/learning/evaluation/evaluation-report';
import { evaluateModelVersion } from '../../../src/learning/evaluation/evaluator';
import { createDraftModelVersion } from '../../../src/learning/model-versions/model-version-service';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { gatewayFor } from '../providers/gateway-helpers';

/** The shared Bitext customer-support CSV (never copied into the repository). */
const SHARED_CSV =
  process.env.PARLEY_DATASET ?? path.resolve(__dirname, '../../../../shared/datasets/customer-support-train.csv');
const haveShared = fs.existsSync(SHARED_CSV);

describe('evaluation datasets', () => {
  let database: TestDatabase;
  const actor = 'apikey:test-evaluator' as const;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('versions every change; a version never changes; corrections come with provenance', async () => {
    const seeded = (await seedDemoTenant(database.orm.em.fork()))!;
    const tenantId = seeded.tenant.id;
    const em = () => database.orm.em.fork();
    const { dataset, version: first } = await createDataset(em(), {
      tenantId,
      actor,
      name: 'handwritten',
      description: 'typed by hand',
    });
    expect(first.number).toBe(1);
    const second = await addCases(em(), {
      tenantId,
      actor,
      datasetId: dataset.id,
      source: 'manual',
      cases: [
        {
          input: 'Where is my parcel?',
          expectedReply: 'You can track it from the link in your confirmation email.',
          expectedTopic: 'track_order',
        },
        {
          input: 'I want a person',
          expectedReply: 'Let me connect you with a colleague.',
          expectHandoff: true,
          context: [
            { role: 'customer', text: 'hi' },
            { role: 'agent', text: 'Hello! How can I help?' },
          ],
        },
      ],
    });
    expect([second.number, second.caseCount]).toEqual([2, 2]);

    const correction = await createCorrection(em(), {
      tenantId,
      actor,
      authorName: 'Dana',
      customerMessage: 'Can I pay with PayPal?',
      originalReply: 'No.',
      correctedReply: 'Yes, we accept PayPal and all major cards.',
      category: 'wrong_facts',
    } as Parameters<typeof createCorrection>[1]);
    await approveCorrection(em(), { tenantId, actor, correctionId: correction.id, qualityScore: 5 });
    const imported = await importApprovedCorrections(em(), { tenantId, actor, datasetId: dataset.id });
    expect(imported.imported).toBe(1);
    const third = imported.version!;
    const cases = await versionCases(em(), third);
    const fromCorrection = cases.find((entry) => entry.source === 'correction')!;
    expect(fromCorrection.sourceRef).toBe(correction.id);
    expect(fromCorrection.provenance).toMatchObject({
      correctionId: correction.id,
      approvedBy: actor,
      qualityScore: 5,
      author: 'Dana',
    });
    // Importing again adds nothing (and makes no version).
    expect((await importApprovedCorrections(em(), { tenantId, actor, datasetId: dataset.id })).imported).toBe(0);

    const fourth = await archiveCases(em(), {
      tenantId,
      actor,
      datasetId: dataset.id,
      caseIds: [cases[0].id],
      reason: 'outdated',
    });
    expect([fourth.number, fourth.caseCount]).toEqual([4, 2]);
    // Earlier versions are untouched.
    const reread = await em().findOneOrFail(DatasetVersion, { id: third.id });
    expect(reread.caseIds).toEqual(third.caseIds);
    expect((await resolveDatasetVersion(em(), tenantId, 'handwritten@2')).caseCount).toBe(2);
    expect((await resolveDatasetVersion(em(), tenantId, 'handwritten')).number).toBe(4);
    const audit = await em().find(AuditLog, { tenant: tenantId, targetType: 'EvaluationDataset' });
    expect(audit.map((row) => row.action).sort()).toEqual([
      'dataset.cases.add',
      'dataset.cases.add',
      'dataset.cases.archive',
      'dataset.create',
    ]);
  });

  it('reads CSV and JSONL with a column mapping', () => {
    const csv =
      'q,a,label,human\n"Hi, where is it?","It ships ""today""",track_order,no\nrefund please,"Sure.\nDone.",get_refund,yes\n,missing,x,no\n';
    const fromCsv = readCaseFile(
      csv,
      'csv',
      { input: 'q', expectedReply: 'a', expectedTopic: 'label', expectHandoff: 'human' },
      'cases.csv',
    );
    expect(fromCsv.skipped).toBe(1);
    expect(
      fromCsv.cases.map((entry) => [entry.input, entry.expectedReply, entry.expectedTopic, entry.expectHandoff]),
    ).toEqual([
      ['Hi, where is it?', 'It ships "today"', 'track_order', false],
      ['refund please', 'Sure.\nDone.', 'get_refund', true],
    ]);
    const jsonl =
      '{"question":"hello","answer":"hi","topic":"greeting","context":[{"role":"assistant","content":"Welcome"}]}\n\n{"question":"bye","answer":"goodbye"}\n';
    const fromJsonl = readCaseFile(jsonl, 'jsonl', {}, 'cases.jsonl');
    expect(fromJsonl.cases[0]).toMatchObject({
      input: 'hello',
      expectedReply: 'hi',
      expectedTopic: 'greeting',
      context: [{ role: 'agent', text: 'Welcome' }],
      sourceRef: 'cases.jsonl:line 1',
    });
    expect(fromJsonl.cases[1].expectedTopic).toBeNull();
    expect(() => readCaseFile(csv, 'csv', { input: 'nope' })).toThrow(/nope/);
  });

  (haveShared ? it : it.skip)(
    'evaluates version 1 of the demo tenant on ≥ 500 imported cases, compares a draft with it, and reports in JSON, CSV and Markdown',
    async () => {
      const em = () => database.orm.em.fork();
      // The demo tenant, seeded by the first test (seedDemoTenant seeds an empty database only).
      const tenantId = (await em().findOneOrFail(Tenant, { name: DEMO_TENANT_NAME })).id;
      const text = fs.readFileSync(SHARED_CSV, 'utf8');
      const all = readCaseFile(
        text,
        'csv',
        { handoffTopics: ['contact_human_agent'] },
        'customer-support-train.csv',
      ).cases;
      expect(all.length).toBeGreaterThan(3000);
      // One row in forty is knowledge (as approved answers would be); a sample of other rows is the dataset.
      // (The offline provider's search takes ~0.1 s a question over thousands of articles: kept small for the test's time.)
      const knowledge = all.filter((_, index) => index % 40 === 0);
      const held = sampleCases(
        all.filter((_, index) => index % 40 !== 0),
        520,
      );
      const writer = em();
      for (const entry of knowledge) {
        writer.create(KnowledgeArticle, {
          tenant: tenantId,
          question: entry.input,
          answer: entry.expectedReply,
          topic: entry.expectedTopic ?? null,
          source: 'manual',
        });
      }
      await writer.flush();
      const { dataset } = await createDataset(em(), { tenantId, actor, name: 'bitext-heldout' });
      const progress: number[] = [];
      const version = await addCases(em(), {
        tenantId,
        actor,
        datasetId: dataset.id,
        cases: held,
        source: 'import',
        onProgress: (done) => progress.push(done),
      });
      expect(version.caseCount).toBe(520);
      expect(progress.at(-1)).toBe(520);

      const { gateway } = gatewayFor(database);
      const evaluationProgress: number[] = [];
      const run = await evaluateModelVersion(
        { em: database.orm.em, gateway },
        {
          tenantId,
          actor,
          version: '1',
          dataset: 'bitext-heldout',
          concurrency: 4,
          onProgress: (done) => evaluationProgress.push(done),
        },
      );
      expect(run.status).toBe('completed');
      expect(run.gating).toBe(true);
      expect(run.verdict).toBe('pass');
      expect(evaluationProgress).toHaveLength(520);
      const metrics = run.metrics as Record<string, number>;
      expect(metrics.cases).toBe(520);
      for (const key of ['bleu', 'rouge1', 'rouge2', 'rougeL', 'topicAccuracy'])
        expect(metrics[key]).toBeGreaterThan(0);
      expect(metrics.handoffRate).toBeGreaterThan(0);
      expect(metrics.latencyP95Ms).toBeGreaterThanOrEqual(metrics.latencyP50Ms);
      expect(await em().count(EvaluationResult, { run: run.id })).toBe(520);

      // Evaluation traffic: usage rows flagged, no conversation, nothing in the customer cost analytics.
      const usage = await em()
        .getConnection()
        .execute<{ evaluation: boolean; count: string }[]>(
          'select evaluation, count(*) from provider_usage where tenant_id = ? group by evaluation',
          [tenantId],
        );
      expect(usage.map((row) => [row.evaluation, Number(row.count)])).toEqual([[true, expect.any(Number)]]);
      const day = 86_400_000;
      const cost = await costAnalytics(em(), {
        tenantId,
        range: { from: new Date(Date.now() - 2 * day), to: new Date(Date.now() + day) },
        groupBy: 'day',
      });
      expect(JSON.stringify(cost)).not.toContain('knowledge-base');
      expect(
        Number(
          (
            await em()
              .getConnection()
              .execute<{ count: string }[]>('select count(*) from conversation where tenant_id = ?', [tenantId])
          )[0].count,
        ),
      ).toBe(0);

      // A draft compared with the active version on the same dataset version (the baseline run is reused).
      const draft = await createDraftModelVersion(em(), {
        tenantId,
        actor,
        changes: { systemPrompt: 'Answer in one short paragraph.', notes: 'shorter' },
      });
      const candidate = await evaluateModelVersion(
        { em: database.orm.em, gateway },
        { tenantId, actor, version: draft.id, dataset: 'bitext-heldout@2' },
      );
      expect(candidate.baselineRun?.id).toBe(run.id);
      expect(candidate.verdict).toBe('pass');
      expect((await em().findOneOrFail(ModelVersion, { id: draft.id })).status).toBe('evaluated');

      const report = await evaluationReport(em(), tenantId, candidate.id);
      const json = JSON.parse(renderReport(report, 'json'));
      expect(json.baseline.modelVersion).toBe(1);
      expect(json.comparisons.map((comparison: { metric: string }) => comparison.metric)).toEqual([
        'bleu',
        'rouge1',
        'rouge2',
        'rougeL',
        'exactMatch',
        'topicAccuracy',
        'handoffRate',
      ]);
      const csv = renderReport(report, 'csv').trim().split('\n');
      expect(csv[0]).toBe('metric,candidate,baseline,change,limit,result');
      expect(csv.find((line) => line.startsWith('rougeL,'))).toMatch(/^rougeL,0\.\d{4},0\.\d{4},[+-]\d+\.\d{2} %,/);
      const markdown = renderReport(report, 'md');
      expect(markdown).toContain(`# Evaluation of model version ${draft.number} on bitext-heldout@2`);
      expect(markdown).toContain('- Verdict: **PASS**');
      expect(markdown).toContain('| ROUGE-L F |');
    },
    600_000,
  );
});
