import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Express } from 'express';
import { createAdminMounter, findWebRoot } from '../../src/admin/admin-router';
import { loadConfig } from '../../src/config';
import type { Orm } from '../../src/db/orm';
import { createConversationStack, type ConversationStack } from '../../src/engine/engine-stack';
import { DomainEvents } from '../../src/events';
import { createApp, listen, type RunningServer } from '../../src/http';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { defaultCatalogue } from '../../src/providers/model-catalogue';
import { RateLimiter } from '../../src/security/rate-limiter';
import { SecretBox } from '../../src/security/secret-box';
import { createGraphqlMounter } from '../../schema/graphql-server';

export interface ConsoleTestServer {
  baseUrl: string;
  app: Express;
  /** The conversation engine on the offline knowledge base, sharing events with GraphQL (approvals reach it). */
  stack: ConversationStack;
  close(): Promise<void>;
}

/**
 * The service as main.ts wires it, minus channels and jobs: the engine stack
 * (offline knowledge base, no response cache), GraphQL and the admin console,
 * on 127.0.0.1:0.
 */
export async function startConsoleServer(
  orm: Orm,
  databaseUrl: string,
  options: { sessionTtlMs?: number; graphiql?: boolean; authCacheMs?: number } = {},
): Promise<ConsoleTestServer> {
  const config = loadConfig(
    { NODE_ENV: 'test', DATABASE_URL: databaseUrl, RESPONSE_CACHE_TTL_MS: '0', LOG_LEVEL: 'silent' },
    { dotenvPath: false },
  );
  const logger = createLogger('silent');
  const events = new DomainEvents();
  const secretBox = new SecretBox(crypto.randomBytes(32));
  const stack = createConversationStack({ config, orm, events, logger, secretBox });
  const graphql = await createGraphqlMounter(
    {
      orm,
      logger,
      events,
      secretBox,
      providerHealth: stack.gateway.health,
      gateway: stack.gateway,
      catalogue: defaultCatalogue,
      feedbackRateLimiter: new RateLimiter(100, 60_000),
    },
    {
      graphiql: options.graphiql ?? true,
      maxDepth: 10,
      maxCost: 10_000,
      blockFieldSuggestions: false,
      authCacheMs: options.authCacheMs ?? 0,
      invalidations: stack.bus ?? undefined,
    },
  );
  const admin = createAdminMounter({
    orm,
    logger,
    webRoot: findWebRoot(),
    sessionTtlMs: options.sessionTtlMs ?? 3_600_000,
    graphiql: options.graphiql ?? true,
  });
  const app = await createApp({ orm, logger, metrics: createMetrics({ defaults: false }) }, [graphql.mount, admin]);
  const server: RunningServer = await listen(app, 0, '127.0.0.1');
  return {
    baseUrl: `http://127.0.0.1:${server.port}`,
    app,
    stack,
    async close() {
      await server.close(1000);
      await graphql.stop();
      stack.close();
    },
  };
}

/** Builds web/ once when web/dist is missing (npm install's prepare step normally did it). */
export function ensureWebBuilt(): string {
  const webRoot = findWebRoot();
  if (!fs.existsSync(path.join(webRoot, 'index.html'))) {
    const root = path.dirname(path.dirname(webRoot));
    execFileSync(process.execPath, [path.join(root, 'web', 'prepare.mjs')], { cwd: root, stdio: 'inherit' });
  }
  return webRoot;
}
