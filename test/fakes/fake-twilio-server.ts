import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

/**
 * A fake Twilio REST API on 127.0.0.1 speaking the real wire format, for the
 * official `twilio` client (pointed here by TWILIO_API_URL): the Messages API
 * (form bodies, Basic auth, 201 + message JSON, Twilio's error JSON) and the
 * Content API (JSON create and paged list). It records every send, can fail on
 * demand (429 with Retry-After, 500, a hang past the client's timeout) and can
 * post signed status callbacks back to the StatusCallback a send named.
 */
export interface RecordedSend {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string | null;
  contentSid: string | null;
  contentVariables: Record<string, string> | null;
  statusCallback: string | null;
  /** The text a customer would see (the body, or the template's body with its variables filled in). */
  renderedText: string;
  /** Quick-reply button ids the customer would see (template sends), variables filled in. */
  buttonIds: string[];
  receivedAt: number;
}

export interface RecordedTemplate {
  sid: string;
  accountSid: string;
  friendlyName: string;
  language: string;
  variables: Record<string, string>;
  types: Record<string, unknown>;
}

export type InjectedFailure =
  | { status: 429 | 500 | 503 | 400; retryAfterSeconds?: number; code?: number }
  | { hang: true }
  /** The message is accepted and recorded (a customer gets it), but the answer never comes: the caller times out. */
  | { acceptThenHang: true };
type Area = 'messages' | 'content';

