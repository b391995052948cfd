import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

/** Child processes of `pid` (a WEB_CONCURRENCY supervisor's workers), from /proc. */
export function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Resident memory of each process now, in MB (0 once it has exited). */
export function residentMb(pids: number[]): number[] {
  return pids.map((pid) => {
    try {
      return Math.round(
        Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
      );
    } catch {
      return 0;
    }
  });
}

/** Peak resident memory of any one of the children (or, for a supervisor, of its workers), sampled every 100 ms. */
export function watchMemory(pids: number[]): { stop(): number } {
  let peak = 0;
  const sample = () => {
    for (const parent of pids)
      for (const pid of [parent, ...childPids(parent)]) {
        try {
          const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
          if (match) peak = Math.max(peak, Number(match[1]) / 1024);
        } catch {
          // The process has exited: keep the last peak.
        }
      }
  };
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** CPU time (user + system) of a process, in milliseconds, from /proc (clock ticks of 10 ms); 0 once it has exited. */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat; fields[0] here is field 3.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** What a system cost the machine, counted rather than timed, so a busy machine blurs it less than throughput. */
export interface CostCounters {
  nodeCpuMs: number;
  postgresCpuMs: number;
  transactions: number;
  /** Statements sent by the system's processes (bench/statement-counter.ts); null when they did not report. */
  statements: number | null;
  rowsWritten: number;
  /** The server's WAL insert position, in bytes. */
  walLsn: string;
  /** Replies written (outbound messages): a system also answers what a previous one left stored. */
  answered: number;
  /** Per reporting process: process.memoryUsage() in MB when its resident set peaked (statement-counter.ts). */
  peakMemoryMb: Array<Record<string, number>>;
}

/** What a process preloading statement-counter.ts reports. */
interface Reported {
  statements: number;
  cpuMs: number;
  peakMemoryMb?: Record<string, number>;
}

/** Asks each process (statement-counter.ts) for its statements and CPU time; null for a process that did not answer. */
async function reportedCounts(pids: number[], directory: string | null): Promise<Array<Reported | null>> {
  if (!directory) return pids.map(() => null);
  const files = pids.map((pid) => path.join(directory, `${pid}.json`));
  const before = files.map((file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0));
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGUSR2');
    } catch {
      // Exited.
    }
  }
  const read = () =>
    files.map((file, index) => {
      try {
        if (fs.statSync(file).mtimeMs === before[index]) return null;
        return JSON.parse(fs.readFileSync(file, 'utf8')) as Reported;
      } catch {
        return null;
      }
    });
  for (let waited = 0; waited < 2_000; waited += 20) {
    const counts = read();
    if (counts.every((count) => count !== null)) return counts;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return read();
}

/**
 * Node CPU of the system's processes (and workers), CPU of the PostgreSQL backends serving the database, its
 * commits and row writes, the statements the processes sent (when they preload statement-counter.ts and report
 * into `countsDir`), and the server's WAL position.
 */
export async function costCounters(
  check: pg.Client,
  database: string,
  pids: number[],
  countsDir: string | null = null,
): Promise<CostCounters> {
  const all = pids.flatMap((pid) => [pid, ...childPids(pid)]);
  const reported = await reportedCounts(all, countsDir);
  const backends = (
    await check.query(`select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [database])
  ).rows as { pid: number }[];
  const [stats] = (
    await check.query(
      `select xact_commit::bigint as commits, (tup_inserted + tup_updated + tup_deleted)::bigint as written,
         pg_current_wal_insert_lsn()::text as lsn,
         (select count(*) from message where direction = 'outbound')::bigint as answered
       from pg_stat_database where datname = $1`,
      [database],
    )
  ).rows as { commits: string; written: string; lsn: string; answered: string }[];
  // A supervisor without the preload (or a process that did not answer) is counted from /proc instead.
  const nodeCpuMs = all.reduce((sum, pid, index) => sum + (reported[index]?.cpuMs ?? cpuMs(pid)), 0);
  const counted = reported.filter((count) => count !== null);
  return {
    nodeCpuMs,
    postgresCpuMs: backends.reduce((sum, backend) => sum + cpuMs(backend.pid), 0),
    transactions: Number(stats!.commits),
    statements: counted.length ? counted.reduce((sum, count) => sum + count.statements, 0) : null,
    rowsWritten: Number(stats!.written),
    walLsn: stats!.lsn,
    answered: Number(stats!.answered),
    peakMemoryMb: counted.map((count) => count.peakMemoryMb ?? {}),
  };
}

/**
 * WAL written for one database between two positions, read back with pg_walinspect: the records that touch
 * its relations, plus the commit records of the transactions that wrote them. The rest of the server's WAL
 * (other databases on a shared server) is left out. Null when pg_walinspect is unavailable or the WAL is gone.
 * `reserveWal` must have been called before `from`, on the same session, so the segments are still there.
 */
export async function databaseWalBytes(
  check: pg.Client,
  database: string,
  from: string,
  to: string,
): Promise<{ bytes: number; serverBytes: number } | null> {
  try {
    const [row] = (
      await check.query(
        `with db as (select oid from pg_database where datname = $1),
           records as (select xid, record_length, block_ref from pg_get_wal_records_info($2::pg_lsn, $3::pg_lsn)),
           ours as (select distinct xid from records, db where block_ref like '%/' || db.oid || '/%' and xid <> '0')
         select coalesce(sum(record_length) filter (where block_ref like '%/' || (select oid from db) || '/%'
                  or (xid <> '0' and xid in (select xid from ours))), 0)::bigint as bytes,
                pg_wal_lsn_diff($3::pg_lsn, $2::pg_lsn)::bigint as server_bytes
         from records`,
        [database, from, to],
      )
    ).rows as { bytes: string; server_bytes: string }[];
    return { bytes: Number(row!.bytes), serverBytes: Number(row!.server_bytes) };
  } catch {
    return null;
  }
}

/**
 * Keeps the server's WAL from here on until this session ends (a temporary physical replication slot), and
 * installs pg_walinspect in the benchmark's database, so databaseWalBytes can read it back. False (and WAL is
 * reported server-wide) when either is refused.
 */
export async function reserveWal(check: pg.Client, slot: string): Promise<boolean> {
  try {
    await check.query('create extension if not exists pg_walinspect');
    await check.query('select pg_create_physical_replication_slot($1, true, true)', [slot]);
    return true;
  } catch {
    return false;
  }
}
