import { corpusBleu } from '../metrics/bleu';
import { mean, percentile } from '../metrics/summary-statistics';

/** One scored case, as the aggregation needs it. */
export interface ScoredCase {
  expectedReply: string;
  replyText: string;
  expectedTopic: string | null;
  predictedTopic: string | null;
  expectHandoff: boolean;
  handedOff: boolean;
  rouge1: number;
  rouge2: number;
  rougeL: number;
  exactMatch: boolean;
  costUsd: number;
  latencyMs: number;
}

/** The offline metrics of one evaluation run. Rates are fractions 0–1; BLEU is on sacreBLEU's 0–100 scale. */
export interface EvaluationMetrics {
  cases: number;
  bleu: number;
  rouge1: number;
  rouge2: number;
  rougeL: number;
  exactMatch: number;
  /** Over cases with an expected topic; a handed-off case counts as a miss. Null when no case has a topic. */
  topicAccuracy: number | null;
  topicCases: number;
  handoffRate: number;
  /** Share of cases where the bot handed off exactly when the case expected it. */
  handoffAgreement: number;
  costPerCaseUsd: number;
  totalCostUsd: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
}

export function aggregateMetrics(cases: readonly ScoredCase[]): EvaluationMetrics {
  const topical = cases.filter((entry) => entry.expectedTopic);
  const totalCostUsd = cases.reduce((sum, entry) => sum + entry.costUsd, 0);
  const latencies = cases.map((entry) => entry.latencyMs);
  return {
    cases: cases.length,
    bleu: cases.length
      ? corpusBleu(
          cases.map((entry) => entry.replyText),
          [cases.map((entry) => entry.expectedReply)],
        ).score
      : 0,
    rouge1: mean(cases.map((entry) => entry.rouge1)),
    rouge2: mean(cases.map((entry) => entry.rouge2)),
    rougeL: mean(cases.map((entry) => entry.rougeL)),
    exactMatch: mean(cases.map((entry) => (entry.exactMatch ? 1 : 0))),
    topicAccuracy: topical.length
      ? topical.filter((entry) => !entry.handedOff && entry.predictedTopic === entry.expectedTopic).length /
        topical.length
      : null,
    topicCases: topical.length,
    handoffRate: mean(cases.map((entry) => (entry.handedOff ? 1 : 0))),
    handoffAgreement: mean(cases.map((entry) => (entry.handedOff === entry.expectHandoff ? 1 : 0))),
    costPerCaseUsd: cases.length ? totalCostUsd / cases.length : 0,
    totalCostUsd,
    latencyP50Ms: percentile(latencies, 50),
    latencyP95Ms: percentile(latencies, 95),
  };
}

/** The quality bar a candidate must clear against the baseline (per tenant: settings.evaluation). */
export interface EvaluationThresholds {
  /** No quality metric may be more than this fraction worse than the baseline's (relative). Default 0.02. */
  maxRelativeDrop: number;
  /** The handoff rate may rise by at most this many percentage points. Default 2. */
  maxHandoffRateIncreasePoints: number;
}

export const DEFAULT_THRESHOLDS: EvaluationThresholds = { maxRelativeDrop: 0.02, maxHandoffRateIncreasePoints: 2 };

/** The tenant's thresholds (settings.evaluation), defaults for anything missing or invalid. */
export function thresholdsFrom(settings: Record<string, unknown> | null | undefined): EvaluationThresholds {
  const evaluation = (settings?.evaluation ?? {}) as Record<string, unknown>;
  const number = (value: unknown, fallback: number, max: number) =>
    typeof value === 'number' && value >= 0 && value <= max ? value : fallback;
  return {
    maxRelativeDrop: number(evaluation.maxRelativeDrop, DEFAULT_THRESHOLDS.maxRelativeDrop, 1),
    maxHandoffRateIncreasePoints: number(
      evaluation.maxHandoffRateIncreasePoints,
      DEFAULT_THRESHOLDS.maxHandoffRateIncreasePoints,
      100,
    ),
  };
}

/** Quality metrics compared relatively (higher is better). Cost and latency are reported, not gated: they are too noisy offline. */
export const GATED_METRICS = ['bleu', 'rouge1', 'rouge2', 'rougeL', 'exactMatch', 'topicAccuracy'] as const;
export type GatedMetric = (typeof GATED_METRICS)[number];

export interface MetricComparison {
  metric: GatedMetric | 'handoffRate';
  candidate: number | null;
  baseline: number | null;
  /** Relative change (candidate / baseline − 1), or for the handoff rate the change in points. */
  change: number | null;
  limit: string;
  ok: boolean;
}

export interface Verdict {
  verdict: 'pass' | 'fail';
  reasons: string[];
  comparisons: MetricComparison[];
}

const format = (value: number) => (Math.abs(value) >= 1 ? value.toFixed(2) : value.toFixed(4));

/**
 * Pass when no quality metric is more than `maxRelativeDrop` worse than the
 * baseline (relative) and the handoff rate rose by at most the allowed points.
 * A metric the baseline scores 0 on cannot get relatively worse.
 */
export function compareWithBaseline(
  candidate: EvaluationMetrics,
  baseline: EvaluationMetrics,
  thresholds: EvaluationThresholds,
): Verdict {
  const comparisons: MetricComparison[] = [];
  const reasons: string[] = [];
  for (const metric of GATED_METRICS) {
    const ours = candidate[metric];
    const theirs = baseline[metric];
    if (ours === null || theirs === null) {
      comparisons.push({
        metric,
        candidate: ours,
        baseline: theirs,
        change: null,
        limit: 'not compared (no topics)',
        ok: true,
      });
      continue;
    }
    const change = theirs === 0 ? (ours === 0 ? 0 : Number.POSITIVE_INFINITY) : ours / theirs - 1;
    // A tiny tolerance so a drop of exactly the threshold passes despite floating point.
    const ok = change >= -thresholds.maxRelativeDrop - 1e-12;
    comparisons.push({
      metric,
      candidate: ours,
      baseline: theirs,
      change: Number.isFinite(change) ? change : null,
      limit: `≥ −${(thresholds.maxRelativeDrop * 100).toFixed(1)} %`,
      ok,
    });
    if (!ok) {
      reasons.push(
        `${metric} ${format(ours)} is ${(-change * 100).toFixed(2)} % below the baseline's ${format(theirs)} (at most ${(thresholds.maxRelativeDrop * 100).toFixed(1)} % allowed)`,
      );
    }
  }
  const points = (candidate.handoffRate - baseline.handoffRate) * 100;
  const handoffOk = points <= thresholds.maxHandoffRateIncreasePoints + 1e-9;
  comparisons.push({
    metric: 'handoffRate',
    candidate: candidate.handoffRate,
    baseline: baseline.handoffRate,
    change: points,
    limit: `≤ +${thresholds.maxHandoffRateIncreasePoints} points`,
    ok: handoffOk,
  });
  if (!handoffOk) {
    reasons.push(
      `handoff rate ${(candidate.handoffRate * 100).toFixed(1)} % is ${points.toFixed(1)} points above the baseline's ${(baseline.handoffRate * 100).toFixed(1)} % (at most ${thresholds.maxHandoffRateIncreasePoints} allowed)`,
    );
  }
  if (!reasons.length)
    reasons.push(
      'every quality metric within the threshold of the baseline, and the handoff rate did not rise beyond it',
    );
  return {
    verdict: reasons.length && comparisons.every((comparison) => comparison.ok) ? 'pass' : 'fail',
    reasons,
    comparisons,
  };
}
