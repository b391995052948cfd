import { pollFineTuningJobs } from '../../../src/learning/fine-tuning/fine-tuning-poll';
import { createFineTuningClients } from '../../../src/learning/fine-tuning/openai-fine-tuning-client';
import { generatedTrainingSets } from '../../../src/learning/fine-tuning/training-set-source';
import { AuditLog } from '../../../src/db/entities';
import { startFakeOpenAiFineTuning, type FakeOpenAiFineTuning } from '../../fakes/fake-openai-fine-tuning-server';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server';
import { ScriptedGateway } from '../../helpers/scripted-gateway';
import { approveCorrections } from '../learning/fine-tuning-fixtures';
import { secretBox } from '../providers/gateway-helpers';

const JOB_FIELDS = `id phase status providerJobId suffix trainingFileId validationFileId fineTunedModel
  error { code message } validationReasons events { level message } modelVersion { number status tierModels } baseVersionNumber`;

describe('GraphQL: fine-tuning jobs', () => {
  let database: TestDatabase;
  let server: GraphqlTestServer;
  let api: FakeOpenAiFineTuning;
  let fixture: TenantFixture;
  let other: TenantFixture;
  let clients: ReturnType<typeof createFineTuningClients>;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startFakeOpenAiFineTuning();
    fixture = await makeControlPlaneTenant(database.orm.em.fork(), 'fine-tuning-gql');
    other = await makeControlPlaneTenant(database.orm.em.fork(), 'fine-tuning-other');
    await approveCorrections(database, fixture.tenant.id, 'apikey:gql-test', 30);
    clients = createFineTuningClients({ em: database.orm.em, secretBox, apiKey: 'sk-env', baseUrl: api.url });
    server = await startGraphqlServer(database.orm, { fineTuning: { clients, trainingSets: generatedTrainingSets } });
  });
  afterAll(async () => {
    await server.close();
    await api.close();
    await database.drop();
  });

  it('starts, lists and shows a job with its events and the version it produced; scoped to the tenant', async () => {
    const forbidden = await server.query(fixture.keys['analytics:view'], 'mutation { startFineTuningJob { id } }');
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const started = await server.query(
      fixture.keys['users:manage'],
      `mutation { startFineTuningJob { ${JOB_FIELDS} } }`,
    );
    expect(started.errors).toBeUndefined();
    const job = started.data!.startFineTuningJob;
    expect(job).toMatchObject({
      phase: 'training',
      status: 'validating_files',
      suffix: 'fine-tuning-gql-v1',
      baseVersionNumber: 1,
    });
    expect(job.trainingFileId).toMatch(/^file-/);

    // No gating dataset: the draft is made, then validation fails with the reason.
    const deps = { em: database.orm.em, clients, gateway: new ScriptedGateway(), logger: null, alerts: null };
    for (let poll = 0; poll < 4; poll++) await pollFineTuningJobs({ ...deps, now: new Date() });

    const shown = await server.query(
      fixture.keys['analytics:view'],
      `{ fineTuningJob(id: "${job.providerJobId}") { ${JOB_FIELDS} } fineTuningJobs { id phase } }`,
    );
    const done = shown.data!.fineTuningJob;
    expect(done).toMatchObject({
      phase: 'validation_failed',
      status: 'succeeded',
      modelVersion: { number: 2, status: 'draft' },
    });
    expect(JSON.parse(done.modelVersion.tierModels)).toEqual({
      cheap: done.fineTunedModel,
      balanced: done.fineTunedModel,
    });
    expect(done.validationReasons[0]).toMatch(/^no gating dataset/);
    expect(done.events.map((event: { message: string }) => event.message)).toContain('Fine-tuning job started');
    expect(shown.data!.fineTuningJobs).toEqual([{ id: job.id, phase: 'validation_failed' }]);

    const elsewhere = await server.query(
      other.keys['analytics:view'],
      `{ fineTuningJob(id: "${job.id}") { id } fineTuningJobs { id } }`,
    );
    expect(elsewhere.data).toEqual({ fineTuningJob: null, fineTuningJobs: [] });
    const cancelElsewhere = await server.query(
      other.keys['users:manage'],
      `mutation { cancelFineTuningJob(id: "${job.id}") { id } }`,
    );
    expect(cancelElsewhere.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('cancels a training job, refuses a second open job, and validates settings', async () => {
    api.nextJobFate('stay-queued');
    const started = await server.query(
      fixture.keys['users:manage'],
      'mutation { startFineTuningJob(trainingSet: "latest") { id } }',
    );
    const id = started.data!.startFineTuningJob.id;
    const second = await server.query(fixture.keys['users:manage'], 'mutation { startFineTuningJob { id } }');
    expect(second.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const cancelled = await server.query(
      fixture.keys['users:manage'],
      `mutation { cancelFineTuningJob(id: "${id}", reason: "not now") { phase status } }`,
    );
    expect(cancelled.data?.cancelFineTuningJob).toEqual({ phase: 'cancelled', status: 'cancelled' });

    const bad = await server.query(
      fixture.keys['users:manage'],
      'mutation { updateFineTuningSettings(input: { schedule: "weekly" }) { schedule } }',
    );
    expect(bad.errors?.[0]?.message).toMatch(/monthly or off/);
    const missing = await server.query(
      fixture.keys['users:manage'],
      'mutation { updateFineTuningSettings(input: { gatingDataset: "nope" }) { schedule } }',
    );
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const updated = await server.query(
      fixture.keys['users:manage'],
      'mutation { updateFineTuningSettings(input: { schedule: "off", minNewExamples: 20, tiers: ["cheap"] }) { schedule minNewExamples baseModel tiers gatingDataset } }',
    );
    expect(updated.data?.updateFineTuningSettings).toEqual({
      schedule: 'off',
      minNewExamples: 20,
      baseModel: 'gpt-4o-mini-2024-07-18',
      tiers: ['cheap'],
      gatingDataset: null,
    });
    const audit = await database.orm.em
      .fork()
      .find(
        AuditLog,
        { tenant: fixture.tenant.id, action: { $like: '%fine_tuning%' } },
        { orderBy: { createdAt: 'asc' } },
      );
    expect(audit.map((row) => row.action)).toEqual(
      expect.arrayContaining(['fine_tuning.start', 'fine_tuning.cancel', 'tenant.settings.fine_tuning.update']),
    );
  });
});
