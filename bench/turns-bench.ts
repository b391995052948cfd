// First: parses the command line (and answers --help) before anything heavy loads.
import '../src/cli/command-line';
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import twilio from 'twilio';
import { loadConfig } from '../src/config';
import { createScratchDatabase } from './scratch-database';
import { argument, flag, log, percentiles, type Percentiles } from './bench-stats';
import { costCounters, databaseWalBytes, reserveWal, residentMb, watchMemory } from './process-costs';
import { loadAverage } from './load-check';
import { migrate, openOrm } from '../src/db/orm';
import { SecretBox } from '../src/security/secret-box';
import { createTenant } from '../src/tenants/tenant-service';
import { setWhatsAppSettings } from '../src/tenants/whatsapp-settings';
import { startFakeTwilioServer, type RecordedSend } from '../test/fakes/fake-twilio-server';
import { startFakeOpenAi } from '../test/fakes/fake-openai-server';
import { startFakeGemini } from '../test/fakes/fake-gemini-server';

/**
 * npm run bench:turns [-- --rates 100,200 --seconds 10 --levels 8,16,32,64,128,256 --level-seconds 5
 *                        --processes 2 --systems baseline,instant,parley,cluster,instances --ignore-load]
 *
 * Simulated WhatsApp customers post Twilio-signed webhooks to a running parley
 * (a child process: `node dist/src/main.js` on a real PostgreSQL, with fake
 * OpenAI/Gemini servers answering at once and the fake Twilio API). Per turn it
 * measures the time from posting the webhook to the fake Twilio receiving the
 * reply, first at a fixed rate (open loop), then the throughput at rising
 * concurrency (closed loop) until it stops growing. The same run measures a
 * baseline child process doing only the unavoidable work (parse, one insert,
 * one call to the fake LLM, one to the fake Twilio): see minimal-turn-handler.ts.
 * Besides one service process it measures `--processes` N workers under
 * WEB_CONCURRENCY (cluster) and N separate instances on the same database
 * (webhooks spread round-robin). It refuses to run when the machine is already
 * busy (1-minute load average above half the CPUs) unless --ignore-load, and
 * then says so next to the figures. --profile writes V8 CPU profiles of the
 * instant and service children to .parley/profiles (bench/cpu-profile-summary.ts summarises one).
 */
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';
const BUSINESS_NUMBER = 'whatsapp:+14155550100';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Matches replies arriving at the fake Twilio to the webhook that caused them (one turn in flight per customer). */
class TurnClock {
  private readonly waiting = new Map<string, { startedAt: number; resolve: () => void }>();
  latencies: number[] = [];
  completed = 0;

  onSend = (send: RecordedSend) => {
    const turn = this.waiting.get(send.to);
    if (!turn) return;
    this.waiting.delete(send.to);
    this.latencies.push(performance.now() - turn.startedAt);
    this.completed += 1;
    turn.resolve();
  };

  start(customer: string): Promise<void> {
    return new Promise((resolve) => this.waiting.set(customer, { startedAt: performance.now(), resolve }));
  }

  get inFlight(): number {
    return this.waiting.size;
  }

  busy(customer: string): boolean {
    return this.waiting.has(customer);
  }

  reset(): void {
    this.latencies = [];
    this.completed = 0;
  }
}

class WebhookClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  private sequence = 0;
  posted = 0;
  failed = 0;

  /** Several base URLs: webhooks go round-robin (a load balancer in front of N instances). */
  constructor(private readonly baseUrls: string[]) {}

  post(customer: string): void {
    this.sequence += 1;
    const baseUrl = this.baseUrls[this.sequence % this.baseUrls.length]!;
    const sid = `SM${crypto.randomBytes(12).toString('hex')}${String(this.sequence).padStart(8, '0')}`;
    const fields: Record<string, string> = {
      SmsMessageSid: sid,
      NumMedia: '0',
      ProfileName: 'Bench',
      MessageType: 'text',
      SmsSid: sid,
      WaId: customer.slice(10),
      SmsStatus: 'received',
      // A different question every time: no response cache can answer it.
      Body: `Hello, where is my order number ${this.sequence}?`,
      To: BUSINESS_NUMBER,
      NumSegments: '1',
      ReferralNumMedia: '0',
      MessageSid: sid,
      AccountSid: ACCOUNT_SID,
      From: customer,
      ApiVersion: '2010-04-01',
    };
    const url = `${baseUrl}/channels/whatsapp/inbound`;
    const body = new URLSearchParams(fields).toString();
    const target = new URL(url);
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent: this.agent,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          'X-Twilio-Signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, fields),
        },
      },
      (response) => {
        if (response.statusCode !== 200) this.failed += 1;
        response.resume();
      },
    );
    request.on('error', () => (this.failed += 1));
    request.end(body);
    this.posted += 1;
  }

  close(): void {
    this.agent.destroy();
  }
}

interface SystemUnderTest {
  name: string;
  baseUrls: string[];
  processes: ChildProcess[];
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${url}: the process exited with ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} was not ready within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // A profiled child writes its profile only when it exits by itself: give it longer.
  const timer = setTimeout(() => child.kill('SIGKILL'), flag('profile') ? 60_000 : 15_000);
  await exited;
  clearTimeout(timer);
}

/** Open loop: `rate` new turns per second for `seconds`, each from a customer with no turn in flight. */
async function fixedRate(
  client: WebhookClient,
  clock: TurnClock,
  customers: string[],
  rate: number,
  seconds: number,
): Promise<void> {
  const started = performance.now();
  let sent = 0;
  let next = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent < due) {
      let customer = customers[next++ % customers.length]!;
      for (let tries = 0; clock.busy(customer) && tries < customers.length; tries += 1)
        customer = customers[next++ % customers.length]!;
      void clock.start(customer);
      client.post(customer);
      sent += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Closed loop: `concurrency` customers each send, wait for the reply, send again, for `seconds`. Returns turns per second. */
async function closedLoop(
  client: WebhookClient,
  clock: TurnClock,
  customers: string[],
  concurrency: number,
  seconds: number,
): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  clock.reset();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_unused, worker) => {
      const customer = customers[worker]!;
      while (performance.now() < deadline) {
        const replied = clock.start(customer);
        client.post(customer);
        // A lost turn must not hang the benchmark: give up on it after 10 s.
        await Promise.race([replied, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      }
    }),
  );
  return clock.completed / ((performance.now() - started) / 1000);
}

