import { commandLine } from '../src/cli/command-line';

/** Helpers every benchmark shares: arguments, output, percentiles. */

export const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** The value of `--name` on the command line (checked by the entry's spec in src/cli/command-line.ts), or `fallback`. */
export function argument(name: string, fallback: string): string {
  const value = commandLine().values[name];
  return typeof value === 'string' ? value : fallback;
}

/** Whether the boolean option `--name` was given. */
export function flag(name: string): boolean {
  return commandLine().values[name] === true;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

/** Nearest-rank percentiles (NaN for no samples). */
export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
