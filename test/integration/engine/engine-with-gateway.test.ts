import { AgentInteraction, Conversation, ProviderUsage } from '../../../src/db/entities';
import { seedDemoTenant } from '../../../src/db/seed';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { engineFor } from '../../helpers/engine-fixtures';
import { startFakeGemini, type FakeGemini } from '../../fakes/fake-gemini-server';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/fake-openai-server';
import { gatewayFor } from '../providers/gateway-helpers';

let database: TestDatabase;
let tenantId: string;
let openai: FakeOpenAi;
let gemini: FakeGemini;
let customer = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  tenantId = (await seedDemoTenant(database.orm.em.fork()))!.tenant.id;
  openai = await startFakeOpenAi();
  gemini = await startFakeGemini();
});

afterAll(async () => {
  await Promise.all([openai.close(), gemini.close()]);
  await database.drop();
});

beforeEach(() => {
  openai.reset();
  gemini.reset();
});

const em = () => database.orm.em.fork();
const turnOf = (text: string) => ({
  tenantId,
  channel: 'terminal' as const,
  externalId: `gateway-customer-${(customer += 1)}`,
  text,
});

describe('the engine on the real provider layer', () => {
  it('answers offline from the knowledge base with no keys, recording a free usage row', async () => {
    const { gateway } = gatewayFor(database);
    const { engine } = engineFor(database.orm, gateway);
    const turn = await engine.handleTurn(turnOf('How long does delivery take?'));

    expect(turn.status).toBe('replied');
    expect(turn.route).toMatchObject({
      provider: 'knowledge-base',
      model: 'knowledge-base',
      costUsd: 0,
      failover: false,
    });
    expect(turn.reply?.text).toMatch(/deliver/i);
    const usage = await em().find(ProviderUsage, { interactionId: turn.interactionId });
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({ provider: 'knowledge-base', success: true, estimatedCostUsd: 0 });
  });

  it('hands the conversation to a human when the knowledge base is not confident', async () => {
    const { gateway } = gatewayFor(database);
    const { engine } = engineFor(database.orm, gateway);
    const turn = await engine.handleTurn(turnOf('Can my parrot recite poetry in Latin over the phone?'));
    expect(turn.status).toBe('handed_off');
    expect(turn.interactionId).not.toBeNull();
    expect((await em().findOneOrFail(Conversation, turn.conversationId)).status).toBe('handed_off');
  });

  it('routes through the fake Gemini, fails over to the fake OpenAI, and stores one usage row per call', async () => {
    const { gateway } = gatewayFor(database, {
      GEMINI_API_KEY: 'gk-test',
      GEMINI_BASE_URL: gemini.url,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.url,
      PROVIDER_MAX_RETRIES: 0,
    });
    const { engine } = engineFor(database.orm, gateway);
    gemini.failAlways({ kind: 'status', status: 500 });
    const turn = await engine.handleTurn(turnOf('How can I track my order?'));

    expect(turn.status).toBe('replied');
    expect(turn.route).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', failover: true });
    expect(turn.route!.costUsd).toBeGreaterThan(0);
    expect(gemini.requests.length).toBeGreaterThan(0);
    expect(openai.requests).toHaveLength(1);
    // The prompt reached the vendor with the tenant's system prompt first and the customer's words last.
    const sent = openai.requests[0].body.messages as Array<{ role: string; content: string }>;
    expect(sent[0]).toMatchObject({ role: 'system' });
    expect(sent[0].content).toContain('customer-service assistant');
    expect(sent.at(-1)).toEqual({ role: 'user', content: 'How can I track my order?' });

    const interaction = await em().findOneOrFail(AgentInteraction, turn.interactionId!);
    expect(interaction).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', failover: true });
    const usage = await em().find(ProviderUsage, { interactionId: interaction.id }, { orderBy: { createdAt: 'asc' } });
    expect(usage.map((row) => [row.provider, row.success])).toEqual([
      ...gemini.requests.map(() => ['gemini', false]),
      ['openai', true],
    ]);
    expect(usage.filter((row) => !row.success).every((row) => row.errorCode === 'http_500')).toBe(true);
    expect(interaction.costUsd).toBeCloseTo(
      usage.reduce((sum, row) => sum + row.estimatedCostUsd, 0),
      12,
    );
  });
});
