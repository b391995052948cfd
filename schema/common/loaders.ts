import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AgentInteraction, InteractionFeedback, Message } from '../../src/db/entities';
import {
  feedbackByInteraction,
  interactionsById,
  interactionsByReplyMessage,
  messagesByConversation,
} from '../../src/conversations/conversation-review';

/** Per-request batch loaders: one query per kind per tick, whatever the page size (no N+1). */
export interface Loaders {
  messagesOfConversation: DataLoader<string, Message[]>;
  interactionOfReply: DataLoader<string, AgentInteraction | null>;
  interaction: DataLoader<string, AgentInteraction | null>;
  feedbackOfInteraction: DataLoader<string, InteractionFeedback | null>;
}

/** Loaders for one request; null tenant (an anonymous caller) gets loaders that find nothing. */
export function createLoaders(em: EntityManager, tenantId: string | null): Loaders {
  const batch = <V>(load: (tenant: string, keys: readonly string[]) => Promise<Map<string, V>>, fallback: V) =>
    new DataLoader<string, V>(async (keys) => {
      if (!tenantId) return keys.map(() => fallback);
      const found = await load(tenantId, keys);
      return keys.map((key) => found.get(key) ?? fallback);
    });
  return {
    messagesOfConversation: batch((tenant, keys) => messagesByConversation(em, tenant, keys), [] as Message[]),
    interactionOfReply: batch<AgentInteraction | null>(
      (tenant, keys) => interactionsByReplyMessage(em, tenant, keys),
      null,
    ),
    interaction: batch<AgentInteraction | null>((tenant, keys) => interactionsById(em, tenant, keys), null),
    feedbackOfInteraction: batch<InteractionFeedback | null>(
      (tenant, keys) => feedbackByInteraction(em, tenant, keys),
      null,
    ),
  };
}
