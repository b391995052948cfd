import {
  AgentInteraction,
  Contact,
  Conversation,
  InteractionFeedback,
  Message,
  ProviderUsage,
  type Tenant,
} from '../../../src/db/entities';
import { AppError } from '../../../src/errors';
import { makeTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { engineFor } from '../../helpers/engine-fixtures';
import { attempt, ScriptedGateway, scriptedOutcome } from '../../helpers/scripted-gateway';

let database: TestDatabase;
let tenant: Tenant;
let customerNumber = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  tenant = await makeTenant(database.orm.em.fork(), {
    systemPrompt: 'You are the Trailhead assistant.',
    routing: { cheapThreshold: 0.25 },
  });
});

afterAll(async () => {
  await database.drop();
});

const em = () => database.orm.em.fork();
const newCustomer = () => `+4477009${String((customerNumber += 1)).padStart(5, '0')}`;
const inbound = (externalId: string, text: string, channelMessageId?: string) => ({
  tenantId: tenant.id,
  channel: 'whatsapp' as const,
  externalId,
  text,
  channelMessageId,
});

describe('a bot turn', () => {
  it('stores the inbound message, the reply, the interaction and one usage row per attempt, then emits', async () => {
    const failed = attempt(scriptedOutcome({ provider: 'openai', model: 'gpt-4o-mini' }), {
      success: false,
      errorCode: 'http_500',
      latencyMs: 12,
      costUsd: 0,
      usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, totalTokens: 0 },
    });
    const outcome = scriptedOutcome({ text: 'We ship in two days.', failover: true, latencyMs: 57, costUsd: 0.0002 });
    const gateway = new ScriptedGateway().enqueue({
      ...outcome,
      attempts: [failed, attempt(outcome, { failover: true })],
    });
    const { engine, log } = engineFor(database.orm, gateway);

    const turn = await engine.handleTurn(inbound(newCustomer(), 'When do you ship?', 'SM-turn-1'));

    expect(turn).toMatchObject({
      status: 'replied',
      duplicate: false,
      reply: { text: 'We ship in two days.' },
      handoffReason: null,
    });
    expect(turn.route).toMatchObject({
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      complexity: 0.12,
      failover: true,
      latencyMs: 57,
      costUsd: 0.0002,
      inputTokens: 120,
      outputTokens: 30,
    });
    expect(gateway.requests[0]).toMatchObject({
      tenantId: tenant.id,
      routing: { cheapThreshold: 0.25 },
      cacheable: true,
    });
    expect(gateway.requests[0].messages).toEqual([
      { role: 'system', content: 'You are the Trailhead assistant.' },
      { role: 'user', content: 'When do you ship?' },
    ]);

    const inboundRow = await em().findOneOrFail(Message, turn.inboundMessageId);
    expect(inboundRow).toMatchObject({
      direction: 'inbound',
      deliveryStatus: 'processed',
      channelMessageId: 'SM-turn-1',
    });
    expect(inboundRow.processedAt).not.toBeNull();
    const reply = await em().findOneOrFail(Message, turn.reply!.messageId);
    expect(reply).toMatchObject({
      direction: 'outbound',
      author: 'bot',
      deliveryStatus: 'pending',
      text: 'We ship in two days.',
    });
    const interaction = await em().findOneOrFail(AgentInteraction, turn.interactionId!, {
      populate: ['replyMessage', 'inboundMessage'],
    });
    expect(interaction).toMatchObject({
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      failover: true,
      costUsd: 0.0002,
      latencyMs: 57,
      totalTokens: 150,
      complexityScore: 0.12,
    });
    expect(interaction.routingReason).toContain('cheap tier');
    expect(interaction.replyMessage?.id).toBe(reply.id);
    expect(interaction.inboundMessage.id).toBe(inboundRow.id);
    const usage = await em().find(
      ProviderUsage,
      { interactionId: interaction.id },
      { orderBy: { createdAt: 'asc', success: 'asc' } },
    );
    expect(usage.map((row) => [row.provider, row.success, row.errorCode])).toEqual([
      ['openai', false, 'http_500'],
      ['gemini', true, null],
    ]);

    expect(log.map((event) => event.name)).toEqual(['message.received', 'interaction.created']);
    expect(log[1].payload).toEqual({
      tenantId: tenant.id,
      conversationId: turn.conversationId,
      interactionId: interaction.id,
      replyMessageId: reply.id,
    });
  });

  it('continues the open conversation with its history, and a closed one starts a new conversation', async () => {
    const gateway = new ScriptedGateway();
    const { engine, clock } = engineFor(database.orm, gateway);
    const customer = newCustomer();
    const first = await engine.handleTurn(inbound(customer, 'Hi'));
    clock.now += 1_000;
    const second = await engine.handleTurn(inbound(customer, 'Do you sell tents?'));
    expect(second.conversationId).toBe(first.conversationId);
    expect(gateway.requests[1].messages.map((message) => message.content)).toEqual([
      'You are the Trailhead assistant.',
      'Hi',
      'You asked: Hi',
      'Do you sell tents?',
    ]);

    await em().nativeUpdate(Conversation, { id: first.conversationId }, { status: 'closed', closedAt: new Date() });
    const third = await engine.handleTurn(inbound(customer, 'Hello again'));
    expect(third.conversationId).not.toBe(first.conversationId);
    expect(gateway.requests[2].messages).toHaveLength(2);
    expect(await em().count(Contact, { tenant: tenant.id, externalId: customer })).toBe(1);
  });

  it('passes cacheable = false when the customer shares an order number', async () => {
    const gateway = new ScriptedGateway();
    const { engine } = engineFor(database.orm, gateway);
    await engine.handleTurn(inbound(newCustomer(), 'Where is order 58213?'));
    expect(gateway.requests[0].cacheable).toBe(false);
  });
});

