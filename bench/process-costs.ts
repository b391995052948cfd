import fs from 'node:fs';
import type pg from 'pg';

/** Child processes of `pid` (a WEB_CONCURRENCY supervisor's workers), from /proc. */
export function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
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
  rowsWritten: number;
  walBytes: number;
  /** Replies written (outbound messages): a system also answers what a previous one left stored. */
  answered: number;
}

/** Node CPU of the system's processes (and workers), CPU of the PostgreSQL backends serving the database, its commits and row writes, and the server's WAL position. */
export async function costCounters(check: pg.Client, database: string, pids: number[]): Promise<CostCounters> {
  const backends = (
    await check.query(`select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [database])
  ).rows as { pid: number }[];
  const [stats] = (
    await check.query(
      `select xact_commit::bigint as commits, (tup_inserted + tup_updated + tup_deleted)::bigint as written,
         pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint as wal,
         (select count(*) from message where direction = 'outbound')::bigint as answered
       from pg_stat_database where datname = $1`,
      [database],
    )
  ).rows as { commits: string; written: string; wal: string; answered: string }[];
  return {
    nodeCpuMs: pids.flatMap((pid) => [pid, ...childPids(pid)]).reduce((sum, pid) => sum + cpuMs(pid), 0),
    postgresCpuMs: backends.reduce((sum, backend) => sum + cpuMs(backend.pid), 0),
    transactions: Number(stats!.commits),
    rowsWritten: Number(stats!.written),
    walBytes: Number(stats!.wal),
    answered: Number(stats!.answered),
  };
}
