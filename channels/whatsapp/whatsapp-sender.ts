import type { EntityManager } from '@mikro-orm/postgresql';
import {
  claimForSending,
  finishSend,
  partIdBelongsToOther,
  recordSentParts,
  scheduleRetry,
  type SendClaim,
  type UnfinishedMessage,
} from '../../src/conversations/delivery-store';
import type { InstanceIdentity } from '../../src/instances/service-instance';
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
import { findEarlierSend, parseRetryAfter, retryDelayMs } from './whatsapp-send-retry';

export interface SenderOptions {
  statusCallbackUrl: string;
  sessionWindowHours: number;
  /** First retry delay; doubles per failed attempt up to `retryMaxMs` (Retry-After wins when longer). */
  retryBaseMs: number;
  retryMaxMs: number;
}

/** What the sender tells its channel about, besides the outcome. */
export interface SenderHooks {
  /** A retry was scheduled in the database for `at`: wake up then (a timer, not a sleeping worker). */
  retryScheduled(conversationId: string, messageId: string, at: Date): void;
  /** The reply was given up for good (after retrying for as long as the session window allowed): tell on-call. */
  gaveUp(failure: { tenantId: string; conversationId: string; messageId: string; reason: string }): void;
}

export interface SendOutcome {
  /** `pending` with `retryAt`: a retryable failure, to be tried again then. */
  status: DeliveryStatus;
  reason: string | null;
  retryAt?: Date;
  /** Read as the outcome was recorded (finishSend): what the conversation has left to do next; absent otherwise. */
  next?: UnfinishedMessage[];
}

