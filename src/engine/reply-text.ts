import { HANDOVER_REPLY } from '../providers/knowledge-base';
import type { ReplyOutcome } from '../providers/types';
import { fillPlaceholders } from './placeholders';
import type { ClaimedMessage, HistoryRow } from '../conversations/turn-store';

/**
 * The last step before a reply is stored and sent, whatever the provider and
 * channel: `{{Name}}` placeholders are filled from the tenant's business profile
 * and from what the customer wrote in this conversation; parts that cannot be
 * filled are left out. When nothing worth sending is left, the reply becomes
 * the hand-over notice and `needsHuman` is set, so the engine hands off.
 */
export function finaliseReply(
  outcome: ReplyOutcome,
  message: ClaimedMessage,
  history: readonly HistoryRow[],
): { outcome: ReplyOutcome; unfillable: string[] } {
  const customerMessages = [
    ...history.filter((row) => row.direction === 'inbound').map((row) => row.text),
    message.text,
  ];
  const filled = fillPlaceholders(outcome.text, { profile: message.tenantSettings.profile, customerMessages });
  if (filled.text === outcome.text && !filled.empty) return { outcome, unfillable: [] };
  if (filled.empty)
    return { outcome: { ...outcome, text: HANDOVER_REPLY, needsHuman: true }, unfillable: filled.unfilled };
  return { outcome: { ...outcome, text: filled.text }, unfillable: filled.unfilled };
}
