/**
 * Pure logic of the Alerts page: figures in their units, the state of an
 * alert in words, the settings form's change set and the server's field
 * errors. Unit-tested without a browser (test/unit/web/alerts-logic.test.ts).
 */
import { formatDuration, formatRate, formatUsd, type FormatOptions } from './format';

const NOTHING = '—';

/** A rule metric's value in its unit: latency in ms/s, rates in %, spend in USD, quality as a 0–1 score. */
export function formatMetric(
  metric: string | null,
  value: number | null | undefined,
  options: FormatOptions = {},
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NOTHING;
  if (metric?.endsWith('_ms')) return formatDuration(value);
  if (metric?.endsWith('_rate')) return formatRate(value, options);
  if (metric?.includes('usd')) return formatUsd(value, options);
  if (metric === 'reply_quality_score') return value.toFixed(3);
  return String(Math.round(value * 1000) / 1000);
}

/** "40.0 % (threshold 5.0 %)": what was measured against the line it crossed. */
export function describeValue(alert: { metric: string | null; value: number | null; threshold: number | null }) {
  const value = formatMetric(alert.metric, alert.value);
  if (alert.threshold === null) return value;
  return `${value} (threshold ${formatMetric(alert.metric, alert.threshold)})`;
}

export type AlertState = 'firing' | 'acknowledged' | 'silenced' | 'resolved';

/** One word for the badge: a resolved alert is resolved; a firing one silenced, acknowledged or just firing. */
export function alertState(alert: { status: string; silenced: boolean; acknowledgedAt: string | null }): AlertState {
  if (alert.status === 'RESOLVED') return 'resolved';
  if (alert.silenced) return 'silenced';
  if (alert.acknowledgedAt) return 'acknowledged';
  return 'firing';
}

/** What the rule filter offers: the five rules, then the other raisers (their keys' first part). */
export const ALERT_SOURCES = [
  { rule: 'quality-degradation', label: 'Quality degradation' },
  { rule: 'cost-spike', label: 'Cost spike' },
  { rule: 'latency-p95', label: 'Reply latency p95' },
  { rule: 'provider-failure', label: 'Provider failure' },
  { rule: 'handoff-spike', label: 'Handoff spike' },
  { rule: 'experiment-guard', label: 'Experiment guard' },
  { rule: 'rollout', label: 'Rollout' },
  { rule: 'fine-tuning', label: 'Fine-tuning' },
  { rule: 'whatsapp-reply-given-up', label: 'WhatsApp delivery' },
] as const;

/** The durations the Silence button offers (the API allows 1 minute to a week). */
export const SILENCE_CHOICES = [
  { minutes: 60, label: '1 hour' },
  { minutes: 240, label: '4 hours' },
  { minutes: 24 * 60, label: '1 day' },
  { minutes: 7 * 24 * 60, label: '1 week' },
] as const;

/** Labels and units of the thresholds, by their API names. */
export const THRESHOLD_LABELS: Record<string, { label: string; unit: string }> = {
  windowMinutes: { label: 'Window', unit: 'min' },
  minSamples: { label: 'Minimum samples', unit: 'per window' },
  qualityDropRatio: { label: 'Quality drop', unit: 'fraction (0.1 = 10 %)' },
  qualityBaselineHours: { label: 'Quality baseline', unit: 'h' },
  costOverPaceRatio: { label: 'Spend over budget pace', unit: 'fraction (0.2 = 20 %)' },
  latencyP95Ms: { label: 'Reply latency p95', unit: 'ms' },
  providerFailureRate: { label: 'Provider failure rate', unit: 'fraction (0.05 = 5 %)' },
  handoffRate: { label: 'Handoff rate', unit: 'fraction (0.25 = 25 %)' },
};

/**
 * The thresholds a save sends: only fields whose number differs from the value
 * now in force; an emptied field resets a custom value to the default (null).
 * Text that is not a number is reported under its field and nothing is sent;
 * ranges are the server's to check (one schema, one set of messages).
 */
export function thresholdChanges(
  current: { name: string; value: number; custom: boolean }[],
  edited: Record<string, string>,
): { changes: Record<string, number | null>; errors: Record<string, string> } {
  const changes: Record<string, number | null> = {};
  const errors: Record<string, string> = {};
  for (const threshold of current) {
    const text = edited[threshold.name];
    if (text === undefined) continue;
    const trimmed = text.trim();
    if (trimmed === '') {
      if (threshold.custom) changes[threshold.name] = null;
      continue;
    }
    const value = Number(trimmed);
    if (!Number.isFinite(value)) {
      errors[`thresholds.${threshold.name}`] = 'Enter a number';
      continue;
    }
    if (value !== threshold.value) changes[threshold.name] = value;
  }
  return { changes, errors };
}

/**
 * The API refuses settings with one message naming each field:
 * `thresholds.windowMinutes: Too small: expected number to be >=1; emailTo: Invalid email address`.
 * Split it so each message shows next to its field; text without a field stays general.
 */
export function fieldErrors(message: string): { fields: Record<string, string>; general: string | null } {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const part of message.split('; ')) {
    const match = /^([A-Za-z][\w.]*): (.+)$/.exec(part.trim());
    if (match) fields[match[1]!] = fields[match[1]!] ? `${fields[match[1]!]}; ${match[2]}` : match[2]!;
    else if (part.trim()) general.push(part.trim());
  }
  return { fields, general: general.length ? general.join('; ') : null };
}

/** Comma- or whitespace-separated addresses; empty means "use the service default" (null). */
export function parseRecipients(text: string): string[] | null {
  const list = text
    .split(/[\s,;]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  return list.length ? list : null;
}
