// First: parses the command line (and answers --help) before anything heavy loads.
import '../src/cli/command-line';
import 'reflect-metadata';
import crypto from 'node:crypto';
import pg from 'pg';
import { costAggregateParameters, costAggregateSql, conversationCountSql } from '../src/analytics/cost-analytics';
import { feedbackSeriesSql } from '../src/analytics/feedback-analytics';
import { createApiKey } from '../src/auth/api-keys';
import { loadConfig } from '../src/config';
import { createScratchDatabase } from './scratch-database';
import { argument, flag, log, percentiles } from './bench-stats';
import { Tenant } from '../src/db/entities';
import { migrate, openOrm } from '../src/db/orm';
import { DomainEvents } from '../src/events';
import { createApp, listen } from '../src/http';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';
import { defaultCatalogue } from '../src/providers/model-catalogue';
import { RateLimiter } from '../src/security/rate-limiter';
import { SecretBox } from '../src/security/secret-box';
import { createGraphqlMounter } from '../schema/graphql-server';
import { dataSize, generateAnalyticsData } from './analytics-data';
import { generateBusinessData } from './analytics-data-business';
import { newQueryCases, pgSql, type Case } from './analytics-bench-cases';
import os from 'node:os';

/**
 * npm run bench:analytics [-- --scale 1 --iterations 40]
 * Generates ≥ 1M provider_usage rows and 200k interactions with feedback over
 * 90 days for 20 tenants in a throwaway database (on DATABASE_URL's server, or
 * an embedded PostgreSQL), then times the main analytics queries through
 * GraphQL over HTTP next to the same SQL sent straight through `pg`, in the
 * same run, interleaved, rotating tenants. Prints p50/p95 and the ratios.
 */
