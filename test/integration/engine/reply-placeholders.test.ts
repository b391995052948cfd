import { AgentInteraction, Conversation, Message, type Tenant } from '../../../src/db/entities';
import { HANDOVER_REPLY } from '../../../src/providers/knowledge-base';
import { makeTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { engineFor } from '../../helpers/engine-fixtures';
import { ScriptedGateway } from '../../helpers/scripted-gateway';

let database: TestDatabase;
let tenant: Tenant;

beforeAll(async () => {
  database = await createTestDatabase();
  tenant = await makeTenant(database.orm.em.fork(), {
    profile: {
      supportPhone: '+44 20 7946 0000',
      website: 'trailhead.example',
      values: { 'Order History': 'Account → Orders' },
    },
  });
});
afterAll(() => database.drop());

const inbound = (externalId: string, text: string) => ({
  tenantId: tenant.id,
  channel: 'whatsapp' as const,
  externalId,
  text,
});

describe('placeholders are filled where the engine finalises the reply', () => {
  it('fills profile values and the order number the customer gave earlier, stores and sends the filled text', async () => {
    const gateway = new ScriptedGateway().enqueue({ text: 'Thanks!' }).enqueue({
      text: 'Order {{Order Number}} is on its way: see {{order history}} on {{Website Name}}. Questions? Call {{Customer Support Phone Number}}.',
    });
    const { engine, clock } = engineFor(database.orm, gateway);
    await engine.handleTurn(inbound('+447700900001', 'Hi, my order number is 4711-2'));
    // The fixture's clock stands still: without a step both messages share one timestamp and their order is the ids' chance.
    clock.now += 60_000;
    const turn = await engine.handleTurn(inbound('+447700900001', 'where is it?'));
    const expected =
      'Order 4711-2 is on its way: see Account → Orders on trailhead.example. Questions? Call +44 20 7946 0000.';
    expect(turn).toMatchObject({ status: 'replied', reply: { text: expected } });
    expect((await database.orm.em.fork().findOneOrFail(Message, turn.reply!.messageId)).text).toBe(expected);
    expect((await database.orm.em.fork().findOneOrFail(AgentInteraction, turn.interactionId!)).replyText).toBe(
      expected,
    );
  });

  it('leaves out a sentence it cannot fill, never invents the order number', async () => {
    const gateway = new ScriptedGateway().enqueue({
      text: 'Sorry about that. I have checked order {{Order Number}}. It ships tomorrow.',
    });
    const { engine } = engineFor(database.orm, gateway);
    const turn = await engine.handleTurn(inbound('+447700900002', 'where is my order?'));
    expect(turn.reply?.text).toBe('Sorry about that. It ships tomorrow.');
  });

  it('hands off when nothing worth sending is left', async () => {
    const gateway = new ScriptedGateway().enqueue({ text: 'Write to {{Customer Support Email}}.' });
    const { engine, log } = engineFor(database.orm, gateway);
    const turn = await engine.handleTurn(inbound('+447700900003', 'how can I email you?'));
    expect(turn).toMatchObject({ status: 'handed_off', reply: { text: HANDOVER_REPLY } });
    expect(turn.handoffReason).toContain('Customer Support Email');
    expect((await database.orm.em.fork().findOneOrFail(Conversation, turn.conversationId)).status).toBe('handed_off');
    expect(log.map((event) => event.name)).toContain('conversation.handed_off');
  });
});
