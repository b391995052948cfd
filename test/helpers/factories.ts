import type { EntityManager } from '@mikro-orm/postgresql';
import {
  AgentInteraction,
  Contact,
  Conversation,
  Message,
  Tenant,
  type ChannelName,
  type TenantSettings,
} from '../../src/db/entities';

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
