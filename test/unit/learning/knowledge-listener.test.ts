import { KNOWLEDGE_ARTICLE_CHANGED, type BusChannel } from '../../../src/db/shared-state/instance-bus';
import { startKnowledgeListener } from '../../../src/learning/knowledge-listener';
import type { ArticleChange } from '../../../src/providers/knowledge-base';

/** An in-memory stand-in for the instance bus: the test sends notifications and reconnects by hand. */
function fakeBus() {
  const handlers = new Map<BusChannel, Array<(payload: string) => void>>();
  const reconnectHandlers: Array<() => void> = [];
  return {
    ready: Promise.resolve(),
    connected: () => true,
    on(channel: BusChannel, handler: (payload: string) => void) {
      handlers.set(channel, [...(handlers.get(channel) ?? []), handler]);
    },
    off(channel: BusChannel, handler: (payload: string) => void) {
      handlers.set(
        channel,
        (handlers.get(channel) ?? []).filter((other) => other !== handler),
      );
    },
    onReconnect(handler: () => void) {
      reconnectHandlers.push(handler);
    },
    offReconnect(handler: () => void) {
      reconnectHandlers.splice(reconnectHandlers.indexOf(handler), 1);
    },
    send: (channel: BusChannel, payload: string) =>
      (handlers.get(channel) ?? []).forEach((handler) => handler(payload)),
    reconnect: () => [...reconnectHandlers].forEach((handler) => handler()),
    subscribers: (channel: BusChannel) => (handlers.get(channel) ?? []).length + reconnectHandlers.length,
  };
}

function fakeKnowledgeBase(failingCatchUps = 0) {
  const applied: ArticleChange[][] = [];
  let catchUps = 0;
  return {
    applied,
    catchUps: () => catchUps,
    async applyChanges(changes: readonly ArticleChange[]) {
      applied.push([...changes]);
    },
    async catchUp() {
      catchUps += 1;
      if (catchUps <= failingCatchUps) throw new Error('database unavailable');
      return 0;
    },
  };
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('knowledge listener on the instance bus', () => {
  it('catches up once listening, applies notified articles in batches and catches up again after a reconnect', async () => {
    const bus = fakeBus();
    const knowledgeBase = fakeKnowledgeBase();
    const listener = startKnowledgeListener({ bus, knowledgeBase, batchMs: 10 });
    await listener.ready;
    expect(knowledgeBase.catchUps()).toBe(1);

    bus.send(KNOWLEDGE_ARTICLE_CHANGED, JSON.stringify({ tenantId: 't1', id: 'a1', op: 'INSERT' }));
    bus.send(KNOWLEDGE_ARTICLE_CHANGED, 'not json');
    bus.send(KNOWLEDGE_ARTICLE_CHANGED, JSON.stringify({ tenantId: 't1', id: 'a2', op: 'UPDATE' }));
    await until(() => knowledgeBase.applied.length > 0);
    expect(knowledgeBase.applied).toEqual([
      [
        { tenantId: 't1', id: 'a1' },
        { tenantId: 't1', id: 'a2' },
      ],
    ]);

    bus.reconnect();
    await until(() => knowledgeBase.catchUps() === 2);
    await listener.close();
    expect(bus.subscribers(KNOWLEDGE_ARTICLE_CHANGED)).toBe(0);
  });

  it('a catch-up that fails is tried again until it succeeds, and only then is the listener ready', async () => {
    const bus = fakeBus();
    const knowledgeBase = fakeKnowledgeBase(2);
    const listener = startKnowledgeListener({ bus, knowledgeBase, retryMs: 5 });
    await listener.ready;
    expect(knowledgeBase.catchUps()).toBe(3);
    await listener.close();
  });

  it('closing while a catch-up waits to be retried settles `ready` and stops retrying', async () => {
    const bus = fakeBus();
    const knowledgeBase = fakeKnowledgeBase(Infinity);
    const listener = startKnowledgeListener({ bus, knowledgeBase, retryMs: 60_000 });
    await until(() => knowledgeBase.catchUps() === 1);
    await listener.close();
    await listener.ready;
    expect(knowledgeBase.catchUps()).toBe(1);
    expect(listener.connected()).toBe(false);
  });
});
