import { KnowledgeArticle, Tenant } from '../../../src/db/entities';
import { seedDemoTenant } from '../../../src/db/seed';
import { HANDOVER_REPLY } from '../../../src/providers/knowledge-base';
import { costOf } from '../../../src/providers/pricing';
import { ProviderError, type ChatMessage, type ReplyRequest } from '../../../src/providers/types';
import { createTenant, setTenantSecrets } from '../../../src/tenants/tenant-service';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { startFakeGemini, type FakeGemini } from '../../fakes/fake-gemini-server';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/fake-openai-server';
import { gatewayFor, secretBox } from './gateway-helpers';

const system: ChatMessage = { role: 'system', content: 'You are the assistant of Northwind Outfitters.' };
const ask = (content: string): ChatMessage[] => [system, { role: 'user', content }];
// Routes to the cheap tier: gemini-2.5-flash → gpt-4o-mini → gemini-2.5-flash-lite → knowledge-base.
const simpleQuestion = 'How can I track my order?';

let database: TestDatabase;
let tenantId: string;
let openai: FakeOpenAi;
let gemini: FakeGemini;
let keyed: { OPENAI_API_KEY: string; OPENAI_BASE_URL: string; GEMINI_API_KEY: string; GEMINI_BASE_URL: string };

beforeAll(async () => {
  database = await createTestDatabase();
  const seeded = await seedDemoTenant(database.orm.em.fork());
  tenantId = seeded!.tenant.id;
  openai = await startFakeOpenAi();
  gemini = await startFakeGemini();
  keyed = {
    OPENAI_API_KEY: 'sk-env',
    OPENAI_BASE_URL: openai.url,
    GEMINI_API_KEY: 'gk-env',
    GEMINI_BASE_URL: gemini.url,
  };
});

afterAll(async () => {
  await Promise.all([openai.close(), gemini.close()]);
  await database.drop();
});

beforeEach(() => {
  openai.reset();
  gemini.reset();
});

const request = (content: string, extra: Partial<ReplyRequest> = {}): ReplyRequest => ({
  tenantId,
  messages: ask(content),
  cacheable: false,
  ...extra,
});

describe('offline: no API keys', () => {
  it('answers a known question from the seed knowledge base, with the skipped providers in the reason', async () => {
    const { gateway } = gatewayFor(database);
    const outcome = await gateway.reply(request(simpleQuestion));
    expect(outcome).toMatchObject({
      provider: 'knowledge-base',
      model: 'knowledge-base',
      needsHuman: false,
      failover: false,
      costUsd: 0,
    });
    expect(outcome.text).toContain('tracking link');
    expect(outcome.routingReason).toContain('; gemini-2.5-flash, gemini-2.5-flash-lite skipped: no Gemini API key');
    expect(outcome.routingReason).toContain('; gpt-4o-mini skipped: no OpenAI API key');
    expect(outcome.attempts).toHaveLength(1);
    expect(outcome.attempts[0]).toMatchObject({
      provider: 'knowledge-base',
      success: true,
      failover: false,
      costUsd: 0,
    });
    expect(outcome.usage.inputTokens).toBeGreaterThan(10);
    expect(outcome.usage.outputTokens).toBeGreaterThan(10);
    expect(outcome.metadata).toMatchObject({
      needsHuman: false,
      matchedQuestion: 'Where is my order, and how can I track it?',
    });
    expect(openai.requests.length + gemini.requests.length).toBe(0);
  });

  it('hands over politely below the confidence threshold', async () => {
    const { gateway } = gatewayFor(database);
    const outcome = await gateway.reply(request('What is the capital of France?'));
    expect(outcome).toMatchObject({ text: HANDOVER_REPLY, needsHuman: true, provider: 'knowledge-base' });
  });

  it('learns an approved correction as soon as correction.approved is emitted', async () => {
    const { gateway, events } = gatewayFor(database);
    const question = 'Do you offer gift wrapping for presents?';
    expect((await gateway.reply(request(question))).needsHuman).toBe(true);
    const em = database.orm.em.fork();
    em.create(KnowledgeArticle, {
      tenant: em.getReference(Tenant, tenantId),
      question,
      answer: 'Yes: gift wrapping is free, choose it at checkout.',
      source: 'correction',
    });
    await em.flush();
    // The index is cached: the new article is not seen until the event.
    expect((await gateway.reply(request(question))).needsHuman).toBe(true);
    events.emit('correction.approved', { tenantId, correctionId: '00000000-0000-0000-0000-000000000000' });
    const outcome = await gateway.reply(request(question));
    expect(outcome).toMatchObject({ needsHuman: false, text: 'Yes: gift wrapping is free, choose it at checkout.' });
  });
});

