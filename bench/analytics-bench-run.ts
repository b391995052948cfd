import crypto from 'node:crypto';
import pg from 'pg';
import { createApiKey } from '../src/auth/api-keys';
import { ModelVersion, Tenant } from '../src/db/entities';
import type { Orm } from '../src/db/orm';
import { DomainEvents } from '../src/events';
import { createApp, listen } from '../src/http';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';
import { defaultCatalogue } from '../src/providers/model-catalogue';
import { RateLimiter } from '../src/security/rate-limiter';
import { SecretBox } from '../src/security/secret-box';
import { createGraphqlMounter } from '../schema/graphql-server';
import { analyticsCases, type BenchTenant, type Case } from './analytics-bench-cases';
import { dataSize, generateAnalyticsData, type DataSize } from './analytics-data';
import { generateBusinessData } from './analytics-data-business';
import { differences } from './analytics-figures';
import { percentiles, type Percentiles } from './bench-stats';

export interface AnalyticsBenchOptions {
  /** A migrated, empty database (opened as `orm`, reachable at `url`). */
  orm: Orm;
  url: string;
  scale: number;
  /** Timed runs per query, after `warmup` untimed ones; tenants rotate over both. */
  iterations: number;
  warmup: number;
  /** Only the queries whose name contains this. */
  only?: string;
  /** Also time each query through GraphQL over HTTP (default true). */
  graphql?: boolean;
  log: (line: string) => void;
}

export interface CaseResult {
  name: string;
  service: Percentiles;
  baseline: Percentiles;
  graphql: Percentiles | null;
  /** Runs (warm-up included) whose service figures differed from the baseline's, and the first differences seen. */
  disagreements: number;
  runs: number;
  firstDifferences: string[];
  /** How many figures each run compared (the first run's count). */
  figures: number;
}

async function time<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await run();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

/**
 * Generates the data set, then runs every case: the service path, the
 * hand-written SQL and (optionally) GraphQL, interleaved (the order rotates
 * each run, so none always finds the other's pages cached), tenants rotating,
 * and compares the service's figures with the baseline's on every run.
 */
/** Fills the database at `url` with the bench's data set (for --only-generate, to explain queries with --keep). */
export async function generateOnly(options: { url: string; scale: number; log: (line: string) => void }) {
  const size = dataSize(options.scale);
  const loader = new pg.Client({ connectionString: options.url });
  loader.on('error', (error) => options.log(`loader connection lost: ${error.message}`));
  await loader.connect();
  try {
    await generateAnalyticsData(loader, size, options.log);
    await generateBusinessData(loader, size, options.log);
  } finally {
    await loader.end();
  }
  return size;
}

