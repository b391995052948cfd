import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../errors';
import { compareArms, type ArmStatistic, type TestResult } from '../learning/experiments/frequentist';
import { checkRange, type TimeRange } from './time-range';

/** What the arms of a comparison are: model versions, or provider/model pairs. */
export type ComparisonDimension = 'version' | 'model';

/** One arm's figures over the bot replies of the range (formulas in docs/metrics.md). */
export interface ComparisonArm {
  /** Model version id ('unversioned' for replies without one) or `provider/model`. */
  key: string;
  replies: number;
  conversations: number;
  votes: number;
  positiveFeedbackRate: number | null;
  qualityScore: number | null;
  scoredReplies: number;
  handoffRate: number | null;
  costPerReplyUsd: number | null;
  costUsd: number;
  averageResponseMs: number | null;
  p95ResponseMs: number | null;
  /** Not dominated: no other arm is at least as good on both quality score and cost per reply and better on one. */
  onFrontier: boolean;
}

/** One metric of an arm against the baseline arm: Welch's t-test (two-sided, 5 %) on the relative difference. */
export interface ArmDifference {
  key: string;
  metric: 'positiveFeedbackRate' | 'qualityScore' | 'costPerReplyUsd' | 'averageResponseMs' | 'handoffRate';
  /** (arm − baseline) / |baseline|. */
  relativeDifference: number;
  ciLow: number;
  ciHigh: number;
  pValue: number | null;
  significant: boolean;
  /** Why no test could be made (no variance, zero baseline, too few samples); null otherwise. */
  error: string | null;
}

export interface ModelComparison {
  dimension: ComparisonDimension;
  baseline: string | null;
  arms: ComparisonArm[];
  differences: ArmDifference[];
  recommended: string | null;
  reasoning: string;
}

/** Per arm: counts and sums (and sums of squares) of the per-reply values, and per-conversation handoffs. */
export function comparisonSql(dimension: ComparisonDimension): string {
  const key = dimension === 'version' ? `coalesce(i.model_version_id, 'unversioned')` : `i.provider || '/' || i.model`;
  return `with replies as (
    select ${key} as key, i.conversation_id, i.cost_usd, i.latency_ms,
           f.helpful, coalesce(case when f.helpful then 1.0 when not f.helpful then 0.0 end, f.implicit_satisfaction) as score
      from agent_interaction i left join interaction_feedback f on f.interaction_id = i.id
     where i.tenant_id = ? and i.created_at >= ? and i.created_at < ?),
  arms as (
    select key, count(*)::int as replies, count(helpful)::int as votes, count(*) filter (where helpful)::int as up,
           count(score)::int as scored, coalesce(sum(score), 0)::float8 as score_sum, coalesce(sum(score * score), 0)::float8 as score_squares,
           sum(cost_usd)::float8 as cost, sum(cost_usd * cost_usd)::float8 as cost_squares,
           sum(latency_ms)::float8 as latency, sum(latency_ms::float8 * latency_ms)::float8 as latency_squares,
           percentile_cont(0.95) within group (order by latency_ms)::float8 as p95_ms
      from replies group by key),
  conversations as (
    select r.key, count(distinct r.conversation_id)::int as conversations,
           count(distinct r.conversation_id) filter (where c.handed_off_at is not null)::int as handed_off
      from replies r join conversation c on c.id = r.conversation_id group by r.key)
  select a.*, c.conversations, c.handed_off from arms a join conversations c using (key) order by a.replies desc, a.key`;
}

type Row = Record<string, string | number | null>;
const n = (row: Row, key: string) => Number(row[key] ?? 0);
const ratio = (numerator: number, denominator: number) => (denominator ? numerator / denominator : null);

interface ArmStats {
  arm: ComparisonArm;
  stats: Record<ArmDifference['metric'], ArmStatistic>;
}

