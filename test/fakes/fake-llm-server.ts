import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson as send } from './json-response';

/**
 * What the next request(s) get instead of a normal answer.
 * - `status`: that HTTP status with the vendor's JSON error body; `retryAfterSeconds` adds a Retry-After header
 *   (and, on the Gemini fake, a RetryInfo detail in the body, as Gemini sends it).
 * - `malformed`: HTTP 200 with a JSON content type and a body that is not JSON.
 * - `hang`: never answers (until the client gives up or the fake closes): a timeout.
 * - `disconnect`: the socket is destroyed without an answer: a network error.
 */
export type LlmFault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number; message?: string }
  | { kind: 'malformed' }
  | { kind: 'hang' }
  | { kind: 'disconnect' };

/** One request as the fake received it. */
export interface RecordedLlmRequest {
  method: string;
  path: string;
  model: string;
  /** The API key the SDK sent (Authorization bearer or x-goog-api-key). */
  apiKey: string | null;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** What the fake did: 'ok' or the fault kind (with its status). */
  outcome: string;
}

/** Token counts the fake reports in its usage block. */
export interface FakeUsage {
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
}

/** The reply the fake gives to a request: a text, or a text with exact usage numbers. */
export type ReplyScript = (request: RecordedLlmRequest) => string | { text: string; usage?: FakeUsage };

export interface FakeLlmControls {
  /** Every request, in arrival order (failed ones included). */
  requests: RecordedLlmRequest[];
  /** The next `times` requests (default 1) get `fault`; faults queue in order. */
  failNext(fault: LlmFault, times?: number): void;
  /** Every request gets `fault` until `reset()` (a provider that is down). */
  failAlways(fault: LlmFault): void;
  /** How the fake answers from now on (default: an echo naming the model). */
  setReply(script: ReplyScript): void;
  /** Successful answers are sent this many milliseconds after the request (default 0): a slow but healthy model. */
  setLatency(milliseconds: number): void;
  /** Only these keys are accepted (others get 401); empty (default) accepts any key. */
  acceptKeys(...keys: string[]): void;
  /** Forget requests, faults, scripts and keys. */
  reset(): void;
  close(): Promise<void>;
}

export interface LlmRoute {
  /** The model named by the path, or null when this path is not an endpoint (404). */
  match(method: string, path: string, body: Record<string, unknown>): string | null;
  apiKey(request: http.IncomingMessage, url: URL): string | null;
  success(
    request: RecordedLlmRequest,
    reply: { text: string; usage: Required<FakeUsage> },
  ): { headers?: Record<string, string>; body: unknown };
  error(status: number, message: string, retryAfterSeconds?: number): unknown;
  /** The default reply's prompt text, to count tokens from. */
  promptText(body: Record<string, unknown>): string;
  /** The vendor's model list (GET), answered after the key check; null for other paths. */
  modelList?(method: string, path: string): unknown | null;
}

/** Rough and deterministic: one token per 4 characters, as the vendors' rule of thumb. */
export function fakeTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export async function startFakeLlmServer(route: LlmRoute): Promise<FakeLlmControls & { url: string }> {
  const requests: RecordedLlmRequest[] = [];
  const queued: LlmFault[] = [];
  let always: LlmFault | null = null;
  let script: ReplyScript | null = null;
  let keys = new Set<string>();
  let latencyMs = 0;
  const delayed = new Set<NodeJS.Timeout>();
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      let body: Record<string, unknown>;
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        return send(response, 400, route.error(400, 'The request body is not valid JSON.'));
      }
      const list = route.modelList?.(request.method ?? 'GET', url.pathname) ?? null;
      if (list !== null) {
        const key = route.apiKey(request, url);
        requests.push({
          method: request.method ?? 'GET',
          path: url.pathname,
          model: '',
          apiKey: key,
          headers: request.headers,
          body,
          outcome: 'ok',
        });
        if (keys.size > 0 && (!key || !keys.has(key)))
          return send(response, 401, route.error(401, 'Incorrect API key provided.'));
        return send(response, 200, list);
      }
      const model = route.match(request.method ?? 'GET', url.pathname, body);
      const recorded: RecordedLlmRequest = {
        method: request.method ?? 'GET',
        path: url.pathname,
        model: model ?? '',
        apiKey: route.apiKey(request, url),
        headers: request.headers,
        body,
        outcome: 'ok',
      };
      requests.push(recorded);
      if (model === null) {
        recorded.outcome = 'not_found';
        return send(response, 404, route.error(404, `No route for ${request.method} ${url.pathname}.`));
      }
      if (keys.size > 0 && (!recorded.apiKey || !keys.has(recorded.apiKey))) {
        recorded.outcome = 'status 401';
        return send(response, 401, route.error(401, 'Incorrect API key provided.'));
      }
      const fault = queued.shift() ?? always;
      if (fault) {
        recorded.outcome = fault.kind === 'status' ? `status ${fault.status}` : fault.kind;
        if (fault.kind === 'hang') {
          hanging.add(response);
          response.on('close', () => hanging.delete(response));
          return;
        }
        if (fault.kind === 'disconnect') return request.socket.destroy();
        if (fault.kind === 'malformed') {
          response.writeHead(200, { 'content-type': 'application/json' });
          return response.end('{"choices": [ {"message": this is not json');
        }
        const headers: Record<string, string> =
          fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
        return send(
          response,
          fault.status,
          route.error(fault.status, fault.message ?? `Injected HTTP ${fault.status}.`, fault.retryAfterSeconds),
          headers,
        );
      }
      const scripted = script ? script(recorded) : `Fake reply from ${model}.`;
      const text = typeof scripted === 'string' ? scripted : scripted.text;
      const usage = typeof scripted === 'string' ? {} : (scripted.usage ?? {});
      const answer = route.success(recorded, {
        text,
        usage: {
          promptTokens: usage.promptTokens ?? fakeTokens(route.promptText(body)),
          completionTokens: usage.completionTokens ?? fakeTokens(text),
          cachedTokens: usage.cachedTokens ?? 0,
        },
      });
      if (latencyMs <= 0) return send(response, 200, answer.body, answer.headers);
      const timer = setTimeout(() => {
        delayed.delete(timer);
        if (!response.destroyed) send(response, 200, answer.body, answer.headers);
      }, latencyMs);
      delayed.add(timer);
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(fault, times = 1) {
      for (let index = 0; index < times; index++) queued.push(fault);
    },
    failAlways(fault) {
      always = fault;
    },
    setReply(next) {
      script = next;
    },
    setLatency(milliseconds) {
      latencyMs = milliseconds;
    },
    acceptKeys(...accepted) {
      keys = new Set(accepted);
    },
    reset() {
      requests.length = 0;
      queued.length = 0;
      always = null;
      script = null;
      keys = new Set();
      latencyMs = 0;
    },
    async close() {
      for (const timer of delayed) clearTimeout(timer);
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
