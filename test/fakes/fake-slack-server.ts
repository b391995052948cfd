import http from 'node:http';
import type { AddressInfo } from 'node:net';
import querystring from 'node:querystring';

/** One Web API call as the fake received it: method name, token and decoded arguments. */
export interface RecordedSlackCall {
  method: string;
  token: string | null;
  /** Arguments, from a JSON or form body; JSON-valued form fields (blocks, view) are decoded. */
  args: Record<string, unknown>;
}

/** A message the fake holds, as Slack would after chat.postMessage / chat.update. */
export interface FakeSlackMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string;
  blocks: unknown[];
}

/** What the next call(s) of a method should get instead of a normal answer. */
export type SlackFault =
  { kind: 'error'; error: string } | { kind: 'status'; status: number; retryAfterSeconds?: number } | { kind: 'hang' };

export interface FakeSlackServer {
  /** Base URL ending in `/api/`, as the Web API client's `slackApiUrl` expects. */
  apiUrl: string;
  calls: RecordedSlackCall[];
  messages: Map<string, FakeSlackMessage>;
  callsOf(method: string): RecordedSlackCall[];
  /** Make the next `times` calls of `method` fail with `fault`. */
  inject(method: string, fault: SlackFault, times?: number): void;
  /** Users known to users.info: id → real name. */
  users: Map<string, string>;
  reset(): void;
  close(): Promise<void>;
}

const BOT_USER = 'UBOTPARLEY';
const TEAM = 'TPARLEY01';

/**
 * A Slack Web API on 127.0.0.1 that speaks Slack's wire format: POST
 * `/api/<method>` with a form-encoded or JSON body and a bearer token, answered
 * with `{ ok: true, ... }` or `{ ok: false, error }` (HTTP 200, as Slack does),
 * 429 with Retry-After for rate limits. It records every call and keeps the
 * messages it was asked to post so tests can read what a channel shows.
 */
export async function startFakeSlackServer(): Promise<FakeSlackServer> {
  const calls: RecordedSlackCall[] = [];
  const messages = new Map<string, FakeSlackMessage>();
  const faults = new Map<string, { fault: SlackFault; remaining: number }>();
  const users = new Map<string, string>();
  const clock = 1_700_000_000;
  let sequence = 0;
  const hanging = new Set<http.ServerResponse>();

  const nextTs = () => `${clock + ++sequence}.${String(sequence).padStart(6, '0')}`;

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const raw = Buffer.concat(chunks).toString('utf8');
      const args = decodeBody(raw, String(request.headers['content-type'] ?? ''));
      const authorization = String(request.headers.authorization ?? '');
      const token = authorization.startsWith('Bearer ')
        ? authorization.slice(7)
        : typeof args.token === 'string'
          ? args.token
          : null;
      calls.push({ method, token, args });

      const pending = faults.get(method);
      if (pending && pending.remaining > 0) {
        pending.remaining -= 1;
        const fault = pending.fault;
        if (fault.kind === 'hang') {
          hanging.add(response);
          return;
        }
        if (fault.kind === 'status') {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
          response
            .writeHead(fault.status, headers)
            .end(JSON.stringify({ ok: false, error: fault.status === 429 ? 'ratelimited' : 'internal_error' }));
          return;
        }
        return send(response, { ok: false, error: fault.error });
      }
      if (!token) return send(response, { ok: false, error: 'not_authed' });
      send(response, answer(method, args));
    });
  });

  function answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://parley-test.slack.com/',
          team: 'parley test',
          user: 'parley',
          team_id: TEAM,
          user_id: BOT_USER,
          bot_id: 'BPARLEY01',
        };
      case 'chat.postMessage': {
        const channel = String(args.channel ?? '');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
        const ts = nextTs();
        const message: FakeSlackMessage = {
          channel,
          ts,
          threadTs: typeof args.thread_ts === 'string' ? args.thread_ts : null,
          text: String(args.text ?? ''),
          blocks: Array.isArray(args.blocks) ? args.blocks : [],
        };
        messages.set(`${channel}:${ts}`, message);
        return {
          ok: true,
          channel,
          ts,
          message: {
            type: 'message',
            text: message.text,
            blocks: message.blocks,
            ts,
            user: BOT_USER,
            bot_id: 'BPARLEY01',
          },
        };
      }
      case 'chat.update': {
        const key = `${String(args.channel)}:${String(args.ts)}`;
        const existing = messages.get(key);
        if (!existing) return { ok: false, error: 'message_not_found' };
        if (args.text !== undefined) existing.text = String(args.text);
        if (Array.isArray(args.blocks)) existing.blocks = args.blocks;
        return {
          ok: true,
          channel: existing.channel,
          ts: existing.ts,
          text: existing.text,
          message: { text: existing.text, blocks: existing.blocks },
        };
      }
      case 'chat.postEphemeral':
        if (!args.channel || !args.user) return { ok: false, error: 'invalid_arguments' };
        return { ok: true, message_ts: nextTs() };
      case 'chat.getPermalink':
        return {
          ok: true,
          channel: args.channel,
          permalink: `https://parley-test.slack.com/archives/${String(args.channel)}/p${String(args.message_ts).replace('.', '')}`,
        };
      case 'views.open':
      case 'views.push':
        if (!args.trigger_id) return { ok: false, error: 'invalid_trigger_id' };
        return { ok: true, view: { id: `V${++sequence}`, ...(args.view as object) } };
      case 'views.update':
        return { ok: true, view: { id: args.view_id ?? `V${++sequence}`, ...(args.view as object) } };
      case 'users.info': {
        const id = String(args.user ?? '');
        const name = users.get(id) ?? `User ${id}`;
        return {
          ok: true,
          user: {
            id,
            team_id: TEAM,
            name: name.toLowerCase().replace(/\s+/g, '.'),
            real_name: name,
            profile: { real_name: name, display_name: name },
          },
        };
      }
      case 'conversations.info':
        return {
          ok: true,
          channel: { id: args.channel, name: `channel-${String(args.channel).toLowerCase()}`, is_member: true },
        };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls,
    messages,
    users,
    callsOf: (method) => calls.filter((call) => call.method === method),
    inject(method, fault, times = 1) {
      faults.set(method, { fault, remaining: times });
    },
    reset() {
      calls.length = 0;
      messages.clear();
      faults.clear();
    },
    close() {
      for (const response of hanging) response.destroy();
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

function send(response: http.ServerResponse, body: Record<string, unknown>): void {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/** Slack's Web API takes form bodies (with JSON-encoded blocks/views) or JSON bodies. */
function decodeBody(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const form = querystring.parse(raw);
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(form)) {
    const text = Array.isArray(value) ? value[0] : value;
    if (typeof text === 'string' && /^[[{]/.test(text)) {
      try {
        args[key] = JSON.parse(text);
        continue;
      } catch {
        // Not JSON after all: keep the text as Slack would.
      }
    }
    args[key] = text;
  }
  return args;
}
