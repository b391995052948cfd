import type { TwilioClient } from './twilio-client';

/**
 * Retry policy and duplicate check of the WhatsApp sender (issue 10 items 3–4).
 *
 * A failed send that may succeed later (408, 429, 5xx, timeouts, network) is
 * retried with capped exponential backoff, never sooner than Twilio's
 * Retry-After, for as long as WhatsApp's 24-hour session window allows a
 * free-form reply; the wait is scheduled in the database, not slept on.
 */
export interface BackoffPolicy {
  /** The first delay; it doubles with each failed attempt (±25 % jitter). */
  baseMs: number;
  /** No delay longer than this (Retry-After aside). */
  maxMs: number;
}

/** Delay before attempt `attempts + 1`: max(Retry-After, min(max, base × 2^attempts) × jitter). */
export function retryDelayMs(
  policy: BackoffPolicy,
  attempts: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempts, 30));
  const jittered = exponential * (0.75 + random() * 0.5);
  return Math.round(Math.max(retryAfterMs ?? 0, jittered));
}

/**
 * Retry-After as Twilio sends it (delta-seconds, or an HTTP date) → milliseconds; null when absent or unreadable.
 * Capped at an hour so a bad header cannot park a reply for days.
 */
export function parseRetryAfter(value: unknown, now: Date): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(3_600_000, Math.round(Number(text) * 1000));
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(3_600_000, Math.max(0, at - now.getTime()));
}

/** Twilio dates have one-second resolution and hosts' clocks differ: a found message may look this much older. */
const CLOCK_TOLERANCE_MS = 60_000;

/**
 * Looks through the customer's most recent messages (Twilio's Messages list, newest first) for a part that a
 * crashed or timed-out attempt may have sent: same recipient, created since the attempt, same text (the body,
 * or for a Content template send the part's text inside the rendered body). `isOurs` excludes SIDs recorded
 * on another reply. Returns its SID, or null when it was never sent. Throws when Twilio cannot be asked.
 */
export async function findEarlierSend(
  client: TwilioClient,
  search: {
    to: string;
    since: Date;
    body: string | null;
    partText: string;
    exclude: (sid: string) => Promise<boolean>;
  },
): Promise<string | null> {
  const recent = await client.messages.list({ to: search.to, pageSize: 20, limit: 20 });
  for (const candidate of recent) {
    const created = candidate.dateCreated instanceof Date ? candidate.dateCreated.getTime() : NaN;
    if (!Number.isNaN(created) && created < search.since.getTime() - CLOCK_TOLERANCE_MS) continue;
    const body = candidate.body ?? '';
    const same = search.body !== null ? body === search.body : body.includes(search.partText);
    if (same && !(await search.exclude(candidate.sid))) return candidate.sid;
  }
  return null;
}
