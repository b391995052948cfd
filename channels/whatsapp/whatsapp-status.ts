import type { EntityManager } from '@mikro-orm/postgresql';
import { findSentMessage, recordDeliveryEvent } from '../../src/conversations/delivery-store';
import { isStatusProgress, type StatusCallback } from './whatsapp-message';

/**
 * Applies a status callback. The last part of a reply (the one with the buttons)
 * carries the message's status; a failure of any earlier part marks it failed
 * too. Statuses never move backwards (callbacks arrive out of order). Every
 * callback is kept in the message's status history. False when no reply of the
 * tenant has that SID.
 */
export async function recordStatus(em: EntityManager, tenantId: string, callback: StatusCallback): Promise<boolean> {
  const message = await findSentMessage(em, tenantId, 'whatsapp', callback.messageSid);
  if (!message) return false;
  const event = {
    sid: callback.messageSid,
    status: callback.rawStatus,
    errorCode: callback.errorCode,
    at: new Date().toISOString(),
  };
  const apply =
    (message.isMainPart || callback.status === 'failed' || callback.status === 'undelivered') &&
    isStatusProgress(message.deliveryStatus, callback.status);
  const error = callback.errorCode
    ? `Twilio error ${callback.errorCode}${callback.errorMessage ? `: ${callback.errorMessage}` : ''}`
    : null;
  await recordDeliveryEvent(em, message.id, event, { apply, status: callback.status, error });
  return true;
}
