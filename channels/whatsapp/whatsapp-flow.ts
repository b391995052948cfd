import type { EntityManager } from '@mikro-orm/postgresql';
import {
  conversationBacklog,
  deadSendClaims,
  scheduledRetries,
  type UnfinishedMessage,
} from '../../src/conversations/delivery-store';
import type { MessageKind } from '../../src/db/entities';
import type { InstanceIdentity } from '../../src/instances/service-instance';
import type { Logger } from '../../src/logger';
import type { WhatsAppSender } from './whatsapp-sender';
import type { WhatsAppWork } from './whatsapp-work';
import type { WhatsAppWorker } from './whatsapp-worker';

/** Timers of the clock the channel runs on (tests pass an accelerated one). */
export interface ChannelTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: ChannelTimers = {
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Text fields the webhook already parsed (see WhatsAppWorker.processInbound). */
type Known = { tenantId: string; conversationId: string; kind: MessageKind; text: string };

/**
 * How work moves through a conversation without anybody waiting or polling
 * (issue 10 items 2, 4 and 8):
 * - whoever finishes a message of a conversation (a turn, or a reply reaching a
 *   final state) reads what the conversation still has to do and queues it, so
 *   a message left waiting behind another one (here or on another instance)
 *   is taken up as soon as that one is done;
 * - a reply whose send failed is retried at the time the sender scheduled in
 *   the database, by a timer (nothing holds a worker meanwhile);
 * - every `takeoverEveryMs`, claims of instances that stopped heart-beating are
 *   taken over, and replies whose scheduled retry is due (a timer lost with a
 *   dead instance) are queued.
 */
export class WhatsAppFlow {
  private readonly retryTimers = new Map<string, unknown>();
  private ticker: NodeJS.Timeout | null = null;
  private ticking = false;
  private running = false;

  constructor(
    private readonly deps: {
      em: () => EntityManager;
      work: WhatsAppWork;
      worker: WhatsAppWorker;
      sender: WhatsAppSender;
      log: Logger;
      now: () => Date;
      timers: ChannelTimers;
      instance: InstanceIdentity | null;
      /** The engine's takeover of dead instances' turn claims (ConversationEngineService.takeOverDeadClaims). */
      takeOverTurns: (() => Promise<Array<{ id: string; conversationId: string; channel: string }>>) | null;
      takeoverEveryMs: number;
    },
  ) {}

  /** Queues the answer to a stored customer message (then whatever its conversation has next). */
  answer(conversationId: string, messageId: string, known?: Known, force = false): void {
    this.deps.work.enqueue(
      conversationId,
      messageId,
      async () => {
        const outcome = await this.deps.worker.processInbound(messageId, known);
        if (outcome.status === 'done') await this.continueConversation(conversationId, outcome.next);
      },
      force,
    );
  }

  /** Queues the delivery of a stored reply (then whatever its conversation has next). */
  send(conversationId: string, messageId: string, force = false, done?: () => void): void {
    this.deps.work.enqueue(
      conversationId,
      messageId,
      async () => {
        try {
          const outcome = await this.deps.sender.deliver(messageId);
          if (outcome && outcome.status !== 'pending') await this.continueConversation(conversationId, outcome.next);
        } finally {
          done?.();
        }
      },
      force,
    );
  }

  /** Queues each message of a recovery or takeover list by its direction. */
  queue(messages: UnfinishedMessage[]): void {
    for (const message of messages)
      if (message.direction === 'inbound') this.answer(message.conversationId, message.id);
      else this.send(message.conversationId, message.id);
  }

  /**
   * What the conversation still has to do, queued behind the current task (same conversation, same order). `known`:
   * already read after the last write of the task (the sender reads it with the outcome), so not read again.
   */
  async continueConversation(conversationId: string, known?: UnfinishedMessage[]): Promise<void> {
    if (!this.deps.work.isAccepting) return;
    if (known) return this.queue(known);
    const backlog = await conversationBacklog(this.deps.em(), conversationId, {
      now: this.deps.now(),
      staleAfterMs: this.deps.instance?.staleAfterMs ?? 0,
    });
    this.queue(backlog);
  }

  /** The sender scheduled a retry for `at`: a timer queues it then (the clock may be an accelerated one). */
  retryScheduled(conversationId: string, messageId: string, at: Date): void {
    if (!this.running) return;
    const previous = this.retryTimers.get(messageId);
    if (previous !== undefined) this.deps.timers.clearTimeout(previous);
    const delay = Math.max(0, at.getTime() - this.deps.now().getTime());
    this.retryTimers.set(
      messageId,
      this.deps.timers.setTimeout(() => {
        this.retryTimers.delete(messageId);
        // Timers round to whole milliseconds and may fire a hair early: the claim would refuse a reply not yet due.
        if (at.getTime() > this.deps.now().getTime()) this.retryScheduled(conversationId, messageId, at);
        else this.send(conversationId, messageId);
      }, delay),
    );
  }

  /** Sets timers for the retries already scheduled (by this instance before a restart, or a dead one) and starts the takeover ticks. */
  async start(): Promise<void> {
    this.running = true;
    for (const retry of await scheduledRetries(this.deps.em(), 'whatsapp'))
      this.retryScheduled(retry.conversationId, retry.id, retry.nextAttemptAt);
    if (this.deps.instance && this.deps.takeoverEveryMs > 0) {
      this.ticker = setInterval(() => void this.tick(), this.deps.takeoverEveryMs);
      this.ticker.unref();
    }
  }

  stop(): void {
    this.running = false;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    for (const timer of this.retryTimers.values()) this.deps.timers.clearTimeout(timer);
    this.retryTimers.clear();
  }

  /** Takes over the claims of dead instances and queues them (oldest first); returns how many. */
  async tick(): Promise<number> {
    if (this.ticking || !this.deps.work.isAccepting || !this.deps.instance) return 0;
    this.ticking = true;
    try {
      const turns = ((await this.deps.takeOverTurns?.()) ?? []).filter((message) => message.channel === 'whatsapp');
      const sends = await deadSendClaims(this.deps.em(), 'whatsapp', this.deps.instance.staleAfterMs);
      // Retries overdue by a tick: the timer that should have sent them died with its instance.
      const overdue = await scheduledRetries(
        this.deps.em(),
        'whatsapp',
        200,
        new Date(this.deps.now().getTime() - this.deps.takeoverEveryMs),
      );
      const taken: UnfinishedMessage[] = [
        ...turns.map((message) => ({ ...message, direction: 'inbound' as const })),
        ...sends,
        ...overdue.filter((retry) => !this.retryTimers.has(retry.id)),
      ];
      if (taken.length)
        this.deps.log.warn({ turns: turns.length, sends: sends.length }, 'took over the work of a stopped instance');
      this.queue(taken);
      return taken.length;
    } catch (error) {
      this.deps.log.error({ err: error }, 'WhatsApp takeover of stopped instances failed');
      return 0;
    } finally {
      this.ticking = false;
    }
  }
}
