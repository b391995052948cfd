import pino from 'pino';
import { loadConfig } from '../../../src/config';
import { createCorrection, approveCorrection } from '../../../src/corrections/correction-service';
import { openOrm, type Orm } from '../../../src/db/orm';
import { seedDemoTenant } from '../../../src/db/seed';
import { createConversationStack, type ConversationStack } from '../../../src/engine/engine-stack';
import { DomainEvents } from '../../../src/events';
import { startKnowledgeListener } from '../../../src/learning/knowledge-listener';
import { HANDOVER_REPLY } from '../../../src/providers/knowledge-base';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

/**
 * Two service instances (each its own ORM, connection pool, provider stack and
 * instance bus, the one LISTEN connection) on one database, as two processes behind a load balancer would be.
 */
let database: TestDatabase;
let tenantId: string;
let ormB: Orm;
const events = { a: new DomainEvents(), b: new DomainEvents() };
let a: ConversationStack;
let b: ConversationStack;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  database = await createTestDatabase();
  tenantId = (await seedDemoTenant(database.orm.em.fork()))!.tenant.id;
  ormB = await openOrm({ url: database.url, poolMax: 3 });
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url }, { dotenvPath: false });
  a = createConversationStack({ config, orm: database.orm, events: events.a, logger });
  b = createConversationStack({ config, orm: ormB, events: events.b, logger });
  await Promise.all([a.knowledgeListener!.ready, b.knowledgeListener!.ready]);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await ormB?.close(true);
  await database.drop();
});

const ask = (stack: ConversationStack, content: string) =>
  stack.gateway.reply({
    tenantId,
    messages: [
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content },
    ],
    cacheable: false,
  });

/** Milliseconds until `stack` answers `question` with `expected` (polling every 20 ms), or Infinity after `limitMs`. */
async function timeUntil(
  stack: ConversationStack,
  question: string,
  expected: string,
  limitMs = 5_000,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if ((await ask(stack, question)).text === expected) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Infinity;
}

describe('knowledge across instances', () => {
  const question = 'Do you deliver to the Moon?';
  const answer = 'Not yet: we deliver to every EU country, the UK and Switzerland.';
  let articleId: string;

  it("an approval on instance A changes instance B's answer within a second, in place (no reload)", async () => {
    expect((await ask(b, question)).text).toBe(HANDOVER_REPLY);
    expect((await ask(a, question)).text).toBe(HANDOVER_REPLY);
    const loadsBefore = b.gateway.knowledgeBase.stats().loads;

    const emA = database.orm.em.fork();
    const correction = await createCorrection(emA, {
      tenantId,
      actor: 'system:test',
      customerMessage: question,
      originalReply: HANDOVER_REPLY,
      correctedReply: answer,
    });
    const approved = await approveCorrection(
      database.orm.em.fork(),
      { tenantId, actor: 'system:test', correctionId: correction.id },
      { events: events.a },
    );
    articleId = approved.article.id;

    // A learns from its own event at once; B through NOTIFY.
    expect((await ask(a, question)).text).toBe(answer);
    const elapsed = await timeUntil(b, question, answer);
    expect(elapsed).toBeLessThan(1_000);
    expect(b.gateway.knowledgeBase.stats().loads).toBe(loadsBefore);
    expect(b.gateway.knowledgeBase.stats().articlesApplied).toBeGreaterThan(0);
  });

  it('retiring an article anywhere (even by plain SQL) removes it from B within a second', async () => {
    await database.orm.em
      .getConnection()
      .execute(`update knowledge_article set active = false, updated_at = now() where id = ?`, [articleId]);
    expect(await timeUntil(b, question, HANDOVER_REPLY)).toBeLessThan(1_000);
  });

  it('an instance that was not listening catches up when it reconnects; a new instance reads the current knowledge', async () => {
    await b.knowledgeListener!.close();
    const later = 'Do you sell refurbished phones?';
    const laterAnswer = 'Yes, refurbished phones with a 12-month warranty are in the Refurbished section.';
    await database.orm.em
      .getConnection()
      .execute(
        `insert into knowledge_article (id, tenant_id, created_at, updated_at, question, answer, source, active) values (gen_random_uuid(), ?, now(), now(), ?, ?, 'manual', true)`,
        [tenantId, later, laterAnswer],
      );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await ask(b, later)).text).toBe(HANDOVER_REPLY); // missed the notification while not listening

    const listener = startKnowledgeListener({ bus: b.bus!, knowledgeBase: b.gateway.knowledgeBase, logger });
    try {
      await listener.ready;
      expect((await ask(b, later)).text).toBe(laterAnswer);
    } finally {
      await listener.close();
    }

    const config = loadConfig(
      { NODE_ENV: 'test', DATABASE_URL: database.url, KB_LISTEN: 'false' },
      { dotenvPath: false },
    );
    const fresh = createConversationStack({ config, orm: ormB, events: new DomainEvents(), logger });
    try {
      expect((await ask(fresh, later)).text).toBe(laterAnswer);
      expect((await ask(fresh, question)).text).toBe(HANDOVER_REPLY);
    } finally {
      await fresh.close();
    }
  });

  it('each instance LISTENs on one connection, shared with the tenant and provider-health invalidations', async () => {
    const rows = await database.orm.em
      .getConnection()
      .execute<Array<{ application_name: string; n: string }>>(
        `select application_name, count(*) as n from pg_stat_activity where datname = current_database() and application_name like 'parley-%' group by application_name`,
      );
    expect(rows.map((row) => [row.application_name, Number(row.n)])).toEqual([['parley-instance-bus', 2]]);
  });

  it('a listening connection that drops is re-opened, and what was written meanwhile is caught up', async () => {
    const question = 'Can I pay with cryptocurrency?';
    const answer = 'No, we accept cards, PayPal and bank transfer only.';
    expect((await ask(a, question)).text).toBe(HANDOVER_REPLY);
    const connection = database.orm.em.getConnection();
    await connection.execute(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'parley-instance-bus' and datname = current_database()`,
    );
    await connection.execute(
      `insert into knowledge_article (id, tenant_id, created_at, updated_at, question, answer, source, active) values (gen_random_uuid(), ?, now(), now(), ?, ?, 'manual', true)`,
      [tenantId, question, answer],
    );
    expect(await timeUntil(a, question, answer, 10_000)).toBeLessThan(10_000);
    expect(a.knowledgeListener!.connected()).toBe(true);
  });
});
