import crypto from 'node:crypto';

/**
 * Requests shaped and signed the way Slack sends them: v0 signature over
 * `v0:<timestamp>:<raw body>` with the app's signing secret, sent as
 * `X-Slack-Signature` with `X-Slack-Request-Timestamp`.
 */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${crypto.createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SlackPostOptions {
  /** Unix seconds; default now. Older than 5 minutes is stale. */
  timestamp?: number;
  /** Replace the signature (forgery tests). */
  signature?: string;
  retryNum?: number;
}

export interface SlackPostResult {
  status: number;
  text: string;
  json: unknown;
}

async function post(
  url: string,
  signingSecret: string,
  body: string,
  contentType: string,
  options: SlackPostOptions,
): Promise<SlackPostResult> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': options.signature ?? slackSignature(signingSecret, timestamp, body),
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: response.status, text, json };
}

/** Interactivity (block_actions, message_action, view_submission): form body with one `payload` field holding JSON. */
export function postInteraction(
  url: string,
  signingSecret: string,
  payload: Record<string, unknown>,
  options: SlackPostOptions = {},
): Promise<SlackPostResult> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return post(url, signingSecret, body, 'application/x-www-form-urlencoded', options);
}

/** Events API: a JSON `event_callback` envelope. */
export function postEvent(
  url: string,
  signingSecret: string,
  event: Record<string, unknown>,
  options: SlackPostOptions & { teamId?: string } = {},
): Promise<SlackPostResult> {
  const envelope = {
    token: 'legacy-verification-token',
    team_id: options.teamId ?? 'TPARLEY01',
    api_app_id: 'APARLEY01',
    event,
    type: 'event_callback',
    event_id: `Ev${crypto.randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: options.teamId ?? 'TPARLEY01', user_id: 'UBOTPARLEY', is_bot: true }],
  };
  return post(url, signingSecret, JSON.stringify(envelope), 'application/json', options);
}

/** Slash commands: a plain form body. */
export function postCommand(
  url: string,
  signingSecret: string,
  fields: Record<string, string>,
  options: SlackPostOptions = {},
): Promise<SlackPostResult> {
  const body = new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'TPARLEY01',
    team_domain: 'parley-test',
    command: '/parley',
    response_url: 'https://hooks.slack.invalid/commands/1',
    trigger_id: `trigger.${crypto.randomBytes(4).toString('hex')}`,
    ...fields,
  }).toString();
  return post(url, signingSecret, body, 'application/x-www-form-urlencoded', options);
}

/** A block_actions payload as Slack sends it when `user` presses the button `actionId` on a message. */
export function blockActionPayload(input: {
  actionId: string;
  value: string;
  user: string;
  channel: string;
  messageTs: string;
  threadTs?: string;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: 'TPARLEY01', domain: 'parley-test' },
    user: { id: input.user, username: input.user.toLowerCase(), team_id: 'TPARLEY01' },
    api_app_id: 'APARLEY01',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channel, is_ephemeral: false },
    trigger_id: `trigger.${crypto.randomBytes(4).toString('hex')}`,
    channel: { id: input.channel, name: 'channel' },
    message: {
      type: 'message',
      ts: input.messageTs,
      thread_ts: input.threadTs,
      text: '',
      user: 'UBOTPARLEY',
      bot_id: 'BPARLEY01',
    },
    response_url: 'https://hooks.slack.invalid/actions/1',
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: 'actions',
        value: input.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

/** A view_submission payload for a modal with `callbackId`, `privateMetadata` and input `values`. */
export function viewSubmissionPayload(input: {
  callbackId: string;
  user: string;
  privateMetadata: string;
  values: Record<string, Record<string, unknown>>;
}): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: 'TPARLEY01', domain: 'parley-test' },
    user: { id: input.user, username: input.user.toLowerCase(), team_id: 'TPARLEY01' },
    api_app_id: 'APARLEY01',
    token: 'legacy-verification-token',
    trigger_id: `trigger.${crypto.randomBytes(4).toString('hex')}`,
    view: {
      id: 'VMODAL01',
      team_id: 'TPARLEY01',
      type: 'modal',
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata,
      state: { values: input.values },
      hash: '1700000000.abcdef',
    },
    response_urls: [],
  };
}

/** A message shortcut (message_action) on the message `messageTs` in `channel`. */
export function messageShortcutPayload(input: {
  callbackId: string;
  user: string;
  channel: string;
  messageTs: string;
  text?: string;
}): Record<string, unknown> {
  return {
    type: 'message_action',
    token: 'legacy-verification-token',
    action_ts: `${Date.now() / 1000}`,
    team: { id: 'TPARLEY01', domain: 'parley-test' },
    user: { id: input.user, name: input.user.toLowerCase(), team_id: 'TPARLEY01' },
    channel: { id: input.channel, name: 'channel' },
    callback_id: input.callbackId,
    trigger_id: `trigger.${crypto.randomBytes(4).toString('hex')}`,
    message_ts: input.messageTs,
    message: { type: 'message', ts: input.messageTs, text: input.text ?? '', user: 'UBOTPARLEY', bot_id: 'BPARLEY01' },
    response_url: 'https://hooks.slack.invalid/shortcuts/1',
  };
}

/** Poll until `check` returns a truthy value (effects that happen after Slack got its acknowledgement). */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what = 'condition',
  attempts = 100,
): Promise<NonNullable<T>> {
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Gave up waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}
