import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import fs from 'node:fs';
import path from 'node:path';
import {
  closeConsoleSession,
  findConsoleSession,
  openConsoleSession,
  purgeExpiredConsoleSessions,
} from '../auth/console-sessions';
import { CONSOLE_HEADER, SESSION_COOKIE, readCookie, sessionCookie } from '../auth/console-cookie';
import type { Orm } from '../db/orm';
import { tenantScope } from '../db/tenant-scope';
import type { RouteMounter } from '../http';
import type { Logger } from '../logger';
import { RateLimiter } from '../security/rate-limiter';
import { consoleSecurityHeaders } from './console-headers';

export interface AdminConsoleOptions {
  orm: Orm;
  logger: Logger;
  /** The built single-page app (web/dist); see `findWebRoot`. */
  webRoot: string;
  /** How long a sign-in lasts. */
  sessionTtlMs: number;
  /** Whether the console offers GraphiQL (the SPA hides it otherwise). */
  graphiql: boolean;
  /** Sign-in attempts allowed per client address per minute (default 10). */
  signInLimit?: number;
  basePath?: string;
}

/**
 * The web console at /admin: the built SPA as static files (hashed assets
 * cached for a year, index.html never cached), and the session endpoints that
 * turn an API key into an HttpOnly cookie. Everything else the console does
 * goes through /graphql with that cookie.
 */
export function createAdminMounter(options: AdminConsoleOptions): RouteMounter {
  const base = options.basePath ?? '/admin';
  const limiter = new RateLimiter(options.signInLimit ?? 10, 60_000);
  const indexFile = path.join(options.webRoot, 'index.html');

  return (app: Express) => {
    const router = express.Router();
    router.use(consoleSecurityHeaders);

    // GET: who is signed in (and what the console may show). No header needed: it reveals nothing to another site.
    router.get('/session', async (request, response, next) => {
      try {
        response.setHeader('Cache-Control', 'no-store');
        const token = readCookie(request.headers.cookie, SESSION_COOKIE);
        const identity = token ? await findConsoleSession(options.orm.em.fork(), token) : null;
        if (!identity) {
          response.json({ signedIn: false, graphiql: options.graphiql });
          return;
        }
        response.json({
          signedIn: true,
          graphiql: options.graphiql,
          tenantId: identity.apiKey.tenant.id,
          tenantName: identity.apiKey.tenant.name,
          keyName: identity.apiKey.name,
          keyPrefix: identity.apiKey.prefix,
          scopes: identity.apiKey.scopes,
          expiresAt: identity.expiresAt.toISOString(),
        });
      } catch (error) {
        next(error);
      }
    });

    router.post('/session', requireConsoleHeader, express.json({ limit: '4kb' }), async (request, response, next) => {
      try {
        response.setHeader('Cache-Control', 'no-store');
        const allowed = limiter.hit(request.ip ?? 'unknown');
        if (!allowed.allowed) {
          response.setHeader('Retry-After', String(allowed.retryAfterSeconds));
          response.status(429).json({
            error: {
              code: 'RATE_LIMITED',
              message: `Too many sign-in attempts: try again in ${allowed.retryAfterSeconds} s`,
            },
          });
          return;
        }
        const key = typeof request.body?.key === 'string' ? request.body.key.trim() : '';
        if (!key) {
          response.status(400).json({
            error: {
              code: 'BAD_USER_INPUT',
              message: 'Paste an API key (pk_…); create one with npm run keys -- create',
            },
          });
          return;
        }
        const opened = await openConsoleSession(options.orm.em.fork(), {
          key,
          ttlMs: options.sessionTtlMs,
          userAgent: request.get('user-agent') ?? null,
        });
        if (!opened) {
          response.status(401).json({
            error: {
              code: 'UNAUTHENTICATED',
              message: 'This key is unknown or revoked: check it, or create one with npm run keys -- create',
            },
          });
          return;
        }
        // Housekeeping on sign-in (rare, indexed): expired sessions go; several instances may do it at once.
        purgeExpiredConsoleSessions(options.orm.em.fork()).catch((error: unknown) =>
          options.logger.warn({ err: error }, 'could not purge expired console sessions'),
        );
        response.setHeader(
          'Set-Cookie',
          sessionCookie(opened.token, { maxAgeSeconds: options.sessionTtlMs / 1000, secure: request.secure }),
        );
        response.json({ signedIn: true, expiresAt: opened.identity.expiresAt.toISOString() });
      } catch (error) {
        next(error);
      }
    });

    router.delete('/session', requireConsoleHeader, async (request, response, next) => {
      try {
        const token = readCookie(request.headers.cookie, SESSION_COOKIE);
        if (token) {
          const identity = await findConsoleSession(options.orm.em.fork(), token);
          // Scoped to the session's tenant like every other write.
          if (identity) await closeConsoleSession(tenantScope(options.orm.em, identity.apiKey.tenant.id), token);
        }
        response.setHeader('Set-Cookie', sessionCookie(null, { maxAgeSeconds: 0, secure: request.secure }));
        response.setHeader('Cache-Control', 'no-store');
        response.status(204).end();
      } catch (error) {
        next(error);
      }
    });

    // Hashed file names change with their content: cache them for a year.
    router.use(
      '/assets',
      express.static(path.join(options.webRoot, 'assets'), {
        immutable: true,
        maxAge: '365d',
        index: false,
        fallthrough: false,
      }),
    );

    // Every other GET is a client-side route of the SPA: index.html, always revalidated.
    router.get(/.*/, (_request, response) => {
      response.setHeader('Cache-Control', 'no-cache');
      if (!fs.existsSync(indexFile)) {
        response
          .status(503)
          .type('text')
          .send('The admin console is not built: run npm run web:build (npm install does it), then reload.');
        return;
      }
      response.sendFile(indexFile);
    });

    router.use((error: unknown, _request: Request, response: Response, next: NextFunction) => {
      const status = (error as { status?: number })?.status;
      if (status === 404) {
        response.status(404).type('text').send('Not found');
        return;
      }
      options.logger.error({ err: error }, 'admin console request failed');
      next(error);
    });

    app.use(base, router);
  };
}

/** Requests that use or change the session must carry the console header (see console-cookie.ts). */
function requireConsoleHeader(request: Request, response: Response, next: NextFunction): void {
  if (request.get(CONSOLE_HEADER)) return next();
  response
    .status(403)
    .json({ error: { code: 'FORBIDDEN', message: `Send the ${CONSOLE_HEADER} header (the console does)` } });
}

/**
 * The folder of the built console: `web/dist` next to the package.json above
 * this file (the same from ts-jest in src/ and from the build in dist/src/).
 */
export function findWebRoot(from: string = __dirname): string {
  let directory = from;
  for (;;) {
    if (fs.existsSync(path.join(directory, 'package.json')) && fs.existsSync(path.join(directory, 'web')))
      return path.join(directory, 'web', 'dist');
    const parent = path.dirname(directory);
    if (parent === directory) return path.resolve('web', 'dist');
    directory = parent;
  }
}
