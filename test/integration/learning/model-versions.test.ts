import { AgentInteraction, AuditLog, DeploymentEvent, ModelVersion, Tenant } from '../../../src/db/entities';
import { openOrm, type Orm } from '../../../src/db/orm';
import { seedDemoTenant } from '../../../src/db/seed';
import {
  activateModelVersion,
  createDraftModelVersion,
  markModelVersionEvaluated,
  rollbackModelVersion,
} from '../../../src/learning/model-versions/model-version-service';
import { versionBusinessMetrics } from '../../../src/learning/evaluation/version-business-metrics';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { engineFor } from '../../helpers/engine-fixtures';
import { makeTenant } from '../../helpers/factories';
import { ScriptedGateway } from '../../helpers/scripted-gateway';

/**
 * Model versions across two service instances on one database: each turn
 * answers with the version active when it starts, whichever instance changed it.
 */
describe('model versions and deployment history', () => {
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

  it('gives the demo tenant (and every new tenant) version 1, active', async () => {
    const seeded = await seedDemoTenant(database.orm.em.fork());
    const em = database.orm.em.fork();
    const versions = await em.find(ModelVersion, { tenant: seeded!.tenant.id });
    expect(versions.map((version) => [version.number, version.status])).toEqual([[1, 'active']]);
    const created = await makeTenant(em);
    expect(await em.count(ModelVersion, { tenant: created.id, number: 1, status: 'active' })).toBe(1);
    expect(await em.count(DeploymentEvent, { tenant: created.id, action: 'activated' })).toBe(1);
  });

  it('activate → rollback → activate: audited, effective on the next turn on every instance, last three kept', async () => {
    const em = database.orm.em.fork();
    const tenant = await makeTenant(em, { systemPrompt: 'Tenant prompt.' });
    const gatewayA = new ScriptedGateway();
    const gatewayB = new ScriptedGateway();
    const instanceA = engineFor(database.orm, gatewayA).engine;
    const instanceB = engineFor(secondOrm, gatewayB).engine;
    const turn = async (engine: typeof instanceA, text: string) => {
      const result = await engine.handleTurn({
        tenantId: tenant.id,
        channel: 'whatsapp',
        externalId: '+15550001',
        text,
      });
      const interaction = await database.orm.em.fork().findOneOrFail(AgentInteraction, { id: result.interactionId! });
      return interaction.modelVersionId;
    };
    const version1 = await database.orm.em.fork().findOneOrFail(ModelVersion, { tenant: tenant.id, number: 1 });

    expect(await turn(instanceA, 'Where is my order?')).toBe(version1.id);
    expect(gatewayA.requests[0].messages[0]).toEqual({ role: 'system', content: 'Tenant prompt.' });
    expect(gatewayA.requests[0].retrieval).toEqual({ k: 3, minScore: 0.3 });

    const version2 = await createDraftModelVersion(database.orm.em.fork(), {
      tenantId: tenant.id,
      actor,
      changes: {
        systemPrompt: 'Version 2 prompt.',
        tierModels: { cheap: 'gpt-4o-mini' },
        retrievalK: 5,
        retrievalMinScore: 0.4,
        notes: 'shorter answers',
      },
    });
    expect(version2.number).toBe(2);
    expect(version2.status).toBe('draft');
    await expect(
      activateModelVersion(database.orm.em.fork(), { tenantId: tenant.id, versionId: version2.id, actor }),
    ).rejects.toThrow(/draft/);
    await markModelVersionEvaluated(database.orm.em.fork(), { tenantId: tenant.id, versionId: version2.id, actor });

    // Activated through instance A's database handle; instance B's next turn uses it.
    await activateModelVersion(database.orm.em.fork(), {
      tenantId: tenant.id,
      versionId: version2.id,
      actor,
      reason: 'passed evaluation',
    });
    expect(await turn(instanceB, 'And my refund?')).toBe(version2.id);
    const requestB = gatewayB.requests.at(-1)!;
    expect(requestB.messages[0]).toEqual({ role: 'system', content: 'Version 2 prompt.' });
    expect((requestB.routing as { models: Record<string, string> }).models.cheap).toBe('gpt-4o-mini');
    expect(requestB.retrieval).toEqual({ k: 5, minScore: 0.4 });

    // Rolled back through instance B; instance A's next turn is version 1 again.
    const back = await rollbackModelVersion(secondOrm.em.fork(), {
      tenantId: tenant.id,
      actor,
      reason: 'customers complained',
    });
    expect(back.id).toBe(version1.id);
    expect(await turn(instanceA, 'Thanks')).toBe(version1.id);
    expect(gatewayA.requests.at(-1)!.messages[0]).toEqual({ role: 'system', content: 'Tenant prompt.' });

    await activateModelVersion(database.orm.em.fork(), {
      tenantId: tenant.id,
      versionId: version2.id,
      actor,
      reason: 'fixed upstream',
    });
    expect(await turn(instanceB, 'One more question')).toBe(version2.id);

    // Live-traffic metrics per version: every turn counted under the version that answered it.
    const business = await versionBusinessMetrics(database.orm.em.fork(), {
      tenantId: tenant.id,
      from: new Date(0),
      to: new Date('2100-01-01'),
    });
    expect(business.map((row) => [row.modelVersionNumber, row.interactions, row.votes, row.thumbsUpRate])).toEqual([
      [2, 2, 0, null],
      [1, 2, 0, null],
    ]);

    const statuses = async () =>
      Object.fromEntries(
        (await database.orm.em.fork().find(ModelVersion, { tenant: tenant.id }, { orderBy: { number: 'asc' } })).map(
          (version) => [version.number, version.status],
        ),
      );
    expect(await statuses()).toEqual({ 1: 'evaluated', 2: 'active' });

    // Three more versions, each activated: only the newest three deployable versions stay; older ones are retired.
    for (const notes of ['v3', 'v4', 'v5']) {
      const draft = await createDraftModelVersion(database.orm.em.fork(), {
        tenantId: tenant.id,
        actor,
        changes: { notes },
      });
      await markModelVersionEvaluated(database.orm.em.fork(), { tenantId: tenant.id, versionId: draft.id, actor });
      await activateModelVersion(database.orm.em.fork(), { tenantId: tenant.id, versionId: draft.id, actor });
    }
    expect(await statuses()).toEqual({ 1: 'retired', 2: 'retired', 3: 'evaluated', 4: 'evaluated', 5: 'active' });
    const rolledBackTo = await rollbackModelVersion(database.orm.em.fork(), { tenantId: tenant.id, actor });
    expect(rolledBackTo.number).toBe(4);
    expect(await statuses()).toEqual({ 1: 'retired', 2: 'retired', 3: 'evaluated', 4: 'active', 5: 'rolled_back' });
    await expect(
      activateModelVersion(database.orm.em.fork(), { tenantId: tenant.id, versionId: version1.id, actor }),
    ).rejects.toThrow(/retired/);

    // Every change is in the deployment history and the audit log; retired versions keep their rows.
    const audit = await database.orm.em
      .fork()
      .find(AuditLog, { tenant: tenant.id, targetType: 'ModelVersion' }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const actions = audit.map((row) => row.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'model_version.created',
        'model_version.evaluated',
        'model_version.activated',
        'model_version.deactivated',
        'model_version.rolled_back',
        'model_version.retired',
      ]),
    );
    expect(actions.filter((action) => action === 'model_version.rolled_back')).toHaveLength(2);
    const history = await database.orm.em
      .fork()
      .find(
        DeploymentEvent,
        { tenant: tenant.id, modelVersion: version2.id },
        { orderBy: { createdAt: 'asc', id: 'asc' } },
      );
    expect(history.map((event) => event.action)).toEqual([
      'created',
      'evaluated',
      'activated',
      'rolled_back',
      'activated',
      'deactivated',
      'retired',
    ]);
    expect(await database.orm.em.fork().count(Tenant, { id: tenant.id })).toBe(1);
  });
});
