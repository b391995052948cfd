import type { EntityManager } from '@mikro-orm/postgresql';
import { EvaluationResult, EvaluationRun } from '../../db/entities';
import { notFound } from '../../errors';
import { isUuid } from '../../ids';
import {
  compareWithBaseline,
  DEFAULT_THRESHOLDS,
  type EvaluationMetrics,
  type EvaluationThresholds,
  type MetricComparison,
} from './evaluation-metrics';

/** Everything a reader needs about one evaluation run, in one plain object (the JSON export). */
export interface EvaluationReport {
  runId: string;
  status: string;
  tenantId: string;
  modelVersion: { id: string; number: number; status: string };
  datasetVersion: { id: string; dataset: string; number: number; cases: number };
  gating: boolean;
  verdict: string | null;
  reasons: string[];
  thresholds: EvaluationThresholds;
  metrics: EvaluationMetrics | null;
  baseline: { runId: string; modelVersion: number; metrics: EvaluationMetrics | null } | null;
  comparisons: MetricComparison[];
  startedAt: string;
  finishedAt: string | null;
  /** The cases with the lowest ROUGE-L, to read first. */
  worstCases: Array<{
    input: string;
    expectedReply: string;
    reply: string;
    rougeL: number;
    handedOff: boolean;
    expectedTopic: string | null;
    predictedTopic: string | null;
  }>;
}

export async function listEvaluationRuns(em: EntityManager, tenantId: string, limit = 50): Promise<EvaluationRun[]> {
  return em.find(
    EvaluationRun,
    { tenant: tenantId },
    { orderBy: { createdAt: 'desc' }, limit, populate: ['modelVersion', 'datasetVersion', 'datasetVersion.dataset'] },
  );
}

/** One run with what its summary shows (version, dataset version, baseline), or null. */
export async function findEvaluationRun(
  em: EntityManager,
  tenantId: string,
  runId: string,
): Promise<EvaluationRun | null> {
  if (!isUuid(runId)) return null;
  return em.findOne(
    EvaluationRun,
    { id: runId, tenant: tenantId },
    { populate: ['modelVersion', 'datasetVersion', 'datasetVersion.dataset', 'baselineRun'] },
  );
}

export async function evaluationReport(
  em: EntityManager,
  tenantId: string,
  runId: string,
  worst = 10,
): Promise<EvaluationReport> {
  const run = isUuid(runId)
    ? await em.findOne(
        EvaluationRun,
        { id: runId, tenant: tenantId },
        {
          populate: [
            'modelVersion',
            'datasetVersion',
            'datasetVersion.dataset',
            'baselineRun',
            'baselineRun.modelVersion',
          ],
        },
      )
    : null;
  if (!run) throw notFound('Evaluation run', runId);
  const thresholds = (run.thresholds as unknown as EvaluationThresholds | null) ?? DEFAULT_THRESHOLDS;
  const metrics = run.metrics as unknown as EvaluationMetrics | null;
  const baseline = run.baselineRun;
  const baselineMetrics = (baseline?.metrics as unknown as EvaluationMetrics | null) ?? null;
  const comparisons =
    metrics && baselineMetrics ? compareWithBaseline(metrics, baselineMetrics, thresholds).comparisons : [];
  const worstRows = await em.find(
    EvaluationResult,
    { run },
    { orderBy: { rougeL: 'asc', id: 'asc' }, limit: worst, populate: ['evaluationCase'] },
  );
  return {
    runId: run.id,
    status: run.status,
    tenantId,
    modelVersion: { id: run.modelVersion.id, number: run.modelVersion.number, status: run.modelVersion.status },
    datasetVersion: {
      id: run.datasetVersion.id,
      dataset: run.datasetVersion.dataset.name,
      number: run.datasetVersion.number,
      cases: run.datasetVersion.caseCount,
    },
    gating: run.gating,
    verdict: run.verdict,
    reasons: run.reasons,
    thresholds,
    metrics,
    baseline: baseline
      ? { runId: baseline.id, modelVersion: baseline.modelVersion.number, metrics: baselineMetrics }
      : null,
    comparisons,
    startedAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    worstCases: worstRows.map((row) => ({
      input: row.evaluationCase.input,
      expectedReply: row.evaluationCase.expectedReply,
      reply: row.replyText,
      rougeL: row.rougeL,
      handedOff: row.handedOff,
      expectedTopic: row.evaluationCase.expectedTopic,
      predictedTopic: row.predictedTopic,
    })),
  };
}

export type ReportFormat = 'json' | 'csv' | 'md';

