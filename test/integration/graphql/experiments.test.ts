import { AuditLog } from '../../../src/db/entities';
import {
  createDraftModelVersion,
  markModelVersionEvaluated,
} from '../../../src/learning/model-versions/model-version-service';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server';

describe('GraphQL: experiments', () => {
  let database: TestDatabase;
  let server: GraphqlTestServer;
  let fixture: TenantFixture;

  beforeAll(async () => {
    database = await createTestDatabase();
    fixture = await makeControlPlaneTenant(database.orm.em.fork(), 'experiments-gql');
    server = await startGraphqlServer(database.orm, {});
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  it('creates, starts (one at a time), reads results and stops experiments, audited, with the right scopes', async () => {
    const actor = 'apikey:test' as const;
    const draft = await createDraftModelVersion(database.orm.em.fork(), {
      tenantId: fixture.tenant.id,
      actor,
      changes: { systemPrompt: 'Be brief.' },
    });
    await markModelVersionEvaluated(database.orm.em.fork(), {
      tenantId: fixture.tenant.id,
      versionId: draft.id,
      actor,
    });
    const manage = fixture.keys['users:manage'];
    const view = fixture.keys['analytics:view'];

    const forbidden = await server.query(
      view,
      `mutation { createExperiment(input: { key: "brief", candidateVersionId: "${draft.id}" }) { id } }`,
    );
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const created = await server.query(
      manage,
      `mutation { createExperiment(input: { key: "brief", candidateVersionId: "${draft.id}", coverage: 0.5 }) { id key status coverage weights seed guardedMetrics } }`,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createExperiment).toMatchObject({
      key: 'brief',
      status: 'draft',
      coverage: 0.5,
      weights: [0.5, 0.5],
      seed: 'brief',
    });
    const badWeights = await server.query(
      manage,
      `mutation { createExperiment(input: { key: "w", candidateVersionId: "${draft.id}", weights: [0.7, 0.7] }) { id } }`,
    );
    expect(badWeights.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await server.query(
      manage,
      `mutation { createExperiment(input: { key: "second", candidateVersionId: "${draft.id}" }) { id } }`,
    );

    const started = await server.query(manage, 'mutation { startExperiment(reference: "brief") { status startedAt } }');
    expect(started.data?.startExperiment.status).toBe('running');
    const second = await server.query(manage, 'mutation { startExperiment(reference: "second") { status } }');
    expect(second.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(second.errors?.[0]?.message).toMatch(
      /Only one experiment runs per tenant at a time: experiment brief is running/,
    );

    const read = await server.query(
      view,
      `{ experiment(reference: "brief") { status results { srm srmPValue arms { arm customers thumbsUpRate } comparisons { metric relativeChange ci pValue sequentialCi sequentialPValue error } guards { metric verdict } daily { day } } } experiments { key } }`,
    );
    expect(read.errors).toBeUndefined();
    expect(read.data?.experiment.results.arms.map((arm: { arm: string }) => arm.arm)).toEqual(['control', 'candidate']);
    expect(read.data?.experiment.results.srm).toBe(false);
    expect(
      read.data?.experiment.results.guards.every((guard: { verdict: string }) => guard.verdict === 'insufficient_data'),
    ).toBe(true);
    expect(read.data?.experiments.map((entry: { key: string }) => entry.key).sort()).toEqual(['brief', 'second']);

    const stopped = await server.query(
      manage,
      'mutation { stopExperiment(reference: "brief", reason: "enough", conclude: true) { status stopReason } }',
    );
    expect(stopped.data?.stopExperiment).toEqual({ status: 'concluded', stopReason: 'enough' });
    const nowSecond = await server.query(manage, 'mutation { startExperiment(reference: "second") { status } }');
    expect(nowSecond.data?.startExperiment.status).toBe('running');

    const audit = await database.orm.em.fork().find(AuditLog, { tenant: fixture.tenant.id, targetType: 'Experiment' });
    expect(audit.map((row) => row.action).sort()).toEqual([
      'experiment.concluded',
      'experiment.created',
      'experiment.created',
      'experiment.started',
      'experiment.started',
    ]);
  });

  it('creates, pauses, resumes, advances and aborts a rollout, audited', async () => {
    const actor = 'apikey:test' as const;
    const manage = fixture.keys['users:manage'];
    await server.query(manage, 'mutation { stopExperiment(reference: "second", reason: "make room") { status } }');
    const draft = await createDraftModelVersion(database.orm.em.fork(), {
      tenantId: fixture.tenant.id,
      actor,
      changes: { systemPrompt: 'Rollout me.' },
    });
    await markModelVersionEvaluated(database.orm.em.fork(), {
      tenantId: fixture.tenant.id,
      versionId: draft.id,
      actor,
    });
    const created = await server.query(
      manage,
      `mutation { createRollout(input: { candidateVersionId: "${draft.id}", stages: [0.2, 1], minStageHours: 24 }) { id status stage coverage stages minStageHours minSamplePerArm experimentKey } }`,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createRollout).toMatchObject({
      status: 'running',
      stage: 0,
      coverage: 0.2,
      stages: [0.2, 1],
      minStageHours: 24,
      minSamplePerArm: 100,
    });
    const id = created.data!.createRollout.id;
    const badStages = await server.query(
      manage,
      `mutation { createRollout(input: { candidateVersionId: "${draft.id}", stages: [0.5, 0.2] }) { id } }`,
    );
    expect(badStages.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(
      (await server.query(manage, `mutation { pauseRollout(id: "${id}", reason: "holiday") { status } }`)).data
        ?.pauseRollout.status,
    ).toBe('paused');
    expect(
      (await server.query(manage, `mutation { resumeRollout(id: "${id}") { status } }`)).data?.resumeRollout.status,
    ).toBe('running');
    const advanced = await server.query(
      manage,
      `mutation { advanceRollout(id: "${id}", reason: "urgent") { stage coverage } }`,
    );
    expect(advanced.data?.advanceRollout).toEqual({ stage: 1, coverage: 1 });
    const aborted = await server.query(
      manage,
      `mutation { abortRollout(id: "${id}", reason: "changed our mind") { status endReason } }`,
    );
    expect(aborted.data?.abortRollout).toEqual({ status: 'aborted', endReason: 'changed our mind' });
    const listed = await server.query(fixture.keys['analytics:view'], '{ rollouts { id status } }');
    expect(listed.data?.rollouts).toEqual([{ id, status: 'aborted' }]);
    const audit = await database.orm.em
      .fork()
      .find(
        AuditLog,
        { tenant: fixture.tenant.id, targetType: 'Rollout' },
        { orderBy: { createdAt: 'asc', id: 'asc' } },
      );
    expect(audit.map((row) => row.action)).toEqual([
      'rollout.started',
      'rollout.paused',
      'rollout.resumed',
      'rollout.advanced',
      'rollout.aborted',
    ]);
  });
});
