/** The implicit signals of one bot reply, as stored on InteractionFeedback. */
export interface ImplicitSignals {
  continuedConversation: boolean;
  completedAction: boolean;
  requestedHandoff: boolean;
  responseTimeMs: number | null;
}

/** Answers slower than this earn no promptness bonus (the customer went away and came back). */
export const PROMPT_RESPONSE_WINDOW_MS = 10 * 60_000;

/**
 * Estimated satisfaction in [0, 1] from what the customer did after a reply,
 * without asking them. Starts neutral and moves by how strongly each signal
 * says the reply helped:
 *
 *   score = 0.5
 *         + 0.35 if completedAction        (they did what the reply enabled: strongest positive)
 *         − 0.40 if requestedHandoff       (the bot did not help: strongest negative)
 *         + 0.10 if continuedConversation and not requestedHandoff (engaged, did not abandon)
 *         + 0.05 × (1 − min(responseTimeMs, 10 min) / 10 min)  (a prompt answer shows engagement)
 *
 * clamped to [0, 1] and rounded to three decimals. No signals at all gives 0.5.
 */
export function implicitSatisfaction(signals: ImplicitSignals): number {
  let score = 0.5;
  if (signals.completedAction) score += 0.35;
  if (signals.requestedHandoff) score -= 0.4;
  else if (signals.continuedConversation) score += 0.1;
  if (signals.responseTimeMs !== null && Number.isFinite(signals.responseTimeMs) && signals.responseTimeMs >= 0) {
    score += 0.05 * (1 - Math.min(signals.responseTimeMs, PROMPT_RESPONSE_WINDOW_MS) / PROMPT_RESPONSE_WINDOW_MS);
  }
  return Math.round(Math.min(1, Math.max(0, score)) * 1000) / 1000;
}
