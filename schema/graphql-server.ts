import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express, { type Express, type Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Actor } from '../src/audit/audit-service';
import { findApiKey, hashApiKey } from '../src/auth/api-keys';
import { consoleSessionToken } from '../src/auth/console-cookie';
import { findConsoleSession } from '../src/auth/console-sessions';
import type { ApiKey } from '../src/db/entities';
import { tenantScope } from '../src/db/tenant-scope';
import type { RouteMounter } from '../src/http';
import { buildControlPlaneSchema } from './build-schema';
import type { Caller, GraphqlContext } from './common/context';
import { createFormatError } from './common/format-error';
import { createLoaders } from './common/loaders';
import type { GraphqlServices } from './common/services';

export interface GraphqlOptions {
  /** Send browsers opening /graphql to GraphiQL in the admin console (default: true outside production). */
  graphiql: boolean;
  /** Where the console's GraphiQL lives (default /admin/graphiql). */
  graphiqlPath?: string;
  maxDepth: number;
  maxCost: number;
  /** Hide "did you mean" field suggestions (they reveal the schema): on in production. */
  blockFieldSuggestions: boolean;
  path?: string;
  /**
   * How long a key lookup is reused (default 5000 ms; 0 = look up every
   * request). A revoked key stops working within this time on every instance.
   */
  authCacheMs?: number;
}

export interface GraphqlMount {
  mount: RouteMounter;
  /** Stops Apollo (call on shutdown). */
  stop(): Promise<void>;
}

function callerFrom(apiKey: ApiKey): Caller {
  return { tenantId: apiKey.tenant.id, apiKeyId: apiKey.id, scopes: [...apiKey.scopes], actor: `apikey:${apiKey.id}` satisfies Actor };
}

/** Don't write lastUsedAt more often than this per key: one UPDATE per key per minute, not per request. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/**
 * The control plane: Apollo Server on /graphql with its own JSON body parser
 * (only on this route: Twilio and Slack need raw bodies), API-key auth, a
 * tenant-scoped EntityManager fork and fresh DataLoaders per request, depth
 * and cost limits (graphql-armor), and one formatError.
 */
export async function createGraphqlMounter(services: GraphqlServices, options: GraphqlOptions): Promise<GraphqlMount> {
  const schema: GraphQLSchema = await buildControlPlaneSchema();
  const armor = new ApolloArmor({
    maxDepth: { n: options.maxDepth, ignoreIntrospection: true },
    costLimit: { maxCost: options.maxCost, ignoreIntrospection: true },
    maxAliases: { n: 20 },
    maxDirectives: { n: 20 },
    maxTokens: { n: 2000 },
    blockFieldSuggestion: { enabled: options.blockFieldSuggestions },
  });
  const protection = armor.protect();
  const server = new ApolloServer<GraphqlContext>({
    schema,
    ...protection,
    plugins: [...protection.plugins],
    validationRules: [...protection.validationRules],
    formatError: createFormatError(services.logger),
    introspection: true,
  });
  await server.start();
  const path = options.path ?? '/graphql';
  const lastWrites = new Map<string, number>();
  const authCacheMs = options.authCacheMs ?? 5000;
  // keyed by the key's SHA-256, never by the key itself
  const recentKeys = new Map<string, { caller: Caller | null; expiresAt: number }>();

  async function authenticate(request: Request): Promise<Caller | null> {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
    if (!match) return authenticateSession(request);
    const now = Date.now();
    const hash = hashApiKey(match[1]!);
    const cached = authCacheMs > 0 ? recentKeys.get(hash) : undefined;
    if (cached && cached.expiresAt > now) return cached.caller;
    const apiKey = await findApiKey(services.orm.em.fork(), match[1]!);
    if (authCacheMs > 0) {
      if (recentKeys.size >= 10_000) recentKeys.clear();
      recentKeys.set(hash, { caller: apiKey ? callerFrom(apiKey) : null, expiresAt: now + authCacheMs });
    }
    if (!apiKey) return null;
    if (now - (lastWrites.get(apiKey.id) ?? 0) > LAST_USED_WRITE_INTERVAL_MS) {
      lastWrites.set(apiKey.id, now);
      // Not awaited: bookkeeping must not slow or fail the request.
      services.orm.em
        .getConnection()
        .execute('update api_key set last_used_at = now() where id = ?', [apiKey.id], 'run')
        .catch((error: unknown) => services.logger.warn({ err: error }, 'could not record API key use'));
    }
    return callerFrom(apiKey);
  }

  /**
   * The admin console's session cookie, with the same scopes as the key it was
   * opened with. Only with the console header (CSRF rule in console-cookie.ts).
   */
  async function authenticateSession(request: Request): Promise<Caller | null> {
    const token = consoleSessionToken(request.headers);
    if (!token) return null;
    const now = Date.now();
    const cacheKey = `session:${hashApiKey(token)}`;
    const cached = authCacheMs > 0 ? recentKeys.get(cacheKey) : undefined;
    if (cached && cached.expiresAt > now) return cached.caller;
    const identity = await findConsoleSession(services.orm.em.fork(), token, new Date(now));
    const caller = identity ? callerFrom(identity.apiKey) : null;
    if (authCacheMs > 0) {
      if (recentKeys.size >= 10_000) recentKeys.clear();
      // Never cache past the session's own expiry.
      const expiresAt = Math.min(now + authCacheMs, identity ? identity.expiresAt.getTime() : Infinity);
      recentKeys.set(cacheKey, { caller, expiresAt });
    }
    return caller;
  }

  const mount: RouteMounter = (app: Express) => {
    if (options.graphiql) {
      app.get(path, (request, response, next) => {
        // Browsers go to GraphiQL in the console (the #query=… fragment survives the redirect);
        // API clients (GET queries, persisted queries) go to Apollo.
        if (request.query.query || request.query.extensions || !request.accepts('html')) return next();
        response.redirect(302, options.graphiqlPath ?? '/admin/graphiql');
      });
    }
    app.use(
      path,
      express.json({ limit: '1mb' }),
      expressMiddleware(server, {
        context: async ({ req }) => {
          const caller = await authenticate(req);
          const em = caller ? tenantScope(services.orm.em, caller.tenantId) : services.orm.em.fork();
          return { caller, em, ip: req.ip ?? 'unknown', services, loaders: createLoaders(em, caller?.tenantId ?? null) };
        },
      }),
    );
  };
  return { mount, stop: () => server.stop() };
}
