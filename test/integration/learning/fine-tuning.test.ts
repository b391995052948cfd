import { AuditLog, EvaluationRun, FineTuningJob, ModelVersion, Tenant } from '../../../src/db/entities';
import { runJob, type JobContext } from '../../../src/jobs';
import { createLogger } from '../../../src/logger';
import { pollFineTuningJobs } from '../../../src/learning/fine-tuning/fine-tuning-poll';
import { cancelFineTuningJob, startFineTuningJob } from '../../../src/learning/fine-tuning/fine-tuning-service';
import { createFineTuningClients } from '../../../src/learning/fine-tuning/openai-fine-tuning-client';
import { runScheduledRetraining } from '../../../src/learning/fine-tuning/retraining-schedule';
import { generatedTrainingSets } from '../../../src/learning/fine-tuning/training-set-source';
import type { AlertService } from '../../../src/monitoring/alert-service';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/fake-openai-server';
import { startFakeOpenAiFineTuning, type FakeOpenAiFineTuning } from '../../fakes/fake-openai-fine-tuning-server';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeTenant } from '../../helpers/factories';
import { gatewayFor, secretBox } from '../providers/gateway-helpers';
import {
  alertServiceFor,
  approveCorrections,
  createGatingDataset,
  expectedReplyOf,
  RecordingNotifier,
} from './fine-tuning-fixtures';

const actor = 'apikey:fine-tuning-test' as const;

