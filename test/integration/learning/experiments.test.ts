import {
  AgentInteraction,
  Alert,
  AuditLog,
  DeploymentEvent,
  Experiment,
  InteractionFeedback,
  ModelVersion,
} from '../../../src/db/entities';
import type { AlertInput } from '../../../src/monitoring/alert-types';
import { assignArm } from '../../../src/learning/experiments/assignment';
import { guardRunningExperiments } from '../../../src/learning/experiments/experiment-guard-job';
import { experimentResults } from '../../../src/learning/experiments/experiment-metrics';
import {
  createExperiment,
  setExperimentCoverage,
  startExperiment,
  stopExperiment,
} from '../../../src/learning/experiments/experiment-service';
import {
  createDraftModelVersion,
  markModelVersionEvaluated,
} from '../../../src/learning/model-versions/model-version-service';
import { openOrm, type Orm } from '../../../src/db/orm';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { engineFor } from '../../helpers/engine-fixtures';
import { makeTenant } from '../../helpers/factories';
import { ScriptedGateway } from '../../helpers/scripted-gateway';

/**
 * Experiments through the engine, on two service instances sharing one
 * database: every turn of a customer in the running experiment is answered by
 * the arm's version and records the arm; stopping it (by hand or by the guard)
 * sends everyone back to the active version from the next turn.
 */
