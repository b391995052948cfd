import { implicitSatisfaction, PROMPT_RESPONSE_WINDOW_MS } from '../../../src/feedback/implicit-satisfaction';

const none = { continuedConversation: false, completedAction: false, requestedHandoff: false, responseTimeMs: null };

describe('implicitSatisfaction', () => {
  it('is neutral without signals', () => {
    expect(implicitSatisfaction(none)).toBe(0.5);
  });

  it('rewards a completed action and a continued conversation', () => {
    expect(implicitSatisfaction({ ...none, completedAction: true })).toBe(0.85);
    expect(implicitSatisfaction({ ...none, continuedConversation: true })).toBe(0.6);
    expect(
      implicitSatisfaction({ ...none, completedAction: true, continuedConversation: true, responseTimeMs: 0 }),
    ).toBe(1);
  });

  it('penalises a handoff request, and continuing to ask for a human earns nothing', () => {
    expect(implicitSatisfaction({ ...none, requestedHandoff: true })).toBe(0.1);
    expect(implicitSatisfaction({ ...none, requestedHandoff: true, continuedConversation: true })).toBe(0.1);
  });

  it('gives a promptness bonus that fades to nothing over ten minutes', () => {
    expect(implicitSatisfaction({ ...none, responseTimeMs: 0 })).toBe(0.55);
    expect(implicitSatisfaction({ ...none, responseTimeMs: PROMPT_RESPONSE_WINDOW_MS / 2 })).toBe(0.525);
    expect(implicitSatisfaction({ ...none, responseTimeMs: PROMPT_RESPONSE_WINDOW_MS * 6 })).toBe(0.5);
  });

  it('stays within [0, 1] for every combination', () => {
    for (const continuedConversation of [true, false])
      for (const completedAction of [true, false])
        for (const requestedHandoff of [true, false])
          for (const responseTimeMs of [null, 0, 1_000, 10_000_000]) {
            const score = implicitSatisfaction({
              continuedConversation,
              completedAction,
              requestedHandoff,
              responseTimeMs,
            });
            expect(score).toBeGreaterThanOrEqual(0);
            expect(score).toBeLessThanOrEqual(1);
          }
  });
});