function armOf(row: Row): ArmStats {
  const replies = n(row, 'replies');
  const scored = n(row, 'scored');
  const arm: ComparisonArm = {
    key: String(row.key),
    replies,
    conversations: n(row, 'conversations'),
    votes: n(row, 'votes'),
    positiveFeedbackRate: ratio(n(row, 'up'), n(row, 'votes')),
    qualityScore: scored ? 1 + (4 * n(row, 'score_sum')) / scored : null,
    scoredReplies: scored,
    handoffRate: ratio(n(row, 'handed_off'), n(row, 'conversations')),
    costPerReplyUsd: ratio(n(row, 'cost'), replies),
    costUsd: n(row, 'cost'),
    averageResponseMs: ratio(n(row, 'latency'), replies),
    p95ResponseMs: row.p95_ms === null ? null : Number(row.p95_ms),
    onFrontier: false,
  };
  return {
    arm,
    stats: {
      positiveFeedbackRate: { kind: 'proportion', n: n(row, 'votes'), sum: n(row, 'up') },
      // On the reported 1–5 scale: x = 1 + 4s, so Σx = n + 4Σs and Σx² = n + 8Σs + 16Σs².
      qualityScore: {
        kind: 'mean',
        n: scored,
        sum: scored + 4 * n(row, 'score_sum'),
        sumSquares: scored + 8 * n(row, 'score_sum') + 16 * n(row, 'score_squares'),
      },
      costPerReplyUsd: { kind: 'mean', n: replies, sum: n(row, 'cost'), sumSquares: n(row, 'cost_squares') },
      averageResponseMs: { kind: 'mean', n: replies, sum: n(row, 'latency'), sumSquares: n(row, 'latency_squares') },
      handoffRate: { kind: 'proportion', n: n(row, 'conversations'), sum: n(row, 'handed_off') },
    },
  };
}

/** Marks the arms no other arm dominates on (quality score ↑, cost per reply ↓); arms without a score are not on it. */
export function markFrontier(arms: ComparisonArm[]): void {
  for (const arm of arms) {
    if (arm.qualityScore === null || arm.costPerReplyUsd === null) continue;
    arm.onFrontier = !arms.some(
      (other) =>
        other !== arm &&
        other.qualityScore !== null &&
        other.costPerReplyUsd !== null &&
        other.qualityScore >= arm.qualityScore! &&
        other.costPerReplyUsd <= arm.costPerReplyUsd! &&
        (other.qualityScore > arm.qualityScore! || other.costPerReplyUsd < arm.costPerReplyUsd!),
    );
  }
}

function difference(
  key: string,
  metric: ArmDifference['metric'],
  base: ArmStatistic,
  arm: ArmStatistic,
): ArmDifference {
  const tooFew = base.n < 2 || arm.n < 2;
  const test: TestResult = tooFew
    ? { expected: 0, ci: [0, 0], pValue: null, standardError: 0, error: 'TOO_FEW_SAMPLES' }
    : compareArms(base, arm, { kind: 'two-sided', differenceType: 'relative', alpha: 0.05 });
  return {
    key,
    metric,
    relativeDifference: test.expected,
    ciLow: test.ci[0],
    ciHigh: test.ci[1],
    pValue: test.error ? null : test.pValue,
    significant: !test.error && test.pValue !== null && test.pValue < 0.05,
    error: test.error,
  };
}

const pct = (value: number) => `${Math.abs(Math.round(value * 1000) / 10)} %`;

/**
 * The recommendation: among arms on the frontier whose quality score is not
 * significantly lower than the baseline's (nor more than `maxQualityDrop`
 * lower), the cheapest per reply; the baseline when no other qualifies.
 */
