import fs from 'node:fs';
import path from 'node:path';

/**
 * Preloaded into the benchmark's service processes (`--require`, through NODE_OPTIONS so cluster workers load it
 * too): counts the statements each process sends to PostgreSQL through node-postgres, and on SIGUSR2 writes that
 * count and the process's own CPU time (process.cpuUsage, microsecond resolution) to
 * `$PARLEY_BENCH_COUNTS_DIR/<pid>.json`, which bench/process-costs.ts reads, with the process.memoryUsage()
 * sampled when the resident set was largest (every 100 ms). Nothing else changes in the process.
 */
const directory = process.env.PARLEY_BENCH_COUNTS_DIR;
if (directory) {
  let statements = 0;
  /** Statements by their first words (PARLEY_BENCH_STATEMENT_KINDS=1): which ones a turn sends. */
  const kinds = process.env.PARLEY_BENCH_STATEMENT_KINDS === '1' ? new Map<string, number>() : null;
  // Resolved from the service's own node_modules: the same module MikroORM's knex and hot-sql use.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function counted(this: unknown, ...args: unknown[]) {
    statements += 1;
    if (kinds) {
      const first = args[0] as string | { text?: string } | undefined;
      const text = (typeof first === 'string' ? first : (first?.text ?? ''))
        .slice(0, 300)
        .replace(/\s+/g, ' ')
        .slice(0, 90);
      kinds.set(text, (kinds.get(text) ?? 0) + 1);
    }
    return query.apply(this, args);
  };
  // Where the memory is when the resident set peaks (heap, buffers outside it, or neither: code and native).
  let peak: NodeJS.MemoryUsage | null = null;
  const sample = () => {
    // The resident set alone is cheap to read; the full breakdown only at a new peak.
    if (!peak || process.memoryUsage.rss() > peak.rss) peak = process.memoryUsage();
  };
  setInterval(sample, 100).unref();
  process.on('SIGUSR2', () => {
    sample();
    const cpu = process.cpuUsage();
    const file = path.join(directory, `${process.pid}.json`);
    fs.writeFileSync(
      `${file}.tmp`,
      JSON.stringify({
        statements,
        cpuMs: (cpu.user + cpu.system) / 1000,
        peakMemoryMb: Object.fromEntries(
          Object.entries(peak ?? {}).map(([name, bytes]) => [name, Math.round((bytes as number) / 2 ** 20)]),
        ),
        kinds: kinds ? Object.fromEntries([...kinds].sort((a, b) => b[1] - a[1])) : undefined,
      }),
    );
    fs.renameSync(`${file}.tmp`, file);
  });
}
