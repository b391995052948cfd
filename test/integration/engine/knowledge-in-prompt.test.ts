import { AgentInteraction, KnowledgeArticle, Tenant } from '../../../src/db/entities';
import { seedDemoTenant } from '../../../src/db/seed';
import { REFERENCE_INSTRUCTION } from '../../../src/engine/prompt';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { engineFor } from '../../helpers/engine-fixtures';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/fake-openai-server';
import { gatewayFor } from '../providers/gateway-helpers';

let database: TestDatabase;
let tenantId: string;
let openai: FakeOpenAi;
let customer = 0;
const em = () => database.orm.em.fork();
const turnOf = (text: string) => ({
  tenantId,
  channel: 'terminal' as const,
  externalId: `kb-prompt-customer-${(customer += 1)}`,
  text,
});

const giftWrapping = {
  question: 'Do you offer gift wrapping for presents?',
  answer: 'Yes: gift wrapping is free, tick "gift" at checkout and add a card message.',
};
const giftCard = {
  question: 'Can I buy a gift card?',
  answer: 'Gift cards from 10 to 200 EUR are sold on the Gift cards page.',
};

beforeAll(async () => {
  database = await createTestDatabase();
  tenantId = (await seedDemoTenant(database.orm.em.fork()))!.tenant.id;
  openai = await startFakeOpenAi();
  const fork = em();
  for (const article of [giftWrapping, giftCard])
    fork.create(KnowledgeArticle, { tenant: fork.getReference(Tenant, tenantId), ...article, source: 'correction' });
  await fork.flush();
});

afterAll(async () => {
  await openai.close();
  await database.drop();
});

beforeEach(() => openai.reset());

describe('approved knowledge in every prompt', () => {
  it('sends the most similar approved answer to the LLM first, with the instruction to follow it, and records the articles used', async () => {
    const { gateway } = gatewayFor(database, {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.url,
      RESPONSE_CACHE_TTL_MS: 0,
    });
    const { engine } = engineFor(database.orm, gateway);
    const turn = await engine.handleTurn(turnOf('is gift wraping available for a present?'));

    expect(turn.route).toMatchObject({ provider: 'openai' });
    expect(openai.requests).toHaveLength(1);
    const sent = openai.requests[0]!.body.messages as Array<{ role: string; content: string }>;
    expect(sent[0]!.role).toBe('system');
    const system = sent[0]!.content;
    expect(system).toContain('customer-service assistant');
    expect(system).toContain(REFERENCE_INSTRUCTION);
    expect(system).toContain(
      `[1] Customer question: ${giftWrapping.question}\nApproved answer: ${giftWrapping.answer}`,
    );
    expect(sent.at(-1)).toEqual({ role: 'user', content: 'is gift wraping available for a present?' });

    const wrapping = await em().findOneOrFail(KnowledgeArticle, { tenant: tenantId, question: giftWrapping.question });
    const interaction = await em().findOneOrFail(AgentInteraction, turn.interactionId!);
    expect(interaction.articleIds[0]).toBe(wrapping.id);
    // Only articles above the floor, at most k of them, each once.
    expect(interaction.articleIds.length).toBeLessThanOrEqual(3);
    expect(new Set(interaction.articleIds).size).toBe(interaction.articleIds.length);
  });

  it('takes k and the floor per request: k 1 sends one reference, a floor of 1 sends none', async () => {
    const { gateway } = gatewayFor(database, {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.url,
      RESPONSE_CACHE_TTL_MS: 0,
    });
    const request = (retrieval: { k?: number; minScore?: number }) => ({
      tenantId,
      messages: [
        { role: 'system' as const, content: 'Be kind.' },
        { role: 'user' as const, content: 'can I buy gift cards' },
      ],
      cacheable: false,
      retrieval,
    });
    const systemOf = (index: number) =>
      (openai.requests[index]!.body.messages as Array<{ role: string; content: string }>)[0]!;
    const one = await gateway.reply(request({ k: 1, minScore: 0 }));
    expect(one.articleIds).toHaveLength(1);
    expect(systemOf(0).content).toContain(giftCard.answer);
    expect(systemOf(0).content).not.toContain('[2]');

    const none = await gateway.reply(request({ minScore: 1 }));
    expect(none.articleIds).toEqual([]);
    expect(systemOf(1)).toEqual({ role: 'system', content: 'Be kind.' });
  });

  it('records the article the offline knowledge base answered with, and none when it hands off', async () => {
    const { gateway } = gatewayFor(database);
    const { engine } = engineFor(database.orm, gateway);
    const answered = await engine.handleTurn(turnOf('Do you offer gift wrapping?'));
    expect(answered.reply?.text).toBe(giftWrapping.answer);
    const wrapping = await em().findOneOrFail(KnowledgeArticle, { tenant: tenantId, question: giftWrapping.question });
    expect((await em().findOneOrFail(AgentInteraction, answered.interactionId!)).articleIds).toEqual([wrapping.id]);

    const handedOff = await engine.handleTurn(turnOf('What is the interest rate on your savings account?'));
    expect(handedOff.status).toBe('handed_off');
    expect((await em().findOneOrFail(AgentInteraction, handedOff.interactionId!)).articleIds).toEqual([]);
  });
});