describe('when even the knowledge base fails', () => {
  it('still answers (a handover) without throwing, with every failed call recorded', async () => {
    const unavailable = {
      id: 'knowledge-base' as const,
      generate: async () => {
        throw new ProviderError('database unreachable', 'knowledge-base', 'unavailable', true);
      },
    };
    const { gateway, sleeps } = gatewayFor(database, { PROVIDER_MAX_RETRIES: 1 }, { 'knowledge-base': unavailable });
    const outcome = await gateway.reply(request(simpleQuestion));
    expect(outcome).toMatchObject({
      text: HANDOVER_REPLY,
      needsHuman: true,
      provider: 'knowledge-base',
      failover: true,
    });
    expect(outcome.attempts.map((attempt) => [attempt.model, attempt.errorCode])).toEqual([
      ['knowledge-base', 'unavailable'],
      ['knowledge-base', 'unavailable'],
    ]);
    expect(sleeps).toHaveLength(1);
    expect(outcome.routingReason).toContain('every provider failed');
  });
});

describe('routed calls through the real SDKs', () => {
  it('sends a simple turn to gemini-2.5-flash and accounts tokens and cost from the usage report', async () => {
    const { gateway } = gatewayFor(database, keyed);
    gemini.setReply(() => ({
      text: 'Use the tracking link in your email.',
      usage: { promptTokens: 1200, completionTokens: 40, cachedTokens: 200 },
    }));
    const outcome = await gateway.reply(request(simpleQuestion));
    expect(outcome).toMatchObject({
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      tier: 'cheap',
      failover: false,
      cacheHit: false,
      needsHuman: false,
    });
    expect(outcome.usage).toEqual({ inputTokens: 1200, cachedInputTokens: 200, outputTokens: 40, totalTokens: 1240 });
    // 1000 × 0.30 + 200 × 0.03 + 40 × 2.50 = 406 per million
    expect(outcome.costUsd).toBe(0.000406);
    expect(outcome.attempts[0]!.costUsd).toBe(costOf('gemini-2.5-flash', outcome.usage));
    expect(outcome.metadata.safetyRatings).toBeDefined();
    expect(gemini.requests.map((entry) => entry.model)).toEqual(['gemini-2.5-flash']);
  });

  it('prefers the tenant key over the environment key', async () => {
    const other = await createTenant(database.orm.em.fork(), { name: 'keyed-tenant' });
    await setTenantSecrets(database.orm.em.fork(), secretBox, other.id, {
      openaiApiKey: 'sk-tenant-own',
      geminiApiKey: 'gk-tenant-own',
    });
    const { gateway } = gatewayFor(database, keyed);
    await gateway.reply({ tenantId: other.id, messages: ask(simpleQuestion), cacheable: false });
    await gateway.reply({
      tenantId: other.id,
      messages: ask('Can you explain why my refund was only partial? I returned 2 of the 3 items.'),
      cacheable: false,
    });
    await gateway.reply(request(simpleQuestion));
    expect(gemini.requests.map((entry) => entry.apiKey)).toEqual(['gk-tenant-own', 'gk-env']);
    expect(openai.requests.map((entry) => entry.apiKey)).toEqual(['sk-tenant-own']);
  });

  it('retries a 429 after its Retry-After and records both calls without failover', async () => {
    const { gateway, sleeps } = gatewayFor(database, keyed);
    gemini.failNext({ kind: 'status', status: 429, retryAfterSeconds: 2 });
    const outcome = await gateway.reply(request(simpleQuestion));
    expect(outcome).toMatchObject({ provider: 'gemini', model: 'gemini-2.5-flash', failover: false });
    expect(sleeps).toEqual([2000]);
    expect(
      outcome.attempts.map((attempt) => [attempt.model, attempt.success, attempt.errorCode, attempt.failover]),
    ).toEqual([
      ['gemini-2.5-flash', false, 'http_429', false],
      ['gemini-2.5-flash', true, null, false],
    ]);
  });

  it('backs off exponentially on repeated 500s, then fails over in chain order', async () => {
    const { gateway, sleeps } = gatewayFor(database, keyed);
    gemini.failAlways({ kind: 'status', status: 500 });
    const outcome = await gateway.reply(request(simpleQuestion));
    expect(outcome).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', failover: true });
    // Equal jitter with random() = 0.5: 3/4 of 250 ms, then of 500 ms.
    expect(sleeps).toEqual([188, 375]);
    expect(outcome.attempts.map((attempt) => [attempt.model, attempt.errorCode, attempt.failover])).toEqual([
      ['gemini-2.5-flash', 'http_500', false],
      ['gemini-2.5-flash', 'http_500', false],
      ['gemini-2.5-flash', 'http_500', false],
      ['gpt-4o-mini', null, true],
    ]);
    expect(outcome.routingReason).toContain('answered by gpt-4o-mini after failover');
  });

  it('does not retry a non-retryable error (a rejected key) but moves on', async () => {
    const { gateway, sleeps } = gatewayFor(database, keyed);
    gemini.acceptKeys('some-other-key');
    const outcome = await gateway.reply(request(simpleQuestion));
    expect(sleeps).toEqual([]);
    expect(outcome.attempts.map((attempt) => [attempt.model, attempt.errorCode])).toEqual([
      ['gemini-2.5-flash', 'auth'],
      ['gpt-4o-mini', null],
    ]);
  });

  it('moves on at once when Retry-After is longer than the cap', async () => {
    const { gateway, sleeps } = gatewayFor(database, keyed);
    gemini.failNext({ kind: 'status', status: 429, retryAfterSeconds: 3600 });
    const outcome = await gateway.reply(request(simpleQuestion));
    expect(sleeps).toEqual([]);
    expect(outcome.model).toBe('gpt-4o-mini');
    expect(outcome.skipped).toContainEqual(
      expect.objectContaining({ model: 'gemini-2.5-flash', reason: expect.stringContaining('retry after 3600000 ms') }),
    );
  });

  it('fails over after a provider hangs past the per-provider timeout', async () => {
    const { gateway } = gatewayFor(database, { ...keyed, PROVIDER_TIMEOUT_MS: 600, PROVIDER_MAX_RETRIES: 0 });
    gemini.failNext({ kind: 'hang' });
    const outcome = await gateway.reply(request(simpleQuestion));
    expect(outcome.attempts.map((attempt) => [attempt.model, attempt.errorCode])).toEqual([
      ['gemini-2.5-flash', 'timeout'],
      ['gpt-4o-mini', null],
    ]);
    expect(outcome.failover).toBe(true);
  });

  it('answers from the knowledge base when every LLM provider fails', async () => {
    const { gateway } = gatewayFor(database, { ...keyed, PROVIDER_MAX_RETRIES: 0 });
    gemini.failAlways({ kind: 'status', status: 503 });
    openai.failAlways({ kind: 'malformed' });
    const outcome = await gateway.reply(request(simpleQuestion));
    expect(outcome).toMatchObject({ provider: 'knowledge-base', failover: true, needsHuman: false });
    expect(outcome.text).toContain('tracking link');
    expect(outcome.attempts.map((attempt) => [attempt.model, attempt.errorCode, attempt.failover])).toEqual([
      ['gemini-2.5-flash', 'http_503', false],
      ['gpt-4o-mini', 'malformed', true],
      ['gemini-2.5-flash-lite', 'http_503', true],
      ['knowledge-base', null, true],
    ]);
    expect(outcome.errors).toHaveLength(3);
  });
});

