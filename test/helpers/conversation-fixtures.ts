import type { EntityManager } from '@mikro-orm/postgresql';
import { AgentInteraction, Contact, Conversation, Message, Tenant, type TenantSettings } from '../../src/db/entities';

/** A tenant with a unique name. */
export async function createTenantRow(em: EntityManager, settings: TenantSettings = {}): Promise<Tenant> {
  const tenant = em.create(Tenant, { name: `tenant-${Math.random().toString(36).slice(2, 10)}`, settings });
  await em.flush();
  return tenant;
}

/** A complete stored bot turn (contact, conversation, inbound, reply, interaction) for tests that need one. */
export async function createInteractionRow(
  em: EntityManager,
  tenant: Tenant,
  options: { replyText?: string } = {},
): Promise<AgentInteraction> {
  const contact = em.create(Contact, {
    tenant,
    channel: 'api',
    externalId: `customer-${Math.random().toString(36).slice(2, 10)}`,
  });
  const conversation = em.create(Conversation, { tenant, contact, channel: 'api' });
  const inbound = em.create(Message, {
    tenant,
    conversation,
    channel: 'api',
    direction: 'inbound',
    text: 'Where is my parcel?',
    deliveryStatus: 'processed',
    processedAt: new Date(),
  });
  const reply = em.create(Message, {
    tenant,
    conversation,
    channel: 'api',
    direction: 'outbound',
    author: 'bot',
    text: options.replyText ?? 'It ships today.',
    deliveryStatus: 'pending',
  });
  const interaction = em.create(AgentInteraction, {
    tenant,
    conversation,
    inboundMessage: inbound,
    replyMessage: reply,
    replyText: reply.text,
    provider: 'knowledge-base',
    model: 'kb',
  });
  await em.flush();
  return interaction;
}
