import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';
import { startGraphqlServer, type GraphqlTestServer } from '../../helpers/graphql-server';

/** A customer controls how long a conversation gets: reading one must cost a page, not the whole history. */
let database: TestDatabase;
let server: GraphqlTestServer;
let shop: TenantFixture;
const TOTAL = 50_000;

beforeAll(async () => {
  database = await createTestDatabase();
  shop = await makeControlPlaneTenant(database.orm.em.fork(), 'chatty', { turns: 1 });
  await database.orm.em
    .fork()
    .getConnection()
    .execute(
      `insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text)
     select gen_random_uuid(), ?, timestamptz '2026-01-01T00:00:00Z' + n * interval '1 second', ?, 'whatsapp',
            case when n % 2 = 0 then 'inbound' else 'outbound' end, case when n % 2 = 0 then 'customer' else 'bot' end, 'text', 'message ' || n
       from generate_series(1, ?) as n`,
      [shop.tenant.id, shop.conversation.id, TOTAL - 2],
    );
  await database.orm.em.fork().getConnection().execute('analyze message');
  server = await startGraphqlServer(database.orm);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const query = `query($id: ID!, $last: Int, $before: ID) { conversation(id: $id) { messages(last: $last, before: $before) { id text } } }`;

describe('conversation { messages } on a 50,000-message conversation', () => {
  it('returns the latest 200, oldest first, paged in SQL (well under the 2.4–5 s of loading everything)', async () => {
    await server.query(shop.keys.all, query, { id: shop.conversation.id, last: 1 });
    const started = performance.now();
    const result = await server.query(shop.keys.all, query, { id: shop.conversation.id });
    const ms = performance.now() - started;
    const messages = result.data!.conversation.messages as { id: string; text: string }[];
    expect(messages).toHaveLength(200);
    // The fixture's own two messages are the newest (2026-11); the generated ones end at message 49998.
    expect(messages.at(-1)!.text).toBe('chatty answer 0');
    expect(messages[0]!.text).toBe('message 49801');
    // About 0.1 s on a quiet machine; the bound only has to tell a page from reading all 50,000 rows under a loaded suite.
    expect(ms).toBeLessThan(5_000);
    if (process.env.FUZZ_REPORT)
      process.stdout.write(`messages page of a 50,000-message conversation: ${Math.round(ms)} ms\n`);
  }, 60_000);

  it('pages backwards with `before`, and refuses a page over 200', async () => {
    const first = (await server.query(shop.keys.all, query, { id: shop.conversation.id, last: 3 })).data!.conversation
      .messages as { id: string; text: string }[];
    expect(first.map((message) => message.text)).toEqual(['message 49998', 'chatty question 0', 'chatty answer 0']);
    const older = (
      await server.query(shop.keys.all, query, { id: shop.conversation.id, last: 2, before: first[0]!.id })
    ).data!.conversation.messages as { text: string }[];
    expect(older.map((message) => message.text)).toEqual(['message 49996', 'message 49997']);
    const tooMany = await server.query(shop.keys.all, query, { id: shop.conversation.id, last: 201 });
    expect(tooMany.errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringContaining('between 1 and 200'),
    });
  });
});