type Attempt =
  | { ok: true; sid: string; status: DeliveryStatus }
  | {
      ok: false;
      reason: string;
      code: number | null;
      retryable: boolean;
      retryAfterMs: number | null;
      unknown: boolean;
    };
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
    private readonly instance: InstanceIdentity | null = null,
    private readonly hooks: SenderHooks | null = null,
  ) {}

  /** The instance this sender claims messages for (a turn can claim its reply for it: ProcessOptions.claimReply). */
  get instanceId(): string | null {
    return this.instance?.id ?? null;
  }

  /**
   * `claimed`: the message already claimed for this sender (by the turn that stored it), so it is not claimed again.
   * Sends a pending outbound message; null when it is not to be sent now: another (live) sender has it, it was
   * sent already, its next attempt is scheduled later, or an earlier reply of its conversation is unsent (whoever
   * settles that one takes this one next: nothing here waits or polls).
   */
  async deliver(messageId: string, claimed: SendClaim | null = null): Promise<SendOutcome | null> {
    const message =
      claimed?.id === messageId
        ? claimed
        : await claimForSending(this.em(), messageId, 'whatsapp', {
            instanceId: this.instanceId,
            staleAfterMs: this.instance?.staleAfterMs ?? 0,
            now: this.now(),
          });
    if (!message) return null;
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
      // An attempt whose outcome is unknown (a crash mid-send, a timeout) may have reached Twilio: look first.
      let result: Attempt | null = message.outcomeUnknown
        ? await this.lookForEarlierSend(client, message, request, parts[index]!, sids)
        : null;
      if (!result) result = await this.create(client, request);
      if (!result.ok && templateUsed && isLast && result.code === 21655) {
        // The stored template was deleted or belongs elsewhere: fall back to text for this reply, look again next time.
        await this.templates.forget(tenant, credentials.accountSid);
        templateUsed = false;
        const { contentSid: _unused, contentVariables: _unusedVariables, ...rest } = request;
        result = await this.create(client, { ...rest, body: `${parts[index]}\n\n${replies.fallbackPrompt}` });
      }
      if (!result.ok) {
        const reason = `Twilio refused part ${index + 1} of ${parts.length}: ${result.reason}`;
        if (result.retryable) return this.retryLater(message, reason, result, sids);
        this.logger.error({ messageId: message.id, reason }, 'WhatsApp reply could not be sent');
        return this.finish(message, { status: 'failed', reason }, sids, templateUsed ? 'template' : prompt);
      }
      sids.push(result.sid);
      lastStatus = result.status;
      if (parts.length > 1 && !isLast) await this.saveProgress(message.id, sids);
    }
    return this.finish(message, { status: lastStatus, reason: null }, sids, templateUsed ? 'template' : prompt);
  }

  /** One Messages create call; a failure says whether a retry can help and whether the message may have gone out. */
  private async create(client: TwilioClient, request: Record<string, string>): Promise<Attempt> {
    try {
      // The SDK's create() options type lists every Messages API field; ours is a subset built above.
      const created = await client.messages.create(
        request as unknown as Parameters<TwilioClient['messages']['create']>[0],
      );
      return { ok: true, sid: created.sid, status: mapTwilioStatus(String(created.status)) ?? 'queued' };
    } catch (error) {
      const failure = describeFailure(error);
      return {
        ok: false,
        reason: failure.reason,
        code: failure.code,
        retryable: failure.retryable,
        retryAfterMs: parseRetryAfter((error as { retryAfter?: unknown }).retryAfter, this.now()),
        // No HTTP answer (a timeout, a dropped connection): Twilio may have accepted it.
        unknown: failure.retryable && (error as { status?: unknown }).status === undefined,
      };
    }
  }

  /** A part an earlier attempt may have sent: its SID when Twilio has it, null to send it now. */
  private async lookForEarlierSend(
    client: TwilioClient,
    message: SendClaim,
    request: Record<string, string>,
    partText: string,
    sids: string[],
  ): Promise<Attempt | null> {
    try {
      const sid = await findEarlierSend(client, {
        to: message.externalId!,
        since: message.unknownSince ?? this.now(),
        body: request.body ?? null,
        partText,
        exclude: async (candidate) =>
          sids.includes(candidate) ||
          (await partIdBelongsToOther(this.em(), message.tenantId, 'whatsapp', candidate, message.id)),
      });
      if (!sid) return null;
      this.logger.warn(
        { messageId: message.id, sid },
        'found the reply already sent by an attempt whose outcome was unknown; not sending it again',
      );
      return { ok: true, sid, status: 'queued' };
    } catch (error) {
      const failure = describeFailure(error);
      return {
        ok: false,
        reason: `could not check whether an earlier attempt was sent: ${failure.reason}`,
        code: failure.code,
        retryable: failure.retryable,
        retryAfterMs: parseRetryAfter((error as { retryAfter?: unknown }).retryAfter, this.now()),
        unknown: true,
      };
    }
  }

  /**
   * A retryable failure: the next attempt is scheduled in the database (capped exponential backoff, never before
   * Retry-After) while it still falls inside the WhatsApp session window; the claim is given up, so no worker
   * waits. Past the window the reply is given up for good, with the reason, and on-call is told.
   */
  private async retryLater(
    message: SendClaim,
    reason: string,
    failure: Extract<Attempt, { ok: false }>,
    sids: string[],
  ): Promise<SendOutcome> {
    const now = this.now();
    const attempts = message.attempts + 1;
    const delay = retryDelayMs(
      { baseMs: this.options.retryBaseMs, maxMs: this.options.retryMaxMs },
      attempts - 1,
      failure.retryAfterMs,
    );
    const at = new Date(now.getTime() + delay);
    const windowEnd = new Date((message.lastInboundAt?.getTime() ?? 0) + this.options.sessionWindowHours * 3_600_000);
    if (at > windowEnd) {
      const final = `gave up after ${attempts} attempts: the ${this.options.sessionWindowHours}-hour WhatsApp session window closed at ${windowEnd.toISOString()} while Twilio kept failing; last error: ${reason}`;
      this.logger.error({ messageId: message.id, attempts, reason }, 'WhatsApp reply given up');
      const outcome = await this.finish(message, { status: 'failed', reason: final }, sids, null);
      this.hooks?.gaveUp({
        tenantId: message.tenantId,
        conversationId: message.conversationId,
        messageId: message.id,
        reason: final,
      });
      return outcome;
    }
    this.logger.warn(
      { messageId: message.id, attempt: attempts, reason, retryInMs: delay, retryAfterMs: failure.retryAfterMs },
      'Twilio send failed; retry scheduled',
    );
    await scheduleRetry(this.em(), message.id, {
      instanceId: this.instance?.id ?? null,
      failedAt: now,
      nextAttemptAt: at,
      reason,
      outcomeUnknown: failure.unknown,
      partIds: sids,
    });
    this.hooks?.retryScheduled(message.conversationId, message.id, at);
    return { status: 'pending', reason, retryAt: at };
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
    // The same statement reads what the conversation has next (the channel queues it: WhatsAppFlow).
    const next = await finishSend(
      this.em(),
      message.id,
      { status: outcome.status, reason: outcome.reason, partIds: sids, feedbackPrompt: prompt },
      {
        conversationId: message.conversationId,
        claimer: { now: this.now(), staleAfterMs: this.instance?.staleAfterMs ?? 0 },
      },
    );
    if (outcome.status === 'not_sent')
      this.logger.warn({ messageId: message.id, reason: outcome.reason }, 'WhatsApp reply not sent');
    return next ? { ...outcome, next } : outcome;
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
