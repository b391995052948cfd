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
 *         + 0.05 × (1 − min(responseTimeMs, 10 min) / 10 min), rounded to 0.001  (a prompt answer shows engagement)
 *
 * clamped to [0, 1]. No signals at all gives 0.5. Computed in whole thousandths
 * so that `implicitSatisfactionSql` gives exactly the same number in PostgreSQL.
 */
export function implicitSatisfaction(signals: ImplicitSignals): number {
  let thousandths = 500;
  if (signals.completedAction) thousandths += 350;
  if (signals.requestedHandoff) thousandths -= 400;
  else if (signals.continuedConversation) thousandths += 100;
  if (signals.responseTimeMs !== null && Number.isFinite(signals.responseTimeMs) && signals.responseTimeMs >= 0) {
    const waited = Math.min(Math.round(signals.responseTimeMs), PROMPT_RESPONSE_WINDOW_MS);
    thousandths += Math.round((50 * (PROMPT_RESPONSE_WINDOW_MS - waited)) / PROMPT_RESPONSE_WINDOW_MS);
  }
  return Math.min(1000, Math.max(0, thousandths)) / 1000;
}

/**
 * The same formula as a PostgreSQL expression over SQL expressions for each
 * signal (booleans and an integer), for writes that merge signals in one
 * statement. Exact integer arithmetic on both sides keeps the two equal.
 */
export function implicitSatisfactionSql(signals: {
  continued: string;
  completed: string;
  handoff: string;
  responseTime: string;
}): string {
  const window = PROMPT_RESPONSE_WINDOW_MS;
  return `(greatest(0, least(1000, 500
    + case when ${signals.completed} then 350 else 0 end
    + case when ${signals.handoff} then -400 when ${signals.continued} then 100 else 0 end
    + case when ${signals.responseTime} is not null and ${signals.responseTime} >= 0
        then round((50 * (${window} - least(${signals.responseTime}, ${window})))::numeric / ${window}) else 0 end)) / 1000.0)::float8`;
}

/** Signal changes; absent fields keep the current value. */
export interface SignalChanges {
  continuedConversation?: boolean;
  completedAction?: boolean;
  requestedHandoff?: boolean;
  responseTimeMs?: number | null;
}

/** `current` with `changes` applied, and the satisfaction recomputed from the result. */
export function mergeSignals(
  current: ImplicitSignals,
  changes: SignalChanges,
): ImplicitSignals & { implicitSatisfaction: number } {
  const merged: ImplicitSignals = {
    continuedConversation: changes.continuedConversation ?? current.continuedConversation,
    completedAction: changes.completedAction ?? current.completedAction,
    requestedHandoff: changes.requestedHandoff ?? current.requestedHandoff,
    // An integer column: sub-millisecond precision is noise here.
    responseTimeMs:
      changes.responseTimeMs === undefined
        ? current.responseTimeMs
        : changes.responseTimeMs === null
          ? null
          : Math.round(changes.responseTimeMs),
  };
  return { ...merged, implicitSatisfaction: implicitSatisfaction(merged) };
}
