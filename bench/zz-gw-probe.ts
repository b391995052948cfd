import 'reflect-metadata';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { createModelGateway } from '../src/providers/gateway';
import { createMetrics } from '../src/metrics';
import { DomainEvents } from '../src/events';
import { SecretBox } from '../src/security/secret-box';
import { openOrm } from '../src/db/orm';
import { startFakeGemini } from '../test/fakes/fake-gemini-server';
import { startFakeOpenAi } from '../test/fakes/fake-openai-server';
import crypto from 'node:crypto';
async function main() {
  const gemini = await startFakeGemini(); const openai = await startFakeOpenAi();
  const config = loadConfig({ OPENAI_API_KEY: 'o', OPENAI_BASE_URL: openai.url, RESPONSE_CACHE_TTL_MS: '0' } as any, { dotenvPath: false });
  const orm = await openOrm({ url: 'postgres://postgres@127.0.0.1:5432/parley_test' });
  const gateway = createModelGateway({ config, em: orm.em, secretBox: new SecretBox(crypto.randomBytes(32)), registry: createMetrics().registry, events: new DomainEvents(), logger: pino({ level: 'silent' }) });
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const out = await gateway.reply({ tenantId: crypto.randomUUID(), messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: `where is order ${i}?` }], cacheable: false });
    console.log(i, (performance.now() - t).toFixed(1), out.provider, out.model, out.latencyMs);
  }
  process.exit(0);
}
main();
