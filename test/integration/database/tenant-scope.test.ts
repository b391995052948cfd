import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ApiKey,
  AuditLog,
  HumanCorrection,
  InteractionFeedback,
  KnowledgeArticle,
  ProviderDailySummary,
  ProviderUsage,
  Tenant,
  TenantScoped,
} from '../../../src/db/entities';
import { tenantScope, tenantScopedEntityNames } from '../../../src/db/tenant-scope';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeConversationWithTurn, makeTenant } from '../../helpers/factories';

/** One row of every tenant-owned entity for `tenant`; returns ids by entity name. */
async function populate(em: EntityManager, tenant: Tenant): Promise<Record<string, string>> {
  const turn = await makeConversationWithTurn(em, tenant);
  const rows: TenantScoped[] = [
    em.create(ProviderUsage, {
      tenant,
      provider: 'openai',
      model: 'gpt-4o',
      latencyMs: 120,
      success: true,
      interactionId: turn.interaction.id,
    }),
    em.create(ProviderDailySummary, {
      tenant,
      day: '2026-11-01',
      provider: 'openai',
      model: 'gpt-4o',
      calls: 1,
      successes: 1,
      failures: 0,
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
      costUsd: 0.001,
      latencyP50Ms: 100,
      latencyP95Ms: 100,
      latencyP99Ms: 100,
      failoverCount: 0,
    }),
    em.create(InteractionFeedback, { tenant, interaction: turn.interaction, helpful: true, source: 'api' }),
    em.create(HumanCorrection, {
      tenant,
      interaction: turn.interaction,
      originalReply: 'a',
      correctedReply: 'b',
      authorId: 'slack:U1',
    }),
    em.create(KnowledgeArticle, { tenant, question: 'q', answer: 'a' }),
    em.create(ApiKey, { tenant, name: 'k', prefix: 'pk_x', keyHash: `${tenant.id}-hash`, scopes: ['analytics:view'] }),
    em.create(AuditLog, { tenant, actor: 'system:test', action: 'test', targetType: 'Tenant' }),
  ];
  await em.flush();
  const ids: Record<string, string> = {
    Contact: turn.contact.id,
    Conversation: turn.conversation.id,
    Message: turn.inbound.id,
    AgentInteraction: turn.interaction.id,
  };
  for (const row of rows) ids[row.constructor.name] = row.id;
  return ids;
}

describe('tenant scoping', () => {
  let database: TestDatabase;
  let tenantA: Tenant;
  let tenantB: Tenant;
  let idsA: Record<string, string>;
  let idsB: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    const em = database.orm.em.fork();
    tenantA = await makeTenant(em);
    tenantB = await makeTenant(em);
    idsA = await populate(em, tenantA);
    idsB = await populate(em, tenantB);
  });
  afterAll(() => database.drop());

  it("every entity other than Tenant (the platform's own keys and its running instances, which belong to no tenant) belongs to a tenant", () => {
    const all = Object.values(database.orm.getMetadata().getAll()).filter((meta) => !meta.abstract && !meta.embeddable);
    // ServiceInstance: a running parley process (heartbeat), shared by every tenant it serves.
    const platformLevel = new Set(['Tenant', 'PlatformApiKey', 'ServiceInstance']);
    const unscoped = all.filter((meta) => !platformLevel.has(meta.className) && !meta.properties.tenant);
    expect(unscoped.map((meta) => meta.className)).toEqual([]);
    // Entities added later are scoped too; the isolation cases below cover the core ones.
    expect(tenantScopedEntityNames(database.orm.em)).toEqual(expect.arrayContaining(Object.keys(idsA)));
  });

  it.each([
    'Contact',
    'Conversation',
    'Message',
    'AgentInteraction',
    'ProviderUsage',
    'ProviderDailySummary',
    'InteractionFeedback',
    'HumanCorrection',
    'KnowledgeArticle',
    'ApiKey',
    'AuditLog',
  ])('a scoped %s query sees only its own tenant, whatever id it asks for', async (entityName) => {
    const scopedA = tenantScope(database.orm.em, tenantA.id);
    const visible = await scopedA.find<{ id: string; tenant: Tenant }>(entityName, {});
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.every((row) => row.tenant.id === tenantA.id)).toBe(true);
    expect(await scopedA.findOne(entityName, { id: idsB[entityName] })).toBeNull();
    expect(await scopedA.count(entityName, { id: idsB[entityName] })).toBe(0);
    expect(await scopedA.findOne(entityName, { id: idsA[entityName] })).not.toBeNull();

    // Unscoped access still sees both tenants (jobs, migrations).
    expect(await database.orm.em.fork().count(entityName, { id: [idsA[entityName], idsB[entityName]] })).toBe(2);
  });

  it('relations loaded through a scoped manager stay inside the tenant', async () => {
    const scopedB = tenantScope(database.orm.em, tenantB.id);
    const feedback = await scopedB.find(InteractionFeedback, {}, { populate: ['interaction.conversation.contact'] });
    expect(feedback).toHaveLength(1);
    expect(feedback[0].interaction.conversation.contact.tenant.id).toBe(tenantB.id);
  });
});