/** Metric rows shared by the CSV and Markdown renderings. */
const METRIC_ROWS: Array<{
  key: keyof EvaluationMetrics;
  label: string;
  kind: 'score' | 'rate' | 'usd' | 'ms' | 'count';
}> = [
  { key: 'bleu', label: 'BLEU (corpus, sacreBLEU 13a)', kind: 'score' },
  { key: 'rouge1', label: 'ROUGE-1 F', kind: 'rate' },
  { key: 'rouge2', label: 'ROUGE-2 F', kind: 'rate' },
  { key: 'rougeL', label: 'ROUGE-L F', kind: 'rate' },
  { key: 'exactMatch', label: 'Exact match', kind: 'rate' },
  { key: 'topicAccuracy', label: 'Topic accuracy', kind: 'rate' },
  { key: 'handoffRate', label: 'Handoff rate', kind: 'rate' },
  { key: 'handoffAgreement', label: 'Handoff agreement', kind: 'rate' },
  { key: 'costPerCaseUsd', label: 'Cost per case (USD)', kind: 'usd' },
  { key: 'latencyP50Ms', label: 'Latency p50 (ms)', kind: 'ms' },
  { key: 'latencyP95Ms', label: 'Latency p95 (ms)', kind: 'ms' },
  { key: 'cases', label: 'Cases', kind: 'count' },
];

function show(value: number | null | undefined, kind: 'score' | 'rate' | 'usd' | 'ms' | 'count'): string {
  if (value === null || value === undefined) return '';
  switch (kind) {
    case 'score':
      return value.toFixed(2);
    case 'rate':
      return value.toFixed(4);
    case 'usd':
      return value.toFixed(6);
    default:
      return String(Math.round(value));
  }
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function renderReport(report: EvaluationReport, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const comparisonOf = new Map(report.comparisons.map((comparison) => [comparison.metric as string, comparison]));
  const rows = METRIC_ROWS.map(({ key, label, kind }) => {
    const comparison = comparisonOf.get(key);
    const change = comparison?.change ?? null;
    return {
      metric: key,
      label,
      candidate: show(report.metrics?.[key] as number | null, kind),
      baseline: show(report.baseline?.metrics?.[key] as number | null, kind),
      change:
        change === null
          ? ''
          : key === 'handoffRate'
            ? `${change >= 0 ? '+' : ''}${change.toFixed(2)} pt`
            : `${change >= 0 ? '+' : ''}${(change * 100).toFixed(2)} %`,
      limit: comparison?.limit ?? 'reported',
      ok: comparison ? (comparison.ok ? 'ok' : 'FAIL') : '',
    };
  });
  if (format === 'csv') {
    const header = ['metric', 'candidate', 'baseline', 'change', 'limit', 'result'];
    const lines = rows.map((row) =>
      [row.metric, row.candidate, row.baseline, row.change, row.limit, row.ok].map(csvCell).join(','),
    );
    return `${header.join(',')}\n${lines.join('\n')}\n`;
  }
  const title = `# Evaluation of model version ${report.modelVersion.number} on ${report.datasetVersion.dataset}@${report.datasetVersion.number}`;
  const verdict = report.verdict
    ? `**${report.verdict.toUpperCase()}**${report.gating ? '' : ' (not gating: fewer than 500 cases)'}`
    : `_${report.status}_`;
  const baseline = report.baseline ? `version ${report.baseline.modelVersion} (run ${report.baseline.runId})` : 'none';
  const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 160);
  return [
    title,
    '',
    `- Verdict: ${verdict}`,
    `- Run: ${report.runId} (${report.status}), ${report.datasetVersion.cases} cases, started ${report.startedAt}`,
    `- Baseline: ${baseline}`,
    `- Thresholds: no quality metric more than ${(report.thresholds.maxRelativeDrop * 100).toFixed(1)} % worse (relative); handoff rate at most ${report.thresholds.maxHandoffRateIncreasePoints} points higher`,
    '',
    '## Reasons',
    '',
    ...report.reasons.map((reason) => `- ${reason}`),
    '',
    '## Metrics',
    '',
    '| Metric | Candidate | Baseline | Change | Limit | Result |',
    '|---|---:|---:|---:|---|---|',
    ...rows.map(
      (row) => `| ${row.label} | ${row.candidate} | ${row.baseline} | ${row.change} | ${row.limit} | ${row.ok} |`,
    ),
    '',
    '## Lowest ROUGE-L cases',
    '',
    '| Customer | Expected | Reply | ROUGE-L | Topic (expected → predicted) |',
    '|---|---|---|---:|---|',
    ...report.worstCases.map(
      (entry) =>
        `| ${escape(entry.input)} | ${escape(entry.expectedReply)} | ${escape(entry.handedOff ? `(handed off) ${entry.reply}` : entry.reply)} | ${entry.rougeL.toFixed(3)} | ${entry.expectedTopic ?? ''} → ${entry.predictedTopic ?? ''} |`,
    ),
    '',
  ].join('\n');
}
