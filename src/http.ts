import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import crypto from 'node:crypto';
import http from 'node:http';
import type { TrustProxy } from './config';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { Orm } from './db/orm';
import { pendingMigrations } from './db/orm';
import { AppError } from './errors';
import type { ReadinessNotes } from './readiness';

export interface HttpDependencies {
  orm: Orm;
  logger: Logger;
  metrics: Metrics;
  /** Express's `trust proxy` (TRUST_PROXY): which hops' X-Forwarded-For to believe. Default false: the socket address. */
  trustProxy?: TrustProxy;
  /** METRICS_TOKEN: when set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string | null;
  /** False when /metrics has its own listener (METRICS_PORT): the main app then answers 404 there. Default true. */
  serveMetrics?: boolean;
  /** The public URL: HSTS is sent when it is https (TLS ends at a proxy) or the request itself came over TLS. */
  publicBaseUrl?: string;
  /** Run-time problems listed by /readyz. */
  readiness?: ReadinessNotes;
  /** Extra facts for /readyz that do not decide readiness (e.g. the start-up provider checks). */
  readinessDetails?: () => Record<string, unknown>;
}

/** Something that adds its routes to the app: a channel, the GraphQL endpoint, Slack. */
export type RouteMounter = (app: Express) => void | Promise<void>;

/**
 * The one Express 5 app. There is deliberately no global body parser: Twilio
 * and Slack verify signatures over the raw body, so each mounted router parses
 * its own.
 */
export async function createApp(deps: HttpDependencies, mounters: RouteMounter[] = []): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  // Off unless configured: with it on, any client could choose its own address (and rate-limit bucket) with X-Forwarded-For.
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(securityHeaders(deps.publicBaseUrl));

  app.use((request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const route = routeLabel(request);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.httpRequests.inc({ method: request.method, route, status: String(response.statusCode) });
      deps.metrics.httpDuration.observe({ method: request.method, route }, seconds);
      if (route !== '/healthz' && route !== '/metrics' && route !== '/readyz') {
        deps.logger.info(
          { method: request.method, path: request.path, status: response.statusCode, ms: Math.round(seconds * 1000) },
          'request',
        );
      }
    });
    next();
  });

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });

  app.get('/readyz', async (_request, response) => {
    try {
      await deps.orm.em.getConnection().execute('select 1');
      const pending = await pendingMigrations(deps.orm);
      if (pending.length) {
        response.status(503).json({ status: 'not ready', reason: 'migrations pending', pending });
        return;
      }
      const details = { ...(deps.readiness?.snapshot() ?? {}), ...(deps.readinessDetails?.() ?? {}) };
      response.json(Object.keys(details).length ? { status: 'ready', details } : { status: 'ready' });
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness check failed');
      response.status(503).json({ status: 'not ready', reason: 'database unreachable' });
    }
  });

  if (deps.serveMetrics ?? true) app.get('/metrics', metricsHandler(deps));

  for (const mount of mounters) await mount(app);

  app.use((_request: Request, response: Response) => {
    response.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such route' } });
  });

  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const status = httpStatusOf(error);
    if (status >= 500) deps.logger.error({ err: error }, 'unhandled error');
    const code =
      error instanceof AppError
        ? error.code
        : (clientErrorCodes[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'));
    const message =
      status >= 500
        ? 'Internal error'
        : status === 413
          ? 'The request body is too large: send a smaller request'
          : error instanceof Error
            ? error.message
            : 'Bad request';
    response.status(status).json({ error: { code, message } });
  });

  return app;
}

/**
 * helmet's headers on every response: nosniff, no framing (frame-ancestors
 * 'none' and X-Frame-Options DENY), no referrer, and a CSP that allows nothing
 * (the API serves JSON; the GraphQL console sets its own CSP for its one page).
 * HSTS only where TLS is in front: browsers ignore it over plain HTTP anyway, and
 * a local http://localhost must not be pinned to HTTPS.
 */
function securityHeaders(publicBaseUrl: string | undefined): express.RequestHandler[] {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: false,
  });
  const hsts = helmet.strictTransportSecurity({ maxAge: 31_536_000, includeSubDomains: true });
  const behindTls = publicBaseUrl?.startsWith('https:') ?? false;
  return [headers, (request, response, next) => (behindTls || request.secure ? hsts(request, response, next) : next())];
}

/** GET /metrics, behind the optional bearer token (compared in constant time). */
export function metricsHandler(deps: Pick<HttpDependencies, 'metrics' | 'metricsToken'>): express.RequestHandler {
  const expected = deps.metricsToken ? crypto.createHash('sha256').update(deps.metricsToken).digest() : null;
  return async (request, response) => {
    if (expected) {
      const match = /^Bearer\s+(\S+)$/i.exec(request.header('authorization')?.trim() ?? '');
      const given = crypto
        .createHash('sha256')
        .update(match?.[1] ?? '')
        .digest();
      if (!match || !crypto.timingSafeEqual(given, expected)) {
        response.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        response.status(401).json({
          error: { code: 'UNAUTHENTICATED', message: 'Send the METRICS_TOKEN as Authorization: Bearer <token>' },
        });
        return;
      }
    }
    response.setHeader('Content-Type', deps.metrics.registry.contentType);
    response.send(await deps.metrics.registry.metrics());
  };
}

/** The METRICS_PORT listener's app: /metrics only. */
export function createMetricsApp(deps: Pick<HttpDependencies, 'metrics' | 'metricsToken'>): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler(deps));
  app.use((_request: Request, response: Response) => {
    response.status(404).json({ error: { code: 'NOT_FOUND', message: 'Only /metrics is served here' } });
  });
  return app;
}

/** Codes for the 4xx errors Express and its body parsers raise themselves (not AppErrors). */
const clientErrorCodes: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

function routeLabel(request: Request): string {
  // Matched route pattern, never the raw path: raw paths would make label cardinality unbounded.
  const matched = request.route?.path;
  if (typeof matched === 'string') return (request.baseUrl ?? '') + matched;
  return request.baseUrl || 'unmatched';
}

function httpStatusOf(error: unknown): number {
  if (error instanceof AppError) {
    const byCode: Partial<Record<AppError['code'], number>> = {
      BAD_USER_INPUT: 400,
      UNAUTHENTICATED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      CONFLICT: 409,
      RATE_LIMITED: 429,
    };
    return byCode[error.code] ?? 500;
  }
  const status =
    (error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

export interface RunningServer {
  server: http.Server;
  port: number;
  /** Stop accepting, wait for in-flight requests (up to `timeoutMs`), then resolve. */
  close(timeoutMs?: number): Promise<void>;
}

export async function listen(app: Express, port: number, host: string): Promise<RunningServer> {
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: actualPort,
    close(timeoutMs = 10_000) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, timeoutMs);
        timer.unref();
        // Keep-alive connections that finish their request during shutdown become
        // idle only later: sweep them until the server has closed.
        const sweeper = setInterval(() => server.closeIdleConnections(), 50);
        sweeper.unref();
        server.close(() => {
          clearTimeout(timer);
          clearInterval(sweeper);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