describe('experiments', () => {
  let database: TestDatabase;
  let secondOrm: Orm;
  const actor = 'apikey:test-admin' as const;

  beforeAll(async () => {
    database = await createTestDatabase();
    secondOrm = await openOrm({ url: database.url, poolMax: 2 });
  });
  afterAll(async () => {
    await secondOrm.close(true);
    await database.drop();
  });

  async function candidateVersion(tenantId: string, prompt: string): Promise<ModelVersion> {
    const draft = await createDraftModelVersion(database.orm.em.fork(), {
      tenantId,
      actor,
      changes: { systemPrompt: prompt },
    });
    return markModelVersionEvaluated(database.orm.em.fork(), { tenantId, versionId: draft.id, actor });
  }

  it('serves each customer the arm of the running experiment, records arm and version, and one runs per tenant', async () => {
    const em = database.orm.em.fork();
    const tenant = await makeTenant(em, { systemPrompt: 'Control prompt.' });
    const control = await em.findOneOrFail(ModelVersion, { tenant: tenant.id, status: 'active' });
    const candidate = await candidateVersion(tenant.id, 'Candidate prompt.');
    const gatewayA = new ScriptedGateway();
    const gatewayB = new ScriptedGateway();
    const instances = [engineFor(database.orm, gatewayA), engineFor(secondOrm, gatewayB)];

    const experiment = await createExperiment(database.orm.em.fork(), {
      tenantId: tenant.id,
      actor,
      key: 'shorter-answers',
      candidateVersionId: candidate.id,
      coverage: 0.5,
    });
    expect(experiment.controlVersion.id).toBe(control.id);
    expect(experiment.seed).toBe('shorter-answers');
    await startExperiment(secondOrm.em.fork(), {
      tenantId: tenant.id,
      experiment: 'shorter-answers',
      actor,
      now: new Date('2026-11-24T09:00:00Z'),
    });

    // A second experiment cannot start while one runs.
    await createExperiment(database.orm.em.fork(), {
      tenantId: tenant.id,
      actor,
      key: 'other',
      candidateVersionId: candidate.id,
    });
    await expect(
      startExperiment(database.orm.em.fork(), { tenantId: tenant.id, experiment: 'other', actor }),
    ).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(/shorter-answers is running/),
    });

    const served = new Map<string, { variant: string | null; version: string | null }>();
    for (let index = 0; index < 40; index++) {
      const instance = instances[index % 2];
      const phone = `+1555100${String(index).padStart(4, '0')}`;
      const result = await instance.engine.handleTurn({
        tenantId: tenant.id,
        channel: 'whatsapp',
        externalId: phone,
        text: 'Where is my order?',
      });
      const interaction = await database.orm.em
        .fork()
        .findOneOrFail(AgentInteraction, { id: result.interactionId! }, { populate: ['conversation'] });
      const contactId = interaction.conversation.contact.id;
      const expected = assignArm({ seed: 'shorter-answers', coverage: 0.5, weights: [0.5, 0.5] }, contactId).arm;
      expect(interaction.experimentVariant).toBe(expected);
      expect(interaction.modelVersionId).toBe(expected === 'candidate' ? candidate.id : control.id);
      const request = (index % 2 ? gatewayB : gatewayA).requests.at(-1)!;
      expect(request.messages[0]).toEqual({
        role: 'system',
        content: expected === 'candidate' ? 'Candidate prompt.' : 'Control prompt.',
      });
      served.set(phone, { variant: interaction.experimentVariant, version: interaction.modelVersionId });
    }
    const variants = [...served.values()].map((entry) => entry.variant);
    expect(variants).toContain('candidate');
    expect(variants).toContain('control');
    expect(variants).toContain(null);

    // Raising coverage only adds customers: everyone keeps the arm they had.
    await setExperimentCoverage(database.orm.em.fork(), {
      tenantId: tenant.id,
      experiment: 'shorter-answers',
      actor,
      coverage: 1,
    });
    for (const [phone, before] of served) {
      const result = await instances[1].engine.handleTurn({
        tenantId: tenant.id,
        channel: 'whatsapp',
        externalId: phone,
        text: 'And my refund?',
      });
      const interaction = await database.orm.em.fork().findOneOrFail(AgentInteraction, { id: result.interactionId! });
      expect(interaction.experimentVariant).not.toBeNull();
      if (before.variant) expect(interaction.experimentVariant).toBe(before.variant);
    }

    // Results in SQL: counts per arm, SRM check (50/50, no mismatch expected from a fair hash).
    const results = await experimentResults(
      database.orm.em.fork(),
      await database.orm.em.fork().findOneOrFail(Experiment, { key: 'shorter-answers', tenant: tenant.id }),
      new Date(Date.parse('2026-11-24T12:00:00Z')),
    );
    expect(results.arms.control.customers + results.arms.candidate.customers).toBe(40);
    expect(results.arms.control.interactions + results.arms.candidate.interactions).toBe(
      40 + variants.filter(Boolean).length,
    );
    expect(results.srm).toBe(false);
    expect(results.comparisons.map((comparison) => comparison.metric)).toEqual([
      'thumbs_up_rate',
      'implicit_satisfaction',
      'handoff_rate',
      'cost_per_conversation',
    ]);

    // Stopped from the other instance: the next turn is the active version again, with no arm.
    await stopExperiment(secondOrm.em.fork(), {
      tenantId: tenant.id,
      experiment: 'shorter-answers',
      actor,
      reason: 'enough seen',
    });
    const candidatePhone = [...served].find(([, entry]) => entry.variant === 'candidate')![0];
    const after = await instances[0].engine.handleTurn({
      tenantId: tenant.id,
      channel: 'whatsapp',
      externalId: candidatePhone,
      text: 'Thanks',
    });
    const last = await database.orm.em.fork().findOneOrFail(AgentInteraction, { id: after.interactionId! });
    expect([last.experimentVariant, last.modelVersionId]).toEqual([null, control.id]);

    const audit = await database.orm.em
      .fork()
      .find(AuditLog, { tenant: tenant.id, targetType: 'Experiment' }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    expect(audit.map((row) => row.action)).toEqual([
      'experiment.created',
      'experiment.started',
      'experiment.created',
      'experiment.coverage_changed',
      'experiment.stopped',
    ]);
    const history = await database.orm.em
      .fork()
      .find(DeploymentEvent, { tenant: tenant.id, action: { $like: 'experiment_%' } });
    expect(history).toHaveLength(5);
  });

  it('the guard stops a clearly worse candidate at once, records the evidence and alerts on-call; too little data never decides', async () => {
    const em = database.orm.em.fork();
    const tenant = await makeTenant(em);
    const candidate = await candidateVersion(tenant.id, 'Worse prompt.');
    const { engine, clock } = engineFor(database.orm, new ScriptedGateway());
    await createExperiment(database.orm.em.fork(), {
      tenantId: tenant.id,
      actor,
      key: 'worse',
      candidateVersionId: candidate.id,
      coverage: 1,
    });
    await startExperiment(database.orm.em.fork(), {
      tenantId: tenant.id,
      experiment: 'worse',
      actor,
      now: new Date(clock.now - 60_000),
    });
    const alerts: AlertInput[] = [];
    const raiser = { raise: async (input: AlertInput) => void alerts.push(input) };
    const guard = { minUnitsPerArm: 20 };

    const vote = async (phone: string, helpfulIf: (arm: string) => boolean) => {
      const result = await engine.handleTurn({
        tenantId: tenant.id,
        channel: 'whatsapp',
        externalId: phone,
        text: 'Where is my order?',
      });
      const fork = database.orm.em.fork();
      const interaction = await fork.findOneOrFail(AgentInteraction, { id: result.interactionId! });
      fork.create(InteractionFeedback, {
        tenant: tenant.id,
        interaction,
        helpful: helpfulIf(interaction.experimentVariant!),
      });
      await fork.flush();
    };
    // Too little data: the guard never decides on a handful of votes.
    for (let index = 0; index < 10; index++)
      await vote(`+1555200${String(index).padStart(4, '0')}`, (arm) => arm === 'control');
    expect(
      (await guardRunningExperiments(database.orm.em, { now: new Date(clock.now + 1000), alerts: raiser, guard }))[0],
    ).toMatchObject({ stopped: false });

    // 👍 on 90 % of control replies, 30 % of candidate replies: clearly worse.
    for (let index = 10; index < 90; index++)
      await vote(`+1555200${String(index).padStart(4, '0')}`, (arm) =>
        arm === 'control' ? index % 10 !== 0 : index % 10 < 3,
      );
    const outcomes = await guardRunningExperiments(database.orm.em, {
      now: new Date(clock.now + 1000),
      alerts: raiser,
      guard,
      runbookUrl: 'https://parley.test/runbooks/model-version-guard',
    });
    const mine = outcomes.find((outcome) => outcome.tenantId === tenant.id)!;
    expect(mine.stopped).toBe(true);
    expect(mine.worse.map((result) => result.metric)).toEqual(['thumbs_up_rate']);
    const stopped = await database.orm.em.fork().findOneOrFail(Experiment, { tenant: tenant.id, key: 'worse' });
    expect(stopped.status).toBe('stopped');
    expect(stopped.stopReason).toMatch(/^automatic stop: candidate worse on thumbs_up_rate/);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      tenantId: tenant.id,
      severity: 'critical',
      metric: 'thumbs_up_rate',
      runbookUrl: 'https://parley.test/runbooks/model-version-guard',
    });
    const event = await database.orm.em
      .fork()
      .findOneOrFail(DeploymentEvent, { tenant: tenant.id, action: 'experiment_stopped' });
    expect(event.actor).toBe('system:experiment-guard');
    expect((event.details as { evidence: unknown[] }).evidence).toHaveLength(1);
    expect(await database.orm.em.fork().count(AuditLog, { tenant: tenant.id, action: 'experiment.stopped' })).toBe(1);
    expect(await database.orm.em.fork().count(Alert, { tenant: tenant.id })).toBe(0); // raised through the injected service only

    // Everyone is back on the active version.
    const result = await engine.handleTurn({
      tenantId: tenant.id,
      channel: 'whatsapp',
      externalId: '+15552000001',
      text: 'Hello again',
    });
    const interaction = await database.orm.em.fork().findOneOrFail(AgentInteraction, { id: result.interactionId! });
    expect(interaction.experimentVariant).toBeNull();
  }, 120_000);
});
