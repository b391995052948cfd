import { describeRoute } from '../../../src/cli/chat-output';
import type { TurnResult } from '../../../src/engine/types';

const turn = (route: TurnResult['route']): TurnResult => ({
  status: 'replied',
  conversationId: 'c',
  inboundMessageId: 'm',
  interactionId: 'i',
  reply: { messageId: 'r', text: 'hello' },
  handoffReason: null,
  route,
});

describe('the line under a chat reply', () => {
  it('shows provider, model, complexity, latency, tokens, cost, flags and the routing reason', () => {
    const line = describeRoute(
      turn({
        provider: 'openai',
        model: 'gpt-4o-mini',
        complexity: 0.213,
        reason: 'complexity 0.21 < 0.30 → cheap tier',
        latencyMs: 123.6,
        inputTokens: 120,
        outputTokens: 30,
        costUsd: 0.000036,
        failover: true,
        cacheHit: false,
      }),
    );
    expect(line).toContain('openai · gpt-4o-mini · complexity 0.21 · 124 ms');
    expect(line).toContain('tokens 120 in / 30 out · $0.000036 · failover');
    expect(line).toContain('route: complexity 0.21 < 0.30 → cheap tier');
    expect(line).not.toContain('cache hit');
  });

  it('is empty when no provider answered (handoff notice, human conversation)', () => {
    expect(describeRoute(turn(null))).toBe('');
  });
});
