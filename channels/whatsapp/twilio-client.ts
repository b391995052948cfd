import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';

export type TwilioClient = ReturnType<typeof twilio>;

const TWILIO_DEFAULT = 'https://api.twilio.com';

/**
 * The twilio client has no base-URL option, so this RequestClient rewrites the
 * origin of every *.twilio.com request (api.twilio.com for Messages,
 * content.twilio.com for the Content API) to `baseUrl`. Paths stay as Twilio's,
 * so a fake or a proxy serves both APIs from one host.
 */
export class RewritingRequestClient extends RequestClient {
  private readonly target: URL;

  constructor(baseUrl: string, options: RequestClient.RequestClientOptions = {}) {
    super(options);
    this.target = new URL(baseUrl);
  }

  // The generic mirrors RequestClient.request; nothing but the URI changes.
  override request<TData>(options: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({ ...options, uri: this.rewrite(options.uri) });
  }

  rewrite(uri: string): string {
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
      const httpClient = rewrite ? new RewritingRequestClient(this.apiUrl, options) : new RequestClient(options);
      client = twilio(accountSid, authToken, { httpClient });
      this.clients.set(key, client);
    }
    return client;
  }
}