/** A positive number option (the spec in src/cli/command-line.ts rejected anything else with exit 2). */
function numberArgument(name: string, fallback: number): number {
  return Number(argument(name, String(fallback)));
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  const scale = numberArgument('scale', 1);
  const iterations = Math.round(numberArgument('iterations', 40));
  // --keep: leave the generated database in place (to explain queries); --only-generate: stop after generating.
  const config = loadConfig();
  const scratch = await createScratchDatabase({
    serverUrl: config.DATABASE_URL,
    prefix: 'parley_bench',
    logger: flag('debug') ? createLogger('debug') : undefined,
  });
  log(`${scratch.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL server'}, throwaway database ${scratch.name}`);
  const url = new URL(scratch.url);
  const orm = await openOrm({ url: url.toString(), poolMax: 10 });
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
  let closeServer: (() => Promise<void>) | null = null;
  try {
    await migrate(orm);
    const size = dataSize(scale);
    log(
      `generating: ${size.usageRows} usage rows, ${size.interactions} interactions with feedback, ${size.tenants} tenants, ${size.days} days`,
    );
    const loader = new pg.Client({ connectionString: url.toString() });
    loader.on('error', (error) => log(`loader connection lost: ${error.message}`));
    await loader.connect();
    const started = Date.now();
    await generateAnalyticsData(loader, size, log);
    await generateBusinessData(loader, size, log);
    await loader.end();
    log(`generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (flag('only-generate')) return;

    const tenants = await orm.em.fork().find(Tenant, {}, { orderBy: { name: 'asc' } });
    const keys: { tenantId: string; key: string }[] = [];
    for (const tenant of tenants) {
      const em = orm.em.fork();
      const { key } = await createApiKey(em, {
        tenant: em.getReference(Tenant, tenant.id),
        name: 'bench',
        scopes: ['analytics:view'],
      });
      keys.push({ tenantId: tenant.id, key });
    }
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
      { graphiql: false, maxDepth: 10, maxCost: 10_000, blockFieldSuggestions: true },
    );
    const app = await createApp({ orm, logger, metrics: createMetrics({ defaults: false }) }, [graphql.mount]);
    const server = await listen(app, 0, '127.0.0.1');
    closeServer = async () => {
      await server.close(1000);
      await graphql.stop();
    };
    const endpoint = `http://127.0.0.1:${server.port}/graphql`;

    const to = new Date();
    const from = new Date(to.getTime() - size.days * 86_400_000);
    const range = { from: from.toISOString(), to: to.toISOString() };
    const cases: Case[] = [
      {
        // The fixed cost of one authenticated GraphQL request over HTTP (parse cache, auth, context, JSON) next to one round trip.
        name: 'floor: { __typename } vs select 1',
        graphql: { query: '{ __typename }', variables: {} },
        sql: (db) => db.query('select 1'),
      },
      {
        name: 'feedbackAnalytics (90 days, DAY)',
        graphql: {
          query: `query($r: DateRangeInput!) { feedbackAnalytics(range: $r, groupBy: DAY) {
            totals { botReplies totalFeedback helpfulRate notHelpfulRate averageImplicitSatisfaction feedbackWithComments continuationRate actionCompletionRate handoffRequestRate feedbackCollectionRate }
            series { bucketStart botReplies totalFeedback helpfulRate feedbackCollectionRate } } }`,
          variables: { r: range },
        },
        sql: (db, tenantId) => db.query(pgSql(feedbackSeriesSql('day')), [tenantId, from, to]),
      },
      {
        name: 'costAnalytics (90 days, DAY)',
        graphql: {
          query: `query($r: DateRangeInput!) { costAnalytics(range: $r, groupBy: DAY) { baselineModel calls costUsd conversations costPerConversationUsd balancedCostUsd savingUsd savingRate
            byModel { provider model calls costUsd balancedCostUsd totalTokens } series { bucketStart calls costUsd balancedCostUsd } } }`,
          variables: { r: range },
        },
        sql: (db, tenantId) =>
          Promise.all([
            db.query('select settings from tenant where id = $1', [tenantId]),
            db.query(pgSql(costAggregateSql('day')), costAggregateParameters(tenantId, { from, to })),
            db.query(pgSql(conversationCountSql), [tenantId, from, to]),
          ]),
      },
      {
        name: 'feedback page (first 50, totalCount)',
        graphql: {
          query:
            '{ feedback(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id interactionId helpful comment source votedAt createdAt } } }',
          variables: {},
        },
        sql: (db, tenantId) =>
          Promise.all([
            db.query(
              'select * from interaction_feedback where tenant_id = $1 order by created_at desc, id desc limit 51',
              [tenantId],
            ),
            db.query('select count(*) from interaction_feedback where tenant_id = $1', [tenantId]),
          ]),
      },
      {
        name: 'providerUsage page (first 50, totalCount)',
        graphql: {
          query:
            '{ providerUsage(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id provider model totalTokens estimatedCostUsd latencyMs success createdAt } } }',
          variables: {},
        },
        sql: (db, tenantId) =>
          Promise.all([
            db.query('select * from provider_usage where tenant_id = $1 order by created_at desc, id desc limit 51', [
              tenantId,
            ]),
            db.query('select count(*) from provider_usage where tenant_id = $1', [tenantId]),
          ]),
      },
      ...newQueryCases({ from, to, range }),
    ];

    const viaGraphql = async (testCase: Case, key: string) => {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(testCase.graphql),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(`${testCase.name}: ${JSON.stringify(body.errors)}`);
    };

    const loadBefore = os.loadavg();
    log(`load average before: ${loadBefore.map((value) => value.toFixed(2)).join(' ')} (${os.cpus().length} CPUs)`);
    log(
      `\n${iterations} timed runs per query (after 5 warm-up runs), tenants rotated, GraphQL and SQL interleaved (alternating which runs first):\n`,
    );
    log('| query | GraphQL p50 | GraphQL p95 | SQL p50 | SQL p95 | ratio p50 | ratio p95 |');
    log('|---|---|---|---|---|---|---|');
    for (const testCase of cases) {
      const graphqlTimes: number[] = [];
      const sqlTimes: number[] = [];
      for (let run = -5; run < iterations; run += 1) {
        const { tenantId, key } = keys[(run + 5) % keys.length]!;
        // Alternate which goes first: the second run of a tenant finds its index pages already cached.
        let g: number;
        let s: number;
        if (run % 2 === 0) {
          g = await time(() => viaGraphql(testCase, key));
          s = await time(() => testCase.sql(pool, tenantId));
        } else {
          s = await time(() => testCase.sql(pool, tenantId));
          g = await time(() => viaGraphql(testCase, key));
        }
        if (run >= 0) {
          graphqlTimes.push(g);
          sqlTimes.push(s);
        }
      }
      const [graphql, sql] = [percentiles(graphqlTimes), percentiles(sqlTimes)];
      const [g50, g95, s50, s95] = [graphql.p50, graphql.p95, sql.p50, sql.p95];
      log(
        `| ${testCase.name} | ${g50.toFixed(1)} ms | ${g95.toFixed(1)} ms | ${s50.toFixed(1)} ms | ${s95.toFixed(1)} ms | ${(g50 / s50).toFixed(2)}× | ${(g95 / s95).toFixed(2)}× |`,
      );
    }
    log(
      `\nload average after: ${os
        .loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await closeServer?.();
    await pool.end();
    await orm.close(true);
    if (flag('keep')) log(`kept the database: ${url.toString()}`);
    await scratch.dispose({ keep: flag('keep') });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:analytics failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
