import {
  AgentInteraction,
  AuditLog,
  DeploymentEvent,
  InteractionFeedback,
  ModelVersion,
  Rollout,
} from '../../../src/db/entities';
import type { AlertInput } from '../../../src/monitoring/alert-types';
import { guardRunningExperiments } from '../../../src/learning/experiments/experiment-guard-job';
import {
  abortRollout,
  advanceRollout,
  createRollout,
  pauseRollout,
  resumeRollout,
  stepRollouts,
} from '../../../src/learning/experiments/rollout-service';
import {
  createDraftModelVersion,
  markModelVersionEvaluated,
} from '../../../src/learning/model-versions/model-version-service';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { engineFor } from '../../helpers/engine-fixtures';
import { makeTenant } from '../../helpers/factories';
import { ScriptedGateway } from '../../helpers/scripted-gateway';

const HOUR = 3_600_000;

/** Rollouts driven through the engine with a movable clock: stages, gates, activation, watch period and automatic rollback. */
describe('rollouts', () => {
  let database: TestDatabase;
  const actor = 'apikey:test-admin' as const;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  async function setUp(prompt: string) {
    const em = database.orm.em.fork();
    const tenant = await makeTenant(em);
    const previous = await em.findOneOrFail(ModelVersion, { tenant: tenant.id, status: 'active' });
    const draft = await createDraftModelVersion(database.orm.em.fork(), {
      tenantId: tenant.id,
      actor,
      changes: { systemPrompt: prompt },
    });
    const candidate = await markModelVersionEvaluated(database.orm.em.fork(), {
      tenantId: tenant.id,
      versionId: draft.id,
      actor,
    });
    const fixture = engineFor(database.orm, new ScriptedGateway());
    const turn = async (index: number, helpful?: (arm: string | null) => boolean) => {
      const result = await fixture.engine.handleTurn({
        tenantId: tenant.id,
        channel: 'whatsapp',
        externalId: `+1555300${String(index).padStart(4, '0')}`,
        text: `Question ${index}`,
      });
      const fork = database.orm.em.fork();
      const interaction = await fork.findOneOrFail(AgentInteraction, { id: result.interactionId! });
      if (helpful) {
        fork.create(InteractionFeedback, {
          tenant: tenant.id,
          interaction,
          helpful: helpful(interaction.experimentVariant),
        });
        await fork.flush();
      }
      return interaction;
    };
    return { tenant, previous, candidate, clock: fixture.clock, turn };
  }

  it('walks a candidate through its stages when the gates pass, activates it, watches it and completes', async () => {
    const { tenant, previous, candidate, clock, turn } = await setUp('Better prompt.');
    const start = new Date(clock.now - 1000);
    const rollout = await createRollout(database.orm.em.fork(), {
      tenantId: tenant.id,
      actor,
      candidateVersionId: candidate.id,
      stages: [0.2, 0.6, 1],
      minSamplePerArm: 3,
      watchHours: 24,
      now: start,
    });
    expect((await database.orm.em.fork().findOneOrFail(ModelVersion, { id: candidate.id })).status).toBe('rolling_out');
    await expect(
      createRollout(database.orm.em.fork(), { tenantId: tenant.id, actor, candidateVersionId: candidate.id }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });

    const step = async () =>
      (await stepRollouts(database.orm.em, { now: new Date(clock.now) })).find(
        (decision) => decision.rolloutId === rollout.id,
      )!;
    const served: Array<string | null> = [];
    for (let index = 0; index < 120; index++) served.push((await turn(index)).experimentVariant);
    // 20 % coverage: some customers in each arm, most outside.
    expect(served.filter((arm) => arm === null).length).toBeGreaterThan(60);

    clock.now += HOUR;
    const early = await step();
    expect(early.action).toBe('waiting');
    expect(early.blockedBy.join()).toMatch(/time in stage 1\.0 h < 48 h/);

    clock.now += 48 * HOUR;
    const advanced = await step();
    expect([advanced.action, advanced.reason]).toEqual(['advanced', expect.stringMatching(/^gates passed at 20 %/)]);
    // Customers keep their arm as coverage rises.
    for (let index = 0; index < 120; index++) {
      const arm = (await turn(index)).experimentVariant;
      if (served[index]) expect(arm).toBe(served[index]);
    }
    clock.now += 49 * HOUR;
    expect((await step()).action).toBe('advanced');
    for (let index = 0; index < 120; index++) await turn(index);
    clock.now += 49 * HOUR;
    const activated = await step();
    expect(activated.action).toBe('activated');
    const versions = await database.orm.em
      .fork()
      .find(ModelVersion, { tenant: tenant.id }, { orderBy: { number: 'asc' } });
    expect(versions.map((version) => [version.id, version.status])).toEqual([
      [previous.id, 'evaluated'],
      [candidate.id, 'active'],
    ]);
    const after = await turn(1);
    expect([after.modelVersionId, after.experimentVariant]).toEqual([candidate.id, null]);

    clock.now += HOUR;
    expect((await step()).action).toBe('waiting');
    clock.now += 24 * HOUR;
    expect((await step()).action).toBe('completed');
    const history = await database.orm.em
      .fork()
      .find(
        DeploymentEvent,
        { tenant: tenant.id, modelVersion: candidate.id, action: { $like: 'rollout_%' } },
        { orderBy: { createdAt: 'asc', id: 'asc' } },
      );
    expect(history.map((event) => event.action)).toEqual([
      'rollout_started',
      'rollout_advanced',
      'rollout_advanced',
      'rollout_activated',
      'rollout_completed',
    ]);
    expect(await database.orm.em.fork().count(AuditLog, { tenant: tenant.id, action: { $like: 'rollout.%' } })).toBe(5);
  }, 180_000);

  it('rolls a clearly worse candidate back at once, marks it rolled back and alerts on-call', async () => {
    const { tenant, previous, candidate, clock, turn } = await setUp('Worse prompt.');
    const rollout = await createRollout(database.orm.em.fork(), {
      tenantId: tenant.id,
      actor,
      candidateVersionId: candidate.id,
      stages: [1],
      now: new Date(clock.now - 1000),
    });
    // 👍 on 90 % of control replies, 30 % of candidate replies.
    // 200 customers: with ~100 per arm the always-valid interval excludes 0 whatever the random split (90 left it borderline).
    for (let index = 0; index < 200; index++)
      await turn(index, (arm) => (arm === 'control' ? index % 10 !== 0 : index % 10 < 3));
    const alerts: AlertInput[] = [];
    const decisions = await stepRollouts(database.orm.em, {
      now: new Date(clock.now + 1000),
      alerts: { raise: async (input) => void alerts.push(input) },
      guard: { minUnitsPerArm: 20 },
      runbookUrl: 'https://parley.test/runbooks/model-version-guard',
    });
    const mine = decisions.find((decision) => decision.rolloutId === rollout.id)!;
    expect(mine.action).toBe('rolled_back');
    expect(mine.reason).toMatch(/^automatic rollback at 100 %: thumbs_up_rate/);
    expect(alerts).toEqual([
      expect.objectContaining({
        tenantId: tenant.id,
        severity: 'critical',
        metric: 'thumbs_up_rate',
        runbookUrl: 'https://parley.test/runbooks/model-version-guard',
      }),
    ]);
    const row = await database.orm.em.fork().findOneOrFail(Rollout, { id: rollout.id });
    expect(row.status).toBe('rolled_back');
    expect((await database.orm.em.fork().findOneOrFail(ModelVersion, { id: candidate.id })).status).toBe('rolled_back');
    const next = await turn(5);
    expect([next.modelVersionId, next.experimentVariant]).toEqual([previous.id, null]);
  }, 120_000);

  it('a rollout stopped by the experiment guard ends rolled back; pause, resume, advance and abort are recorded', async () => {
    const { tenant, candidate, clock, turn } = await setUp('Another prompt.');
    const rollout = await createRollout(database.orm.em.fork(), {
      tenantId: tenant.id,
      actor,
      candidateVersionId: candidate.id,
      now: new Date(clock.now - 1000),
    });
    await pauseRollout(database.orm.em.fork(), {
      tenantId: tenant.id,
      rolloutId: rollout.id,
      actor,
      reason: 'holiday',
    });
    expect(
      (await stepRollouts(database.orm.em, { now: new Date(clock.now + 100 * HOUR) })).find(
        (decision) => decision.rolloutId === rollout.id,
      )!.action,
    ).toBe('paused');
    await resumeRollout(database.orm.em.fork(), { tenantId: tenant.id, rolloutId: rollout.id, actor });
    const advanced = await advanceRollout(database.orm.em.fork(), {
      tenantId: tenant.id,
      rolloutId: rollout.id,
      actor,
      reason: 'urgent fix',
    });
    expect([advanced.stageIndex, advanced.stages[advanced.stageIndex]]).toEqual([1, 0.5]);
    const aborted = await abortRollout(database.orm.em.fork(), {
      tenantId: tenant.id,
      rolloutId: rollout.id,
      actor,
      reason: 'changed our mind',
    });
    expect(aborted.status).toBe('aborted');
    expect((await database.orm.em.fork().findOneOrFail(ModelVersion, { id: candidate.id })).status).toBe('evaluated');
    expect((await turn(1)).experimentVariant).toBeNull();
    const actions = (
      await database.orm.em
        .fork()
        .find(AuditLog, { tenant: tenant.id, targetType: 'Rollout' }, { orderBy: { createdAt: 'asc', id: 'asc' } })
    ).map((row) => row.action);
    expect(actions).toEqual([
      'rollout.started',
      'rollout.paused',
      'rollout.resumed',
      'rollout.advanced',
      'rollout.aborted',
    ]);

    // Stopped by the experiment guard: the next rollout step ends the rollout as rolled back.
    const second = await createRollout(database.orm.em.fork(), {
      tenantId: tenant.id,
      actor,
      candidateVersionId: candidate.id,
      stages: [1],
      now: new Date(clock.now - 1000),
    });
    // 200 customers: the arms are split by random contact ids, and ~45 a side left the guard borderline.
    for (let index = 100; index < 300; index++)
      await turn(index, (arm) => (arm === 'control' ? index % 10 !== 0 : index % 10 < 3));
    const guarded = await guardRunningExperiments(database.orm.em, {
      now: new Date(clock.now + 1000),
      guard: { minUnitsPerArm: 20 },
    });
    expect(guarded.find((outcome) => outcome.tenantId === tenant.id)!.stopped).toBe(true);
    const decision = (await stepRollouts(database.orm.em, { now: new Date(clock.now + 2000) })).find(
      (entry) => entry.rolloutId === second.id,
    )!;
    expect(decision.action).toBe('rolled_back');
    expect(decision.reason).toMatch(/^automatic stop: candidate worse on thumbs_up_rate/);
    expect((await database.orm.em.fork().findOneOrFail(ModelVersion, { id: candidate.id })).status).toBe('rolled_back');
  }, 180_000);
});
