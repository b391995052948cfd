import crypto from 'node:crypto';
import type { DeliveryStatus, FeedbackPromptFrequency, MessageKind } from '../../src/db/entities';
import { cleanText, textProblem, truncateText } from '../../src/text-safety';

/**
 * Pure mappers between Twilio's WhatsApp payloads and parley's types: no I/O,
 * so unit tests feed them captured payloads. Field names are Twilio's
 * (https://www.twilio.com/docs/messaging/guides/webhook-request).
 */

export type Vote = 'up' | 'down';

/** A customer message as the channel understands it, before it is stored. */
export interface WhatsAppInbound {
  messageSid: string;
  accountSid: string;
  /** The customer: `whatsapp:+15551234567` or a business-scoped id. Used verbatim, never parsed. */
  from: string;
  /** The business number the customer wrote to (the sender replies come from). */
  to: string;
  messagingServiceSid: string | null;
  profileName: string | null;
  kind: MessageKind;
  /** The text to store: the body, the button's text, or a short description of a non-text message. */
  text: string;
  /** A 👍/👎 button tap, when this message is one. */
  button: { vote: Vote; interactionId: string | null; repliedToSid: string | null } | null;
  /** Raw fields worth keeping with the stored message. */
  payload: Record<string, unknown>;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Form fields as Express's urlencoded parser gives them (a repeated key would be an array). */
export type FormFields = Record<string, unknown>;

function field(fields: FormFields, name: string): string | null {
  const value = fields[name];
  if (typeof value === 'string') return value;
  return null;
}

/**
 * Bounds on what a webhook may carry, decided per field (README "WhatsApp
 * webhook input"). Identifiers Twilio generates (SIDs, the numbers) are never
 * long and never hold control characters: anything else is not Twilio, so it
 * gets a 400 naming the field and nothing is stored. Text a customer controls
 * (Body, ProfileName, button and location text) is cleaned instead: NUL
 * removed, lone surrogates replaced, cut to the column or to a bound, so a real
 * customer's message is never lost over a stray byte.
 */
export const WEBHOOK_LIMITS = {
  /** Twilio SIDs are two letters and 32 hex digits; leave room for test and future formats. */
  sid: 64,
  /** From/To: `whatsapp:+<E.164>` or a business-scoped id; the contact column is varchar(255). */
  address: 255,
  /** display_name is varchar(255). */
  profileName: 255,
  /** Twilio sends at most 10 media items per message (WhatsApp: 1). */
  numMedia: 10,
  /** Other optional text fields kept in the payload (button text, location label, media URL). */
  text: 2048,
  /** The body: WhatsApp allows 4,096 characters; the form parser caps the request at 100 kB anyway. */
  body: 8192,
} as const;

const SID = /^[A-Za-z0-9]+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const CONTROL = /[\u0000-\u001f\u007f]/;

function sidProblem(name: string, value: string): string | null {
  if (value.length > WEBHOOK_LIMITS.sid)
    return `${name} is longer than ${WEBHOOK_LIMITS.sid} characters: not a Twilio SID`;
  if (!SID.test(value)) return `${name} must be letters and digits only (a Twilio SID such as SM0123…)`;
  return null;
}

function addressProblem(name: string, value: string): string | null {
  if (value.length > WEBHOOK_LIMITS.address)
    return `${name} is longer than ${WEBHOOK_LIMITS.address} characters: not a WhatsApp address`;
  if (CONTROL.test(value) || textProblem(value))
    return `${name} contains control characters or invalid Unicode: not a WhatsApp address`;
  return null;
}

/** Customer-controlled text: cleaned and bounded, never refused. */
function optionalText(fields: FormFields, name: string, max: number = WEBHOOK_LIMITS.text): string | null {
  const value = field(fields, name);
  return value === null ? null : truncateText(cleanText(value), max);
}

/** Validates and maps an inbound-message webhook. The reason names what is wrong, for the 400 answer. */
export function parseInboundWebhook(fields: FormFields): ParseResult<WhatsAppInbound> {
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== 'string') return { ok: false, reason: `Field ${name} must appear once` };
  }
  const messageSid = field(fields, 'MessageSid') ?? field(fields, 'SmsMessageSid');
  const from = field(fields, 'From');
  const to = field(fields, 'To');
  const accountSid = field(fields, 'AccountSid');
  if (!messageSid) return { ok: false, reason: 'MessageSid is missing: this is not a Twilio message webhook' };
  if (!accountSid) return { ok: false, reason: 'AccountSid is missing' };
  if (!from?.trim()) return { ok: false, reason: 'From is missing' };
  if (!to?.trim()) return { ok: false, reason: 'To is missing' };
  const invalid =
    sidProblem('MessageSid', messageSid) ??
    sidProblem('AccountSid', accountSid) ??
    addressProblem('From', from) ??
    addressProblem('To', to) ??
    (field(fields, 'MessagingServiceSid')
      ? sidProblem('MessagingServiceSid', field(fields, 'MessagingServiceSid')!)
      : null) ??
    (field(fields, 'OriginalRepliedMessageSid')
      ? sidProblem('OriginalRepliedMessageSid', field(fields, 'OriginalRepliedMessageSid')!)
      : null);
  if (invalid) return { ok: false, reason: invalid };
  // Bounded before anything loops on it: NumMedia=10000000 must not allocate ten million entries.
  const numMediaText = (field(fields, 'NumMedia') ?? '0').trim() || '0';
  if (!/^\d{1,3}$/.test(numMediaText) || Number(numMediaText) > WEBHOOK_LIMITS.numMedia) {
    return { ok: false, reason: `NumMedia must be a whole number from 0 to ${WEBHOOK_LIMITS.numMedia}` };
  }
  const numMedia = Number(numMediaText);

  const body = optionalText(fields, 'Body', WEBHOOK_LIMITS.body) ?? '';
  const buttonPayload = optionalText(fields, 'ButtonPayload');
  const buttonText = optionalText(fields, 'ButtonText');
  const repliedToSid = field(fields, 'OriginalRepliedMessageSid');
  const latitude = optionalText(fields, 'Latitude', 64);
  const messageType = (optionalText(fields, 'MessageType', 64) ?? '').toLowerCase();
  const payload: Record<string, unknown> = { accountSid, to };
  const messagingServiceSid = field(fields, 'MessagingServiceSid');
  if (messagingServiceSid) payload.messagingServiceSid = messagingServiceSid;

  let kind: MessageKind = 'text';
  let text = body;
  let button: WhatsAppInbound['button'] = null;
  if (buttonPayload !== null || buttonText !== null) {
    kind = 'button';
    text = buttonText ?? buttonPayload ?? '';
    const parsed = parseFeedbackButton(buttonPayload, buttonText);
    if (parsed) button = { vote: parsed.vote, interactionId: parsed.interactionId, repliedToSid };
    Object.assign(payload, { buttonPayload, buttonText, repliedToSid });
  } else if (numMedia > 0) {
    kind = 'media';
    const media = Array.from({ length: numMedia }, (_unused, index) => ({
      url: optionalText(fields, `MediaUrl${index}`),
      contentType: optionalText(fields, `MediaContentType${index}`, 255),
    }));
    payload.media = media;
    const types = media.map((item) => item.contentType ?? 'file').join(', ');
    text = body ? `${body} [${types}]` : `[${types}]`;
  } else if (latitude !== null || messageType === 'location') {
    kind = 'location';
    const [label, address, longitude] = [
      optionalText(fields, 'Label'),
      optionalText(fields, 'Address'),
      optionalText(fields, 'Longitude', 64),
    ];
    const place = [label, address].filter(Boolean).join(', ');
    payload.location = { latitude, longitude, address, label };
    text = `[location ${latitude ?? '?'},${longitude ?? '?'}${place ? ` ${place}` : ''}]`;
  } else if (!body.trim()) {
    // Stickers, contacts, reactions, unsupported types: nothing we can read.
    kind = 'other';
    payload.messageType = messageType || 'unknown';
    text = `[${messageType || 'unsupported message'}]`;
  }
  if (repliedToSid && kind !== 'button') payload.repliedToSid = repliedToSid;
  return {
    ok: true,
    value: {
      messageSid,
      accountSid,
      from,
      to,
      messagingServiceSid,
      profileName: optionalText(fields, 'ProfileName', WEBHOOK_LIMITS.profileName),
      kind,
      text,
      button,
      payload,
    },
  };
}

