import type { EntityManager } from '@mikro-orm/postgresql';
import {
  claimForSending,
  finishSend,
  isPendingUnclaimed,
  recordFailedAttempt,
  recordSentParts,
  type SendClaim,
} from '../../src/conversations/delivery-store';
import type { DeliveryStatus, FeedbackPromptStyle } from '../../src/db/entities';
import type { Logger } from '../../src/logger';
import type { FeedbackTemplates } from './feedback-template';
import type { TwilioClient, TwilioClients } from './twilio-client';
import {
  mapTwilioStatus,
  replies,
  shouldPromptFeedback,
  splitReply,
  withinSessionWindow,
  BODY_LIMIT_WITH_BUTTONS,
} from './whatsapp-message';
import type { WhatsAppTenantDirectory } from './whatsapp-tenants';

export interface SenderOptions {
  statusCallbackUrl: string;
  sessionWindowHours: number;
  retries: number;
  retryBaseMs: number;
}

export interface SendOutcome {
  status: DeliveryStatus;
  reason: string | null;
}

/** Tries (with backoff, about six seconds in all) to send a reply queued behind an earlier one of its conversation. */
const ORDER_WAIT_ATTEMPTS = 10;
/** Twilio's limit for one message body without buttons. */
const PLAIN_BODY_LIMIT = 1600;

/**
 * Delivers stored outbound messages: claims the message (so two workers never
 * send it twice), applies WhatsApp's rules (24-hour window, 1,024 characters
 * with buttons), attaches 👍/👎 through the Content template or the text
 * fallback, sends part by part with retries and backoff, and records the
 * outcome on the message. A message is never left without a recorded status.
 */
