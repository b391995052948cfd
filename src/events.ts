import { EventEmitter } from 'node:events';

/**
 * Domain events that cross from the core to whoever listens (channels,
 * monitoring). The core emits after its transaction commits; listeners must
 * not throw (errors are caught and logged by `DomainEvents.emit`).
 */
export interface DomainEventMap {
  /** A customer message was stored (before or without a bot turn). */
  'message.received': { tenantId: string; conversationId: string; messageId: string; text: string; handedOff: boolean };
  /** A bot turn finished and its reply is stored, waiting to be delivered. */
  'interaction.created': { tenantId: string; conversationId: string; interactionId: string; replyMessageId: string };
  /** A conversation moved from the bot to a human. */
  'conversation.handed_off': { tenantId: string; conversationId: string; reason: string };
  /** A conversation came back to the bot. */
  'conversation.released': { tenantId: string; conversationId: string; by: string };
  /** An explicit vote was recorded (or changed). */
  'feedback.recorded': { tenantId: string; interactionId: string; helpful: boolean; source: string };
  /** A correction was approved: the knowledge base must learn it. */
  'correction.approved': { tenantId: string; correctionId: string };
  /** Knowledge articles were added, edited, retired, restored or imported (the answers the knowledge base gives changed). */
  'knowledge.changed': { tenantId: string; articleIds: string[]; action: string };
}

export type DomainEventName = keyof DomainEventMap;
type Listener<K extends DomainEventName> = (payload: DomainEventMap[K]) => void | Promise<void>;

export class DomainEvents {
  private readonly emitter = new EventEmitter();

  constructor(private readonly onError: (error: unknown, event: DomainEventName) => void = () => {}) {
    this.emitter.setMaxListeners(50);
  }

  on<K extends DomainEventName>(event: K, listener: Listener<K>): () => void {
    const wrapped = (payload: DomainEventMap[K]) => {
      try {
        const result = listener(payload);
        if (result && typeof (result as Promise<void>).catch === 'function')
          (result as Promise<void>).catch((error) => this.onError(error, event));
      } catch (error) {
        this.onError(error, event);
      }
    };
    this.emitter.on(event, wrapped);
    return () => this.emitter.off(event, wrapped);
  }

  emit<K extends DomainEventName>(event: K, payload: DomainEventMap[K]): void {
    this.emitter.emit(event, payload);
  }
}
