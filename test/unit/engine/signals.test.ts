import { planSignals } from '../../../src/engine/signals';
import type { HistoryRow } from '../../../src/conversations/turn-store';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, seconds));
let sequence = 0;
const row = (
  direction: HistoryRow['direction'],
  author: HistoryRow['author'],
  seconds: number,
  interactionId: string | null = null,
): HistoryRow => ({
  id: `m${(sequence += 1)}`,
  direction,
  author,
  text: 't',
  createdAt: at(seconds),
  interactionId,
});

describe('planSignals', () => {
  it('marks the reply just before as continued, with the response time', () => {
    const history = [row('inbound', 'customer', 0), row('outbound', 'bot', 2, 'i1')];
    expect(planSignals(history, { createdAt: at(32) }, false)).toEqual({
      interactionId: 'i1',
      continuedConversation: true,
      responseTimeMs: 30_000,
    });
  });

  it('records a handoff request on the latest bot reply even with messages in between', () => {
    const history = [row('outbound', 'bot', 2, 'i1'), row('inbound', 'customer', 10)];
    expect(planSignals(history, { createdAt: at(20) }, true)).toEqual({
      interactionId: 'i1',
      continuedConversation: true,
      requestedHandoff: true,
    });
    expect(planSignals(history, { createdAt: at(20) }, false)).toBeNull();
  });

  it('ignores replies written after the message arrived, agent and system messages', () => {
    expect(
      planSignals([row('inbound', 'customer', 0), row('outbound', 'bot', 50, 'i1')], { createdAt: at(10) }, false),
    ).toBeNull();
    expect(planSignals([row('outbound', 'agent', 5)], { createdAt: at(10) }, true)).toBeNull();
    expect(planSignals([row('outbound', 'system', 5)], { createdAt: at(10) }, false)).toBeNull();
  });
});
