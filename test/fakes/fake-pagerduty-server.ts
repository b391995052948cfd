import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One event as the fake accepted it (body of POST /v2/enqueue). */
export interface RecordedPagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: { summary: string; source: string; severity: string; [key: string]: unknown };
  links?: Array<{ href: string; text: string }>;
  [key: string]: unknown;
}

export interface FakeIncident {
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  summary: string;
  /** Trigger events deduplicated into this incident. */
  triggers: number;
}

export type PagerDutyFault = { status: 429 | 500 | 502 | 503; retryAfterSeconds?: number };

export interface FakePagerDutyServer {
  /** Base URL; events go to `<url>/v2/enqueue`. */
  url: string;
  /** Accepted events, in order. */
  events: RecordedPagerDutyEvent[];
  /** Every request, including refused ones (status answered). */
  requests: Array<{ status: number; body: unknown }>;
  /** Incidents by dedup key, as PagerDuty's event rules would keep them. */
  incidents: Map<string, FakeIncident>;
  /** Answer the next `times` requests with `fault`. */
  inject(fault: PagerDutyFault, times?: number): void;
  reset(): void;
  close(): Promise<void>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];

/** PagerDuty's validation of an Events API v2 body: the messages it returns in `errors`. */
function validate(body: Record<string, unknown>): string[] {
  const errors: string[] = [];
  if (typeof body.routing_key !== 'string' || !body.routing_key) errors.push("'routing_key' is missing or blank");
  if (!['trigger', 'acknowledge', 'resolve'].includes(String(body.event_action)))
    errors.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
  if (body.event_action !== 'trigger' && typeof body.dedup_key !== 'string')
    errors.push("'dedup_key' is missing or blank");
  if (body.event_action === 'trigger') {
    const payload = body.payload as Record<string, unknown> | undefined;
    if (!payload || typeof payload !== 'object') errors.push("'payload' is missing or blank");
    else {
      if (typeof payload.summary !== 'string' || !payload.summary) errors.push("'payload.summary' is missing or blank");
      else if (payload.summary.length > 1024) errors.push("'payload.summary' must be at most 1024 characters");
      if (typeof payload.source !== 'string' || !payload.source) errors.push("'payload.source' is missing or blank");
      if (!SEVERITIES.includes(String(payload.severity)))
        errors.push(
          "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')",
        );
    }
  }
  return errors;
}

/**
 * The PagerDuty Events API v2 on 127.0.0.1: POST `/v2/enqueue` with a JSON
 * event, answered 202 `{"status":"success","message":"Event processed","dedup_key":…}`,
 * 400 `{"status":"invalid event","message":"Event object is invalid","errors":[…]}`,
 * 429 when throttled (injected) and 5xx (injected). It keeps incidents per
 * dedup key the way PagerDuty does: a trigger on an open incident is
 * deduplicated, acknowledge/resolve change its status, and a trigger after
 * resolve opens a new incident.
 */
export async function startFakePagerDutyServer(): Promise<FakePagerDutyServer> {
  const events: RecordedPagerDutyEvent[] = [];
  const requests: Array<{ status: number; body: unknown }> = [];
  const incidents = new Map<string, FakeIncident>();
  const faults: PagerDutyFault[] = [];
  let generated = 0;

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        requests.push({ status, body: parsed });
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(body));
      };
      let parsed: Record<string, unknown> | null = null;
      if (request.method !== 'POST' || request.url !== '/v2/enqueue')
        return answer(404, { status: 'not found', message: 'Not Found' });
      const fault = faults.shift();
      if (fault) {
        const headers: Record<string, string> = fault.retryAfterSeconds
          ? { 'retry-after': String(fault.retryAfterSeconds) }
          : {};
        return answer(
          fault.status,
          fault.status === 429
            ? {
                status: 'throttle event',
                message: 'Requests for this service are arriving too quickly.  Please retry later.',
              }
            : { status: 'error', message: 'Internal Server Error' },
          headers,
        );
      }
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return answer(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Malformed JSON'] });
      }
      const errors = validate(parsed);
      if (errors.length) return answer(400, { status: 'invalid event', message: 'Event object is invalid', errors });
      const event = parsed as unknown as RecordedPagerDutyEvent;
      const dedupKey = event.dedup_key ?? `generated-${(generated += 1)}`;
      events.push({ ...event, dedup_key: dedupKey });
      const incident = incidents.get(dedupKey);
      if (event.event_action === 'trigger') {
        if (incident && incident.status !== 'resolved') incident.triggers += 1;
        else incidents.set(dedupKey, { dedupKey, status: 'triggered', summary: event.payload!.summary, triggers: 1 });
      } else if (incident && incident.status !== 'resolved') {
        incident.status = event.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
      }
      return answer(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    requests,
    incidents,
    inject(fault, times = 1) {
      for (let index = 0; index < times; index += 1) faults.push(fault);
    },
    reset() {
      events.length = 0;
      requests.length = 0;
      incidents.clear();
      faults.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
