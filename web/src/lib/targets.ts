/**
 * Targets the overview measures against. They are the console's defaults (the
 * API has no per-tenant targets yet); a figure meets its target when it is on
 * the right side of it.
 */
export interface Target {
  metric: string;
  label: string;
  value: number;
  /** 'higher': at least `value` is good; 'lower': at most `value` is good. */
  better: 'higher' | 'lower';
}

export const TARGETS: Record<string, Target> = {
  helpfulRate: { metric: 'helpfulRate', label: 'Helpful rate', value: 0.8, better: 'higher' },
  handoffRequestRate: { metric: 'handoffRequestRate', label: 'Handoff request rate', value: 0.15, better: 'lower' },
  feedbackCollectionRate: {
    metric: 'feedbackCollectionRate',
    label: 'Feedback collection rate',
    value: 0.2,
    better: 'higher',
  },
  costPerConversationUsd: {
    metric: 'costPerConversationUsd',
    label: 'Cost per conversation',
    value: 0.05,
    better: 'lower',
  },
  averageImplicitSatisfaction: {
    metric: 'averageImplicitSatisfaction',
    label: 'Implicit satisfaction',
    value: 0.7,
    better: 'higher',
  },
  p95LatencyMs: { metric: 'p95LatencyMs', label: 'Response time (p95)', value: 5000, better: 'lower' },
};

export type TargetStatus = 'met' | 'missed' | 'unknown';

export function targetStatus(value: number | null | undefined, target: Target): TargetStatus {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'unknown';
  return (target.better === 'higher' ? value >= target.value : value <= target.value) ? 'met' : 'missed';
}

/** Whether a change is good news for this metric (a trend arrow's colour). */
export function isImprovement(change: number | null, better: Target['better']): boolean | null {
  if (change === null || change === 0) return null;
  return better === 'higher' ? change > 0 : change < 0;
}
