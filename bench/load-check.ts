import os from 'node:os';
import { log } from './bench-stats';

/** The three load averages (1, 5, 15 minutes), for the lines printed before and after a run. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

/** A machine is busy when its 1-minute load average is above half its CPUs (the rule of bench:turns). */
export function busyThreshold(): number {
  return os.cpus().length * 0.5;
}

/**
 * Prints the load average before a run and refuses (exit 3, a clear message on
 * stderr) when the machine is already busy, unless `ignoreLoad` (--ignore-load):
 * then it warns and returns true, so the figures can be marked.
 */
export function refuseWhenBusy(bench: string, ignoreLoad: boolean): boolean {
  const before = os.loadavg()[0]!;
  const busy = before > busyThreshold();
  log(`load average before: ${loadAverage()}${busy ? ' (busy: above half the CPUs)' : ''}`);
  if (busy && !ignoreLoad) {
    process.stderr.write(
      `${bench}: the machine is busy (1-minute load ${before.toFixed(2)} on ${os.cpus().length} CPUs); figures would not be the service's. Run it on a quiet machine, or pass --ignore-load and say so next to the figures.\n`,
    );
    process.exit(3);
  }
  if (busy) log('WARNING: --ignore-load on a busy machine: the figures below are lower bounds shared with other work');
  return busy;
}
