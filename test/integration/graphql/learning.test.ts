import { AuditLog } from '../../../src/db/entities';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server';
import { ScriptedGateway } from '../../helpers/scripted-gateway';

describe('GraphQL: model versions, datasets and evaluations', () => {
  let database: TestDatabase;
  let server: GraphqlTestServer;
  let fixture: TenantFixture;
  const gateway = new ScriptedGateway();

  beforeAll(async () => {
    database = await createTestDatabase();
    fixture = await makeControlPlaneTenant(database.orm.em.fork(), 'learning-gql');
    server = await startGraphqlServer(database.orm, { gateway });
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  it('drafts, activates and rolls back versions with the right scopes', async () => {
    const versions = await server.query(
      fixture.keys['analytics:view'],
      '{ modelVersions { number status } activeModelVersion { number } }',
    );
    expect(versions.data).toEqual({
      modelVersions: [{ number: 1, status: 'active' }],
      activeModelVersion: { number: 1 },
    });

    const draft = await server.query(
      fixture.keys['corrections:write'],
      `mutation { createModelVersion(input: { systemPrompt: "Be brief.", tierModels: "{\\"cheap\\":\\"gpt-4o-mini\\"}", retrievalK: 4 }) { id number status tierModels retrievalK parentVersionNumber } }`,
    );
    expect(draft.data?.createModelVersion).toMatchObject({
      number: 2,
      status: 'draft',
      tierModels: '{"cheap":"gpt-4o-mini"}',
      retrievalK: 4,
      parentVersionNumber: 1,
    });
    const id = draft.data!.createModelVersion.id;

    const forbidden = await server.query(
      fixture.keys['corrections:write'],
      `mutation { activateModelVersion(id: "${id}", force: true) { number } }`,
    );
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unevaluated = await server.query(
      fixture.keys['users:manage'],
      `mutation { activateModelVersion(id: "${id}") { number } }`,
    );
    expect(unevaluated.errors?.[0]?.message).toMatch(/draft/);
    const activated = await server.query(
      fixture.keys['users:manage'],
      `mutation { activateModelVersion(id: "${id}", force: true, reason: "hotfix") { number status } }`,
    );
    expect(activated.data?.activateModelVersion).toEqual({ number: 2, status: 'active' });
    const rolledBack = await server.query(
      fixture.keys['users:manage'],
      'mutation { rollbackModelVersion(reason: "bad answers") { number status } }',
    );
    expect(rolledBack.data?.rollbackModelVersion).toEqual({ number: 1, status: 'active' });
    const history = await server.query(
      fixture.keys['analytics:view'],
      '{ deploymentHistory { modelVersionNumber action reason } }',
    );
    expect(history.data?.deploymentHistory.slice(0, 3)).toEqual([
      { modelVersionNumber: 1, action: 'activated', reason: 'bad answers' },
      { modelVersionNumber: 2, action: 'rolled_back', reason: 'bad answers' },
      { modelVersionNumber: 2, action: 'activated', reason: 'hotfix' },
    ]);
  });

  it('builds a dataset, evaluates a version in the background and renders the report', async () => {
    const write = fixture.keys['corrections:write'];
    await server.query(write, 'mutation { createEvaluationDataset(name: "smoke") { number } }');
    const added = await server.query(
      write,
      `mutation { addEvaluationCases(dataset: "smoke", cases: [
      { input: "Where is my order?", expectedReply: "You asked: Where is my order?", expectedTopic: "track_order" },
      { input: "Do you ship abroad?", expectedReply: "Yes, to 40 countries." }
    ]) { number caseCount gating } }`,
    );
    expect(added.data?.addEvaluationCases).toEqual({ number: 2, caseCount: 2, gating: false });
    const csv = 'question,answer\n"Can I return it?","You asked: Can I return it?"\n';
    const imported = await server.query(
      write,
      'mutation($content: String!) { importEvaluationCases(dataset: "smoke", format: "csv", content: $content, mapping: { input: "question", expectedReply: "answer" }, fileName: "returns.csv") { number caseCount change } }',
      { content: csv },
    );
    expect(imported.data?.importEvaluationCases).toEqual({
      number: 3,
      caseCount: 3,
      change: 'imported 1 cases from returns.csv',
    });

    const started = await server.query(
      write,
      'mutation { startEvaluation(modelVersion: "2", dataset: "smoke@3", concurrency: 2) { id status caseCount } }',
    );
    expect(started.errors).toBeUndefined();
    const runId = started.data!.startEvaluation.id;
    let run:
      { status: string; verdict: string | null; metrics: { exactMatch: number; cases: number } | null } | undefined;
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const runs = await server.query(
        fixture.keys['analytics:view'],
        '{ evaluationRuns { id status verdict gating metrics { cases exactMatch rougeL } } }',
      );
      run = runs.data?.evaluationRuns.find((candidate: { id: string }) => candidate.id === runId);
      if (run?.status === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(run?.status).toBe('completed');
    // The scripted gateway echoes the question: two of the three expected replies match exactly.
    expect(run?.metrics?.cases).toBe(3);
    expect(run?.metrics?.exactMatch).toBeCloseTo(2 / 3, 10);
    expect(gateway.requests.every((request) => request.traffic === 'evaluation' && request.cacheable === false)).toBe(
      true,
    );
    expect(gateway.requests[0].messages[0]).toEqual({ role: 'system', content: 'Be brief.' });

    const report = await server.query(
      fixture.keys['analytics:view'],
      `{ evaluationReport(runId: "${runId}", format: "md") { run { verdict baselineRunId } comparisons { metric ok } rendered } }`,
    );
    expect(report.data?.evaluationReport.run.baselineRunId).toEqual(expect.any(String));
    expect(report.data?.evaluationReport.rendered).toContain('# Evaluation of model version 2 on smoke@3');
    const audit = await database.orm.em
      .fork()
      .find(AuditLog, { tenant: fixture.tenant.id, action: { $like: 'evaluation.%' } });
    expect(audit.map((row) => row.action).sort()).toEqual([
      'evaluation.complete',
      'evaluation.start',
      'evaluation.start',
    ]);
  });
});