describe('fine-tuning jobs against the fake OpenAI Files and Fine-tuning API', () => {
  let database: TestDatabase;
  let fineTuningApi: FakeOpenAiFineTuning;
  let chat: FakeOpenAi;
  let notifier: RecordingNotifier;
  let alerts: AlertService;
  /** The tenant of the first test, with its gating dataset (the later validation test reuses its baseline run). */
  let gatedTenantId = '';
  /** Whether the fine-tuned model answers well (true) or badly (false). */
  let fineTunedAnswersWell = true;

  beforeAll(async () => {
    database = await createTestDatabase();
    fineTuningApi = await startFakeOpenAiFineTuning();
    chat = await startFakeOpenAi();
    chat.setReply((request) => {
      const messages = request.body.messages as Array<{ role: string; content: string }>;
      const question = messages.filter((message) => message.role === 'user').at(-1)?.content ?? '';
      // The base models answer the gating cases; a fine-tuned model as well as them, or (when told) badly.
      if (request.model.startsWith('ft:') && !fineTunedAnswersWell) return 'Sorry, I cannot help with that.';
      return expectedReplyOf(question) ?? 'I am not sure.';
    });
    notifier = new RecordingNotifier();
    alerts = alertServiceFor(database, notifier);
  });
  afterAll(async () => {
    await fineTuningApi.close();
    await chat.close();
    await database.drop();
  });

  function dependencies() {
    const { gateway } = gatewayFor(database, { OPENAI_API_KEY: 'sk-env', OPENAI_BASE_URL: chat.url });
    return {
      em: database.orm.em,
      clients: createFineTuningClients({
        em: database.orm.em,
        secretBox,
        apiKey: 'sk-env',
        baseUrl: fineTuningApi.url,
      }),
      trainingSets: generatedTrainingSets,
      gateway,
      alerts,
      logger: createLogger('silent'),
    };
  }

  async function tenantWithData(name: string, corrections = 30): Promise<string> {
    const tenant = await makeTenant(database.orm.em.fork(), {}, name);
    await approveCorrections(database, tenant.id, actor, corrections);
    return tenant.id;
  }

  const reload = (id: string) =>
    database.orm.em.fork().findOneOrFail(FineTuningJob, { id }, { populate: ['modelVersion'] });

  it('uploads, creates, polls through every status and succeeds into an evaluated draft version', async () => {
    const tenantId = await tenantWithData('Acme Shoes');
    await createGatingDataset(database, tenantId, actor);
    gatedTenantId = tenantId;
    const deps = dependencies();
    const job = await startFineTuningJob(deps, { tenantId, actor });
    expect(job.phase).toBe('training');
    expect(job.status).toBe('validating_files');
    expect(job.suffix).toBe('acme-shoes-v1');

    // Two multipart uploads with purpose fine-tune, chat JSONL the SDK types describe.
    const uploaded = [...fineTuningApi.files.values()].filter((file) =>
      [job.trainingFileId, job.validationFileId].includes(file.id),
    );
    expect(uploaded.map((file) => [file.purpose, file.filename])).toEqual([
      ['fine-tune', 'acme-shoes-v1-train.jsonl'],
      ['fine-tune', 'acme-shoes-v1-validation.jsonl'],
    ]);
    const line = JSON.parse(uploaded[0].content.split('\n')[0]) as {
      messages: Array<{ role: string; weight?: number }>;
    };
    expect(line.messages.at(-1)).toMatchObject({ role: 'assistant', weight: 1 });
    const created = fineTuningApi.jobs.get(job.providerJobId!)!;
    expect(created).toMatchObject({
      model: 'gpt-4o-mini-2024-07-18',
      suffix: 'acme-shoes-v1',
      trainingFile: job.trainingFileId,
    });

    const seen: Array<string | null> = [];
    for (let poll = 0; poll < 4; poll++) {
      await pollFineTuningJobs({ ...deps, now: new Date() });
      seen.push((await reload(job.id)).status);
    }
    expect(seen).toEqual(['validating_files', 'queued', 'running', 'succeeded']);

    const done = await reload(job.id);
    expect(done.phase).toBe('deployable');
    expect(done.fineTunedModel).toMatch(/^ft:gpt-4o-mini-2024-07-18:org-fake:acme-shoes-v1:/);
    expect(done.events.map((event) => event.message)).toEqual(
      expect.arrayContaining([`New fine-tuned model created: ${done.fineTunedModel}`, 'Fine-tuning job started']),
    );
    expect(done.trainedTokens).toBeGreaterThan(0);
    const version = await database.orm.em.fork().findOneOrFail(ModelVersion, { id: done.modelVersion!.id });
    expect(version.status).toBe('evaluated');
    expect(version.tierModels).toMatchObject({ cheap: done.fineTunedModel, balanced: done.fineTunedModel });
    const run = await database.orm.em.fork().findOneOrFail(EvaluationRun, { id: done.evaluationRunId! });
    expect([run.verdict, run.gating]).toEqual(['pass', true]);
    expect(done.validationReasons[0]).toBe('evaluation passed on gating@2');
    // The fine-tuned model answered the evaluation through the gateway (OpenAI at OPENAI_BASE_URL).
    expect(chat.requests.some((request) => request.model === done.fineTunedModel)).toBe(true);
    const tenant = await database.orm.em.fork().findOneOrFail(Tenant, { id: tenantId });
    expect(tenant.settings.routing?.catalogue).toMatchObject({
      [done.fineTunedModel!]: {
        provider: 'openai',
        tier: 'cheap',
        prices: [{ input: 0.3, cachedInput: 0.15, output: 1.2 }],
      },
    });
    // Polling again changes nothing.
    await pollFineTuningJobs({ ...deps, now: new Date() });
    expect((await reload(job.id)).phase).toBe('deployable');
  }, 600_000);

  it('a job that fails while training leaves its error on record and alerts', async () => {
    const tenantId = await tenantWithData('Failing Training');
    const deps = dependencies();
    fineTuningApi.nextJobFate('fail');
    const job = await startFineTuningJob(deps, { tenantId, actor });
    for (let poll = 0; poll < 4; poll++) await pollFineTuningJobs({ ...deps, now: new Date() });
    const failed = await reload(job.id);
    expect([failed.phase, failed.status]).toEqual(['provider_failed', 'failed']);
    expect(failed.error).toMatchObject({ code: 'training_failed' });
    expect(failed.modelVersion).toBeNull();
    expect(notifier.titles()).toContain(`Fine-tuning job ${job.providerJobId} failed`);
  });

  it('a training file that fails validation fails the job in validating_files, recorded and alerted', async () => {
    const tenantId = await tenantWithData('Bad File');
    const deps = dependencies();
    fineTuningApi.invalidateNextUpload();
    const job = await startFineTuningJob(deps, { tenantId, actor });
    await pollFineTuningJobs({ ...deps, now: new Date() });
    await pollFineTuningJobs({ ...deps, now: new Date() });
    const failed = await reload(job.id);
    expect([failed.phase, failed.status]).toEqual(['provider_failed', 'failed']);
    expect(failed.error).toMatchObject({ code: 'invalid_training_file', param: 'training_file' });
    expect(notifier.titles()).toContain(`Fine-tuning job ${job.providerJobId} failed`);
  });

  it('a failing validation leaves the version a draft with the reasons, and alerts', async () => {
    // The first test's tenant: its active version's baseline run on the gating dataset is reused.
    const tenantId = gatedTenantId;
    const deps = dependencies();
    fineTunedAnswersWell = false;
    try {
      const job = await startFineTuningJob(deps, { tenantId, actor });
      for (let poll = 0; poll < 4; poll++) await pollFineTuningJobs({ ...deps, now: new Date() });
      const done = await reload(job.id);
      expect([done.phase, done.status]).toEqual(['validation_failed', 'succeeded']);
      const version = await database.orm.em.fork().findOneOrFail(ModelVersion, { id: done.modelVersion!.id });
      expect([version.status, version.number]).toEqual(['draft', 3]);
      expect(done.validationReasons[0]).toBe('evaluation verdict fail on gating@2');
      expect(done.validationReasons.join('\n')).toMatch(/rouge|bleu|handoff/i);
      expect(notifier.titles()).toContain(`Fine-tuning job ${job.providerJobId} failed validation`);
      const audit = await database.orm.em
        .fork()
        .find(AuditLog, { tenant: tenantId, action: 'fine_tuning.validation.fail' });
      expect(audit).toHaveLength(1);
    } finally {
      fineTunedAnswersWell = true;
    }
  }, 600_000);

  it('429 on upload is a recorded submission failure; 500 while polling is retried on the next run', async () => {
    const tenantId = await tenantWithData('Flaky Provider');
    const deps = dependencies();
    fineTuningApi.failNext({ status: 429, on: 'files' });
    const refused = await startFineTuningJob(deps, { tenantId, actor });
    expect(refused.phase).toBe('submit_failed');
    expect(refused.error?.message).toMatch(/^Submission failed: OpenAI answered 429/);
    expect(notifier.titles()).toContain(`Fine-tuning job ${refused.id} could not be submitted`);

    const job = await startFineTuningJob(deps, { tenantId, actor });
    fineTuningApi.failNext({ status: 500, on: 'retrieve' });
    await pollFineTuningJobs({ ...deps, now: new Date() });
    const afterError = await reload(job.id);
    expect([afterError.phase, afterError.status]).toEqual(['training', 'validating_files']);
    expect(afterError.lastPollError).toMatch(/OpenAI answered 500/);
    await pollFineTuningJobs({ ...deps, now: new Date() });
    const recovered = await reload(job.id);
    expect(recovered.lastPollError).toBeNull();
    expect(recovered.status).toBe('validating_files');
    // Cleanup: one open job per tenant.
    await cancelFineTuningJob(deps, { tenantId, actor, job: job.id });
  });

  it('a job that stays queued is polled without end, and can be cancelled', async () => {
    const tenantId = await tenantWithData('Stuck Queue');
    const deps = dependencies();
    fineTuningApi.nextJobFate('stay-queued');
    const job = await startFineTuningJob(deps, { tenantId, actor });
    for (let poll = 0; poll < 6; poll++) await pollFineTuningJobs({ ...deps, now: new Date() });
    expect((await reload(job.id)).status).toBe('queued');
    await expect(startFineTuningJob(deps, { tenantId, actor })).rejects.toThrow(/still training/);
    const cancelled = await cancelFineTuningJob(deps, { tenantId, actor, job: job.providerJobId!, reason: 'stuck' });
    expect([cancelled.phase, cancelled.status]).toEqual(['cancelled', 'cancelled']);
    await expect(cancelFineTuningJob(deps, { tenantId, actor, job: job.id })).rejects.toThrow(/only a training job/);
  });

  it('refuses bad input before anything is stored', async () => {
    const tenantId = await tenantWithData('Too Little', 3);
    const deps = dependencies();
    const before = fineTuningApi.requests.length;
    await expect(startFineTuningJob(deps, { tenantId, actor })).rejects.toThrow(/Too little training data/);
    const noKey = {
      ...deps,
      clients: createFineTuningClients({ em: database.orm.em, secretBox, baseUrl: fineTuningApi.url }),
    };
    await expect(startFineTuningJob(noKey, { tenantId, actor })).rejects.toThrow(/No OpenAI API key/);
    expect(fineTuningApi.requests.length).toBe(before);
    expect(await database.orm.em.fork().count(FineTuningJob, { tenant: tenantId })).toBe(0);
  });

  it('state survives a restart: a job left validating is validated by the next process with a gateway', async () => {
    // No gating dataset here: validation ends at once with that reason (the full evaluation is the first test's).
    const tenantId = await tenantWithData('Restarted');
    const deps = dependencies();
    const job = await startFineTuningJob(deps, { tenantId, actor });
    // A process without the provider gateway moves it to succeeded but cannot validate.
    for (let poll = 0; poll < 4; poll++) await pollFineTuningJobs({ ...deps, gateway: null, now: new Date() });
    expect((await reload(job.id)).phase).toBe('validating');
    // The scheduled job (advisory lock, job registry) in a "new process" finishes it.
    const context = {
      orm: database.orm,
      logger: createLogger('silent'),
      retentionDays: 90,
      cleanupBatchSize: 1000,
      alerts,
      fineTuning: { clients: deps.clients, trainingSets: deps.trainingSets, gateway: deps.gateway },
    } satisfies JobContext;
    const outcome = await runJob('fine-tuning-poll', context);
    expect(outcome.ran).toBe(true);
    const finished = await reload(job.id);
    expect([finished.phase, finished.modelVersion?.status]).toEqual(['validation_failed', 'draft']);
    expect(finished.validationReasons[0]).toMatch(
      /^no gating dataset: the tenant has no evaluation dataset with at least 500 cases/,
    );
  }, 600_000);

  it('monthly schedule: skipped with a recorded reason on too little new data, started otherwise, once a month', async () => {
    const quiet = await tenantWithData('Quiet Month', 12);
    const busy = await tenantWithData('Busy Month', 60);
    const off = await makeTenant(database.orm.em.fork(), { fineTuning: { schedule: 'off' } }, 'Schedule Off');
    const deps = dependencies();
    const now = new Date();
    const outcomes = await runScheduledRetraining(deps, { now });
    const byTenant = new Map(outcomes.map((outcome) => [outcome.tenantId, outcome]));
    expect(byTenant.get(quiet)?.skipped).toMatch(
      /too little new data: 12 approved correction\(s\) since the start, fewer than fineTuning.minNewExamples = 50/,
    );
    expect(byTenant.get(busy)?.started).toBeDefined();
    expect(byTenant.has(off.id)).toBe(false);
    const skip = await database.orm.em.fork().find(AuditLog, { tenant: quiet, action: 'fine_tuning.schedule.skip' });
    expect(skip).toHaveLength(1);
    // A second run the same month starts nothing more and records the skip no second time...
    const again = await runScheduledRetraining(deps, { now });
    expect(again.find((outcome) => outcome.tenantId === busy)).toBeUndefined();
    expect(again.find((outcome) => outcome.tenantId === quiet)?.skipped).toMatch(/too little new data/);
    expect(await database.orm.em.fork().count(AuditLog, { tenant: quiet, action: 'fine_tuning.schedule.skip' })).toBe(
      1,
    );
    // ...and once enough corrections are approved later in the month, the next daily run trains.
    await approveCorrections(database, quiet, actor, 40, 100);
    const later = await runScheduledRetraining(deps, { now });
    expect(later.find((outcome) => outcome.tenantId === quiet)?.started).toBeDefined();
    const quietJob = await database.orm.em.fork().findOneOrFail(FineTuningJob, { tenant: quiet });
    await cancelFineTuningJob(deps, { tenantId: quiet, actor, job: quietJob.id });
    const started = await database.orm.em.fork().findOneOrFail(FineTuningJob, { tenant: busy });
    expect([started.trigger, started.startedBy]).toEqual(['schedule', 'system:fine-tuning-schedule']);
    await cancelFineTuningJob(deps, { tenantId: busy, actor, job: started.id });
  });
});