describe('per-tenant routing settings through the gateway', () => {
  it('uses the tenant models and thresholds from ReplyRequest.routing', async () => {
    const { gateway } = gatewayFor(database, keyed);
    const outcome = await gateway.reply(request(simpleQuestion, { routing: { models: { cheap: 'gpt-4o-mini' } } }));
    expect(outcome).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', tier: 'cheap' });
    const balanced = await gateway.reply(request(simpleQuestion, { routing: { cheapThreshold: 0 } }));
    expect(balanced).toMatchObject({ tier: 'balanced', model: 'gpt-4o' });
    expect(openai.requests.map((entry) => entry.model)).toEqual(['gpt-4o-mini', 'gpt-4o']);
  });

  it('caches the provider selection, and a key set or rotated by any instance is used from the next turn on (issue 10 item 17)', async () => {
    const tenant = await createTenant(database.orm.em.fork(), { name: 'rotating-key-tenant' });
    // Two instances of the service on one database: each has its own caches.
    const first = gatewayFor(database, { OPENAI_BASE_URL: openai.url, GEMINI_BASE_URL: gemini.url });
    const second = gatewayFor(database, { OPENAI_BASE_URL: openai.url, GEMINI_BASE_URL: gemini.url });
    const ask1 = { tenantId: tenant.id, messages: ask(simpleQuestion), cacheable: false };
    expect((await first.gateway.reply(ask1)).provider).toBe('knowledge-base');
    expect((await first.gateway.reply(ask1)).provider).toBe('knowledge-base');
    expect((await second.gateway.reply(ask1)).provider).toBe('knowledge-base');
    let metrics = await first.registry.metrics();
    expect(metrics).toContain('parley_route_cache_hits_total 1');
    expect(metrics).toContain('parley_route_cache_misses_total 1');

    // The control plane of a third instance writes the secret: no invalidation call reaches these two.
    await setTenantSecrets(database.orm.em.fork(), secretBox, tenant.id, { geminiApiKey: 'gk-new' });
    expect((await first.gateway.reply(ask1)).provider).toBe('gemini');
    expect((await second.gateway.reply(ask1)).provider).toBe('gemini');
    await setTenantSecrets(database.orm.em.fork(), secretBox, tenant.id, { geminiApiKey: 'gk-rotated' });
    expect((await first.gateway.reply(ask1)).provider).toBe('gemini');
    expect((await second.gateway.reply(ask1)).provider).toBe('gemini');
    expect(gemini.requests.map((entry) => entry.apiKey)).toEqual(['gk-new', 'gk-new', 'gk-rotated', 'gk-rotated']);
    // Unchanged secrets keep the cache: one cheap check per turn, no decryption.
    expect((await first.gateway.reply(ask1)).provider).toBe('gemini');
    metrics = await first.registry.metrics();
    expect(metrics).toContain('parley_route_cache_hits_total 2');
    expect(metrics).toContain('parley_route_cache_misses_total 3');
    // invalidateTenant still forgets everything at once.
    first.gateway.invalidateTenant(tenant.id);
    expect((await first.gateway.reply(ask1)).provider).toBe('gemini');
    expect(await first.registry.metrics()).toContain('parley_route_cache_misses_total 4');
  });
});

