import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import RestException from 'twilio/lib/base/RestException';

export type TwilioClient = ReturnType<typeof twilio>;

const TWILIO_DEFAULT = 'https://api.twilio.com';

/** A Twilio API error with the response's Retry-After (429/503), which the SDK's own exception drops. */
export class TwilioRetryAfterError extends RestException {
  constructor(
    response: { statusCode: number; body: unknown },
    /** The raw Retry-After header. */
    readonly retryAfter: string,
  ) {
    super(response);
  }
}

/**
 * The twilio client has no base-URL option, so this RequestClient rewrites the
 * origin of every *.twilio.com request (api.twilio.com for Messages,
 * content.twilio.com for the Content API) to `baseUrl` (null: Twilio itself).
 * Paths stay as Twilio's, so a fake or a proxy serves both APIs from one host.
 * It also keeps the Retry-After header of a failed response on the error
 * (TwilioRetryAfterError), so the sender can honour it.
 */
export class RewritingRequestClient extends RequestClient {
  private readonly target: URL | null;

  constructor(baseUrl: string | null, options: RequestClient.RequestClientOptions = {}) {
    super(options);
    this.target = baseUrl ? new URL(baseUrl) : null;
  }

  // The generic mirrors RequestClient.request; only the URI changes, and failures keep Retry-After.
  override async request<TData>(options: RequestClient.RequestOptions<TData>) {
    const response = await super.request<TData>({ ...options, uri: this.rewrite(options.uri) });
    const headers = (response as { headers?: Record<string, unknown> }).headers ?? {};
    const retryAfter = headers['retry-after'];
    if (response.statusCode >= 400 && (typeof retryAfter === 'string' || typeof retryAfter === 'number'))
      throw new TwilioRetryAfterError(response, String(retryAfter));
    return response;
  }

  rewrite(uri: string): string {
    if (!this.target) return uri;
    const original = new URL(uri);
    if (!/(^|\.)twilio\.com$/i.test(original.hostname)) return uri;
    const basePath = this.target.pathname.replace(/\/+$/, '');
    return `${this.target.origin}${basePath}${original.pathname}${original.search}`;
  }
}

export interface TwilioClientOptions {
  accountSid: string;
  authToken: string;
  apiUrl: string;
  timeoutMs: number;
}

/**
 * One client per account (the client is cheap, but its HTTP agent keeps
 * connections alive, which matters at hundreds of sends per second). Never
 * auto-retries: the sender owns retries, with backoff and a record of each attempt.
 */
export class TwilioClients {
  private readonly clients = new Map<string, TwilioClient>();

  constructor(
    private readonly apiUrl: string = TWILIO_DEFAULT,
    private readonly timeoutMs: number = 15_000,
  ) {}

  get(accountSid: string, authToken: string): TwilioClient {
    const key = `${accountSid}:${authToken}`;
    let client = this.clients.get(key);
    if (!client) {
      const rewrite = this.apiUrl.replace(/\/+$/, '') !== TWILIO_DEFAULT;
      const options: RequestClient.RequestClientOptions = {
        timeout: this.timeoutMs,
        keepAlive: true,
        maxSockets: 64,
        maxFreeSockets: 32,
        autoRetry: false,
      };
      const httpClient = new RewritingRequestClient(rewrite ? this.apiUrl : null, options);
      client = twilio(accountSid, authToken, { httpClient });
      this.clients.set(key, client);
    }
    return client;
  }
}