export async function runAnalyticsBench(
  options: AnalyticsBenchOptions,
): Promise<{ size: DataSize; results: CaseResult[] }> {
  const { orm, log } = options;
  const planned = dataSize(options.scale);
  log(
    `generating: ${planned.usageRows} usage rows, ${planned.interactions} interactions with feedback, ${planned.conversations} conversations, ${planned.tenants} tenants, ${planned.days} days`,
  );
  const started = Date.now();
  const size = await generateOnly(options);
  log(`generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const tenants: BenchTenant[] = [];
  for (const tenant of await orm.em.fork().find(Tenant, {}, { orderBy: { name: 'asc' } })) {
    const em = orm.em.fork();
    const { key } = await createApiKey(em, {
      tenant: em.getReference(Tenant, tenant.id),
      name: 'bench',
      scopes: ['analytics:view'],
    });
    const version = await em.findOneOrFail(ModelVersion, { tenant: tenant.id, status: 'active' });
    tenants.push({ id: tenant.id, key, modelVersionId: version.id });
  }
  const pool = new pg.Pool({ connectionString: options.url, max: 10 });
  let close = async () => {};
  try {
    let endpoint: string | null = null;
    if (options.graphql !== false) {
      const logger = createLogger('silent');
      const graphql = await createGraphqlMounter(
        {
          orm,
          logger,
          events: new DomainEvents(),
          secretBox: new SecretBox(crypto.randomBytes(32)),
          catalogue: defaultCatalogue,
          feedbackRateLimiter: new RateLimiter(1000, 60_000),
        },
        { graphiql: false, maxDepth: 10, maxCost: 100_000, blockFieldSuggestions: true },
      );
      const app = await createApp({ orm, logger, metrics: createMetrics({ defaults: false }) }, [graphql.mount]);
      const server = await listen(app, 0, '127.0.0.1');
      close = async () => {
        await server.close(1000);
        await graphql.stop();
      };
      endpoint = `http://127.0.0.1:${server.port}/graphql`;
    }
    const viaGraphql = async (testCase: Case, tenant: BenchTenant) => {
      const response = await fetch(endpoint!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.key}` },
        body: JSON.stringify(testCase.graphql(tenant)),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(`${testCase.name}: ${JSON.stringify(body.errors)}`);
    };
    const cases = analyticsCases(new Date()).filter((entry) => !options.only || entry.name.includes(options.only));
    const results: CaseResult[] = [];
    log(
      `\n${options.iterations} timed runs per query after ${options.warmup} warm-up runs, tenants rotated; service, SQL and GraphQL interleaved (rotating which runs first):\n`,
    );
    for (const line of TABLE_HEADER) log(line);
    for (const testCase of cases) {
      const times = { service: [] as number[], baseline: [] as number[], graphql: [] as number[] };
      const agreement = { disagreements: 0, runs: 0, firstDifferences: [] as string[], figures: 0 };
      for (let run = -options.warmup; run < options.iterations; run += 1) {
        const tenant = tenants[(run + options.warmup) % tenants.length]!;
        const paths = [
          async () => {
            const { ms, value } = await time(() => testCase.service(orm.em.fork(), tenant));
            return { path: 'service' as const, ms, value };
          },
          async () => {
            const { ms, value } = await time(() => testCase.baseline(pool, tenant));
            return { path: 'baseline' as const, ms, value };
          },
          ...(endpoint
            ? [
                async () => {
                  const { ms } = await time(() => viaGraphql(testCase, tenant));
                  return { path: 'graphql' as const, ms, value: null };
                },
              ]
            : []),
        ];
        // Rotate which path goes first: the second and third find the tenant's pages already cached.
        const shift = (run + options.warmup) % paths.length;
        const outcomes = [];
        for (const path of [...paths.slice(shift), ...paths.slice(0, shift)]) outcomes.push(await path());
        const service = outcomes.find((outcome) => outcome.path === 'service')!.value!;
        const baseline = outcomes.find((outcome) => outcome.path === 'baseline')!.value!;
        const found = differences(service, baseline);
        agreement.runs += 1;
        if (agreement.runs === 1) agreement.figures = Object.keys(service).length;
        if (found.length) {
          agreement.disagreements += 1;
          if (!agreement.firstDifferences.length)
            agreement.firstDifferences = found.map((line) => `tenant ${tenant.id}: ${line}`);
        }
        if (run >= 0) for (const outcome of outcomes) times[outcome.path].push(outcome.ms);
      }
      const result: CaseResult = {
        name: testCase.name,
        ...agreement,
        service: percentiles(times.service),
        baseline: percentiles(times.baseline),
        graphql: endpoint ? percentiles(times.graphql) : null,
      };
      results.push(result);
      log(formatRow(result));
    }
    return { size, results };
  } finally {
    await close();
    await pool.end();
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const times = (value: number) => `${value.toFixed(2)}×`;

export const TABLE_HEADER = [
  '| query | service p50 | service p95 | SQL p50 | SQL p95 | ratio p50 | ratio p95 | GraphQL p50 | GraphQL p95 | GraphQL ratio p50 | figures agree |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];

/** One Markdown row: the service against the hand-written SQL (the ratio the target is on), GraphQL beside. */
export function formatRow(result: CaseResult): string {
  const { service: s, baseline: b, graphql: g } = result;
  const agree = result.disagreements
    ? `NO (${result.disagreements}/${result.runs} runs)`
    : `yes (${result.figures} figures × ${result.runs} runs)`;
  const graphql = g ? [ms(g.p50), ms(g.p95), times(g.p50 / b.p50)] : ['—', '—', '—'];
  return `| ${result.name} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(b.p50)} | ${ms(b.p95)} | ${times(s.p50 / b.p50)} | ${times(s.p95 / b.p95)} | ${graphql.join(' | ')} | ${agree} |`;
}
