import cluster, { type Worker } from 'node:cluster';
import type { Logger } from './logger';

export interface SupervisorOptions {
  /** WEB_CONCURRENCY: worker processes to keep running. */
  workers: number;
  logger: Logger;
  /** SHUTDOWN_TIMEOUT_MS: each worker drains for this long; the supervisor waits a little longer, then kills. */
  shutdownTimeoutMs: number;
  /** The entry file workers run when this process has no script path (started with `node -e`, as tests do). */
  entry: string;
}

/**
 * The primary process of WEB_CONCURRENCY mode: it runs no service itself, it
 * forks `workers` copies of this entry point (node:cluster; they share the
 * listening port, the primary hands out connections round-robin) and keeps
 * them running:
 * - a worker that dies unasked is replaced, after 1 s doubling to 30 s while
 *   workers keep dying within a minute of starting (a crash loop does not spin);
 * - SIGHUP restarts the workers one at a time (a new one listens before the old
 *   one is sent SIGTERM and drains), so a restart drops no request;
 * - SIGTERM / SIGINT stop every worker gracefully (each drains its turns as a
 *   single process does) and exit 0 once all have exited.
 * Workers share nothing in memory: everything instances share goes through
 * PostgreSQL, so N workers behave as N instances (README, "Running several instances").
 */
export function superviseWorkers(options: SupervisorOptions): void {
  const { logger } = options;
  let stopping = false;
  let restartDelay = 1_000;
  const startedAt = new Map<number, number>();
  if (!process.argv[1]) {
    // `node [-r loader] -e "require(main)"`: node:cluster needs a file; keep the loader, drop the eval.
    const execArgv: string[] = [];
    for (let index = 0; index < process.execArgv.length; index++) {
      const argument = process.execArgv[index]!;
      if (argument === '-e' || argument === '--eval') index++;
      else if (!argument.startsWith('--eval=')) execArgv.push(argument);
    }
    cluster.setupPrimary({ exec: options.entry, execArgv, args: [] });
  }

  const fork = (): Worker => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    return worker;
  };

  const listening = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      worker.once('listening', () => resolve());
      worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before listening`)));
    });

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? Date.now());
    startedAt.delete(worker.id);
    if (stopping || worker.exitedAfterDisconnect || (worker as Worker & { retiring?: boolean }).retiring) return;
    restartDelay = lived > 60_000 ? 1_000 : Math.min(restartDelay * 2, 30_000);
    logger.error(
      { pid: worker.process.pid, code, signal, restartInMs: restartDelay },
      'worker died; starting a replacement',
    );
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelay).unref();
  });

  async function rollingRestart(): Promise<void> {
    const current = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => Boolean(worker));
    logger.info({ workers: current.length }, 'restarting workers one at a time');
    for (const old of current) {
      if (stopping) return;
      const replacement = fork();
      await listening(replacement);
      (old as Worker & { retiring?: boolean }).retiring = true;
      const exited = new Promise((resolve) => old.once('exit', resolve));
      old.process.kill('SIGTERM');
      await exited;
    }
    logger.info('workers restarted');
  }

  async function stop(signal: NodeJS.Signals): Promise<void> {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => Boolean(worker));
    logger.info({ signal, workers: workers.length }, 'stopping workers');
    const timer = setTimeout(() => {
      logger.error('workers took too long to stop; killing them');
      for (const worker of workers) worker.process.kill('SIGKILL');
    }, options.shutdownTimeoutMs + 10_000);
    timer.unref();
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            worker.process.kill('SIGTERM');
          }),
      ),
    );
    logger.info('stopped');
    process.exit(0);
  }

  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGHUP', () => {
    rollingRestart().catch((error: unknown) => logger.error({ err: error }, 'rolling restart failed'));
  });
  for (let index = 0; index < options.workers; index++) fork();
  logger.info({ workers: options.workers, pid: process.pid }, 'supervising workers (WEB_CONCURRENCY)');
}
