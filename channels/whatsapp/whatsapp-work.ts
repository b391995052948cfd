import type { Logger } from '../../src/logger';
import { ConversationQueue } from './conversation-queue';

/**
 * The channel's in-process work with back-pressure: per-conversation order and
 * bounded concurrency (ConversationQueue), each message queued at most once,
 * and past `maxQueued` waiting tasks new work is left in the database (it is
 * stored already) and taken up by recovery once the queue is half empty, so
 * under overload memory stays flat and nothing is lost.
 */
export class WhatsAppWork {
  private readonly queue: ConversationQueue;
  private readonly queued = new Set<string>();
  private accepting = true;
  private deferred = false;

  constructor(
    concurrency: number,
    readonly maxQueued: number,
    private readonly log: Logger,
    /** Called when work was left to recovery and the queue has drained to half: take the next page. */
    private readonly catchUp: (limit: number) => Promise<unknown>,
  ) {
    this.queue = new ConversationQueue(concurrency, (error, conversationId) =>
      log.error({ err: error, conversationId }, 'WhatsApp turn failed; it stays stored and is retried by recovery'),
    );
  }

  get isAccepting(): boolean {
    return this.accepting;
  }

  /** (Re)opens the queue for work. */
  open(): void {
    this.accepting = true;
  }

  /** Recovery found a full page: more may wait in the database, to be taken when the queue has drained. */
  markDeferred(): void {
    this.deferred = true;
  }

  /** `force` queues past the overload limit (a caller waits for this one). */
  enqueue(conversationId: string, messageId: string, work: () => Promise<unknown>, force = false): void {
    // Not accepting (stopping): the message stays stored and the next start's recovery answers it.
    if (!this.accepting || this.queued.has(messageId)) return;
    if (!force && this.queued.size >= this.maxQueued) {
      if (!this.deferred)
        this.log.warn(
          { waiting: this.queued.size },
          'WhatsApp queue full: new messages wait in the database until it drains',
        );
      this.deferred = true;
      return;
    }
    this.queued.add(messageId);
    this.queue.push(conversationId, async () => {
      try {
        await work();
      } finally {
        this.queued.delete(messageId);
        if (this.deferred && this.queued.size < this.maxQueued / 2) {
          this.deferred = false;
          this.catchUp(this.maxQueued / 2).catch((error: unknown) =>
            this.log.error({ err: error }, 'WhatsApp catch-up after overload failed'),
          );
        }
      }
    });
  }

  /** Stops taking work and waits for the tasks in progress. */
  async stop(): Promise<void> {
    this.accepting = false;
    await this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }
}
