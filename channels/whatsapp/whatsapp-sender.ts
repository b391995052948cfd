import type { EntityManager } from '@mikro-orm/postgresql';
import type { DeliveryStatus } from '../../src/db/entities';
import { runHot } from '../../src/engine/hot-sql';
import type { Logger } from '../../src/logger';
import type { FeedbackTemplates } from './feedback-template';
import type { TwilioClient, TwilioClients } from './twilio-client';
import { mapTwilioStatus, replies, shouldPromptFeedback, splitReply, withinSessionWindow, BODY_LIMIT_WITH_BUTTONS } from './whatsapp-message';
import type { WhatsAppTenant, WhatsAppTenantDirectory } from './whatsapp-tenants';

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

/** A claim on a pending message older than this is taken to be from a process that died mid-send. */
const CLAIM_LEASE = '10 minutes';
/** Tries (with backoff, about six seconds in all) to send a reply queued behind an earlier one of its conversation. */
const ORDER_WAIT_ATTEMPTS = 10;
/** Twilio's limit for one message body without buttons. */
const PLAIN_BODY_LIMIT = 1600;

interface Claimed {
  id: string;
  tenant_id: string;
  conversation_id: string;
  text: string;
  author: string;
  payload: Record<string, unknown> | null;
}

interface SendContext {
  /** Null when the conversation or its contact is gone. */
  external_id: string | null;
  feedback_opt_out: boolean;
  status: string;
  last_inbound_at: Date | null;
  to_address: string | null;
  interaction_id: string | null;
}

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
    // One round trip: claim the message and read what the send needs (customer, window, sender number, interaction).
    // A named prepared statement (runHot), like the engine's per-turn statements: parsed and planned once per connection.
    const claimed = await runHot<Claimed & SendContext>(this.em(), 
      `with claimed as (
         update message set payload = jsonb_set(coalesce(payload, '{}'::jsonb), '{sendClaimedAt}', to_jsonb(now()))
          where id = ? and channel = 'whatsapp' and direction = 'outbound' and delivery_status = 'pending'
            and (payload->>'sendClaimedAt' is null or (payload->>'sendClaimedAt')::timestamptz < now() - interval '${CLAIM_LEASE}')
            -- Replies leave in the order they were written: not while an earlier one of the conversation is unsent
            -- (another instance may be sending it right now).
            and not exists (select 1 from message earlier
                             where earlier.conversation_id = message.conversation_id and earlier.direction = 'outbound'
                               and earlier.channel = 'whatsapp' and earlier.delivery_status = 'pending'
                               and earlier.created_at < message.created_at)
          returning id, tenant_id, conversation_id, text, author, payload)
       select claimed.*, c.external_id, c.feedback_opt_out, conv.status,
              -- The newest inbound message of each of the contact's conversations, read backwards from the
              -- (conversation_id, created_at) index: a max() over the join read every message of them.
              (select max(latest.created_at) from conversation cv cross join lateral (
                  select m.created_at from message m where m.conversation_id = cv.id and m.direction = 'inbound'
                  order by m.created_at desc limit 1) latest
                where cv.contact_id = conv.contact_id) as last_inbound_at,
              (select m.payload->>'to' from message m
                where m.conversation_id = conv.id and m.direction = 'inbound' order by m.created_at desc limit 1) as to_address,
              (select ai.id from agent_interaction ai where ai.reply_message_id = claimed.id and ai.conversation_id = conv.id limit 1) as interaction_id
         from claimed left join conversation conv on conv.id = claimed.conversation_id left join contact c on c.id = conv.contact_id`,
      [messageId],
    );
    const message = claimed[0];
    if (!message) return (await this.waitingBehindEarlierReply(messageId, attempt)) ? this.deliver(messageId, attempt + 1) : null;
    try {
      const outcome = await this.send(message, message);
      this.onOutcome(outcome.status);
      return outcome;
    } catch (error) {
      // Our own bug or the database: still record it, so the message is not silently pending forever.
      this.logger.error({ err: error, messageId }, 'WhatsApp send crashed');
      const outcome: SendOutcome = { status: 'failed', reason: `internal error: ${error instanceof Error ? error.message : String(error)}` };
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
    const [row] = await this.em()
      .getConnection()
      .execute<{ blocked: boolean }[]>(
        `select delivery_status = 'pending' and payload->>'sendClaimedAt' is null as blocked from message where id = ?`,
        [messageId],
      );
    if (!row?.blocked) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt)));
    return true;
  }

  private async send(message: Claimed, context: SendContext): Promise<SendOutcome> {
    if (context.external_id === null) return this.finish(message, { status: 'not_sent', reason: 'the conversation or its contact no longer exists' }, [], null);
    const tenant = await this.directory.byTenantId(message.tenant_id);
    if (!tenant) return this.finish(message, { status: 'not_sent', reason: 'the tenant has no WhatsApp binding (settings.channels.whatsapp)' }, [], null);
    const credentials = await this.directory.credentialsFor(tenant);
    if (!credentials) return this.finish(message, { status: 'not_sent', reason: 'no Twilio credentials: set the tenant secret twilioAuthToken and an account SID, or TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN' }, [], null);
    if (!withinSessionWindow(context.last_inbound_at ? new Date(context.last_inbound_at) : null, this.now(), this.options.sessionWindowHours)) {
      return this.finish(message, { status: 'not_sent', reason: `outside the ${this.options.sessionWindowHours}-hour WhatsApp session window: the customer has not written since ${context.last_inbound_at ? new Date(context.last_inbound_at).toISOString() : 'ever'}; only an approved template may be sent` }, [], null);
    }
    const client = this.clients.get(credentials.accountSid, credentials.authToken);
    const wantsButtons =
      message.author === 'bot' && context.interaction_id !== null && context.status === 'bot' && !context.feedback_opt_out &&
      shouldPromptFeedback(tenant.feedbackPromptFrequency, tenant.feedbackPromptEvery, context.interaction_id);
    const contentSid = wantsButtons ? await this.templates.contentSid(tenant, credentials.accountSid, client) : null;
    const prompt = wantsButtons ? (contentSid ? 'template' : 'text') : 'none';
    const limit = prompt === 'none' ? PLAIN_BODY_LIMIT : BODY_LIMIT_WITH_BUTTONS;
    const parts = splitReply(message.text, prompt === 'text' ? limit - replies.fallbackPrompt.length - 2 : limit);
    const from = context.to_address ?? tenant.numbers[0] ?? null;
    const address: Record<string, string> = tenant.messagingServiceSid ? { messagingServiceSid: tenant.messagingServiceSid } : from ? { from } : {};
    if (!tenant.messagingServiceSid && !from) return this.finish(message, { status: 'not_sent', reason: 'no WhatsApp sender: bind a number or a Messaging Service to the tenant' }, [], null);

    // Parts already accepted by Twilio before a crash are not sent again.
    const sids = Array.isArray(message.payload?.twilioSids) ? [...(message.payload.twilioSids as string[])] : [];
    let lastStatus: DeliveryStatus = 'queued';
    let templateUsed = prompt === 'template';
    for (let index = sids.length; index < parts.length; index += 1) {
      const isLast = index === parts.length - 1;
      let request: Record<string, string> = { to: context.external_id, statusCallback: this.options.statusCallbackUrl, ...address };
      if (isLast && templateUsed) request = { ...request, contentSid: contentSid!, contentVariables: JSON.stringify({ 1: parts[index], 2: context.interaction_id }) };
      else request = { ...request, body: isLast && prompt !== 'none' ? `${parts[index]}\n\n${replies.fallbackPrompt}` : parts[index]! };
      let result = await this.createWithRetries(client, request, message.id);
      if (!result.ok && templateUsed && isLast && result.code === 21655) {
        // The stored template was deleted or belongs elsewhere: fall back to text for this reply, look again next time.
        await this.templates.forget(tenant, credentials.accountSid);
        templateUsed = false;
        const { contentSid: _unused, contentVariables: _unusedVariables, ...rest } = request;
        result = await this.createWithRetries(client, { ...rest, body: `${parts[index]}\n\n${replies.fallbackPrompt}` }, message.id);
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
        const created = await client.messages.create(request as unknown as Parameters<TwilioClient['messages']['create']>[0]);
        return { ok: true, sid: created.sid, status: mapTwilioStatus(String(created.status)) ?? 'queued' };
      } catch (error) {
        const failure = describeFailure(error);
        if (!failure.retryable || attempt >= this.options.retries) return { ok: false, reason: `${failure.reason} (after ${attempt + 1} attempt${attempt ? 's' : ''})`, code: failure.code };
        const delay = this.options.retryBaseMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
        this.logger.warn({ messageId, attempt: attempt + 1, reason: failure.reason, retryInMs: Math.round(delay) }, 'Twilio send failed; retrying');
        await this.recordAttempt(messageId, failure.reason);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async recordAttempt(messageId: string, reason: string): Promise<void> {
    await this.em().getConnection().execute(
      `update message set payload = jsonb_set(payload, '{failedAttempts}', coalesce(payload->'failedAttempts', '[]'::jsonb) || jsonb_build_array(jsonb_build_object('at', now(), 'reason', ?::text))) where id = ?`,
      [reason, messageId],
    );
  }

  private async saveProgress(messageId: string, sids: string[]): Promise<void> {
    await this.em().getConnection().execute(`update message set payload = jsonb_set(payload, '{twilioSids}', ?::jsonb) where id = ?`, [JSON.stringify(sids), messageId]);
  }

  private async finish(message: Claimed, outcome: SendOutcome, sids: string[], prompt: string | null): Promise<SendOutcome> {
    const extra: Record<string, unknown> = { twilioSids: sids };
    if (prompt) extra.feedbackPrompt = prompt;
    // channel_message_id holds the last part's SID: the one with the buttons, which a tap refers to.
    await runHot(this.em(), 
      `update message set delivery_status = ?, delivery_error = ?, channel_message_id = coalesce(?, channel_message_id),
              payload = (coalesce(payload, '{}'::jsonb) - 'sendClaimedAt') || ?::jsonb
        where id = ?`,
      [outcome.status, outcome.reason, sids.length ? sids[sids.length - 1] : null, JSON.stringify(extra), message.id],
    );
    if (outcome.status === 'not_sent') this.logger.warn({ messageId: message.id, reason: outcome.reason }, 'WhatsApp reply not sent');
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
    return { retryable: status === 408 || status === 429 || status >= 500, reason: `HTTP ${status}${code ? ` (Twilio error ${code})` : ''}: ${message}`, code };
  }
  const networkCode = typeof details.code === 'string' ? details.code : '';
  const timeout = networkCode === 'ECONNABORTED' || networkCode === 'ETIMEDOUT' || /timeout/i.test(message);
  return { retryable: true, reason: timeout ? `timed out: ${message}` : `network error${networkCode ? ` ${networkCode}` : ''}: ${message}`, code: null };
}