function recommend(
  baseline: ArmStats,
  arms: ArmStats[],
  differences: ArmDifference[],
  maxQualityDrop: number,
): { recommended: string; reasoning: string } {
  const quality = (key: string) => differences.find((d) => d.key === key && d.metric === 'qualityScore');
  const cost = (key: string) => differences.find((d) => d.key === key && d.metric === 'costPerReplyUsd');
  const lines: string[] = [];
  let best = baseline;
  for (const candidate of arms) {
    if (candidate === baseline) continue;
    const q = quality(candidate.arm.key)!;
    const c = cost(candidate.arm.key)!;
    const worse =
      q.error === null && q.relativeDifference < 0 && (q.significant || -q.relativeDifference > maxQualityDrop);
    const summary = `${candidate.arm.key}: quality ${q.relativeDifference >= 0 ? '+' : '−'}${pct(q.relativeDifference)}${q.significant ? ' (significant)' : ''}, cost ${c.relativeDifference <= 0 ? pct(c.relativeDifference) + ' cheaper' : pct(c.relativeDifference) + ' dearer'}`;
    if (worse) lines.push(`${summary}, quality below the threshold → not recommended`);
    else if (!candidate.arm.onFrontier) lines.push(`${summary}, dominated on cost and quality → not recommended`);
    else if (q.error) lines.push(`${summary}, too little feedback to judge quality (${q.error}) → not recommended`);
    else {
      lines.push(`${summary}, within the threshold`);
      if ((candidate.arm.costPerReplyUsd ?? Infinity) < (best.arm.costPerReplyUsd ?? Infinity)) best = candidate;
    }
  }
  const verdict =
    best === baseline
      ? `keep ${baseline.arm.key} (the baseline)`
      : `recommend ${best.arm.key} over ${baseline.arm.key}`;
  return { recommended: best.arm.key, reasoning: [...lines, `→ ${verdict}`].join('; ') };
}

/**
 * Side-by-side live-traffic figures of the model versions (or provider models)
 * that answered a tenant's customers in `range`, each tested against the
 * baseline arm (`baseline`, or the arm with the most replies).
 */
export async function modelComparison(
  em: EntityManager,
  input: {
    tenantId: string;
    range: TimeRange;
    dimension: ComparisonDimension;
    keys?: string[] | null;
    baseline?: string | null;
    maxQualityDrop?: number;
  },
): Promise<ModelComparison> {
  const { from, to } = checkRange(input.range);
  const rows = await em.getConnection().execute<Row[]>(comparisonSql(input.dimension), [input.tenantId, from, to]);
  const wanted = input.keys?.length ? new Set(input.keys) : null;
  const arms = rows.map(armOf).filter((entry) => !wanted || wanted.has(entry.arm.key));
  markFrontier(arms.map((entry) => entry.arm));
  const baseline = input.baseline ? arms.find((entry) => entry.arm.key === input.baseline) : arms[0];
  if (input.baseline && !baseline)
    throw badInput(`No replies from ${input.baseline} in the range`, { field: 'baseline' });
  if (!baseline)
    return {
      dimension: input.dimension,
      baseline: null,
      arms: [],
      differences: [],
      recommended: null,
      reasoning: 'no replies in the range',
    };
  const differences: ArmDifference[] = [];
  for (const entry of arms) {
    if (entry === baseline) continue;
    for (const metric of Object.keys(entry.stats) as ArmDifference['metric'][])
      differences.push(difference(entry.arm.key, metric, baseline.stats[metric], entry.stats[metric]));
  }
  const { recommended, reasoning } = recommend(baseline, arms, differences, input.maxQualityDrop ?? 0.02);
  return {
    dimension: input.dimension,
    baseline: baseline.arm.key,
    arms: arms.map((entry) => entry.arm),
    differences,
    recommended,
    reasoning,
  };
}

const COLUMNS = [
  'key',
  'replies',
  'conversations',
  'votes',
  'positiveFeedbackRate',
  'qualityScore',
  'handoffRate',
  'costPerReplyUsd',
  'averageResponseMs',
  'p95ResponseMs',
  'onFrontier',
] as const;

const cell = (value: unknown) => (value === null || value === undefined ? '' : String(value));

/** The arms as CSV (RFC 4180 quoting), the Markdown table with the recommendation, or JSON. */
export function exportComparison(comparison: ModelComparison, format: 'csv' | 'markdown' | 'json'): string {
  if (format === 'json') return JSON.stringify(comparison, null, 2);
  const rows = comparison.arms.map((arm) => COLUMNS.map((column) => cell(arm[column])));
  if (format === 'csv') {
    const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    return [COLUMNS.join(','), ...rows.map((row) => row.map(quote).join(','))].join('\n') + '\n';
  }
  const escape = (value: string) => value.replace(/\|/g, '\\|');
  return [
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
    '',
    `Baseline: ${comparison.baseline ?? '—'}. Recommendation: ${comparison.recommended ?? '—'}. ${comparison.reasoning}`,
    '',
  ].join('\n');
}
