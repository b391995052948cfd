import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import http from 'node:http';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { Orm } from './db/orm';
import { pendingMigrations } from './db/orm';
import { AppError } from './errors';

export interface HttpDependencies {
  orm: Orm;
  logger: Logger;
  metrics: Metrics;
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
  app.set('trust proxy', true);

  app.use((request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const route = routeLabel(request);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.httpRequests.inc({ method: request.method, route, status: String(response.statusCode) });
      deps.metrics.httpDuration.observe({ method: request.method, route }, seconds);
      if (route !== '/healthz' && route !== '/metrics' && route !== '/readyz') {
        deps.logger.info({ method: request.method, path: request.path, status: response.statusCode, ms: Math.round(seconds * 1000) }, 'request');
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
      const details = deps.readinessDetails?.();
      response.json(details ? { status: 'ready', details } : { status: 'ready' });
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness check failed');
      response.status(503).json({ status: 'not ready', reason: 'database unreachable' });
    }
  });

  app.get('/metrics', async (_request, response) => {
    response.setHeader('Content-Type', deps.metrics.registry.contentType);
    response.send(await deps.metrics.registry.metrics());
  });

  for (const mount of mounters) await mount(app);

  app.use((_request: Request, response: Response) => {
    response.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such route' } });
  });

  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const status = httpStatusOf(error);
    if (status >= 500) deps.logger.error({ err: error }, 'unhandled error');
    const code = error instanceof AppError ? error.code : status === 400 ? 'BAD_USER_INPUT' : 'INTERNAL';
    const message = status >= 500 ? 'Internal error' : error instanceof Error ? error.message : 'Bad request';
    response.status(status).json({ error: { code, message } });
  });

  return app;
}

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
  const status = (error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode;
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
