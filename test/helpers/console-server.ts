import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Express } from 'express';
import { createWhatsAppChannel, type WhatsAppChannel } from '../../channels/whatsapp/whatsapp-channel';
import { createAdminMounter, findWebRoot } from '../../src/admin/admin-router';
import { loadConfig } from '../../src/config';
import type { Orm } from '../../src/db/orm';
import { createConversationStack, type ConversationStack } from '../../src/engine/engine-stack';
import { CustomerChannelRegistry } from '../../src/engine/outbound';
import { DomainEvents } from '../../src/events';
import { createApp } from '../../src/http';
import { createFineTuningClients } from '../../src/learning/fine-tuning/openai-fine-tuning-client';
import { generatedTrainingSets } from '../../src/learning/fine-tuning/training-set-source';
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
  /** The WhatsApp channel (webhooks on this server, sends to the fake Twilio), when `whatsapp` was given. */
  whatsapp: WhatsAppChannel | null;
  close(): Promise<void>;
}

export interface ConsoleServerOptions {
  sessionTtlMs?: number;
  graphiql?: boolean;
  authCacheMs?: number;
  /** Encrypts tenant secrets (default: a random key); pass the one tenants' Twilio tokens were stored with. */
  secretBox?: SecretBox;
  /**
   * Runs the WhatsApp channel as main.ts does: webhooks on this server, replies and agent replies
   * (replyAsAgent, the bot-is-back notice) sent through the official twilio client to `twilioUrl`.
   */
  whatsapp?: { twilioUrl: string };
  /** Fine-tuning through the official openai SDK at `baseUrl` (a fake OpenAI Files + Fine-tuning API). */
  fineTuning?: { baseUrl: string; apiKey?: string };
}

/**
 * The service as main.ts wires it, minus jobs (and channels unless asked for):
 * the engine stack (offline knowledge base, no response cache), GraphQL and
 * the admin console, on 127.0.0.1 (a free port).
 */
export async function startConsoleServer(
  orm: Orm,
  databaseUrl: string,
  options: ConsoleServerOptions = {},
): Promise<ConsoleTestServer> {
  // Bound first: the WhatsApp channel checks Twilio signatures against its public URL, so it must know the port.
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      RESPONSE_CACHE_TTL_MS: '0',
      LOG_LEVEL: 'silent',
      PUBLIC_BASE_URL: baseUrl,
      ...(options.whatsapp ? { TWILIO_API_URL: options.whatsapp.twilioUrl } : {}),
    },
    { dotenvPath: false },
  );
  const logger = createLogger('silent');
  const events = new DomainEvents();
  const secretBox = options.secretBox ?? new SecretBox(crypto.randomBytes(32));
  const stack = createConversationStack({ config, orm, events, logger, secretBox });
  const customers = new CustomerChannelRegistry();
  const whatsapp = options.whatsapp
    ? createWhatsAppChannel({
        config,
        orm,
        engine: stack.engine,
        secretBox,
        logger,
        metrics: createMetrics({ defaults: false }),
        events,
        customerChannels: customers,
        recoverySweepMs: 0,
      })
    : null;
  const fineTuning = options.fineTuning
    ? {
        clients: createFineTuningClients({
          em: orm.em,
          secretBox,
          apiKey: options.fineTuning.apiKey ?? 'sk-console-test',
          baseUrl: options.fineTuning.baseUrl,
        }),
        trainingSets: generatedTrainingSets,
      }
    : undefined;
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
      // Only with a channel running: without one, agent replies and release notices have nowhere to go.
      customers: whatsapp ? customers : undefined,
      fineTuning,
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
  const app = await createApp({ orm, logger, metrics: createMetrics({ defaults: false }) }, [
    ...(whatsapp ? [whatsapp.mount] : []),
    graphql.mount,
    admin,
  ]);
  server.on('request', app);
  await whatsapp?.start();
  return {
    baseUrl,
    app,
    stack,
    whatsapp,
    async close() {
      await whatsapp?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await graphql.stop();
      await stack.close();
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