describe('circuit breaker through the gateway', () => {
  it('skips an open circuit without calling it, then probes after the cooldown and recovers', async () => {
    const { gateway, clock } = gatewayFor(database, {
      ...keyed,
      PROVIDER_MAX_RETRIES: 0,
      CIRCUIT_MIN_CALLS: 2,
      CIRCUIT_COOLDOWN_MS: 10_000,
    });
    gemini.failAlways({ kind: 'status', status: 500 });
    await gateway.reply(request(simpleQuestion));
    await gateway.reply(request(simpleQuestion));
    expect(gateway.health.circuitOf('gemini', 'gemini-2.5-flash')).toBe('open');
    const flashCalls = () => gemini.requests.filter((entry) => entry.model === 'gemini-2.5-flash').length;
    expect(flashCalls()).toBe(2);

    const whileOpen = await gateway.reply(request(simpleQuestion));
    expect(flashCalls()).toBe(2);
    expect(whileOpen).toMatchObject({ model: 'gpt-4o-mini', failover: true });
    expect(whileOpen.routingReason).toContain('gemini-2.5-flash skipped: circuit open');

    gemini.reset();
    clock.now += 10_000;
    const probe = await gateway.reply(request(simpleQuestion));
    expect(probe).toMatchObject({ model: 'gemini-2.5-flash', failover: false });
    expect(gateway.health.circuitOf('gemini', 'gemini-2.5-flash')).toBe('closed');
    const snapshot = gateway.health.snapshot().find((entry) => entry.model === 'gemini-2.5-flash');
    expect(snapshot).toMatchObject({ successes: 1, failures: 2, circuit: 'closed' });
  });
});

describe('response cache through the gateway', () => {
  it('serves a repeated cacheable conversation from the cache and never caches non-cacheable ones', async () => {
    const { gateway, registry } = gatewayFor(database, keyed);
    const first = await gateway.reply(request(simpleQuestion, { cacheable: true }));
    const second = await gateway.reply(request(simpleQuestion, { cacheable: true }));
    expect(first.cacheHit).toBe(false);
    expect(second).toMatchObject({ cacheHit: true, text: first.text, costUsd: 0, attempts: [] });
    expect(gemini.requests).toHaveLength(1);
    await gateway.reply(request('How long does delivery take?'));
    await gateway.reply(request('How long does delivery take?'));
    expect(gemini.requests).toHaveLength(3);
    const metrics = await registry.metrics();
    expect(metrics).toContain('parley_response_cache_hits_total 1');
    expect(metrics).toContain('parley_response_cache_misses_total 1');
  });

  it('drops a provider’s cached replies when that provider fails', async () => {
    const { gateway } = gatewayFor(database, keyed);
    await gateway.reply(request(simpleQuestion, { cacheable: true }));
    expect((await gateway.reply(request(simpleQuestion, { cacheable: true }))).cacheHit).toBe(true);
    gemini.failNext({ kind: 'status', status: 500 });
    await gateway.reply(request('How long does delivery take?'));
    const after = await gateway.reply(request(simpleQuestion, { cacheable: true }));
    expect(after.cacheHit).toBe(false);
    expect(after.provider).toBe('gemini');
  });
});
