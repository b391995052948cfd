import {
  AgentInteraction,
  Conversation,
  InteractionFeedback,
  Message,
  ProviderUsage,
  type Tenant,
} from '../../../src/db/entities';
import { makeTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { engineFor } from '../../helpers/engine-fixtures';
import { attempt, ScriptedGateway, scriptedOutcome } from '../../helpers/scripted-gateway';

let database: TestDatabase;
let tenant: Tenant;
let customerNumber = 0;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 10 });
  tenant = await makeTenant(database.orm.em.fork());
});

afterAll(async () => {
  await database.drop();
});

const em = () => database.orm.em.fork();
const newCustomer = () => `customer-${(customerNumber += 1)}`;
const inbound = (externalId: string, text: string) => ({
  tenantId: tenant.id,
  channel: 'api' as const,
  externalId,
  text,
});

async function turnRows(conversationId: string) {
  return {
    replies: await em().count(Message, { conversation: conversationId, direction: 'outbound' }),
    interactions: await em().count(AgentInteraction, { conversation: conversationId }),
    usage: await em().count(ProviderUsage, {
      interactionId: {
        $in: (await em().find(AgentInteraction, { conversation: conversationId })).map((row) => row.id),
      },
    }),
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('a failed turn', () => {
  it('leaves no half-written turn when a write fails, and the message is answered on retry', async () => {
    // A latency beyond PostgreSQL's integer range makes the usage-row insert of the turn fail, after the
    // feedback row of the previous reply was created-and-locked and with the reply and interaction in the
    // same statement.
    const outcome = scriptedOutcome();
    const broken = scriptedOutcome({
      attempts: [attempt(outcome), attempt(outcome, { latencyMs: 3_000_000_000, failover: true })],
    });
    const gateway = new ScriptedGateway();
    const { engine, log, clock } = engineFor(database.orm, gateway);
    const customer = newCustomer();
    const earlier = await engine.handleTurn(inbound(customer, 'Hello'));
    clock.now += 10_000;
    gateway.enqueue(broken);
    const stored = await engine.receive(inbound(customer, 'Do you repair tents?'));
    const before = await turnRows(stored.conversationId);

    await expect(engine.processMessage(stored.messageId)).rejects.toThrow();

    expect(await turnRows(stored.conversationId)).toEqual(before);
    const message = await em().findOneOrFail(Message, stored.messageId);
    expect(message).toMatchObject({ deliveryStatus: 'received', processedAt: null, processingStartedAt: null });
    expect(message.deliveryError).toBeTruthy();
    // The implicit signals of the same turn were rolled back too.
    expect(await em().count(InteractionFeedback, { interaction: earlier.interactionId })).toBe(0);
    expect(log.filter((event) => event.name === 'interaction.created')).toHaveLength(1);

    const retried = await engine.processMessage(stored.messageId);
    expect(retried.status).toBe('replied');
    expect(await turnRows(stored.conversationId)).toEqual({
      replies: before.replies + 1,
      interactions: before.interactions + 1,
      usage: before.usage + 1,
    });
  });

  it('gives the claim back when the gateway throws', async () => {
    const gateway = new ScriptedGateway().enqueue(new Error('gateway exploded'));
    const { engine } = engineFor(database.orm, gateway);
    const stored = await engine.receive(inbound(newCustomer(), 'Hi there'));
    await expect(engine.processMessage(stored.messageId)).rejects.toThrow('gateway exploded');
    expect(await em().findOneOrFail(Message, stored.messageId)).toMatchObject({
      deliveryStatus: 'received',
      deliveryError: 'gateway exploded',
    });
    expect(await turnRows(stored.conversationId)).toEqual({ replies: 0, interactions: 0, usage: 0 });
  });
});

describe('exactly once', () => {
  it('answers a message once when two engines (two instances) process it at the same time', async () => {
    const gate = deferred();
    const gateway = new ScriptedGateway();
    gateway.gate = gate.promise;
    const first = engineFor(database.orm, gateway);
    const second = engineFor(database.orm, gateway);
    const stored = await first.engine.receive(inbound(newCustomer(), 'Where is my refund?'));

    const racing = [
      first.engine.processMessage(stored.messageId),
      second.engine.processMessage(stored.messageId),
      first.engine.processMessage(stored.messageId),
    ];
    await new Promise((resolve) => setTimeout(resolve, 50));
    gate.resolve();
    const results = await Promise.all(racing);

    expect(results.map((result) => result.status).sort()).toEqual([
      'already_processed',
      'already_processed',
      'replied',
    ]);
    expect(gateway.requests).toHaveLength(1);
    expect(await turnRows(stored.conversationId)).toEqual({ replies: 1, interactions: 1, usage: 1 });
  });

  it('answers the messages of one conversation in order, whichever is processed first', async () => {
    const gateway = new ScriptedGateway();
    const { engine, clock } = engineFor(database.orm, gateway);
    const customer = newCustomer();
    const one = await engine.receive(inbound(customer, 'first question'));
    clock.now += 1;
    const two = await engine.receive(inbound(customer, 'second question'));

    const answeredSecond = await engine.processMessage(two.messageId);
    expect(answeredSecond.status).toBe('replied');
    expect(gateway.requests.map((request) => request.messages.at(-1)?.content)).toEqual([
      'first question',
      'second question',
    ]);
    // The second prompt already holds the first answer.
    expect(gateway.requests[1].messages.map((message) => message.content)).toContain('You asked: first question');
    expect((await engine.processMessage(one.messageId)).status).toBe('already_processed');
  });

  it('makes a later message wait while another instance answers an earlier one', async () => {
    const gate = deferred();
    const slow = new ScriptedGateway();
    slow.gate = gate.promise;
    const fast = new ScriptedGateway();
    const a = engineFor(database.orm, slow);
    const b = engineFor(database.orm, fast);
    const customer = newCustomer();
    const one = await a.engine.receive(inbound(customer, 'first'));
    b.clock.now += 5;
    const two = await b.engine.receive(inbound(customer, 'second'));

    const answeringOne = a.engine.processMessage(one.messageId);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const answeringTwo = b.engine.processMessage(two.messageId);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(fast.requests).toHaveLength(0);
    gate.resolve();
    await answeringOne;
    expect((await answeringTwo).status).toBe('replied');
    expect(fast.requests[0].messages.map((message) => message.content)).toEqual(
      expect.arrayContaining(['first', 'You asked: first', 'second']),
    );
  });
});

describe('recovery', () => {
  it('takes back claims older than the lease and answers each waiting message once', async () => {
    const gateway = new ScriptedGateway();
    const { engine, clock } = engineFor(database.orm, gateway, { processingLeaseMs: 60_000 });
    const customer = newCustomer();
    const crashed = await engine.receive(inbound(customer, 'answer me please'));
    // A worker claimed it and died before writing anything.
    await em().nativeUpdate(
      Message,
      { id: crashed.messageId },
      { deliveryStatus: 'processing', processingStartedAt: new Date(clock.now) },
    );
    clock.now += 1_000;
    const waiting = await engine.receive(inbound(customer, 'hello?'));

    clock.now += 30_000;
    expect((await engine.recoverStuckMessages()).expired).not.toContain(crashed.messageId);
    expect((await engine.processMessage(crashed.messageId)).status).toBe('already_processed');

    clock.now += 60_000;
    const recovery = await engine.recoverStuckMessages();
    expect(recovery.expired).toContain(crashed.messageId);
    expect(recovery.waiting.indexOf(crashed.messageId)).toBeLessThan(recovery.waiting.indexOf(waiting.messageId));

    const results = await engine.processWaiting();
    const mine = results.filter((result) => result.conversationId === crashed.conversationId);
    expect(mine.filter((result) => result.status === 'replied').map((result) => result.inboundMessageId)).toEqual([
      crashed.messageId,
      waiting.messageId,
    ]);
    expect(await turnRows(crashed.conversationId)).toEqual({ replies: 2, interactions: 2, usage: 2 });

    const again = await engine.processWaiting();
    expect(again.filter((result) => result.conversationId === crashed.conversationId)).toEqual([]);
  });

  it('discards a turn whose claim expired and was taken over meanwhile', async () => {
    const gate = deferred();
    const gateway = new ScriptedGateway();
    gateway.gate = gate.promise;
    const { engine } = engineFor(database.orm, gateway);
    const stored = await engine.receive(inbound(newCustomer(), 'slow one'));
    const answering = engine.processMessage(stored.messageId);
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Another instance took the claim back and answered (simulated by marking it processed).
    await em().nativeUpdate(
      Message,
      { id: stored.messageId },
      { deliveryStatus: 'processed', processedAt: new Date() },
    );
    gate.resolve();
    expect((await answering).status).toBe('already_processed');
    expect(await turnRows(stored.conversationId)).toEqual({ replies: 0, interactions: 0, usage: 0 });
    expect(await em().findOneOrFail(Conversation, stored.conversationId)).toMatchObject({ status: 'bot' });
  });
});