async function drain(clock: TurnClock, expected: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (clock.completed < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

interface Measurement {
  /** Per offered rate (turns/s): latency from webhook to reply, turns measured, turns without a reply. */
  rates: Array<{ rate: number; latency: Percentiles; turns: number; lost: number }>;
  levels: { concurrency: number; turnsPerSecond: number; p50: number; p99: number }[];
  saturation: number;
  peakRssMb: number;
  posted: number;
  rejected: number;
  /** Per turn over the whole measurement: see CostCounters (the backends' CPU only counts connections open at both ends). */
  perTurn: {
    nodeCpuMs: number;
    postgresCpuMs: number;
    transactions: number;
    statements: number | null;
    rowsWritten: number;
    walBytes: number;
    /** True when walBytes is this database's WAL (pg_walinspect), false when it is the whole server's. */
    walIsolated: boolean;
  };
}

async function measure(
  system: SystemUnderTest,
  clock: TurnClock,
  options: {
    rates: number[];
    seconds: number;
    levels: number[];
    levelSeconds: number;
    prefix: string;
    check: pg.Client;
    database: string;
    countsDir: string;
    walReserved: boolean;
  },
): Promise<Measurement> {
  const client = new WebhookClient(system.baseUrls);
  const pids = system.processes.map((child) => child.pid!);
  const memory = watchMemory(system.processes.map((child) => child.pid!));
  log(
    `  ${system.name}: resident when ready (before any turn): ${residentMb(pids)
      .map((mb) => `${mb} MB`)
      .join(', ')}`,
  );
  // Each system its own customers: conversations (and their history) do not carry over between systems.
  const prefix = `whatsapp:+44${options.prefix}`;
  const customers = Array.from({ length: 2_000 }, (_unused, index) => `${prefix}${String(index).padStart(8, '0')}`);

  // Warm-up (connections, JIT, the Content template), not measured.
  clock.reset();
  await fixedRate(client, clock, customers, Math.min(options.rates[0]!, 100), 2);
  await drain(clock, client.posted);
  // Costs are counted from here (the warm-up opened the pool's connections, so their backends exist at both ends).
  const costBefore = await costCounters(options.check, options.database, pids, options.countsDir);
  const postedBefore = client.posted;

  const rates: Measurement['rates'] = [];
  for (const rate of options.rates) {
    clock.reset();
    const before = client.posted;
    await fixedRate(client, clock, customers, rate, options.seconds);
    await drain(clock, client.posted - before);
    const latency = percentiles(clock.latencies);
    const turns = clock.latencies.length;
    const lost = client.posted - before - turns;
    rates.push({ rate, latency, turns, lost });
    log(
      `  ${system.name}: ${turns} turns at ${rate}/s: p50 ${latency.p50.toFixed(2)} ms, p95 ${latency.p95.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms${lost ? `, ${lost} without a reply` : ''}`,
    );
  }

  const levels: Measurement['levels'] = [];
  let best = 0;
  let flat = 0;
  for (const concurrency of options.levels) {
    const turnsPerSecond = await closedLoop(client, clock, customers, concurrency, options.levelSeconds);
    const spread = percentiles(clock.latencies);
    // Let the stragglers land, so they do not count towards the next level.
    for (let waited = 0; clock.inFlight > 0 && waited < 10_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    levels.push({ concurrency, turnsPerSecond, p50: spread.p50, p99: spread.p99 });
    log(
      `  ${system.name}: concurrency ${String(concurrency).padStart(3)} → ${turnsPerSecond.toFixed(0).padStart(5)} turns/s (p50 ${spread.p50.toFixed(1)} ms, p99 ${spread.p99.toFixed(1)} ms)`,
    );
    if (turnsPerSecond > best * 1.05) {
      best = turnsPerSecond;
      flat = 0;
    } else if ((flat += 1) >= 2) break; // Saturated: two levels in a row without 5% more.
    best = Math.max(best, turnsPerSecond);
  }
  const costAfter = await costCounters(options.check, options.database, pids, options.countsDir);
  // Per turn answered in the window (replies written), whichever system's webhook it was: the baseline writes none.
  const answered = costAfter.answered - costBefore.answered;
  const turns = Math.max(1, answered > 0 ? answered : client.posted - postedBefore);
  const wal = options.walReserved
    ? await databaseWalBytes(options.check, options.database, costBefore.walLsn, costAfter.walLsn)
    : null;
  if (options.walReserved) {
    // The WAL read back is no longer needed: let the server recycle it.
    await options.check
      .query(
        `select pg_replication_slot_advance(slot_name, pg_current_wal_insert_lsn())
         from pg_replication_slots where temporary and active_pid = pg_backend_pid()`,
      )
      .catch(() => undefined);
  }
  const serverWal = Number(
    (
      (
        await options.check.query(`select pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::bigint as bytes`, [
          costAfter.walLsn,
          costBefore.walLsn,
        ])
      ).rows[0] as { bytes: string }
    ).bytes,
  );
  const perTurn = {
    nodeCpuMs: (costAfter.nodeCpuMs - costBefore.nodeCpuMs) / turns,
    postgresCpuMs: Math.max(0, costAfter.postgresCpuMs - costBefore.postgresCpuMs) / turns,
    transactions: (costAfter.transactions - costBefore.transactions) / turns,
    statements:
      costAfter.statements !== null && costBefore.statements !== null
        ? (costAfter.statements - costBefore.statements) / turns
        : null,
    rowsWritten: (costAfter.rowsWritten - costBefore.rowsWritten) / turns,
    walBytes: (wal?.bytes ?? serverWal) / turns,
    walIsolated: wal !== null,
  };
  log(`  ${system.name}: per turn ${describeCost(perTurn)}`);
  for (const memory of costAfter.peakMemoryMb)
    if (memory.rss)
      log(
        `  ${system.name}: at its peak RSS of ${memory.rss} MB a process held ${memory.heapUsed} MB of JS heap (of ${memory.heapTotal} MB reserved), ${memory.external} MB external (${memory.arrayBuffers} MB array buffers)`,
      );
  client.close();
  return {
    perTurn,
    rates,
    levels,
    saturation: best,
    peakRssMb: memory.stop(),
    posted: client.posted,
    rejected: client.failed,
  };
}

/** One line of counted cost per turn. */
function describeCost(perTurn: Measurement['perTurn']): string {
  const statements =
    perTurn.statements === null ? 'statements not counted' : `${perTurn.statements.toFixed(1)} statements`;
  return `${perTurn.nodeCpuMs.toFixed(2)} ms Node CPU + ${perTurn.postgresCpuMs.toFixed(2)} ms PostgreSQL CPU, ${perTurn.transactions.toFixed(1)} commits, ${statements}, ${perTurn.rowsWritten.toFixed(1)} rows written, ${(perTurn.walBytes / 1024).toFixed(2)} KiB WAL${perTurn.walIsolated ? '' : ' (server-wide: includes other databases)'}`;
}

const SYSTEMS = ['baseline', 'instant', 'parley', 'cluster', 'instances'] as const;
type SystemName = (typeof SYSTEMS)[number];

async function main(): Promise<void> {
  const rates = (argument('rate', '') || argument('rates', '100,200')).split(',').map(Number);
  const seconds = Number(argument('seconds', '10'));
  const levels = argument('levels', '8,16,32,64,128,256').split(',').map(Number);
  const levelSeconds = Number(argument('level-seconds', '5'));
  const processes = Number(argument('processes', '2'));
  const wanted = new Set(argument('systems', SYSTEMS.join(',')).split(',') as SystemName[]);
  wanted.add('baseline');
  const ignoreLoad = flag('ignore-load');
  const root = path.resolve(__dirname, '..', '..');
  const mainScript = path.join(root, 'dist', 'src', 'main.js');
  const baselineScript = path.join(root, 'dist', 'bench', 'minimal-turn-handler.js');
  const instantScript = path.join(root, 'dist', 'bench', 'parley-instant-server.js');
  log(
    `parley turn benchmark — Node ${process.version}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
  );
  // A busy machine makes every figure below a measurement of the neighbours: refuse, unless told to go on.
  const loadBefore = os.loadavg()[0]!;
  const busy = loadBefore > os.cpus().length * 0.5;
  log(`load average before: ${loadAverage()}${busy ? ' (busy: above half the CPUs)' : ''}`);
  if (busy && !ignoreLoad) {
    process.stderr.write(
      `bench:turns: the machine is busy (1-minute load ${loadBefore.toFixed(2)} on ${os.cpus().length} CPUs); figures would not be the service's. Run it on a quiet machine, or pass --ignore-load and say so next to the figures.\n`,
    );
    process.exit(3);
  }
  if (busy) log('WARNING: --ignore-load on a busy machine: the figures below are lower bounds shared with other work');

  const config = loadConfig();
  const scratch = await createScratchDatabase({ serverUrl: config.DATABASE_URL, prefix: 'wa_turns_bench' });
  const databaseUrl = scratch.url;
  const secretKey = crypto.randomBytes(32);

  const clock = new TurnClock();
  const twilioFake = await startFakeTwilioServer({
    accounts: { [ACCOUNT_SID]: AUTH_TOKEN },
    onSend: clock.onSend,
    recordSends: false,
  });
  const openai = await startFakeOpenAi();
  const gemini = await startFakeGemini();
  // Keep the fakes' memory flat over tens of thousands of requests: answers need no history.
  const trim = setInterval(() => {
    openai.requests.length = 0;
    gemini.requests.length = 0;
  }, 1_000);
  const children: ChildProcess[] = [];
  try {
    const orm = await openOrm({ url: databaseUrl, poolMax: 2 });
    await migrate(orm);
    const em = orm.em.fork();
    const tenant = await createTenant(em, {
      name: 'bench-shop',
      settings: { feedbackPromptFrequency: 'always', systemPrompt: 'You are a shop assistant. Answer briefly.' },
    });
    await setWhatsAppSettings(em, new SecretBox(secretKey), tenant.id, {
      numbers: [BUSINESS_NUMBER],
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
    });
    await orm.em
      .fork()
      .getConnection()
      .execute(
        'create table baseline_message (id uuid primary key, message_sid varchar(64) unique not null, sender text not null, body text not null, created_at timestamptz not null default now())',
      );
    await orm.close(true);
    log(
      `database: ${scratch.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL server'}, throwaway database ${scratch.name}; pool 10 connections per process`,
    );
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    // The embedded server stops in `finally`: its goodbye must not crash the run and hide the error that ended it.
    check.on('error', () => undefined);
    // Statements and CPU per process: every child preloads statement-counter.ts (NODE_OPTIONS reaches cluster workers).
    const countsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-counts-'));
    const preload = `--require ${path.join(root, 'dist', 'bench', 'statement-counter.js')}`;
    const profileDir = path.join(root, '.parley', 'profiles');
    const childEnv = { ...process.env, NODE_OPTIONS: preload, PARLEY_BENCH_COUNTS_DIR: countsDir };
    // WAL of this database alone, read back with pg_walinspect (a temporary slot keeps it until then).
    const walReserved = await reserveWal(check, `parley_bench_${process.pid}`);
    if (!walReserved) log('WAL per turn: pg_walinspect or a replication slot was refused; reporting server-wide WAL');
    const options = { rates, seconds, levels, levelSeconds, check, database: scratch.name, countsDir, walReserved };
    const ready = (child: ChildProcess, name: string) =>
      new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => {
          // Keep reading (and dropping) what the child writes: a full pipe would block its writes and stall it.
          child.stdout!.resume();
          resolve();
        });
        child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
      });

    /** The whole service as deployed (`node dist/src/main.js`), providers calling the fake servers through their SDKs. */
    const startParley = async (extra: Record<string, string>): Promise<{ child: ChildProcess; url: string }> => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      // --profile: the service process writes a V8 CPU profile too (Node refuses --cpu-prof in NODE_OPTIONS, so a
      // WEB_CONCURRENCY supervisor's workers are not profiled). Summarise one with bench/cpu-profile-summary.ts.
      const profile = flag('profile') ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
      const child = spawn(process.execPath, [...profile, mainScript], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          NODE_OPTIONS: preload,
          PARLEY_BENCH_COUNTS_DIR: countsDir,
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(port),
          PUBLIC_BASE_URL: url,
          LOG_LEVEL: 'warn',
          DATABASE_URL: databaseUrl,
          DATABASE_POOL_MAX: '10',
          PARLEY_SECRET_KEY: secretKey.toString('hex'),
          PARLEY_DATA_DIR: path.join(os.tmpdir(), `${scratch.name}-data`),
          SEED_DEMO: 'false',
          JOBS_ENABLED: 'false',
          RESPONSE_CACHE_TTL_MS: '0',
          OPENAI_API_KEY: 'sk-bench',
          OPENAI_BASE_URL: openai.url,
          GEMINI_API_KEY: 'gemini-bench',
          GEMINI_BASE_URL: gemini.url,
          TWILIO_API_URL: twilioFake.url,
          ...extra,
        },
      });
      children.push(child);
      await waitReady(`${url}/readyz`, child, 180_000);
      return { child, url };
    };
    const results = new Map<SystemName, Measurement>();

    // One system at a time, so none disturbs another. 1. The baseline.
    const baselinePort = await freePort();
    const baseline = spawn(
      process.execPath,
      [
        baselineScript,
        JSON.stringify({
          port: baselinePort,
          databaseUrl,
          llmUrl: `${openai.url}/`,
          twilioUrl: twilioFake.url,
          accountSid: ACCOUNT_SID,
          authToken: AUTH_TOKEN,
          poolMax: 10,
        }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv },
    );
    children.push(baseline);
    await ready(baseline, 'baseline');
    log('baseline (parse, one insert, one LLM call, one Twilio call):');
    const base = await measure(
      { name: 'baseline', baseUrls: [`http://127.0.0.1:${baselinePort}`], processes: [baseline] },
      clock,
      { ...options, prefix: '70' },
    );
    results.set('baseline', base);
    await stopChild(baseline);

    if (wanted.has('instant')) {
      // 2. parley's channel and engine with a gateway that answers at once (no provider layer).
      const instantPort = await freePort();
      // --profile writes a V8 CPU profile of this child to ./.parley/profiles (open it in Chrome DevTools).
      const profile = flag('profile') ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
      const instant = spawn(
        process.execPath,
        [
          ...profile,
          instantScript,
          JSON.stringify({
            port: instantPort,
            databaseUrl,
            twilioUrl: twilioFake.url,
            secretKeyHex: secretKey.toString('hex'),
            poolMax: 10,
          }),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv },
      );
      children.push(instant);
      await ready(instant, 'parley (instant gateway)');
      log('parley with an instant gateway (signed webhook → stored → engine turn → Twilio send with 👍/👎 template):');
      results.set(
        'instant',
        await measure(
          { name: 'parley-instant', baseUrls: [`http://127.0.0.1:${instantPort}`], processes: [instant] },
          clock,
          { ...options, prefix: '71' },
        ),
      );
      await stopChild(instant);
    }

    if (wanted.has('parley')) {
      // 3. One service process.
      const parley = await startParley({});
      log('parley (npm start: the whole service, providers through their SDKs to the fake LLM servers):');
      results.set(
        'parley',
        await measure({ name: 'parley', baseUrls: [parley.url], processes: [parley.child] }, clock, {
          ...options,
          prefix: '72',
        }),
      );
      await stopChild(parley.child);
    }

    if (wanted.has('cluster')) {
      // 4. One service, N workers under the WEB_CONCURRENCY supervisor, sharing one port.
      const cluster = await startParley({ WEB_CONCURRENCY: String(processes) });
      log(`parley WEB_CONCURRENCY=${processes} (one supervisor, ${processes} workers on one port):`);
      results.set(
        'cluster',
        await measure(
          { name: `parley-cluster-${processes}`, baseUrls: [cluster.url], processes: [cluster.child] },
          clock,
          {
            ...options,
            prefix: '73',
          },
        ),
      );
      await stopChild(cluster.child);
    }

    if (wanted.has('instances')) {
      // 5. N separate instances on the same database, webhooks spread round-robin (a load balancer).
      const instances = await Promise.all(Array.from({ length: processes }, () => startParley({})));
      log(`parley × ${processes} instances (separate processes, round-robin webhooks):`);
      results.set(
        'instances',
        await measure(
          {
            name: `parley-instances-${processes}`,
            baseUrls: instances.map((instance) => instance.url),
            processes: instances.map((instance) => instance.child),
          },
          clock,
          { ...options, prefix: '74' },
        ),
      );
      for (const instance of instances) await stopChild(instance.child);
    }

    // Every turn persisted: each webhook accepted is a stored, answered message with a reply Twilio accepted.
    const [stored] = (
      await check.query(
        `select count(*)::int as inbound, count(processed_at)::int as answered from message where direction = 'inbound'`,
      )
    ).rows as { inbound: number; answered: number }[];
    const [replies] = (
      await check.query(
        `select count(*) filter (where delivery_status = 'queued')::int as sent, count(*)::int as total from message where direction = 'outbound'`,
      )
    ).rows as { sent: number; total: number }[];
    const usage = (
      await check.query(
        `select provider, model, success, coalesce(error_code, '') as error, count(*)::int as calls, round(avg(latency_ms))::int as ms from provider_usage group by 1, 2, 3, 4 order by calls desc limit 5`,
      )
    ).rows as { provider: string; model: string; success: boolean; error: string; calls: number; ms: number }[];
    await check.end();

    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const label = (name: SystemName) =>
      name === 'instant'
        ? 'parley-instant'
        : name === 'cluster'
          ? `cluster ×${processes}`
          : name === 'instances'
            ? `instances ×${processes}`
            : name;
    log('');
    log(`${busy ? '[BUSY MACHINE, --ignore-load] ' : ''}summary, all measured in this run:`);
    for (const [index, rate] of rates.entries()) {
      const baseRate = base.rates[index]!;
      log(`latency at ${rate} turns/s (webhook posted → reply at the fake Twilio):`);
      for (const [name, result] of results) {
        const at = result.rates[index]!;
        const added = at.latency.p99 - baseRate.latency.p99;
        const target = rate === 100 ? ` (target ≤ 10 at 100/s: ${verdict(added <= 10)})` : '';
        log(
          `  ${label(name).padEnd(15)} p50 ${at.latency.p50.toFixed(2)} ms  p99 ${at.latency.p99.toFixed(2)} ms  ${name === 'baseline' ? '' : `added p50 ${(at.latency.p50 - baseRate.latency.p50).toFixed(2)} ms, added p99 ${added.toFixed(2)} ms${target}`}${at.lost ? `  ${at.lost} without a reply` : ''}`,
        );
      }
    }
    log('saturation (closed loop, best level) and peak RSS of one process:');
    for (const [name, result] of results) {
      const ratio = name === 'baseline' ? '' : ` ×${(result.saturation / base.saturation).toFixed(2)} of the baseline`;
      const target = name === 'baseline' ? '' : `, target ≥ 500: ${verdict(result.saturation >= 500)}`;
      log(
        `  ${label(name).padEnd(15)} ${result.saturation.toFixed(0).padStart(5)} turns/s${ratio}${target}; peak RSS ${result.peakRssMb.toFixed(0)} MB${name === 'baseline' ? '' : ` (target ≤ 250: ${verdict(result.peakRssMb <= 250)})`}`,
      );
    }
    log('cost per turn (counted, not timed; PostgreSQL CPU counts the backends serving this database):');
    for (const [name, result] of results) {
      const cpu = result.perTurn.nodeCpuMs + result.perTurn.postgresCpuMs;
      log(
        `  ${label(name).padEnd(15)} ${describeCost(result.perTurn)} → ${(1000 / cpu).toFixed(0)} turns/s per core, ${((os.cpus().length * 1000) / cpu).toFixed(0)} on ${os.cpus().length} cores if nothing else ran`,
      );
    }
    const posted = [...results]
      .filter(([name]) => name !== 'baseline')
      .reduce((sum, [, result]) => sum + result.posted, 0);
    const rejected = [...results]
      .filter(([name]) => name !== 'baseline')
      .reduce((sum, [, result]) => sum + result.rejected, 0);
    log(
      `persisted: ${posted} webhooks posted to parley (${rejected} rejected), ${stored!.inbound} stored, ${stored!.answered} answered, ${replies!.sent} of ${replies!.total} replies accepted by Twilio`,
    );
    log(
      `provider calls (parley): ${usage.map((row) => `${row.provider}/${row.model} ${row.success ? 'ok' : `failed ${row.error}`} ×${row.calls} (avg ${row.ms} ms)`).join('; ')}`,
    );
    log(`load average after: ${loadAverage()}`);
  } finally {
    clearInterval(trim);
    for (const child of children) await stopChild(child);
    await twilioFake.close();
    await openai.close();
    await gemini.close();
    await scratch.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:turns failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
