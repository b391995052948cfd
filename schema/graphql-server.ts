import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import express, { type Express, type Request } from 'express';
import { GraphQLError, Lexer, Source, TokenKind, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Actor } from '../src/audit/audit-service';
import { AppError } from '../src/errors';
import { findApiKey, hashApiKey } from '../src/auth/api-keys';
import { consoleSessionToken } from '../src/auth/console-cookie';
import { findConsoleSession } from '../src/auth/console-sessions';
import { NO_SUCH_ID } from '../src/ids';
import { findPlatformKey } from '../src/tenants/tenant-admin';
import type { ApiKey } from '../src/db/entities';
import { tenantScope } from '../src/db/tenant-scope';
import type { RouteMounter } from '../src/http';
import { buildControlPlaneSchema } from './build-schema';
import { AuthCache, type InvalidationFeed } from './common/auth-cache';
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
  /**
   * Who may query `__schema`/`__type`: everyone (`open`, default outside
   * production) or only callers with a valid API key (`with-key`, production).
   */
  introspection?: 'open' | 'with-key';
  path?: string;
  /**
   * How long a key lookup is reused (default 5000 ms; 0 = look up every
   * request). Only while `invalidations` is connected: a revoked key stops
   * working at once on every instance (see common/auth-cache.ts).
   */
  authCacheMs?: number;
  /** The instance bus: revocations and tenant changes from every instance. Without it nothing is cached. */
  invalidations?: InvalidationFeed;
}

export interface GraphqlMount {
  mount: RouteMounter;
  /** Stops Apollo (call on shutdown). */
  stop(): Promise<void>;
}

function callerFrom(apiKey: ApiKey): Caller {
  return {
    tenantId: apiKey.tenant.id,
    apiKeyId: apiKey.id,
    scopes: [...apiKey.scopes],
    actor: `apikey:${apiKey.id}` satisfies Actor,
  };
}

function platformCaller(id: string, scopes: Caller['scopes']): Caller {
  return { tenantId: NO_SUCH_ID, apiKeyId: id, scopes: [...scopes], actor: `apikey:${id}`, platform: true };
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
    // Counted by tokenLimit() below: armor's own check throws from a plugin hook, which Apollo answers with HTTP 500.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: options.blockFieldSuggestions },
  });
  const protection = armor.protect();
  const server = new ApolloServer<GraphqlContext>({
    schema,
    ...protection,
    // Never Apollo's landing page: it loads from a CDN. Browsers get parley's own console.
    plugins: [
      ...protection.plugins,
      ApolloServerPluginLandingPageDisabled(),
      introspectionGate(options.introspection ?? 'open'),
    ],
    validationRules: [...protection.validationRules],
    formatError: createFormatError(services.logger),
    introspection: true,
  });
  await server.start();
  const path = options.path ?? '/graphql';
  const lastWrites = new Map<string, number>();
  // keyed by the key's SHA-256, never by the key itself
  const recentKeys = new AuthCache(options.authCacheMs ?? 5000, options.invalidations);

  async function authenticate(request: Request): Promise<Caller | null> {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
    if (!match) return authenticateSession(request);
    const now = Date.now();
    const hash = hashApiKey(match[1]!);
    const cached = recentKeys.get(hash, now);
    if (cached !== undefined) return cached;
    const generation = recentKeys.begin();
    const apiKey = await findApiKey(services.orm.em.fork(), match[1]!);
    // A platform key (tenants:manage) lives in its own table and belongs to no tenant.
    const platformKey = apiKey ? null : await findPlatformKey(services.orm.em.fork(), match[1]!);
    const caller = apiKey
      ? callerFrom(apiKey)
      : platformKey
        ? platformCaller(platformKey.id, platformKey.scopes)
        : null;
    recentKeys.set(hash, caller, generation, now);
    if (!apiKey) return caller;
    recordUse(apiKey.id, now);
    return callerFrom(apiKey);
  }

  /** Sets the key's lastUsedAt (a Bearer request or a console session opened with it), at most once a minute. */
  function recordUse(apiKeyId: string, now: number): void {
    if (now - (lastWrites.get(apiKeyId) ?? 0) <= LAST_USED_WRITE_INTERVAL_MS) return;
    lastWrites.set(apiKeyId, now);
    // Not awaited: bookkeeping must not slow or fail the request.
    services.orm.em
      .getConnection()
      .execute('update api_key set last_used_at = now() where id = ?', [apiKeyId], 'run')
      .catch((error: unknown) => services.logger.warn({ err: error }, 'could not record API key use'));
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
    const cached = recentKeys.get(cacheKey, now);
    if (cached !== undefined) return cached;
    const generation = recentKeys.begin();
    const identity = await findConsoleSession(services.orm.em.fork(), token, new Date(now));
    const caller = identity ? callerFrom(identity.apiKey) : null;
    if (identity) recordUse(identity.apiKey.id, now);
    // Never cache past the session's own expiry.
    recentKeys.set(cacheKey, caller, generation, now, identity ? identity.expiresAt.getTime() : Infinity);
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
      tokenLimit(MAX_TOKENS),
      expressMiddleware(server, {
        context: async ({ req }) => {
          const caller = await authenticate(req);
          const em = caller ? tenantScope(services.orm.em, caller.tenantId) : services.orm.em.fork();
          return {
            caller,
            em,
            ip: req.ip ?? 'unknown',
            services,
            loaders: createLoaders(em, caller?.tenantId ?? null),
            authCache: recentKeys,
          };
        },
      }),
    );
  };
  return { mount, stop: () => server.stop() };
}

function isIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
  });
  return found;
}

/** With `with-key`, an anonymous caller's `__schema`/`__type` query is refused before it runs (`__typename` stays allowed). */
function introspectionGate(mode: 'open' | 'with-key'): ApolloServerPlugin<GraphqlContext> {
  return {
    async requestDidStart() {
      if (mode === 'open') return;
      return {
        async didResolveOperation({ contextValue, document }) {
          if (contextValue.caller || !isIntrospection(document)) return;
          const message = 'Introspection needs an API key here: send Authorization: Bearer <key>';
          throw new GraphQLError(message, {
            originalError: new AppError('UNAUTHENTICATED', message),
            extensions: { http: { status: 401 } },
          });
        },
      };
    },
  };
}

/** Tokens one query may have: a cheap bound on parser work before Apollo parses anything. */
const MAX_TOKENS = 2000;

function countTokens(query: string, max: number): number {
  const lexer = new Lexer(new Source(query));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF && count <= max) count += 1;
  } catch {
    // A lexing error is left to Apollo's parser, which reports it as GRAPHQL_PARSE_FAILED.
  }
  return count;
}

/** Over MAX_TOKENS: 400 with a GraphQL-shaped validation error, as a client expects, instead of a failed request. */
function tokenLimit(max: number): express.RequestHandler {
  return (request, response, next) => {
    const body = request.body as { query?: unknown } | undefined;
    const query =
      typeof body?.query === 'string'
        ? body.query
        : typeof request.query.query === 'string'
          ? request.query.query
          : null;
    if (query === null || countTokens(query, max) <= max) return next();
    response.status(400).json({
      errors: [
        {
          message: `Syntax Error: Token limit of ${max} exceeded: split the query or request fewer fields.`,
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
  };
}
