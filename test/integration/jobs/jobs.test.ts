import pino from 'pino';
import { Registry } from 'prom-client';
import { ProviderDailySummary, ProviderUsage, type Tenant } from '../../../src/db/entities';
import { JOBS, JobMetrics, ProviderHealthGauges, runJob, scheduleJobs, type JobContext } from '../../../src/jobs';
import { previousUtcDay, summariseProviderDay } from '../../../src/jobs/daily-provider-summary';
import { withJobLock } from '../../../src/jobs/job-lock';
import { measureProviderHealth } from '../../../src/jobs/provider-health-metrics';
import { cleanUpUsage } from '../../../src/jobs/usage-cleanup';
import { makeTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

let database: TestDatabase;
let shop: Tenant;
let other: Tenant;

beforeAll(async () => {
  database = await createTestDatabase();
  shop = await makeTenant(database.orm.em.fork());
  other = await makeTenant(database.orm.em.fork());
});

afterAll(async () => {
  await database.drop();
});

const em = () => database.orm.em.fork();

interface UsageSpec {
  tenant: Tenant;
  at: string;
  provider?: string;
  model?: string;
  latencyMs: number;
  success?: boolean;
  failover?: boolean;
  cost?: number;
  tokens?: [number, number];
}

async function insertUsage(specs: UsageSpec[]): Promise<void> {
  const fork = em();
  for (const spec of specs) {
    const [input, output] = spec.tokens ?? [100, 20];
    fork.create(ProviderUsage, {
      tenant: spec.tenant,
      createdAt: new Date(spec.at),
      provider: spec.provider ?? 'gemini',
      model: spec.model ?? 'gemini-2.5-flash',
      latencyMs: spec.latencyMs,
      success: spec.success ?? true,
      failover: spec.failover ?? false,
      estimatedCostUsd: spec.cost ?? 0.001,
      inputTokens: input,
      outputTokens: output,
      totalTokens: input + output,
    });
  }
  await fork.flush();
}

function context(overrides: Partial<JobContext> = {}): JobContext {
  return {
    orm: database.orm,
    logger: pino({ level: 'silent' }),
    retentionDays: 90,
    cleanupBatchSize: 5_000,
    ...overrides,
  };
}

describe('daily-provider-summary', () => {
  beforeAll(async () => {
    const latencies = [100, 200, 300, 400, 1000];
    await insertUsage([
      ...latencies.map((latencyMs, index) => ({
        tenant: shop,
        at: `2026-11-10T0${index}:15:00Z`,
        latencyMs,
        success: index !== 4,
        failover: index === 3,
        cost: 0.25,
        tokens: [1000, 200] as [number, number],
      })),
      { tenant: shop, at: '2026-11-10T12:00:00Z', provider: 'openai', model: 'gpt-4o', latencyMs: 800, cost: 2 },
      { tenant: other, at: '2026-11-10T23:59:59.999Z', latencyMs: 50 },
      // Outside the UTC day on both sides.
      { tenant: shop, at: '2026-11-09T23:59:59.999Z', latencyMs: 5000 },
      { tenant: shop, at: '2026-11-11T00:00:00.000Z', latencyMs: 5000 },
    ]);
  });

  it('aggregates one UTC day per tenant × provider × model with SQL percentiles', async () => {
    expect(await summariseProviderDay(em(), '2026-11-10')).toEqual({ day: '2026-11-10', rows: 3 });
    const rows = await em().find(ProviderDailySummary, { day: '2026-11-10' });
    const flash = rows.find((row) => row.tenant.id === shop.id && row.model === 'gemini-2.5-flash')!;
    // Hand-computed: percentile_cont over [100, 200, 300, 400, 1000] interpolates at rank p × (n − 1).
    expect(flash).toMatchObject({
      calls: 5,
      successes: 4,
      failures: 1,
      inputTokens: 5000,
      outputTokens: 1000,
      totalTokens: 6000,
      failoverCount: 1,
      latencyP50Ms: 300,
    });
    expect(flash.latencyP95Ms).toBeCloseTo(880, 9);
    expect(flash.latencyP99Ms).toBeCloseTo(976, 9);
    expect(flash.costUsd).toBeCloseTo(1.25, 10);
    expect(rows.find((row) => row.model === 'gpt-4o')).toMatchObject({
      calls: 1,
      latencyP50Ms: 800,
      latencyP99Ms: 800,
      costUsd: 2,
    });
    expect(rows.find((row) => row.tenant.id === other.id)).toMatchObject({ calls: 1, latencyP50Ms: 50 });
  });

  it('gives the same rows when a day is run again, and picks up late rows', async () => {
    const snapshot = async () =>
      (await em().find(ProviderDailySummary, { day: '2026-11-10' }, { orderBy: { id: 'asc' } })).map(
        ({ createdAt: _createdAt, ...row }) => ({ ...row, tenant: row.tenant.id }),
      );
    await summariseProviderDay(em(), '2026-11-10');
    const first = await snapshot();
    await summariseProviderDay(em(), '2026-11-10');
    expect(await snapshot()).toEqual(first);

    await insertUsage([{ tenant: other, at: '2026-11-10T08:00:00Z', latencyMs: 150 }]);
    await summariseProviderDay(em(), '2026-11-10');
    const after = await snapshot();
    expect(after).toHaveLength(first.length);
    expect(after.find((row) => row.tenant === other.id)).toMatchObject({ calls: 2, latencyP50Ms: 100 });
  });

  it('summarises yesterday by default and rejects a malformed day', async () => {
    expect(previousUtcDay(new Date('2026-11-11T01:00:00Z'))).toBe('2026-11-10');
    expect(previousUtcDay(new Date('2026-03-01T00:30:00Z'))).toBe('2026-02-28');
    const outcome = await runJob('daily-provider-summary', context({ now: () => new Date('2026-11-11T01:00:00Z') }));
    expect(outcome).toEqual({ ran: true, result: { day: '2026-11-10', rows: 3 } });
    await expect(runJob('daily-provider-summary', context(), { day: '2026-02-30' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expect(runJob('no-such-job', context())).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('usage-cleanup', () => {
  it('deletes rows past the retention in batches and keeps the rest', async () => {
    const now = new Date('2027-06-01T00:00:00Z');
    const old = Array.from({ length: 25 }, (_, index) => ({
      tenant: shop,
      at: new Date(now.getTime() - (91 + index) * 86_400_000).toISOString(),
      latencyMs: 10,
      model: 'cleanup-old',
    }));
    const recent = Array.from({ length: 5 }, (_, index) => ({
      tenant: shop,
      at: new Date(now.getTime() - (89 - index) * 86_400_000).toISOString(),
      latencyMs: 10,
      model: 'cleanup-recent',
    }));
    await insertUsage([...old, ...recent]);
    const before = await em().count(ProviderUsage, {});

    const result = await cleanUpUsage(em(), { retentionDays: 90, batchSize: 10, pauseMs: 0, now });
    // Also the rows of the summary tests above (November 2026) are older than 90 days on 2027-06-01.
    const expected = await em().count(ProviderUsage, { createdAt: { $lt: new Date(now.getTime() - 90 * 86_400_000) } });
    expect(expected).toBe(0);
    expect(result.deleted).toBe(before - (await em().count(ProviderUsage, {})));
    expect(result.deleted).toBeGreaterThanOrEqual(25);
    expect(result.batches).toBe(Math.ceil(result.deleted / 10));
    expect(await em().count(ProviderUsage, { model: 'cleanup-recent' })).toBe(5);
    // The summaries outlive the usage rows.
    expect(await em().count(ProviderDailySummary, { day: '2026-11-10' })).toBe(3);
  });
});

describe('advisory lock', () => {
  it('skips a run while another holder has the job lock, and runs once it is released', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = withJobLock(database.orm.em, 'usage-cleanup', () => held);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const registry = new Registry();
    const metrics = new JobMetrics(registry);
    expect(await runJob('usage-cleanup', context({ metrics }))).toEqual({
      ran: false,
      reason: 'another instance is running usage-cleanup',
    });
    // Other jobs have their own locks.
    expect((await runJob('provider-health-metrics', context({ metrics }))).ran).toBe(true);

    release();
    expect(await holder).toEqual({ ran: true, result: undefined });
    expect((await runJob('usage-cleanup', context({ metrics }))).ran).toBe(true);
    const runs = await registry.getSingleMetric('parley_job_runs_total')!.get();
    expect(runs.values.map((value) => [value.labels.job, value.labels.outcome, value.value])).toEqual(
      expect.arrayContaining([
        ['usage-cleanup', 'skipped', 1],
        ['usage-cleanup', 'ok', 1],
        ['provider-health-metrics', 'ok', 1],
      ]),
    );
  });

  it('runs a scheduled slot once: an instance firing after the first one finished skips it, a failed run frees it', async () => {
    const slot = { slot: new Date('2026-12-07T10:00:00Z'), instance: 'host:1:first' };
    let runs = 0;
    const work = async () => {
      runs++;
    };
    expect((await withJobLock(database.orm.em, 'alert-rules', work, slot)).ran).toBe(true);
    expect(await withJobLock(database.orm.em, 'alert-rules', work, { ...slot, instance: 'host:2:late' })).toEqual({
      ran: false,
      reason: 'alert-rules already ran for 2026-12-07T10:00:00.000Z',
    });
    expect(runs).toBe(1);
    // The next minute is a new slot; a manual run (no slot) always runs.
    const next = { ...slot, slot: new Date('2026-12-07T10:01:00Z') };
    expect((await withJobLock(database.orm.em, 'alert-rules', work, next)).ran).toBe(true);
    expect((await withJobLock(database.orm.em, 'alert-rules', work)).ran).toBe(true);
    expect(runs).toBe(3);
    // A run that throws leaves its slot to the next instance.
    const failing = { ...slot, slot: new Date('2026-12-07T10:02:00Z') };
    await expect(
      withJobLock(database.orm.em, 'alert-rules', () => Promise.reject(new Error('boom')), failing),
    ).rejects.toThrow('boom');
    expect((await withJobLock(database.orm.em, 'alert-rules', work, failing)).ran).toBe(true);
  });
});

describe('provider-health-metrics', () => {
  it("measures the last hour across instances and exports gauges with this instance's circuits", async () => {
    const now = new Date('2027-07-01T12:00:00Z');
    const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
    await insertUsage([
      { tenant: shop, at: minutesAgo(5), provider: 'openai', model: 'gpt-4o-mini', latencyMs: 100 },
      { tenant: other, at: minutesAgo(10), provider: 'openai', model: 'gpt-4o-mini', latencyMs: 300, success: false },
      {
        tenant: shop,
        at: minutesAgo(59),
        provider: 'openai',
        model: 'gpt-4o-mini',
        latencyMs: 200,
        success: false,
        failover: true,
      },
      { tenant: shop, at: minutesAgo(61), provider: 'openai', model: 'gpt-4o-mini', latencyMs: 9_000 },
    ]);
    const registry = new Registry();
    const gauges = new ProviderHealthGauges(registry);
    const snapshot = [
      {
        provider: 'openai' as const,
        model: 'gpt-4o-mini',
        keyOwner: 'shared' as const,
        windowMinutes: 60,
        successes: 0,
        failures: 2,
        slowCalls: 0,
        calls: 2,
        failureRate: 1,
        averageLatencyMs: 250,
        p95LatencyMs: 300,
        circuit: 'open' as const,
        circuitOpenedAt: now,
        lastErrorCode: 'http_500',
        lastFailureAt: now,
      },
    ];

    const result = await measureProviderHealth(em(), { now, snapshot, gauges });
    const mini = result.providers.find((row) => row.model === 'gpt-4o-mini');
    expect(mini).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      calls: 3,
      failures: 2,
      failureRate: 2 / 3,
      failovers: 1,
      latencyP50Ms: 200,
      latencyP95Ms: 290,
      costUsd: 0.003,
      circuit: 'open',
    });
    const metrics = await registry.getMetricsAsJSON();
    const value = (name: string) =>
      metrics.find((metric) => metric.name === name)?.values.find((entry) => entry.labels.model === 'gpt-4o-mini')
        ?.value;
    expect(value('parley_provider_hourly_calls')).toBe(3);
    expect(value('parley_provider_hourly_failure_rate')).toBeCloseTo(2 / 3, 10);
    expect(value('parley_provider_hourly_latency_p95_seconds')).toBeCloseTo(0.29, 10);
  });
});

describe('scheduling', () => {
  it('schedules every job in UTC and stops cleanly', async () => {
    const scheduled = scheduleJobs(context());
    const next = scheduled.nextRuns();
    expect(Object.keys(next).sort()).toEqual(Object.keys(JOBS).sort());
    expect(next['daily-provider-summary']?.getUTCHours()).toBe(1);
    expect(next['daily-provider-summary']?.getUTCMinutes()).toBe(0);
    expect(next['usage-cleanup']?.getUTCDay()).toBe(0);
    await scheduled.stop();
  });
});
