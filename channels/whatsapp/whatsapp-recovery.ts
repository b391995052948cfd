import type { EntityManager } from '@mikro-orm/postgresql';
import { unfinishedMessages } from '../../src/conversations/delivery-store';
import type { Logger } from '../../src/logger';
import type { WhatsAppFlow } from './whatsapp-flow';
import type { WhatsAppWork } from './whatsapp-work';

export interface RecoveryOptions {
  /** Only messages stored at least this long ago (younger ones are normally still in the live queue). */
  olderThanMs?: number;
  /** At most this many (default: the queue's overload limit). */
  limit?: number;
}

/**
 * Finds what a crash or restart left unfinished (customer messages not yet
 * answered, replies stored but not sent), oldest first so each conversation
 * keeps its order, and queues it again. Returns how many it found.
 */
export function createRecovery(deps: {
  em: () => EntityManager;
  work: WhatsAppWork;
  flow: WhatsAppFlow;
  log: Logger;
  now: () => Date;
  /** The engine's own recovery of expired turn claims, run first. */
  recoverEngine?: () => Promise<unknown>;
}): (options?: RecoveryOptions) => Promise<number> {
  const { work, flow, log } = deps;
  return async function recover(options: RecoveryOptions = {}): Promise<number> {
    if (!work.isAccepting) return 0;
    if (deps.recoverEngine) await deps.recoverEngine();
    const age = Math.max(0, options.olderThanMs ?? 0);
    const limit = Math.max(1, Math.floor(options.limit ?? work.maxQueued));
    const messages = await unfinishedMessages(deps.em(), 'whatsapp', age, limit, deps.now());
    flow.queue(messages);
    // A full page means more may be waiting: take the next page when the queue has drained again.
    if (messages.length >= limit) work.markDeferred();
    if (messages.length) log.info({ messages: messages.length }, 'WhatsApp recovery queued stored messages');
    return messages.length;
  };
}
