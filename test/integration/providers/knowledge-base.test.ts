import { KnowledgeArticle, Tenant } from '../../../src/db/entities';
import { seedDemoTenant } from '../../../src/db/seed';
import { seedKnowledgeBase } from '../../../src/db/seed-knowledge-base';
import { createKnowledgeBaseProvider, HANDOVER_REPLY } from '../../../src/providers/knowledge-base';
import { countTokens } from 'gpt-tokenizer';
import { createTenant } from '../../../src/tenants/tenant-service';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

let database: TestDatabase;
let tenantId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  tenantId = (await seedDemoTenant(database.orm.em.fork()))!.tenant.id;
});

afterAll(() => database.drop());

const ask = (content: string) => [
  { role: 'system' as const, content: 'Be kind.' },
  { role: 'user' as const, content },
];

describe('knowledge-base provider on the seed knowledge base', () => {
  it('answers every seed question with its own answer, confidently', async () => {
    const kb = createKnowledgeBaseProvider({ em: database.orm.em, confidenceThreshold: 0.45 });
    for (const article of seedKnowledgeBase) {
      const match = await kb.match(tenantId, article.question);
      expect({ question: article.question, answer: match?.answer }).toEqual({
        question: article.question,
        answer: article.answer,
      });
      expect(match!.confidence).toBeGreaterThanOrEqual(0.9);
    }
  });

  it.each([
    ['track order', 'tracking link'],
    ['how long does a refund take', '2 business days'],
    ['forgot password', 'reset'],
    ['refund status', 'refund status'],
  ])('answers the paraphrase "%s" from the right article', async (question, expected) => {
    const kb = createKnowledgeBaseProvider({ em: database.orm.em, confidenceThreshold: 0.45 });
    const result = await kb.generate({ tenantId, model: 'knowledge-base', messages: ask(question) });
    expect(result.text).toContain(expected);
    expect(result.metadata).toMatchObject({ needsHuman: false });
  });

  it('hands over when nothing matches well enough, and counts tokens with the tokenizer at no cost', async () => {
    const kb = createKnowledgeBaseProvider({ em: database.orm.em, confidenceThreshold: 0.45 });
    for (const question of ['What is the capital of France?', 'I need a lawyer for my divorce', 'hello']) {
      const result = await kb.generate({ tenantId, model: 'knowledge-base', messages: ask(question) });
      expect(result.text).toBe(HANDOVER_REPLY);
      expect(result.metadata).toMatchObject({ needsHuman: true });
      expect(result.usage.outputTokens).toBe(countTokens(HANDOVER_REPLY));
    }
  });

  it('uses the configured threshold', async () => {
    const strict = createKnowledgeBaseProvider({ em: database.orm.em, confidenceThreshold: 0.99 });
    const lenient = createKnowledgeBaseProvider({ em: database.orm.em, confidenceThreshold: 0.3 });
    expect(
      (await strict.generate({ tenantId, model: 'knowledge-base', messages: ask('refund status') })).metadata,
    ).toMatchObject({ needsHuman: true });
    expect(
      (await lenient.generate({ tenantId, model: 'knowledge-base', messages: ask('do you ship to canada') })).text,
    ).toContain('ship');
  });

  it('keeps tenants apart, ignores inactive articles and sees changes after invalidate()', async () => {
    const other = await createTenant(database.orm.em.fork(), { name: 'kb-other-tenant' });
    const kb = createKnowledgeBaseProvider({ em: database.orm.em, confidenceThreshold: 0.45 });
    expect(
      (await kb.generate({ tenantId: other.id, model: 'knowledge-base', messages: ask('How can I track my order?') }))
        .text,
    ).toBe(HANDOVER_REPLY);

    const em = database.orm.em.fork();
    const article = em.create(KnowledgeArticle, {
      tenant: em.getReference(Tenant, other.id),
      question: 'Do you rent kayaks?',
      answer: 'Yes, kayaks from 20 EUR a day.',
      active: false,
    });
    await em.flush();
    kb.invalidate(other.id);
    expect(
      (await kb.generate({ tenantId: other.id, model: 'knowledge-base', messages: ask('Do you rent kayaks?') })).text,
    ).toBe(HANDOVER_REPLY);

    article.active = true;
    await em.flush();
    expect(
      (await kb.generate({ tenantId: other.id, model: 'knowledge-base', messages: ask('Do you rent kayaks?') })).text,
    ).toBe(HANDOVER_REPLY);
    kb.invalidate(other.id);
    expect(
      (await kb.generate({ tenantId: other.id, model: 'knowledge-base', messages: ask('Do you rent kayaks?') })).text,
    ).toBe('Yes, kayaks from 20 EUR a day.');
  });
});
