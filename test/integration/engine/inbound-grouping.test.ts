import { randomUUID } from 'node:crypto';
import type { Tenant } from '../../../src/db/entities';
import { storeGroup, type OpenConversationInsert } from '../../../src/conversations/inbound-group';
import { storeInbound } from '../../../src/conversations/inbound-store';
import { makeTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

let database: TestDatabase;
let tenant: Tenant;
let otherTenant: Tenant;
let customerNumber = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  tenant = await makeTenant(database.orm.em.fork(), {});
  otherTenant = await makeTenant(database.orm.em.fork(), {});
});

afterAll(async () => {
  await database.drop();
});

const em = () => database.orm.em.fork();
const newCustomer = () => `+4477018${String((customerNumber += 1)).padStart(5, '0')}`;
const inbound = (externalId: string, text: string, channelMessageId: string, tenantId = tenant.id) => ({
  tenantId,
  channel: 'whatsapp' as const,
  externalId,
  text,
  channelMessageId,
});
const sql = <T>(text: string, values: unknown[] = []) => em().getConnection().execute<T[]>(text, values);

describe('storing inbound messages of concurrent webhooks', () => {
  it('stores a burst of messages of known customers once each, in order, with their redeliveries recognised', async () => {
    const customers = Array.from({ length: 12 }, newCustomer);
    const first = await Promise.all(
      customers.map((customer, index) => storeInbound(em(), inbound(customer, 'hi', `SM-g0-${index}`), new Date())),
    );
    const at = Date.now() + 1_000;
    // Each customer writes twice in the same instant, and every message is delivered twice (Twilio retries).
    const burst = customers.flatMap((customer, index) => [
      { customer, sid: `SM-g1-${index}`, text: 'first', receivedAt: new Date(at) },
      { customer, sid: `SM-g2-${index}`, text: 'second', receivedAt: new Date(at + 1) },
      { customer, sid: `SM-g1-${index}`, text: 'first', receivedAt: new Date(at + 2) },
    ]);
    const stored = await Promise.all(
      burst.map((message) =>
        storeInbound(em(), inbound(message.customer, message.text, message.sid), message.receivedAt),
      ),
    );

    for (const [index, customer] of customers.entries()) {
      const mine = stored.filter((_result, position) => burst[position]!.customer === customer);
      expect(mine.map((result) => result.conversationId)).toEqual(Array(3).fill(first[index]!.conversationId));
      // The redelivery is the first delivery's message.
      expect(mine[2]).toMatchObject({ duplicate: true, messageId: mine[0]!.messageId });
      expect(mine.slice(0, 2).map((result) => result.duplicate)).toEqual([false, false]);
      const rows = await sql<{ text: string; channel_message_id: string }>(
        `select text, channel_message_id from message where conversation_id = ? and direction = 'inbound' order by created_at, id`,
        [first[index]!.conversationId],
      );
      expect(rows.map((row) => row.text)).toEqual(['hi', 'first', 'second']);
      const [conversation] = await sql<{ last_activity_at: string }>(
        `select last_activity_at from conversation where id = ?`,
        [first[index]!.conversationId],
      );
      expect(new Date(conversation!.last_activity_at).getTime()).toBe(at + 1);
    }
  });

  it('writes a group in one statement: unknown customers and redeliveries are told apart from stored messages', async () => {
    const known = newCustomer();
    const stored = await storeInbound(em(), inbound(known, 'hello', 'SM-grp-0'), new Date());
    const item = (externalId: string, sid: string, tenantId = tenant.id): OpenConversationInsert => ({
      messageId: randomUUID(),
      tenantId,
      channel: 'whatsapp',
      externalId,
      receivedAt: new Date(),
      kind: 'text',
      text: `message ${sid}`,
      channelMessageId: sid,
      payload: JSON.stringify({ to: 'whatsapp:+14155550100', quote: 'a "quoted" \\ text' }),
    });
    const items = [
      item(known, 'SM-grp-1'),
      item(newCustomer(), 'SM-grp-2'),
      item(known, 'SM-grp-0'),
      item(known, 'SM-grp-3', otherTenant.id),
    ];
    const rows = await storeGroup(em(), items);

    expect(rows[0]).toMatchObject({
      conversation_id: stored.conversationId,
      message_id: items[0]!.messageId,
      status: 'bot',
    });
    // No such customer (or not under this tenant): nothing stored, the caller takes the creating path.
    expect(rows[1]).toBeNull();
    expect(rows[3]).toBeNull();
    // A redelivery: the conversation, and no message stored.
    expect(rows[2]).toMatchObject({ conversation_id: stored.conversationId, message_id: null });
    const [payload] = await sql<{ payload: Record<string, string> }>(`select payload from message where id = ?`, [
      items[0]!.messageId,
    ]);
    expect(payload!.payload.quote).toBe('a "quoted" \\ text');
    const count = await sql<{ n: number }>(
      `select count(*)::int as n from message where channel_message_id like 'SM-grp-%'`,
    );
    expect(count[0]!.n).toBe(2);
  });

  it('stores a first message in one statement, and refuses a message id another tenant already has without storing anything', async () => {
    const customer = newCustomer();
    const first = await storeInbound(em(), inbound(customer, 'new here', 'SM-new-1'), new Date());
    expect(first.duplicate).toBe(false);
    const again = await storeInbound(em(), inbound(customer, 'new here', 'SM-new-1'), new Date());
    expect(again).toMatchObject({ duplicate: true, messageId: first.messageId, conversationId: first.conversationId });

    const stranger = newCustomer();
    await expect(
      storeInbound(em(), inbound(stranger, 'forged', 'SM-new-1', otherTenant.id), new Date()),
    ).rejects.toThrow(/already delivered to another tenant/);
    const contacts = await sql<{ n: number }>(`select count(*)::int as n from contact where external_id = ?`, [
      stranger,
    ]);
    expect(contacts[0]!.n).toBe(0);
  });
});
