import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkspacePost } from '../../src/db/entities';

/** The post parley made as message `ts` in `channel`, whatever its purpose. */
export function findPost(em: EntityManager, channel: string, ts: string): Promise<WorkspacePost | null> {
  return em.findOne(
    WorkspacePost,
    { platform: 'slack', channelId: channel, postId: ts },
    { populate: ['tenant', 'conversation', 'interaction', 'correction'] },
  );
}

/** The current handoff post of a conversation (not yet given back to the bot). */
export function openHandoffPost(
  em: EntityManager,
  tenantId: string,
  conversationId: string,
): Promise<WorkspacePost | null> {
  return em.findOne(
    WorkspacePost,
    { tenant: tenantId, platform: 'slack', purpose: 'handoff', conversation: conversationId, closedAt: null },
    { orderBy: { createdAt: 'desc' } },
  );
}

/** The review post of a bot reply, if one was made. */
export function reviewPostFor(
  em: EntityManager,
  tenantId: string,
  interactionId: string,
): Promise<WorkspacePost | null> {
  return em.findOne(
    WorkspacePost,
    { tenant: tenantId, platform: 'slack', purpose: 'review', interaction: interactionId },
    { orderBy: { createdAt: 'asc' } },
  );
}

/**
 * Runs work for one key at a time in this process. Domain events arrive here
 * concurrently (a 👎 and a handoff for the same reply, two customer messages
 * of one conversation) and must not both create a post or reorder the thread.
 */
export function createKeyedQueue(): <T>(key: string, work: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
