/**
 * Pure logic of the Training page: reading a training set's statistics and
 * settings (JSON strings in the API), the form of a new export, the
 * confirmations of starting and cancelling a fine-tuning job, a job's
 * timeline, file names of downloads. Unit-tested in test/unit/web/training-logic.test.ts.
 */
import type { FineTuningJob, OfflineModel, TrainingSet, TrainingSetInput } from '../api/training-operations';
import { formatActor } from './format';

/** OpenAI's minimum of training examples (a smaller export is refused). */
export const MINIMUM_TRAINING_EXAMPLES = 10;

export interface CostEstimate {
  format: string;
  model: string;
  pricePerMillion: number;
  epochs: number;
  usd: number;
}

export interface TrainingStatistics {
  examples: number;
  train: number;
  validation: number;
  validationShare: number;
  bySource: Record<string, number>;
  byTopic: Record<string, number>;
  byCategory: Record<string, number>;
  tokens: { total: number; trained: number; perExampleMean: number };
  estimatedCost: CostEstimate[];
  filteredOut: Record<string, number>;
  maskedValues: number;
}

function record(value: unknown): Record<string, number> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(
      (entry): entry is [string, number] => typeof entry[1] === 'number',
    ),
  );
}

const number = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function parseObject(json: string | null | undefined): Record<string, unknown> {
  if (!json) return {};
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A training set's `statistics` JSON, every field present (missing ones zero or empty). */
export function parseStatistics(json: string | null | undefined): TrainingStatistics {
  const raw = parseObject(json);
  const tokens = parseObject(JSON.stringify(raw.tokens ?? {}));
  const costs = Array.isArray(raw.estimatedCost) ? (raw.estimatedCost as Record<string, unknown>[]) : [];
  return {
    examples: number(raw.examples),
    train: number(raw.train),
    validation: number(raw.validation),
    validationShare: number(raw.validationShare),
    bySource: record(raw.bySource),
    byTopic: record(raw.byTopic),
    byCategory: record(raw.byCategory),
    tokens: {
      total: number(tokens.total),
      trained: number(tokens.trained),
      perExampleMean: number(tokens.perExampleMean),
    },
    estimatedCost: costs
      .filter((cost) => cost && typeof cost.model === 'string')
      .map((cost) => ({
        format: String(cost.format ?? ''),
        model: String(cost.model),
        pricePerMillion: number(cost.pricePerMillion),
        epochs: number(cost.epochs),
        usd: number(cost.usd),
      })),
    filteredOut: record(raw.filteredOut),
    maskedValues: number(raw.maskedValues),
  };
}

export interface SetSettings {
  minQuality: number | null;
  includeThumbsUp: boolean | null;
  minImplicitSatisfaction: number | null;
  maskPersonalData: boolean | null;
}

/** A training set's `settings` JSON (what the export used). */
export function parseSettings(json: string | null | undefined): SetSettings {
  const raw = parseObject(json);
  const maybeNumber = (value: unknown) => (typeof value === 'number' ? value : null);
  const maybeBoolean = (value: unknown) => (typeof value === 'boolean' ? value : null);
  return {
    minQuality: maybeNumber(raw.minQuality),
    includeThumbsUp: maybeBoolean(raw.includeThumbsUp),
    minImplicitSatisfaction: maybeNumber(raw.minImplicitSatisfaction),
    maskPersonalData: maybeBoolean(raw.maskPersonalData),
  };
}

/** Counts as rows, largest first (ties by name), each with its share of `total` (default: their sum). */
export function countRows(
  counts: Record<string, number>,
  total?: number,
): { name: string; count: number; share: number | null }[] {
  const sum = total ?? Object.values(counts).reduce((a, b) => a + b, 0);
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, count]) => ({ name, count, share: sum > 0 ? count / sum : null }));
}

/** The form of a new export: blank fields keep the tenant's settings. */
export interface SetForm {
  minQuality: string;
  maskPersonalData: 'tenant' | 'yes' | 'no';
  includeThumbsUp: 'tenant' | 'yes' | 'no';
  minImplicitSatisfaction: string;
}

export const EMPTY_SET_FORM: SetForm = {
  minQuality: '',
  maskPersonalData: 'tenant',
  includeThumbsUp: 'tenant',
  minImplicitSatisfaction: '',
};

/** The TrainingSetInput of the form (null when nothing overrides the tenant's settings), or the error to show. */
export function setInputOf(form: SetForm): { input: TrainingSetInput | null } | { error: string } {
  const input: TrainingSetInput = {};
  if (form.minQuality.trim()) {
    const value = Number(form.minQuality);
    if (!Number.isInteger(value) || value < 0 || value > 5)
      return { error: 'Minimum quality must be a whole number from 0 to 5.' };
    input.minQuality = value;
  }
  if (form.minImplicitSatisfaction.trim()) {
    const value = Number(form.minImplicitSatisfaction);
    if (!Number.isFinite(value) || value < 0 || value > 1)
      return { error: 'Implicit satisfaction must be a number from 0 to 1 (e.g. 0.8).' };
    input.minImplicitSatisfaction = value;
  }
  if (form.maskPersonalData !== 'tenant') input.maskPersonalData = form.maskPersonalData === 'yes';
  if (form.includeThumbsUp !== 'tenant') input.includeThumbsUp = form.includeThumbsUp === 'yes';
  return { input: Object.keys(input).length ? input : null };
}

