import 'reflect-metadata';
import pino from 'pino';
import { createWhatsAppChannel } from '../channels/whatsapp/whatsapp-channel';
import { loadConfig } from '../src/config';
import { openOrm } from '../src/db/orm';
import { createConversationEngine } from '../src/engine/conversation-engine';
import { CustomerChannelRegistry } from '../src/engine/outbound';
import { DomainEvents } from '../src/events';
import { createApp, listen } from '../src/http';
import { createMetrics } from '../src/metrics';
import type { ModelGateway, ReplyOutcome } from '../src/providers/types';
import { SecretBox } from '../src/security/secret-box';

/**
 * parley's webhook → engine → Twilio path with a model gateway that answers at
 * once, for the turn benchmark: the same channel, engine, database writes and
 * twilio client as `main.ts`, without the provider layer (routing, SDK calls to
 * the fake LLM, accounting), so the benchmark can tell the channel and engine's
 * cost from the providers'. Settings come as one JSON argument.
 */
interface Settings {
  port: number;
  databaseUrl: string;
  twilioUrl: string;
  secretKeyHex: string;
  poolMax: number;
}

const instantGateway: ModelGateway = {
  async reply(request) {
    const question = request.messages[request.messages.length - 1]?.content ?? '';
    const usage = { inputTokens: 60, cachedInputTokens: 0, outputTokens: 20, totalTokens: 80 };
    const outcome: ReplyOutcome = {
      text: `Thanks for asking about "${question.slice(0, 80)}": your parcel ships within two working days.`,
      provider: 'openai',
      model: 'gpt-4o-mini',
      complexity: 0.1,
      routingReason: 'instant benchmark gateway',
      failover: false,
      cacheHit: false,
      latencyMs: 0,
      usage,
      costUsd: 0.00002,
      attempts: [
        {
          provider: 'openai',
          model: 'gpt-4o-mini',
          usage,
          costUsd: 0.00002,
          latencyMs: 0,
          success: true,
          errorCode: null,
          failover: false,
          routingReason: 'instant benchmark gateway',
          complexity: 0.1,
          startedAt: new Date(),
        },
      ],
      needsHuman: false,
    };
    return outcome;
  },
};

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as Settings;
  const config = loadConfig(
    {
      NODE_ENV: 'production',
      PORT: String(settings.port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: `http://127.0.0.1:${settings.port}`,
      LOG_LEVEL: 'warn',
      TWILIO_API_URL: settings.twilioUrl,
      PARLEY_SECRET_KEY: settings.secretKeyHex,
    },
    { dotenvPath: false },
  );
  const logger = pino({ level: config.LOG_LEVEL });
  const orm = await openOrm({ url: settings.databaseUrl, poolMax: settings.poolMax });
  const metrics = createMetrics();
  const events = new DomainEvents();
  const engine = createConversationEngine({ orm, gateway: instantGateway, events, logger });
  const whatsapp = createWhatsAppChannel({
    config,
    orm,
    engine,
    secretBox: new SecretBox(config.secretKey!),
    logger,
    metrics,
    events,
    customerChannels: new CustomerChannelRegistry(),
  });
  await whatsapp.start();
  const app = await createApp({ orm, logger, metrics }, [whatsapp.mount]);
  const server = await listen(app, config.PORT, config.HOST);
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void server
      .close(2_000)
      .then(() => whatsapp.stop())
      .then(() => orm.close(true))
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `parley-instant-server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