export class WhatsAppSender {
  constructor(
    private readonly em: () => EntityManager,
    private readonly directory: WhatsAppTenantDirectory,
    private readonly clients: TwilioClients,
    private readonly templates: FeedbackTemplates,
    private readonly logger: Logger,
    private readonly options: SenderOptions,
    private readonly onOutcome: (status: DeliveryStatus) => void = () => {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Sends a pending outbound message; returns null when another worker has it or it was already sent. */
  async deliver(messageId: string, attempt = 0): Promise<SendOutcome | null> {
    const message = await claimForSending(this.em(), messageId, 'whatsapp');
    if (!message)
      return (await this.waitingBehindEarlierReply(messageId, attempt)) ? this.deliver(messageId, attempt + 1) : null;
    try {
      const outcome = await this.send(message);
      this.onOutcome(outcome.status);
      return outcome;
    } catch (error) {
      // Our own bug or the database: still record it, so the message is not silently pending forever.
      this.logger.error({ err: error, messageId }, 'WhatsApp send crashed');
      const outcome: SendOutcome = {
        status: 'failed',
        reason: `internal error: ${error instanceof Error ? error.message : String(error)}`,
      };
      await this.finish(message, outcome, [], null);
      this.onOutcome('failed');
      return outcome;
    }
  }

  /**
   * True (after a short wait) when the message is still pending and unclaimed, so the claim failed only because an
   * earlier reply of its conversation is being sent elsewhere. After about six seconds the message is left to the
   * recovery sweep rather than held here.
   */
  private async waitingBehindEarlierReply(messageId: string, attempt: number): Promise<boolean> {
    if (attempt >= ORDER_WAIT_ATTEMPTS) return false;
    if (!(await isPendingUnclaimed(this.em(), messageId))) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt)));
    return true;
  }

  private async send(message: SendClaim): Promise<SendOutcome> {
    if (message.externalId === null)
      return this.finish(
        message,
        { status: 'not_sent', reason: 'the conversation or its contact no longer exists' },
        [],
        null,
      );
    const tenant = await this.directory.byTenantId(message.tenantId);
    if (!tenant)
      return this.finish(
        message,
        { status: 'not_sent', reason: 'the tenant has no WhatsApp binding (settings.channels.whatsapp)' },
        [],
        null,
      );
    const credentials = await this.directory.credentialsFor(tenant);
    if (!credentials)
      return this.finish(
        message,
        {
          status: 'not_sent',
          reason:
            'no Twilio credentials: set the tenant secret twilioAuthToken and an account SID, or TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN',
        },
        [],
        null,
      );
    if (!withinSessionWindow(message.lastInboundAt, this.now(), this.options.sessionWindowHours)) {
      return this.finish(
        message,
        {
          status: 'not_sent',
          reason: `outside the ${this.options.sessionWindowHours}-hour WhatsApp session window: the customer has not written since ${message.lastInboundAt ? message.lastInboundAt.toISOString() : 'ever'}; only an approved template may be sent`,
        },
        [],
        null,
      );
    }
    const client = this.clients.get(credentials.accountSid, credentials.authToken);
    const wantsButtons =
      message.author === 'bot' &&
      message.interactionId !== null &&
      message.conversationStatus === 'bot' &&
      !message.feedbackOptOut &&
      shouldPromptFeedback(tenant.feedbackPromptFrequency, tenant.feedbackPromptEvery, message.interactionId);
    const contentSid = wantsButtons ? await this.templates.contentSid(tenant, credentials.accountSid, client) : null;
    const prompt: FeedbackPromptStyle = wantsButtons ? (contentSid ? 'template' : 'text') : 'none';
    const limit = prompt === 'none' ? PLAIN_BODY_LIMIT : BODY_LIMIT_WITH_BUTTONS;
    const parts = splitReply(message.text, prompt === 'text' ? limit - replies.fallbackPrompt.length - 2 : limit);
    const from = message.toAddress ?? tenant.numbers[0] ?? null;
    const address: Record<string, string> = tenant.messagingServiceSid
      ? { messagingServiceSid: tenant.messagingServiceSid }
      : from
        ? { from }
        : {};
    if (!tenant.messagingServiceSid && !from)
      return this.finish(
        message,
        { status: 'not_sent', reason: 'no WhatsApp sender: bind a number or a Messaging Service to the tenant' },
        [],
        null,
      );

    // Parts already accepted by Twilio before a crash are not sent again.
    const sids = [...message.sentPartIds];
    let lastStatus: DeliveryStatus = 'queued';
    let templateUsed = prompt === 'template';
    for (let index = sids.length; index < parts.length; index += 1) {
      const isLast = index === parts.length - 1;
      let request: Record<string, string> = {
        to: message.externalId,
        statusCallback: this.options.statusCallbackUrl,
        ...address,
      };
      if (isLast && templateUsed)
        request = {
          ...request,
          contentSid: contentSid!,
          contentVariables: JSON.stringify({ 1: parts[index], 2: message.interactionId }),
        };
      else
        request = {
          ...request,
          body: isLast && prompt !== 'none' ? `${parts[index]}\n\n${replies.fallbackPrompt}` : parts[index]!,
        };
      let result = await this.createWithRetries(client, request, message.id);
      if (!result.ok && templateUsed && isLast && result.code === 21655) {
        // The stored template was deleted or belongs elsewhere: fall back to text for this reply, look again next time.
        await this.templates.forget(tenant, credentials.accountSid);
        templateUsed = false;
        const { contentSid: _unused, contentVariables: _unusedVariables, ...rest } = request;
        result = await this.createWithRetries(
          client,
          { ...rest, body: `${parts[index]}\n\n${replies.fallbackPrompt}` },
          message.id,
        );
      }
      if (!result.ok) {
        const reason = `Twilio refused part ${index + 1} of ${parts.length}: ${result.reason}`;
        this.logger.error({ messageId: message.id, reason }, 'WhatsApp reply could not be sent');
        return this.finish(message, { status: 'failed', reason }, sids, templateUsed ? 'template' : prompt);
      }
      sids.push(result.sid);
      lastStatus = result.status;
      if (parts.length > 1 && !isLast) await this.saveProgress(message.id, sids);
    }
    return this.finish(message, { status: lastStatus, reason: null }, sids, templateUsed ? 'template' : prompt);
  }

  private async createWithRetries(
    client: TwilioClient,
    request: Record<string, string>,
    messageId: string,
  ): Promise<{ ok: true; sid: string; status: DeliveryStatus } | { ok: false; reason: string; code: number | null }> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        // The SDK's create() options type lists every Messages API field; ours is a subset built above.
        const created = await client.messages.create(
          request as unknown as Parameters<TwilioClient['messages']['create']>[0],
        );
        return { ok: true, sid: created.sid, status: mapTwilioStatus(String(created.status)) ?? 'queued' };
      } catch (error) {
        const failure = describeFailure(error);
        if (!failure.retryable || attempt >= this.options.retries)
          return {
            ok: false,
            reason: `${failure.reason} (after ${attempt + 1} attempt${attempt ? 's' : ''})`,
            code: failure.code,
          };
        const delay = this.options.retryBaseMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
        this.logger.warn(
          { messageId, attempt: attempt + 1, reason: failure.reason, retryInMs: Math.round(delay) },
          'Twilio send failed; retrying',
        );
        await this.recordAttempt(messageId, failure.reason);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async recordAttempt(messageId: string, reason: string): Promise<void> {
    await recordFailedAttempt(this.em(), messageId, reason);
  }

  private async saveProgress(messageId: string, sids: string[]): Promise<void> {
    await recordSentParts(this.em(), messageId, sids);
  }

  private async finish(
    message: SendClaim,
    outcome: SendOutcome,
    sids: string[],
    prompt: FeedbackPromptStyle | null,
  ): Promise<SendOutcome> {
    // The message's channel id becomes the last part's SID: the one with the buttons, which a tap refers to.
    await finishSend(this.em(), message.id, {
      status: outcome.status,
      reason: outcome.reason,
      partIds: sids,
      feedbackPrompt: prompt,
    });
    if (outcome.status === 'not_sent')
      this.logger.warn({ messageId: message.id, reason: outcome.reason }, 'WhatsApp reply not sent');
    return outcome;
  }
}

/** Twilio and network errors → whether trying again can help (429, 5xx, timeouts, connection errors). */
export function describeFailure(error: unknown): { retryable: boolean; reason: string; code: number | null } {
  const details = error as { status?: unknown; code?: unknown; message?: unknown };
  const message = typeof details.message === 'string' ? details.message : String(error);
  if (typeof details.status === 'number') {
    const status = details.status;
    const code = typeof details.code === 'number' ? details.code : null;
    return {
      retryable: status === 408 || status === 429 || status >= 500,
      reason: `HTTP ${status}${code ? ` (Twilio error ${code})` : ''}: ${message}`,
      code,
    };
  }
  const networkCode = typeof details.code === 'string' ? details.code : '';
  const timeout = networkCode === 'ECONNABORTED' || networkCode === 'ETIMEDOUT' || /timeout/i.test(message);
  return {
    retryable: true,
    reason: timeout ? `timed out: ${message}` : `network error${networkCode ? ` ${networkCode}` : ''}: ${message}`,
    code: null,
  };
}
