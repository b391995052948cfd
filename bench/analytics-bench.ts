// First: parses the command line (and answers --help) before anything heavy loads.
import '../src/cli/command-line';
import 'reflect-metadata';
import os from 'node:os';
import { loadConfig } from '../src/config';
import { migrate, openOrm } from '../src/db/orm';
import { createLogger } from '../src/logger';
import { generateOnly, runAnalyticsBench } from './analytics-bench-run';
import { argument, flag, log } from './bench-stats';
import { loadAverage, refuseWhenBusy } from './load-check';
import { createScratchDatabase } from './scratch-database';

/**
 * npm run bench:analytics [-- --scale 1 --iterations 40 --warmup 5 --only <name part> --no-graphql --ignore-load]
 *
 * Generates ≥ 1M provider_usage rows, 200k replies with feedback, 50k
 * conversations with handoffs, surveys, conversions, corrections, articles and
 * model versions over 90 days for 20 tenants in a throwaway database (on
 * DATABASE_URL's server, or an embedded PostgreSQL). Then, for every analytics
 * query, it times the service as its resolver calls it, a hand-written SQL
 * baseline computing the same figures, and the query through GraphQL over
 * HTTP, interleaved, rotating tenants; checks on every run that the service's
 * figures equal the baseline's; prints p50/p95 and the ratios. It refuses to
 * run when the machine is busy (1-minute load average above half the CPUs,
 * as bench:turns) unless --ignore-load, and exits 1 when any figures disagree.
 */
async function main(): Promise<void> {
  const scale = Number(argument('scale', '1'));
  const iterations = Math.round(Number(argument('iterations', '40')));
  const warmup = Math.round(Number(argument('warmup', '5')));
  log(`parley analytics benchmark — Node ${process.version}, ${os.cpus().length} CPUs`);
  const busy = refuseWhenBusy('bench:analytics', flag('ignore-load'));
  const config = loadConfig();
  const scratch = await createScratchDatabase({
    serverUrl: config.DATABASE_URL,
    prefix: 'parley_bench',
    logger: flag('debug') ? createLogger('debug') : undefined,
  });
  log(`${scratch.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL server'}, throwaway database ${scratch.name}`);
  const orm = await openOrm({ url: scratch.url, poolMax: 10 });
  let failed = false;
  try {
    await migrate(orm);
    if (flag('only-generate')) {
      await generateOnly({ url: scratch.url, scale, log });
      return;
    }
    const { results } = await runAnalyticsBench({
      orm,
      url: scratch.url,
      scale,
      iterations,
      warmup,
      only: argument('only', '') || undefined,
      graphql: !flag('no-graphql'),
      log,
    });
    log(`\nload average after: ${loadAverage()}${busy ? ' [BUSY MACHINE, --ignore-load]' : ''}`);
    const over = results.filter(
      (result) => !result.name.startsWith('floor') && result.service.p50 / result.baseline.p50 > 1.5,
    );
    log(
      over.length
        ? `above 1.5× of the hand-written SQL (p50): ${over.map((result) => result.name).join(', ')}`
        : 'every query within 1.5× of its hand-written SQL (p50)',
    );
    for (const result of results.filter((entry) => entry.disagreements)) {
      failed = true;
      process.stderr.write(
        `bench:analytics: ${result.name}: the service and the hand-written SQL disagree in ${result.disagreements} of ${result.runs} runs:\n  ${result.firstDifferences.join('\n  ')}\n`,
      );
    }
  } finally {
    await orm.close(true);
    if (flag('keep')) log(`kept the database: ${scratch.url}`);
    await scratch.dispose({ keep: flag('keep') });
  }
  if (failed) process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:analytics failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