const THUMBS_UP = /^\s*👍[\u{1F3FB}-\u{1F3FF}]?\s*$/u;
const THUMBS_DOWN = /^\s*👎[\u{1F3FB}-\u{1F3FF}]?\s*$/u;

/** `fb:<interactionId>:up|down` (our button ids), or the button's title as a fallback. */
export function parseFeedbackButton(
  payload: string | null,
  text: string | null,
): { vote: Vote; interactionId: string | null } | null {
  const match = payload ? /^fb:([0-9a-f-]{36}):(up|down)$/i.exec(payload.trim()) : null;
  if (match) return { interactionId: match[1]!.toLowerCase(), vote: match[2]!.toLowerCase() as Vote };
  const vote = typedVote(text ?? payload ?? '');
  return vote ? { interactionId: null, vote } : null;
}

/** A message that is nothing but 👍 or 👎 (any skin tone). */
export function typedVote(text: string): Vote | null {
  if (THUMBS_UP.test(text)) return 'up';
  if (THUMBS_DOWN.test(text)) return 'down';
  return null;
}

export function feedbackButtonId(interactionId: string, vote: Vote): string {
  return `fb:${interactionId}:${vote}`;
}

/** "stop feedback" opts out of 👍/👎 prompts; "start feedback" opts back in. */
export function feedbackPreferenceCommand(text: string): 'stop' | 'start' | null {
  const normalised = text
    .trim()
    .toLowerCase()
    .replace(/[.!]+$/, '');
  if (normalised === 'stop feedback') return 'stop';
  if (normalised === 'start feedback') return 'start';
  return null;
}

