import type { EntityManager } from '@mikro-orm/postgresql';
import { unfinishedMessages } from '../../src/conversations/delivery-store';
import type { Logger } from '../../src/logger';
import type { WhatsAppSender } from './whatsapp-sender';
import type { WhatsAppWork } from './whatsapp-work';
import type { WhatsAppWorker } from './whatsapp-worker';

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
  worker: WhatsAppWorker;
  sender: WhatsAppSender;
  log: Logger;
  /** The engine's own recovery of expired turn claims, run first. */
  recoverEngine?: () => Promise<unknown>;
}): (options?: RecoveryOptions) => Promise<number> {
  const { work, worker, sender, log } = deps;
  return async function recover(options: RecoveryOptions = {}): Promise<number> {
    if (!work.isAccepting) return 0;
    if (deps.recoverEngine) await deps.recoverEngine();
    const age = Math.max(0, options.olderThanMs ?? 0);
    const limit = Math.max(1, Math.floor(options.limit ?? work.maxQueued));
    const messages = await unfinishedMessages(deps.em(), 'whatsapp', age, limit);
    for (const message of messages) {
      if (message.direction === 'inbound')
        work.enqueue(message.conversationId, message.id, () => worker.processInbound(message.id));
      else work.enqueue(message.conversationId, message.id, () => sender.deliver(message.id));
    }
    // A full page means more may be waiting: take the next page when the queue has drained again.
    if (messages.length >= limit) work.markDeferred();
    if (messages.length) log.info({ messages: messages.length }, 'WhatsApp recovery queued stored messages');
    return messages.length;
  };
}
