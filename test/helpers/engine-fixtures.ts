import pino from 'pino';
import {
  createConversationEngine,
  type ConversationEngineOptions,
  type ConversationEngineService,
} from '../../src/engine/conversation-engine';
import { DomainEvents, type DomainEventMap, type DomainEventName } from '../../src/events';
import type { Orm } from '../../src/db/orm';
import type { ModelGateway } from '../../src/providers/types';

export interface RecordedEvent {
  name: DomainEventName;
  payload: DomainEventMap[DomainEventName];
}

/** An engine on a test database with an event log and a movable clock. */
export function engineFor(orm: Orm, gateway: ModelGateway, options: Partial<ConversationEngineOptions> = {}) {
  const events = new DomainEvents();
  const log: RecordedEvent[] = [];
  for (const name of ['message.received', 'interaction.created', 'conversation.handed_off'] as const) {
    events.on(name, (payload) => {
      log.push({ name, payload });
    });
  }
  const clock = { now: Date.parse('2026-11-24T10:00:00Z') };
  const engine: ConversationEngineService = createConversationEngine({
    orm,
    gateway,
    events,
    logger: pino({ level: 'silent' }),
    clock: () => new Date(clock.now),
    ...options,
  });
  return { engine, events, log, clock };
}
