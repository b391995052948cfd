/**
 * Number and time formatting for the console: every figure with its unit or
 * currency, every time in the viewer's own time zone (the browser's, unless a
 * test passes one). Pure functions: unit-tested without a browser.
 */
const NOTHING = '—';

export interface FormatOptions {
  locale?: string;
  timeZone?: string;
}

/** US dollars: cents for ordinary amounts, more digits for the fractions of a cent LLM calls cost. */
export function formatUsd(value: number | null | undefined, options: FormatOptions = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NOTHING;
  const magnitude = Math.abs(value);
  const digits = magnitude === 0 ? 2 : magnitude < 0.01 ? 5 : magnitude < 1 ? 4 : 2;
  return new Intl.NumberFormat(options.locale ?? 'en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** A fraction in [0, 1] as a percentage with one decimal. */
export function formatRate(value: number | null | undefined, options: FormatOptions = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NOTHING;
  return new Intl.NumberFormat(options.locale ?? 'en-US', {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(value);
}

/** A count with thousands separators; large token counts shortened (12.3k, 4.5M). */
export function formatCount(
  value: number | null | undefined,
  options: FormatOptions & { compact?: boolean } = {},
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NOTHING;
  return new Intl.NumberFormat(
    options.locale ?? 'en-US',
    options.compact && Math.abs(value) >= 10_000
      ? { notation: 'compact', maximumFractionDigits: 1 }
      : { maximumFractionDigits: 0 },
  ).format(value);
}

/** Milliseconds as "850 ms", "1.2 s" or "2 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NOTHING;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** A date-time in the viewer's zone, with the zone's name so nobody wonders which. */
export function formatDateTime(iso: string | Date | null | undefined, options: FormatOptions = {}): string {
  if (!iso) return NOTHING;
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return NOTHING;
  return new Intl.DateTimeFormat(options.locale ?? 'en-GB', {
    timeZone: options.timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(date);
}

/** A bucket start as a chart label: the day (or month) in the viewer's zone. */
export function formatBucket(iso: string, bucket: 'DAY' | 'WEEK' | 'MONTH', options: FormatOptions = {}): string {
  const date = new Date(iso);
  // Buckets are UTC days: label them as UTC so a viewer west of Greenwich does not see the day before.
  const format: Intl.DateTimeFormatOptions =
    bucket === 'MONTH'
      ? { month: 'short', year: 'numeric', timeZone: 'UTC' }
      : { month: 'short', day: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(options.locale ?? 'en-GB', format).format(date);
}

/** "3 min ago", "2 h ago", "5 d ago" relative to `now`. */
export function formatAgo(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return NOTHING;
  const seconds = Math.round((now.getTime() - new Date(iso).getTime()) / 1000);
  if (seconds < 0) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** Who did something, readably: "API key 0839eed2", "Slack U123", "system: nightly job". */
export function formatActor(actor: string | null | undefined): string {
  if (!actor) return NOTHING;
  const [kind, ...rest] = actor.split(':');
  const id = rest.join(':');
  if (kind === 'apikey') return `API key ${id.slice(0, 8)}`;
  if (kind === 'slack') return `Slack ${id}`;
  if (kind === 'system') return `system (${id})`;
  if (kind === 'public') return `public (${id})`;
  return actor;
}
