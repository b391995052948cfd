/**
 * Pure logic of the learning and experiments pages (unit-tested without a
 * browser): what an activation or rollback will do, in words, and where a
 * confidence interval sits on a shared axis.
 */
export interface VersionLike {
  id: string;
  number: number;
  status: string;
}
export interface ActivationLike {
  action: string;
  modelVersionId: string;
}

/** Statuses a version can be activated (or rolled back to) from (the server's DEPLOYABLE plus draft with force). */
const DEPLOYABLE = ['evaluated', 'rolling_out', 'active', 'rolled_back'];

/** Whether the console offers "Activate" for this version. */
export function canActivate(version: VersionLike): boolean {
  return version.status !== 'active' && version.status !== 'retired';
}

/** The confirmation shown before activating: what changes for customers, and the force needed for a draft. */
export function describeActivation(version: VersionLike, active: VersionLike | null): string {
  const switching = active
    ? `Version ${version.number} replaces version ${active.number} for every customer from their next message, on every instance.`
    : `Version ${version.number} answers every customer from their next message, on every instance.`;
  const draft =
    version.status === 'draft'
      ? ' It was never evaluated: activating it anyway is recorded in the deployment history and the audit log.'
      : '';
  return `${switching}${draft} You can roll back at any time.`;
}

/**
 * The version a rollback goes back to, as the server picks it: the most
 * recent earlier activation of another version that can still serve
 * (history is newest first). Null when there is none.
 */
export function rollbackTarget<T extends VersionLike>(
  versions: T[],
  history: ActivationLike[],
  active: VersionLike | null,
): T | null {
  if (!active) return null;
  for (const event of history) {
    if (event.action !== 'activated' || event.modelVersionId === active.id) continue;
    const version = versions.find((candidate) => candidate.id === event.modelVersionId);
    if (version && DEPLOYABLE.includes(version.status)) return version;
  }
  return null;
}

/** The confirmation shown before a rollback. */
export function describeRollback(active: VersionLike, target: VersionLike | null): string {
  return target
    ? `Version ${active.number} stops answering at once; version ${target.number}, active before it, answers every customer from their next message. Version ${active.number} is marked rolled back (it can be activated again).`
    : `There is no earlier version to roll back to: version ${active.number} stays active.`;
}

/** Where values sit on a horizontal axis from `min` to `max`, as percentages of its width (clamped). */
export function axisPosition(value: number, min: number, max: number): number {
  if (!(max > min)) return 50;
  return Math.min(100, Math.max(0, ((value - min) / (max - min)) * 100));
}

/**
 * A symmetric axis for relative changes that holds every interval and 0
 * (rounded out to the next 5 %), at least ±10 %.
 */
export function intervalAxis(intervals: number[][]): { min: number; max: number } {
  let extent = 0.1;
  for (const interval of intervals)
    for (const bound of interval) if (Number.isFinite(bound)) extent = Math.max(extent, Math.abs(bound));
  extent = Math.ceil(extent * 20 - 1e-9) / 20;
  return { min: -extent, max: extent };
}

/** Metrics where a lower value is better (an increase counts against the candidate). */
export const LOWER_IS_BETTER = new Set(['handoff_rate', 'cost_per_conversation']);

/** Reads an interval of a relative change: better, worse or not yet clear, for the metric's direction. */
export function intervalVerdict(metric: string, interval: number[]): 'better' | 'worse' | 'unclear' {
  const [low, high] = interval;
  if (!Number.isFinite(low) || !Number.isFinite(high)) return 'unclear';
  const lower = LOWER_IS_BETTER.has(metric);
  if (low > 0) return lower ? 'worse' : 'better';
  if (high < 0) return lower ? 'better' : 'worse';
  return 'unclear';
}

/** "10 % → 50 % → 100 %" with the current stage marked. */
export function stageLabels(stages: number[], current: number): { label: string; state: 'done' | 'now' | 'next' }[] {
  return stages.map((stage, index) => ({
    label: `${Math.round(stage * 100)} %`,
    state: index < current ? 'done' : index === current ? 'now' : 'next',
  }));
}

export type VersionOption = { id: string; number: number; status: string; notes: string };

/** Versions that may serve customers as a candidate: not a draft, not retired, not the active one. */
export function candidateVersions<T extends VersionLike>(versions: T[]): T[] {
  return versions.filter((version) => !['draft', 'retired', 'active'].includes(version.status));
}