/** The estimated OpenAI training cost of `baseModel` on a set, or null when the price list has no such model. */
export function costOf(statistics: TrainingStatistics, baseModel: string): CostEstimate | null {
  return statistics.estimatedCost.find((cost) => cost.model === baseModel.trim()) ?? null;
}

/** What starting a fine-tuning job will do, said before it is done. */
export function describeStart(input: {
  set: TrainingSet | null;
  baseModel: string;
  cost: CostEstimate | null;
  formatUsd: (value: number) => string;
}): string {
  const data = input.set
    ? `training set #${input.set.number} (${input.set.trainCount} training and ${input.set.validationCount} validation examples)`
    : 'a new training set exported now from the approved corrections';
  const cost = input.cost
    ? ` Estimated training cost: ${input.formatUsd(input.cost.usd)} (${input.cost.epochs} epochs at $${input.cost.pricePerMillion} per 1M tokens), billed by OpenAI to this tenant's key.`
    : " OpenAI bills the training to this tenant's key (no price estimate for this model).";
  return (
    `This uploads ${data} to OpenAI and fine-tunes ${input.baseModel.trim()}.${cost} ` +
    'When it succeeds, parley adds a draft model version using the fine-tuned model and evaluates it; ' +
    'nothing reaches customers until someone activates or rolls it out. Only one job can run at a time.'
  );
}

/** Only a job whose provider job exists and is not final can be cancelled. */
export function canCancel(job: Pick<FineTuningJob, 'phase'>): boolean {
  return job.phase === 'training';
}

/** What cancelling a job will do. */
export function describeCancel(job: Pick<FineTuningJob, 'baseModel' | 'providerJobId' | 'status'>): string {
  return (
    `This asks OpenAI to cancel job ${job.providerJobId ?? '(not submitted)'} (${job.baseModel}, now ${job.status ?? 'unknown'}). ` +
    'Training stops, no fine-tuned model or draft version is made, and tokens already trained may still be billed. ' +
    'The training set stays; a new job can be started afterwards.'
  );
}

export const PHASE_LABELS: Record<string, string> = {
  submitting: 'submitting',
  training: 'training',
  validating: 'validating',
  deployable: 'deployable',
  validation_failed: 'validation failed',
  provider_failed: 'provider failed',
  submit_failed: 'submit failed',
  cancelled: 'cancelled',
};

/** A badge class for a phase (reuses the console's badge colours). */
export function phaseBadge(phase: string): string {
  if (phase === 'deployable') return 'badge badge-active';
  if (phase === 'training' || phase === 'submitting' || phase === 'validating') return 'badge badge-running';
  if (phase === 'cancelled') return 'badge badge-stopped';
  return 'badge badge-missed';
}

export interface TimelineEntry {
  at: string;
  label: string;
  level: 'info' | 'warn' | 'error';
}

/**
 * A job's life in order: started, submitted, the provider's events (as stored, oldest first), finished.
 * Not sorted by time: the provider's event times are whole seconds, so sorting would put its first
 * events before parley's own submission.
 */
export function jobTimeline(job: FineTuningJob): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    {
      at: job.createdAt,
      label: `Started (${job.trigger}${job.startedBy ? ` by ${formatActor(job.startedBy)}` : ''})`,
      level: 'info',
    },
  ];
  if (job.submittedAt)
    entries.push({ at: job.submittedAt, label: `Submitted to OpenAI as ${job.providerJobId ?? '?'}`, level: 'info' });
  for (const event of job.events)
    entries.push({
      at: event.createdAt,
      label: event.message,
      level: event.level === 'error' ? 'error' : event.level === 'warn' ? 'warn' : 'info',
    });
  if (job.finishedAt)
    entries.push({
      at: job.finishedAt,
      label: `Finished: ${PHASE_LABELS[job.phase] ?? job.phase}${job.error ? ` (${job.error.code}: ${job.error.message})` : ''}`,
      level: job.phase === 'deployable' || job.phase === 'cancelled' ? 'info' : 'error',
    });
  return entries;
}

/** The file name of a download: training-set-3-openai-train.jsonl. */
export function downloadName(setNumber: number, format: string, split: 'train' | 'validation'): string {
  return `training-set-${setNumber}-${format}-${split}.jsonl`;
}

/** Lines (examples) of a JSONL file. */
export function jsonlLines(text: string): number {
  return text.split('\n').filter((line) => line.trim()).length;
}

export interface OfflineValidation {
  cases: number;
  topicAccuracy: number | null;
  handoffRate: number | null;
  rougeL: number | null;
}

/** The validation figures an offline model kept (`metrics.validation`), or null. */
export function offlineValidation(
  model: Pick<OfflineModel, 'metrics' | 'validationTopicAccuracy'>,
): OfflineValidation | null {
  const validation = parseObject(JSON.stringify(parseObject(model.metrics).validation ?? null));
  if (!Object.keys(validation).length) return null;
  const maybe = (value: unknown) => (typeof value === 'number' ? value : null);
  return {
    cases: number(validation.cases),
    topicAccuracy: maybe(validation.topicAccuracy) ?? model.validationTopicAccuracy,
    handoffRate: maybe(validation.handoffRate),
    rougeL: maybe(validation.rougeL),
  };
}
