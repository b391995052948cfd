import crypto from 'node:crypto';
import { createApp, listen, type HttpDependencies, type RunningServer } from '../../src/http';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { defaultCatalogue } from '../../src/providers/model-catalogue';
import { ProviderHealth } from '../../src/providers/health';
import { RateLimiter } from '../../src/security/rate-limiter';
import { SecretBox } from '../../src/security/secret-box';
import type { Orm } from '../../src/db/orm';
import { DomainEvents } from '../../src/events';
import type { CustomerChannelRegistry } from '../../src/engine/outbound';
import { createGraphqlMounter } from '../../schema/graphql-server';
import type { ModelGateway } from '../../src/providers/types';
import type { GraphqlServices } from '../../schema/common/services';
import type { InvalidationFeed } from '../../schema/common/auth-cache';

/**
 * A value of a GraphQL response as tests read it: deep field access without declaring a type per query
 * (the assertions check the shape). The one deliberate `any` of the tests.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON of arbitrary queries, checked by the assertions
export type GraphqlJson = any;

export interface GraphqlTestServer {
  url: string;
  health: ProviderHealth;
  events: DomainEvents;
  secretBox: SecretBox;
  /** POST a query; returns the parsed body and the HTTP status. */
  query<T = Record<string, GraphqlJson>>(
    key: string | null,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ status: number; data: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  close(): Promise<void>;
}

/** The real Express app with the real GraphQL mounter on 127.0.0.1:0. */
export async function startGraphqlServer(
  orm: Orm,
  options: {
    rateLimit?: number;
    maxDepth?: number;
    maxCost?: number;
    authCacheMs?: number;
    graphiql?: boolean;
    introspection?: 'open' | 'with-key';
    /** Default 100 years: fixtures have fixed dates, so real-clock expiry would depend on the day the suite runs. */
    feedbackTokenTtlDays?: number;
    http?: Partial<HttpDependencies>;
    gateway?: ModelGateway;
    events?: DomainEvents;
    customers?: CustomerChannelRegistry;
    fineTuning?: GraphqlServices['fineTuning'];
    /** An instance bus: key lookups are cached (authCacheMs) only while it is connected. */
    invalidations?: InvalidationFeed;
  } = {},
): Promise<GraphqlTestServer> {
  const logger = createLogger('silent');
  const health = new ProviderHealth({ windowMs: 3_600_000, failureRate: 0.5, minCalls: 2, cooldownMs: 30_000 });
  const events = options.events ?? new DomainEvents();
  const secretBox = new SecretBox(crypto.randomBytes(32));
  const graphql = await createGraphqlMounter(
    {
      orm,
      logger,
      events,
      secretBox,
      providerHealth: health,
      catalogue: defaultCatalogue,
      feedbackRateLimiter: new RateLimiter(options.rateLimit ?? 100, 60_000),
      feedbackTokenTtlDays: options.feedbackTokenTtlDays ?? 36_500,
      gateway: options.gateway,
      customers: options.customers,
      fineTuning: options.fineTuning,
    },
    {
      graphiql: options.graphiql ?? true,
      maxDepth: options.maxDepth ?? 10,
      maxCost: options.maxCost ?? 10_000,
      blockFieldSuggestions: false,
      authCacheMs: options.authCacheMs,
      invalidations: options.invalidations,
      introspection: options.introspection,
    },
  );
  const app = await createApp({ orm, logger, metrics: createMetrics({ defaults: false }), ...options.http }, [
    graphql.mount,
  ]);
  const server: RunningServer = await listen(app, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${server.port}/graphql`;
  return {
    url,
    health,
    events,
    secretBox,
    async query(key, query, variables) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (key) headers.authorization = `Bearer ${key}`;
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as {
        data?: GraphqlJson;
        errors?: { message: string; extensions?: Record<string, unknown> }[];
      };
      return { status: response.status, data: body.data ?? null, errors: body.errors };
    },
    async close() {
      await server.close(1000);
      await graphql.stop();
    },
  };
}