/**
 * Whether this reply carries 👍/👎. `sometimes` is a deterministic fraction:
 * one reply in `every`, chosen by a hash of the interaction id, so a retry or a
 * recovery of the same reply decides the same way.
 */
export function shouldPromptFeedback(
  frequency: FeedbackPromptFrequency | undefined,
  every: number | undefined,
  interactionId: string,
): boolean {
  const mode = frequency ?? 'always';
  if (mode === 'never') return false;
  if (mode === 'always') return true;
  const divisor = Number.isInteger(every) && every! >= 1 ? every! : 3;
  const hash = crypto.createHash('sha1').update(interactionId).digest();
  return hash.readUInt32BE(0) % divisor === 0;
}

/** WhatsApp's limit for a message body that carries buttons. */
export const BODY_LIMIT_WITH_BUTTONS = 1024;

/**
 * Splits a reply into parts of at most `limit` characters, preferring paragraph,
 * then sentence, then word boundaries, never cutting a surrogate pair.
 */
export function splitReply(text: string, limit: number = BODY_LIMIT_WITH_BUTTONS): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while ([...rest].length > limit) {
    const window = sliceByCodePoints(rest, limit);
    let cut =
      lastBoundary(window, /\n\s*\n/g, limit / 2) ??
      lastBoundary(window, /[.!?…]\s/g, limit / 2) ??
      lastBoundary(window, /\s/g, limit / 2) ??
      window.length;
    if (cut <= 0) cut = window.length;
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest || !parts.length) parts.push(rest);
  return parts;
}

function sliceByCodePoints(text: string, count: number): string {
  return [...text].slice(0, count).join('');
}

/** End index (after the boundary's first character) of the last match past `minimum`, or null. */
function lastBoundary(window: string, pattern: RegExp, minimum: number): number | null {
  let best: number | null = null;
  for (const match of window.matchAll(pattern)) {
    const end = match.index + 1;
    if (end >= minimum) best = end;
  }
  return best;
}

/** WhatsApp lets a business send free-form messages only within this long after the customer's last message. */
export function withinSessionWindow(lastInboundAt: Date | null, now: Date, hours: number): boolean {
  if (!lastInboundAt) return false;
  return now.getTime() - lastInboundAt.getTime() <= hours * 3_600_000;
}

/** The texts parley sends on its own behalf. */
export const replies = {
  onlyText: 'Sorry, I can only read text messages. Could you write your question in words?',
  thanksUp: 'Thanks for your feedback! 🙏',
  thanksDown: 'Thanks for telling us. Sorry that did not help: reply "talk to a human" and a person will take over.',
  feedbackStopped: 'Got it: no more feedback buttons. Write "start feedback" to turn them back on.',
  feedbackStarted: 'Feedback buttons are back on. Thanks!',
  handedOff: 'A person from our team will answer you here shortly.',
  fallbackPrompt: 'Was this helpful? Reply 👍 or 👎',
};

