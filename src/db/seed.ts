import type { EntityManager } from '@mikro-orm/postgresql';
import { createApiKey } from '../auth/api-keys';
import { API_KEY_SCOPES, KnowledgeArticle, Tenant } from './entities';
import { addRevision } from '../knowledge/knowledge-service';
import { normalizeQuestion } from '../knowledge/normalize';
import { demoShopName, seedKnowledgeBase } from './seed-knowledge-base';

export const DEMO_TENANT_NAME = 'demo';

export interface SeedResult {
  tenant: Tenant;
  articles: number;
  /** A key with every scope, printed once on the first run. */
  apiKey: string;
}

/**
 * On an empty database: a demo tenant (a fictional shop) with its knowledge
 * base, so the offline provider has answers and a first run has something to
 * show. Does nothing (returns null) when any tenant exists.
 */
export async function seedDemoTenant(em: EntityManager): Promise<SeedResult | null> {
  if ((await em.count(Tenant, {})) > 0) return null;
  return em.transactional(async (tx) => {
    const tenant = tx.create(Tenant, {
      name: DEMO_TENANT_NAME,
      settings: {
        systemPrompt:
          `You are the customer-service assistant of ${demoShopName}, an online outdoor-gear shop. ` +
          "Answer briefly and kindly, in the customer's language. If you are not sure, offer to hand over to a human.",
        feedbackPromptFrequency: 'always',
        feedbackPromptEvery: 3,
        businessHours: {
          timezone: 'Europe/London',
          days: {
            '1': ['09:00', '18:00'],
            '2': ['09:00', '18:00'],
            '3': ['09:00', '18:00'],
            '4': ['09:00', '18:00'],
            '5': ['09:00', '18:00'],
          },
        },
      },
    });
    for (const article of seedKnowledgeBase) {
      const row = tx.create(KnowledgeArticle, {
        tenant,
        question: article.question,
        normalizedQuestion: normalizeQuestion(article.question),
        answer: article.answer,
        topic: article.topic,
        source: 'seed',
      });
      addRevision(tx, row, 'create', 'system:seed');
    }
    await tx.flush();
    const { key } = await createApiKey(tx, { tenant, name: 'demo (all scopes)', scopes: [...API_KEY_SCOPES] });
    return { tenant, articles: seedKnowledgeBase.length, apiKey: key };
  });
}