export interface FakeTwilioServer {
  url: string;
  sends: RecordedSend[];
  templates: RecordedTemplate[];
  /** Requests seen per area, failed ones included. */
  requestCount: Record<Area, number>;
  /** The next `times` requests to `area` fail as described. */
  failNext(area: Area, failure: InjectedFailure, times?: number): void;
  /** Every request to `area` fails as described while `active()` is true (an outage; after the queued failNext ones). */
  failWhile(area: Area, failure: InjectedFailure, active: () => boolean): void;
  /** Messages list requests seen (GET …/Messages.json). */
  listCount(): number;
  /** Content API answers 404 (an account or region without it) until turned back on. */
  setContentApiAvailable(available: boolean): void;
  /** Resolves when `count` sends have been recorded in total. */
  waitForSends(count: number, timeoutMs?: number): Promise<RecordedSend[]>;
  /** POST a Twilio-signed status callback for a recorded send to its StatusCallback URL; returns the HTTP status. */
  postStatusCallback(sid: string, status: string, extra?: Record<string, string>): Promise<number>;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeTwilioOptions {
  /** Account SID → auth token; requests with other credentials get 401 like Twilio's. */
  accounts: Record<string, string>;
  /** Called on every accepted send, as it is accepted (benchmarks time turns with it). */
  onSend?: (send: RecordedSend) => void;
  /** Keep sends in `sends` (default true); a long benchmark turns it off to keep memory flat. */
  recordSends?: boolean;
}

export async function startFakeTwilioServer(options: FakeTwilioOptions): Promise<FakeTwilioServer> {
  const sends: RecordedSend[] = [];
  const templates: RecordedTemplate[] = [];
  const failures: Record<Area, InjectedFailure[]> = { messages: [], content: [] };
  const requestCount: Record<Area, number> = { messages: 0, content: 0 };
  const waiters: { count: number; resolve: () => void }[] = [];
  let contentAvailable = true;
  const outages: { area: Area; failure: InjectedFailure; active: () => boolean }[] = [];
  let lists = 0;
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      try {
        handle(request, response, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        sendJson(response, 500, { code: 20500, message: String(error), status: 500 });
      }
    });
  });

  function handle(request: http.IncomingMessage, response: http.ServerResponse, body: string): void {
    const url = new URL(request.url ?? '/', 'http://fake');
    const messages = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\/([^/]+))?\.json$/.exec(url.pathname);
    const content = /^\/v1\/Content(?:\/([^/]+))?$/.exec(url.pathname);
    const area: Area | null = messages ? 'messages' : content ? 'content' : null;
    if (!area)
      return sendJson(response, 404, {
        code: 20404,
        message: `The requested resource ${url.pathname} was not found`,
        status: 404,
      });
    requestCount[area] += 1;
    const accountSid = authenticate(request);
    if (!accountSid) return sendJson(response, 401, { code: 20003, message: 'Authenticate', status: 401 });
    const failure =
      failures[area].shift() ?? outages.find((outage) => outage.area === area && outage.active())?.failure;
    if (failure && 'acceptThenHang' in failure && messages && request.method === 'POST' && !messages[2]) {
      // Twilio took it (the customer gets it) but the answer is lost: the client times out.
      const hung = { ...response, writeHead: () => response, end: () => response } as unknown as http.ServerResponse;
      createMessage(hung, accountSid, new URLSearchParams(body));
      hanging.add(response);
      response.on('close', () => hanging.delete(response));
      return;
    }
    if (failure && !('acceptThenHang' in failure)) {
      if ('hang' in failure) {
        hanging.add(response);
        response.on('close', () => hanging.delete(response));
        return;
      }
      if (failure.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(failure.retryAfterSeconds));
      return sendJson(response, failure.status, {
        code: failure.code ?? (failure.status === 429 ? 20429 : 20500),
        message: `Injected failure ${failure.status}`,
        more_info: 'https://www.twilio.com/docs/errors',
        status: failure.status,
      });
    }
    if (messages) {
      if (messages[1] !== accountSid)
        return sendJson(response, 403, { code: 20403, message: 'Forbidden', status: 403 });
      if (request.method === 'POST' && !messages[2])
        return createMessage(response, accountSid, new URLSearchParams(body));
      if (request.method === 'GET' && !messages[2]) return listMessages(response, accountSid, url.searchParams);
      if (request.method === 'GET' && messages[2]) {
        const found = sends.find((send) => send.sid === messages[2]);
        return found
          ? sendJson(response, 200, messageJson(found, 'sent'))
          : sendJson(response, 404, { code: 20404, message: 'Not found', status: 404 });
      }
      return sendJson(response, 405, { code: 20004, message: 'Method not allowed', status: 405 });
    }
    if (!contentAvailable)
      return sendJson(response, 404, {
        code: 20404,
        message: 'Content API is not available on this account',
        status: 404,
      });
    if (request.method === 'POST' && !content![1])
      return createTemplate(response, accountSid, JSON.parse(body || '{}'));
    if (request.method === 'GET' && !content![1]) {
      const mine = templates.filter((template) => template.accountSid === accountSid).map(templateJson);
      return sendJson(response, 200, {
        contents: mine,
        meta: {
          page: 0,
          page_size: 50,
          first_page_url: `${serverUrl()}/v1/Content?PageSize=50&Page=0`,
          previous_page_url: null,
          url: `${serverUrl()}/v1/Content?PageSize=50&Page=0`,
          next_page_url: null,
          key: 'contents',
        },
      });
    }
    return sendJson(response, 405, { code: 20004, message: 'Method not allowed', status: 405 });
  }

  function authenticate(request: http.IncomingMessage): string | null {
    const header = request.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return null;
    const [sid, token] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
    return sid && options.accounts[sid] !== undefined && options.accounts[sid] === token ? sid : null;
  }

  function createMessage(response: http.ServerResponse, accountSid: string, form: URLSearchParams): void {
    const to = form.get('To');
    const from = form.get('From');
    const messagingServiceSid = form.get('MessagingServiceSid');
    const body = form.get('Body');
    const contentSid = form.get('ContentSid');
    if (!to) return sendJson(response, 400, { code: 21604, message: "A 'To' phone number is required.", status: 400 });
    if (!from && !messagingServiceSid)
      return sendJson(response, 400, { code: 21603, message: "A 'From' phone number is required.", status: 400 });
    if (!body && !contentSid)
      return sendJson(response, 400, { code: 21602, message: 'Message body is required.', status: 400 });
    if (body && body.length > 1600)
      return sendJson(response, 400, {
        code: 21617,
        message: 'The concatenated message body exceeds the 1600 character limit.',
        status: 400,
      });
    const variables = form.get('ContentVariables')
      ? (JSON.parse(form.get('ContentVariables')!) as Record<string, string>)
      : null;
    let renderedText = body ?? '';
    let buttonIds: string[] = [];
    if (contentSid) {
      const template = templates.find(
        (candidate) => candidate.sid === contentSid && candidate.accountSid === accountSid,
      );
      if (!template)
        return sendJson(response, 400, { code: 21655, message: 'The ContentSid is Invalid.', status: 400 });
      const quickReply = template.types['twilio/quick-reply'] as
        { body: string; actions: { id?: string }[] } | undefined;
      const fill = (text: string) =>
        text.replace(/\{\{(\d+)\}\}/g, (_whole, key: string) => variables?.[key] ?? template.variables[key] ?? '');
      renderedText = fill(quickReply?.body ?? '');
      buttonIds = (quickReply?.actions ?? []).map((action) => fill(action.id ?? ''));
      // WhatsApp's limit for a body with buttons.
      if (renderedText.length > 1024)
        return sendJson(response, 400, {
          code: 63005,
          message: 'Body with quick replies exceeds 1024 characters',
          status: 400,
        });
    }
    const send: RecordedSend = {
      sid: `SM${crypto.randomBytes(16).toString('hex')}`,
      accountSid,
      to,
      from,
      messagingServiceSid,
      body,
      contentSid,
      contentVariables: variables,
      statusCallback: form.get('StatusCallback'),
      renderedText,
      buttonIds,
      receivedAt: Date.now(),
    };
    if (options.recordSends ?? true) sends.push(send);
    options.onSend?.(send);
    for (const waiter of [...waiters]) {
      if (sends.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    sendJson(response, 201, messageJson(send, 'queued'));
  }

  /** Twilio's Messages list: newest first, filtered by To / From, paged with PageSize (one page here). */
  function listMessages(response: http.ServerResponse, accountSid: string, query: URLSearchParams): void {
    lists += 1;
    const pageSize = Math.min(1000, Math.max(1, Number(query.get('PageSize') ?? 50)));
    const to = query.get('To');
    const from = query.get('From');
    const found = sends
      .filter((send) => send.accountSid === accountSid && (!to || send.to === to) && (!from || send.from === from))
      .slice()
      .reverse()
      .slice(0, pageSize);
    const uri = `/2010-04-01/Accounts/${accountSid}/Messages.json?PageSize=${pageSize}&Page=0`;
    sendJson(response, 200, {
      messages: found.map((send) => messageJson(send, 'sent')),
      end: Math.max(0, found.length - 1),
      first_page_uri: uri,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri,
    });
  }

  function createTemplate(response: http.ServerResponse, accountSid: string, input: Record<string, unknown>): void {
    const types = input.types as Record<string, unknown> | undefined;
    if (!input.friendly_name || !types || !Object.keys(types).length) {
      return sendJson(response, 400, { code: 20001, message: 'friendly_name and types are required', status: 400 });
    }
    const template: RecordedTemplate = {
      sid: `HX${crypto.randomBytes(16).toString('hex')}`,
      accountSid,
      friendlyName: String(input.friendly_name),
      language: String(input.language ?? 'en'),
      variables: (input.variables as Record<string, string>) ?? {},
      types,
    };
    templates.push(template);
    sendJson(response, 201, templateJson(template));
  }

  function templateJson(template: RecordedTemplate): Record<string, unknown> {
    const now = new Date().toISOString();
    return {
      sid: template.sid,
      account_sid: template.accountSid,
      friendly_name: template.friendlyName,
      language: template.language,
      variables: template.variables,
      types: template.types,
      date_created: now,
      date_updated: now,
      url: `${serverUrl()}/v1/Content/${template.sid}`,
      links: {},
    };
  }

  function messageJson(send: RecordedSend, status: string): Record<string, unknown> {
    const now = new Date(send.receivedAt).toUTCString();
    return {
      sid: send.sid,
      account_sid: send.accountSid,
      api_version: '2010-04-01',
      body: send.renderedText,
      date_created: now,
      date_updated: now,
      date_sent: null,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: send.from,
      messaging_service_sid: send.messagingServiceSid,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      status,
      to: send.to,
      uri: `/2010-04-01/Accounts/${send.accountSid}/Messages/${send.sid}.json`,
      subresource_uris: { media: `/2010-04-01/Accounts/${send.accountSid}/Messages/${send.sid}/Media.json` },
    };
  }

  function sendJson(response: http.ServerResponse, status: number, payload: unknown): void {
    const text = JSON.stringify(payload);
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    response.end(text);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const serverUrl = () => `http://127.0.0.1:${port}`;

  return {
    url: serverUrl(),
    sends,
    templates,
    requestCount,
    failNext(area, failure, times = 1) {
      for (let index = 0; index < times; index += 1) failures[area].push(failure);
    },
    failWhile(area, failure, active) {
      outages.push({ area, failure, active });
    },
    listCount: () => lists,
    setContentApiAvailable(available) {
      contentAvailable = available;
    },
    waitForSends(count, timeoutMs = 10_000) {
      if (sends.length >= count) return Promise.resolve(sends.slice());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`fake Twilio: expected ${count} sends, saw ${sends.length}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(sends.slice());
          },
        });
      });
    },
    async postStatusCallback(sid, status, extra = {}) {
      const send = sends.find((candidate) => candidate.sid === sid);
      if (!send?.statusCallback) throw new Error(`fake Twilio: send ${sid} has no StatusCallback`);
      const params: Record<string, string> = {
        MessageSid: sid,
        SmsSid: sid,
        AccountSid: send.accountSid,
        MessageStatus: status,
        SmsStatus: status,
        To: send.to,
        From: send.from ?? '',
        ApiVersion: '2010-04-01',
        ...extra,
      };
      const signature = twilio.getExpectedTwilioSignature(
        options.accounts[send.accountSid]!,
        send.statusCallback,
        params,
      );
      const result = await fetch(send.statusCallback, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
        body: new URLSearchParams(params).toString(),
      });
      await result.text();
      return result.status;
    },
    reset() {
      sends.length = 0;
      templates.length = 0;
      failures.messages.length = 0;
      failures.content.length = 0;
      outages.length = 0;
      lists = 0;
      requestCount.messages = 0;
      requestCount.content = 0;
      contentAvailable = true;
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
