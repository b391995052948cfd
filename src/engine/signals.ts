import type { RecordImplicitSignalsInput } from '../feedback/feedback-service';
import type { HistoryRow } from '../conversations/turn-store';
import type { ClaimedMessage } from '../conversations/turn-store';

/**
 * What a new customer message says about the previous bot reply:
 * - the customer wrote again: `continuedConversation`, and, when this message
 *   answers that reply directly (nothing in between), `responseTimeMs` = time
 *   from the reply to this message;
 * - the customer asks for a human: `requestedHandoff` on the latest bot reply,
 *   even with other customer messages in between.
 * Returns null when there is nothing to record (no bot reply before, or this
 * message is not the first answer to it and asks for nothing).
 */
export function planSignals(
  history: readonly HistoryRow[],
  message: Pick<ClaimedMessage, 'createdAt'>,
  requestedHandoff: boolean,
): Omit<RecordImplicitSignalsInput, 'tenantId'> | null {
  const before = history.filter((row) => row.createdAt.getTime() <= message.createdAt.getTime());
  const previous = before[before.length - 1];
  if (previous?.direction === 'outbound' && previous.author === 'bot' && previous.interactionId) {
    return {
      interactionId: previous.interactionId,
      continuedConversation: true,
      responseTimeMs: Math.max(0, message.createdAt.getTime() - previous.createdAt.getTime()),
      ...(requestedHandoff ? { requestedHandoff: true } : {}),
    };
  }
  if (!requestedHandoff) return null;
  for (let index = before.length - 1; index >= 0; index -= 1) {
    const row = before[index];
    if (row.direction === 'outbound' && row.author === 'bot' && row.interactionId) {
      return { interactionId: row.interactionId, continuedConversation: true, requestedHandoff: true };
    }
  }
  return null;
}