/** The 👍/👎 Content template, one per Twilio account. Variables: 1 = reply body, 2 = interaction id. */
export const FEEDBACK_TEMPLATE_NAME = 'parley_feedback_v1';

export function feedbackTemplateDefinition(): {
  friendlyName: string;
  language: string;
  variables: Record<string, string>;
  types: Record<string, unknown>;
} {
  return {
    friendlyName: FEEDBACK_TEMPLATE_NAME,
    language: 'en',
    variables: { '1': 'Your order has shipped.', '2': '00000000-0000-0000-0000-000000000000' },
    types: {
      'twilio/quick-reply': {
        body: '{{1}}',
        actions: [
          { type: 'QUICK_REPLY', title: '👍', id: 'fb:{{2}}:up' },
          { type: 'QUICK_REPLY', title: '👎', id: 'fb:{{2}}:down' },
        ],
      },
      // Outside WhatsApp (or where buttons are not supported) the text form is used.
      'twilio/text': { body: '{{1}}' },
    },
  };
}

/** Twilio's message statuses that we record, in the order they progress. */
const statusOrder: Partial<Record<DeliveryStatus, number>> = {
  pending: 0,
  queued: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
  undelivered: 5,
};

/** Maps a StatusCallback's MessageStatus to ours; `accepted`/`sending`/`scheduled` count as queued. */
export function mapTwilioStatus(status: string): DeliveryStatus | null {
  const value = status.toLowerCase();
  if (value === 'accepted' || value === 'scheduled' || value === 'sending' || value === 'queued') return 'queued';
  if (value === 'sent' || value === 'delivered' || value === 'read' || value === 'failed' || value === 'undelivered')
    return value;
  return null;
}

/** Callbacks can arrive out of order: never move a message back (delivered after read stays read). */
export function isStatusProgress(current: DeliveryStatus | null, next: DeliveryStatus): boolean {
  if (current === null || current === 'not_sent') return true;
  return (statusOrder[next] ?? 0) > (statusOrder[current] ?? -1);
}

export interface StatusCallback {
  messageSid: string;
  accountSid: string;
  status: DeliveryStatus;
  rawStatus: string;
  errorCode: string | null;
  errorMessage: string | null;
}

export function parseStatusCallback(fields: FormFields): ParseResult<StatusCallback> {
  const messageSid = field(fields, 'MessageSid') ?? field(fields, 'SmsSid');
  const accountSid = field(fields, 'AccountSid');
  const rawStatus = field(fields, 'MessageStatus') ?? field(fields, 'SmsStatus');
  if (!messageSid) return { ok: false, reason: 'MessageSid is missing' };
  if (!accountSid) return { ok: false, reason: 'AccountSid is missing' };
  if (!rawStatus) return { ok: false, reason: 'MessageStatus is missing' };
  const invalid = sidProblem('MessageSid', messageSid) ?? sidProblem('AccountSid', accountSid);
  if (invalid) return { ok: false, reason: invalid };
  const status = mapTwilioStatus(rawStatus);
  if (!status)
    return { ok: false, reason: `Unknown MessageStatus ${JSON.stringify(truncateText(cleanText(rawStatus), 40))}` };
  const errorCode = optionalText(fields, 'ErrorCode', 64);
  return {
    ok: true,
    value: {
      messageSid,
      accountSid,
      status,
      rawStatus,
      errorCode,
      errorMessage: optionalText(fields, 'ErrorMessage', 1024),
    },
  };
}

/** Whether a customer's message says they got done what they came for (tenant keyword list, whole words). */
export function mentionsCompletedAction(text: string, keywords: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return keywords.some((keyword) => {
    const word = keyword.trim().toLowerCase();
    if (!word) return false;
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'u').test(lower);
  });
}

export const DEFAULT_COMPLETED_ACTION_KEYWORDS = [
  'thanks',
  'thank you',
  'that worked',
  'it worked',
  'solved',
  'done',
  'ordered',
  'paid',
  'perfect',
];

/** `whatsapp:+1 555…` and `+1555…` name the same number: compare digits and the channel prefix stripped. */
export function addressKey(address: string): string {
  const withoutPrefix = address.trim().replace(/^whatsapp:/i, '');
  return /^\+?[\d\s().-]+$/.test(withoutPrefix) ? withoutPrefix.replace(/[^\d]/g, '') : withoutPrefix.toLowerCase();
}
