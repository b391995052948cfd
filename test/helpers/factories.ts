import type { EntityManager } from '@mikro-orm/postgresql';
import {
  AgentInteraction,
  Contact,
  Conversation,
  HumanCorrection,
  InteractionFeedback,
  Message,
  ProviderUsage,
  Tenant,
  type ApiKeyScope,
  type ChannelName,
  type TenantSettings,
} from '../../src/db/entities';
import { createApiKey } from '../../src/auth/api-keys';

/**
 * The one module of test data factories: every helper is `make<Thing>(em, …)`,
 * stores what it makes, and gives unique names so tests never collide.
 */

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function makeTenant(
  em: EntityManager,
  settings: TenantSettings = {},
  name = unique('tenant'),
): Promise<Tenant> {
  const tenant = em.create(Tenant, { name, settings });
  await em.flush();
  return tenant;
}

/** A contact with an open conversation, an inbound message and a bot interaction answering it. */
export async function makeConversationWithTurn(
  em: EntityManager,
  tenant: Tenant,
  options: { channel?: ChannelName; question?: string; reply?: string; at?: Date } = {},
): Promise<{
  contact: Contact;
  conversation: Conversation;
  inbound: Message;
  reply: Message;
  interaction: AgentInteraction;
}> {
  const channel = options.channel ?? 'whatsapp';
  const at = options.at ?? new Date();
  const contact = em.create(Contact, { tenant, channel, externalId: unique('whatsapp:+4477') });
  const conversation = em.create(Conversation, { tenant, contact, channel, startedAt: at, lastActivityAt: at });
  const inbound = em.create(Message, {
    tenant,
    conversation,
    channel,
    direction: 'inbound',
    text: options.question ?? 'Where is my order?',
    channelMessageId: unique('SM'),
    createdAt: at,
    processedAt: at,
  });
  const reply = em.create(Message, {
    tenant,
    conversation,
    channel,
    direction: 'outbound',
    author: 'bot',
    text: options.reply ?? 'It ships tomorrow.',
    createdAt: at,
  });
  const interaction = em.create(AgentInteraction, {
    tenant,
    conversation,
    inboundMessage: inbound,
    replyMessage: reply,
    replyText: reply.text,
    provider: 'knowledge-base',
    model: 'knowledge-base',
    createdAt: at,
  });
  await em.flush();
  return { contact, conversation, inbound, reply, interaction };
}

/** A stored bot turn on the API channel, when a test needs only the interaction. */
export async function makeInteraction(
  em: EntityManager,
  tenant: Tenant,
  options: { replyText?: string } = {},
): Promise<AgentInteraction> {
  return (await makeConversationWithTurn(em, tenant, { channel: 'api', reply: options.replyText })).interaction;
}

/** A tenant with one conversation of `turns` bot turns, usage rows and (optionally) feedback, for control-plane tests. */
export interface TenantFixture {
  tenant: Tenant;
  contact: Contact;
  conversation: Conversation;
  interactions: AgentInteraction[];
  feedback: InteractionFeedback[];
  usage: ProviderUsage[];
  correction: HumanCorrection;
  keys: Record<'all' | ApiKeyScope | 'none', string>;
}

export async function makeControlPlaneTenant(
  em: EntityManager,
  name: string,
  options: { turns?: number; start?: Date } = {},
): Promise<TenantFixture> {
  const turns = options.turns ?? 3;
  const start = options.start ?? new Date('2026-11-01T10:00:00Z');
  const tenant = em.create(Tenant, { name });
  const contact = em.create(Contact, {
    tenant,
    channel: 'whatsapp',
    externalId: `whatsapp:+44${name.length}${Math.floor(Math.random() * 1e9)}`,
    displayName: `${name} customer`,
  });
  const conversation = em.create(Conversation, {
    tenant,
    contact,
    channel: 'whatsapp',
    startedAt: start,
    lastActivityAt: start,
    createdAt: start,
  });
  const interactions: AgentInteraction[] = [];
  const feedback: InteractionFeedback[] = [];
  const usage: ProviderUsage[] = [];
  for (let turn = 0; turn < turns; turn += 1) {
    const at = new Date(start.getTime() + turn * 3_600_000);
    const inbound = em.create(Message, {
      tenant,
      conversation,
      channel: 'whatsapp',
      direction: 'inbound',
      author: 'customer',
      text: `${name} question ${turn}`,
      createdAt: at,
    });
    const reply = em.create(Message, {
      tenant,
      conversation,
      channel: 'whatsapp',
      direction: 'outbound',
      author: 'bot',
      text: `${name} answer ${turn}`,
      createdAt: new Date(at.getTime() + 1000),
    });
    const model = turn % 2 === 0 ? 'gpt-4o-mini' : 'gemini-2.5-flash';
    const provider = turn % 2 === 0 ? 'openai' : 'gemini';
    const interaction = em.create(AgentInteraction, {
      tenant,
      conversation,
      inboundMessage: inbound,
      replyMessage: reply,
      replyText: reply.text,
      provider,
      model,
      inputTokens: 1000,
      outputTokens: 200,
      totalTokens: 1200,
      costUsd: 0.001 * (turn + 1),
      createdAt: new Date(at.getTime() + 1000),
    });
    interactions.push(interaction);
    usage.push(
      em.create(ProviderUsage, {
        tenant,
        interactionId: interaction.id,
        provider,
        model,
        inputTokens: 1000,
        outputTokens: 200,
        totalTokens: 1200,
        estimatedCostUsd: 0.001 * (turn + 1),
        latencyMs: 300 + turn,
        success: true,
        createdAt: new Date(at.getTime() + 500),
      }),
    );
    feedback.push(
      em.create(InteractionFeedback, {
        tenant,
        interaction,
        helpful: turn % 3 !== 2,
        comment: turn === 0 ? 'great, thanks' : null,
        source: 'whatsapp',
        votedAt: new Date(at.getTime() + 60_000),
        continuedConversation: turn < turns - 1,
        implicitSatisfaction: 0.8,
        createdAt: new Date(at.getTime() + 60_000),
      }),
    );
  }
  const correction = em.create(HumanCorrection, {
    tenant,
    interaction: interactions[0],
    customerMessage: `${name} question 0`,
    originalReply: `${name} answer 0`,
    correctedReply: `${name} better answer 0`,
    authorId: 'slack:U1',
    createdAt: new Date(start.getTime() + 7_200_000),
  });
  await em.flush();
  const keys = {} as TenantFixture['keys'];
  const scopeSets: Record<keyof TenantFixture['keys'], ApiKeyScope[]> = {
    all: ['analytics:view', 'corrections:write', 'users:manage'],
    'analytics:view': ['analytics:view'],
    'corrections:write': ['corrections:write'],
    'users:manage': ['users:manage'],
    none: [],
  };
  for (const [label, scopes] of Object.entries(scopeSets) as [keyof TenantFixture['keys'], ApiKeyScope[]][]) {
    if (!scopes.length) continue;
    keys[label] = (await createApiKey(em, { tenant, name: label, scopes })).key;
  }
  return { tenant, contact, conversation, interactions, feedback, usage, correction, keys };
}