describe('duplicates and bad input', () => {
  it('stores a redelivered message once and answers it once', async () => {
    const gateway = new ScriptedGateway();
    const { engine, log } = engineFor(database.orm, gateway);
    const customer = newCustomer();
    const first = await engine.handleTurn(inbound(customer, 'Is the shop open?', 'SM-dup-1'));
    const again = await engine.handleTurn(inbound(customer, 'Is the shop open?', 'SM-dup-1'));
    expect(again).toMatchObject({
      duplicate: true,
      status: 'already_processed',
      inboundMessageId: first.inboundMessageId,
      conversationId: first.conversationId,
    });
    expect(gateway.requests).toHaveLength(1);
    expect(await em().count(Message, { conversation: first.conversationId })).toBe(2);
    expect(log.filter((event) => event.name === 'message.received')).toHaveLength(1);
  });

  it('answers a redelivery of a message that was stored but never answered', async () => {
    const gateway = new ScriptedGateway();
    const { engine } = engineFor(database.orm, gateway);
    const customer = newCustomer();
    const stored = await engine.receive(inbound(customer, 'Still there?', 'SM-dup-2'));
    const redelivered = await engine.handleTurn(inbound(customer, 'Still there?', 'SM-dup-2'));
    expect(redelivered).toMatchObject({ duplicate: true, status: 'replied', inboundMessageId: stored.messageId });
  });

  it('rejects an unknown tenant and malformed messages without storing anything', async () => {
    const { engine } = engineFor(database.orm, new ScriptedGateway());
    const before = await em().count(Message, {});
    await expect(
      engine.receive({ ...inbound(newCustomer(), 'hi'), tenantId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(engine.receive({ ...inbound('', 'hi') })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    // Cast: the channel an untyped caller could send.
    await expect(engine.receive({ ...inbound(newCustomer(), 'hi'), channel: 'fax' as 'api' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expect(engine.processMessage('not-a-message')).rejects.toBeInstanceOf(AppError);
    expect(await em().count(Message, {})).toBe(before);
  });

  it('creates one contact and one conversation when first messages race', async () => {
    const { engine } = engineFor(database.orm, new ScriptedGateway());
    const customer = newCustomer();
    const received = await Promise.all(
      [1, 2, 3, 4].map((n) => engine.receive(inbound(customer, `message ${n}`, `SM-race-${customer}-${n}`))),
    );
    expect(new Set(received.map((row) => row.conversationId)).size).toBe(1);
    expect(new Set(received.map((row) => row.contactId)).size).toBe(1);
    expect(await em().count(Conversation, { contact: received[0].contactId })).toBe(1);
  });
});

describe('handoff', () => {
  it('hands off on request, tells the customer, and gives no bot replies afterwards', async () => {
    const gateway = new ScriptedGateway();
    const { engine, log, clock } = engineFor(database.orm, gateway);
    const customer = newCustomer();
    const stored = await engine.receive(inbound(customer, 'Where are you based?'));
    clock.now += 1_500; // the reply is written 1.5 s after the question
    const answered = await engine.processMessage(stored.messageId);
    clock.now += 20_000;
    const handoff = await engine.handleTurn(inbound(customer, 'I want to talk to a real person'));

    expect(handoff.status).toBe('handed_off');
    expect(handoff.reply?.text).toMatch(/person will answer/);
    expect(handoff.handoffReason).toContain('talk to a real person');
    expect(gateway.requests).toHaveLength(1);
    const conversation = await em().findOneOrFail(Conversation, handoff.conversationId);
    expect(conversation).toMatchObject({ status: 'handed_off', handoffReason: handoff.handoffReason });
    const notice = await em().findOneOrFail(Message, handoff.reply!.messageId);
    expect(notice).toMatchObject({ author: 'system', direction: 'outbound', deliveryStatus: 'pending' });
    expect(log.filter((event) => event.name === 'conversation.handed_off')).toEqual([
      {
        name: 'conversation.handed_off',
        payload: { tenantId: tenant.id, conversationId: handoff.conversationId, reason: handoff.handoffReason },
      },
    ]);
    const feedback = await em().findOneOrFail(InteractionFeedback, { interaction: answered.interactionId });
    expect(feedback).toMatchObject({ requestedHandoff: true, continuedConversation: true, responseTimeMs: 20_000 });

    const later = await engine.handleTurn(inbound(customer, 'hello? anyone?'));
    expect(later).toMatchObject({ status: 'with_human', reply: null, interactionId: null });
    expect(gateway.requests).toHaveLength(1);
    expect(await em().findOneOrFail(Message, later.inboundMessageId)).toMatchObject({ deliveryStatus: 'processed' });
    expect(log.at(-1)).toMatchObject({ name: 'message.received', payload: { handedOff: true } });
  });

  it('hands off when the gateway says a human is needed, keeping the interaction', async () => {
    const gateway = new ScriptedGateway().enqueue({
      provider: 'knowledge-base',
      model: 'knowledge-base',
      text: "I'm not sure; a colleague will take over.",
      needsHuman: true,
    });
    const { engine } = engineFor(database.orm, gateway);
    const turn = await engine.handleTurn(inbound(newCustomer(), 'Can I pay with crypto?'));
    expect(turn.status).toBe('handed_off');
    expect(turn.interactionId).not.toBeNull();
    expect(turn.handoffReason).toContain('could not answer confidently');
    expect((await em().findOneOrFail(Conversation, turn.conversationId)).status).toBe('handed_off');
  });
});

describe('a turn whose flush is deferred to the caller', () => {
  it('writes the same turn (reply, interaction, usage, signals on the previous reply) as a flushed one', async () => {
    const gateway = new ScriptedGateway()
      .enqueue(scriptedOutcome({ text: 'Size 42 is in stock.' }))
      .enqueue(scriptedOutcome({ text: 'Blue too.' }));
    const { engine, clock } = engineFor(database.orm, gateway);
    const customer = newCustomer();
    const asked = await engine.receive(inbound(customer, 'Do you have size 42?'));
    clock.now += 1_000;
    const first = await engine.processMessage(asked.messageId, { deferTurnFlush: true });
    clock.now += 30_000;
    const second = await engine.processMessage((await engine.receive(inbound(customer, 'And in blue?'))).messageId, {
      deferTurnFlush: true,
    });

    expect([first.status, second.status]).toEqual(['replied', 'replied']);
    const inboundRow = await em().findOneOrFail(Message, second.inboundMessageId);
    expect(inboundRow).toMatchObject({ deliveryStatus: 'processed' });
    expect(await em().findOneOrFail(Message, second.reply!.messageId)).toMatchObject({
      direction: 'outbound',
      deliveryStatus: 'pending',
      text: 'Blue too.',
    });
    const interaction = await em().findOneOrFail(AgentInteraction, second.interactionId!, {
      populate: ['replyMessage'],
    });
    expect(interaction.replyMessage?.id).toBe(second.reply!.messageId);
    expect(await em().count(ProviderUsage, { interactionId: interaction.id })).toBe(1);
    const feedback = await em().findOneOrFail(InteractionFeedback, { interaction: first.interactionId });
    expect(feedback).toMatchObject({ continuedConversation: true, responseTimeMs: 30_000 });
  });
});

describe('implicit signals', () => {
  it('marks the previous reply as continued with the time the customer took to answer', async () => {
    const { engine, clock } = engineFor(database.orm, new ScriptedGateway());
    const customer = newCustomer();
    const stored = await engine.receive(inbound(customer, 'Do you have size 42?'));
    clock.now += 2_000;
    const first = await engine.processMessage(stored.messageId);
    clock.now += 45_000;
    await engine.handleTurn(inbound(customer, 'And in blue?'));
    const feedback = await em().findOneOrFail(InteractionFeedback, { interaction: first.interactionId });
    expect(feedback).toMatchObject({ continuedConversation: true, requestedHandoff: false, responseTimeMs: 45_000 });
    expect(feedback.implicitSatisfaction).toBeCloseTo(0.5 + 0.1 + 0.05 * (1 - 45_000 / 600_000), 3);
  });
});
