import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { recordAudit, type Actor } from '../../audit/audit-service';
import {
  DatasetVersion,
  EvaluationCase,
  EvaluationResult,
  EvaluationRun,
  KnowledgeArticle,
  ModelVersion,
  Tenant,
} from '../../db/entities';
import { AppError } from '../../errors';
import { detectHandoffRequest, handoffNotice } from '../../engine/handoff';
import { buildPrompt, DEFAULT_SYSTEM_PROMPT, type HistoryEntry } from '../../engine/prompt';
import type { Logger } from '../../logger';
import type { AttemptRecord, ModelGateway, ReplyOutcome } from '../../providers/types';
import { GATING_MINIMUM_CASES, resolveDatasetVersion, versionCases } from '../datasets/dataset-service';
import { sentenceBleu } from '../metrics/bleu';
import { exactMatch } from '../metrics/exact-match';
import { rougeScore } from '../metrics/rouge';
import { markModelVersionEvaluated, resolveModelVersion } from '../model-versions/model-version-service';
import { answerSettings } from '../model-versions/version-settings';
import {
  aggregateMetrics,
  compareWithBaseline,
  thresholdsFrom,
  type EvaluationMetrics,
  type ScoredCase,
} from './evaluation-metrics';

export interface EvaluatorDependencies {
  /** The root entity manager (orm.em); the evaluator forks it. */
  em: EntityManager;
  /** The same gateway customers' turns use. */
  gateway: ModelGateway;
  logger?: Logger;
}

export interface EvaluateInput {
  tenantId: string;
  actor: Actor;
  /** A model version id, or its number (`3` or `#3`). */
  version: string;
  /** A dataset version: `name`, `name@2`, a dataset id or a dataset version id. */
  dataset: string;
  /** Cases answered at once (default 4). */
  concurrency?: number;
  /** Compare with a run of the active version on the same dataset version (default true). */
  compare?: boolean;
  /** Called after every case, for progress bars; `label` tells candidate from baseline. */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Called once the candidate run's row exists (GraphQL returns it while the run goes on). */
  onRunCreated?: (runId: string) => void;
  /** Tokens of case context sent as history (default 8,000, as in the engine). */
  historyTokenBudget?: number;
}

const RESULT_BATCH = 50;

/**
 * Runs one model version over one dataset version through the gateway, as
 * evaluation traffic: nothing is sent to any customer, no conversation is
 * stored, and the usage rows are flagged `evaluation` (kept out of customer
 * analytics). Each case is asked the way the engine asks a customer turn (same
 * prompt builder, same version settings, same explicit-handoff rule). The run
 * is then compared with a baseline run of the active version on the same
 * dataset version (reused when one exists) and judged against the tenant's
 * thresholds. A passing draft on a dataset of ≥ 500 cases becomes `evaluated`.
 */
export async function evaluateModelVersion(
  dependencies: EvaluatorDependencies,
  input: EvaluateInput,
): Promise<EvaluationRun> {
  const em = dependencies.em.fork();
  const version = await resolveModelVersion(em, input.tenantId, input.version);
  const datasetVersion = await resolveDatasetVersion(em, input.tenantId, input.dataset);
  if (datasetVersion.caseCount === 0)
    throw new AppError(
      'BAD_USER_INPUT',
      `Dataset version ${datasetVersion.dataset.name}@${datasetVersion.number} has no cases`,
    );
  const tenant = await em.findOneOrFail(Tenant, { id: input.tenantId });
  const candidate = await runOver(dependencies, input, version, datasetVersion, tenant, 'candidate');
  try {
    return await judge(dependencies, input, version, datasetVersion, tenant, candidate.id);
  } catch (error) {
    await dependencies.em
      .fork()
      .getConnection()
      .execute(`update evaluation_run set status = 'failed', error = ?, finished_at = now() where id = ?`, [
        error instanceof Error ? error.message : String(error),
        candidate.id,
      ]);
    throw error;
  }
}

/** Compares a finished candidate run with the baseline, records the verdict and completes the run. */
async function judge(
  dependencies: EvaluatorDependencies,
  input: EvaluateInput,
  version: ModelVersion,
  datasetVersion: DatasetVersion,
  tenant: Tenant,
  candidateId: string,
): Promise<EvaluationRun> {
  const thresholds = thresholdsFrom(tenant.settings);
  const gating = datasetVersion.caseCount >= GATING_MINIMUM_CASES;
  const runEm = dependencies.em.fork();
  const run = await runEm.findOneOrFail(EvaluationRun, { id: candidateId });
  run.thresholds = { ...thresholds };
  run.gating = gating;
  const active = await runEm.findOne(ModelVersion, { tenant: input.tenantId, status: 'active' });
  if (input.compare !== false && active && active.id !== version.id) {
    const baseline =
      (await runEm.findOne(
        EvaluationRun,
        { tenant: input.tenantId, modelVersion: active, datasetVersion, status: 'completed', baselineRun: null },
        { orderBy: { createdAt: 'desc' } },
      )) ?? (await runOver(dependencies, input, active, datasetVersion, tenant, 'baseline'));
    const verdict = compareWithBaseline(
      run.metrics as unknown as EvaluationMetrics,
      baseline.metrics as unknown as EvaluationMetrics,
      thresholds,
    );
    run.baselineRun = runEm.getReference(EvaluationRun, baseline.id);
    run.verdict = verdict.verdict;
    run.reasons = [
      ...verdict.reasons,
      ...(gating
        ? []
        : [
            `not gating: the dataset version has ${datasetVersion.caseCount} cases, fewer than ${GATING_MINIMUM_CASES}`,
          ]),
    ];
  } else {
    run.verdict = 'pass';
    run.reasons = [
      active?.id === version.id ? 'this is the active version: it is its own baseline' : 'no comparison asked for',
    ];
    if (!gating)
      run.reasons.push(
        `not gating: the dataset version has ${datasetVersion.caseCount} cases, fewer than ${GATING_MINIMUM_CASES}`,
      );
  }
  run.status = 'completed';
  run.finishedAt = new Date();
  recordAudit(runEm, {
    tenantId: input.tenantId,
    actor: input.actor,
    action: 'evaluation.complete',
    targetType: 'EvaluationRun',
    targetId: run.id,
    after: {
      modelVersion: version.number,
      datasetVersion: `${datasetVersion.dataset.name}@${datasetVersion.number}`,
      verdict: run.verdict,
      gating,
    },
  });
  await runEm.flush();
  if (run.verdict === 'pass' && gating && version.status === 'draft') {
    await markModelVersionEvaluated(dependencies.em.fork(), {
      tenantId: input.tenantId,
      versionId: version.id,
      actor: input.actor,
      runId: run.id,
      reason: 'evaluation passed',
    });
  }
  return run;
}

function contextHistory(entry: EvaluationCase): HistoryEntry[] {
  return entry.context.map((message) => ({
    direction: message.role === 'customer' ? 'inbound' : 'outbound',
    author: message.role === 'customer' ? 'customer' : 'bot',
    text: message.text,
  }));
}

interface CaseAnswer {
  text: string;
  provider: string;
  model: string;
  handedOff: boolean;
  articleId: string | null;
  /** The topic of the knowledge article the answer came from. */
  topic: string | null;
  latencyMs: number;
  costUsd: number;
  attempts: AttemptRecord[];
  error: string | null;
}

/** One run of one version, written as it goes (results in batches), its metrics stored at the end. */
async function runOver(
  dependencies: EvaluatorDependencies,
  input: EvaluateInput,
  version: ModelVersion,
  datasetVersion: DatasetVersion,
  tenant: Tenant,
  label: string,
): Promise<EvaluationRun> {
  const em = dependencies.em.fork();
  const cases = await versionCases(em, datasetVersion);
  const run = em.create(EvaluationRun, {
    tenant: input.tenantId,
    modelVersion: em.getReference(ModelVersion, version.id),
    datasetVersion: em.getReference(DatasetVersion, datasetVersion.id),
    caseCount: cases.length,
    startedBy: input.actor,
  });
  recordAudit(em, {
    tenantId: input.tenantId,
    actor: input.actor,
    action: 'evaluation.start',
    targetType: 'EvaluationRun',
    targetId: run.id,
    after: {
      modelVersion: version.number,
      datasetVersion: `${datasetVersion.dataset.name}@${datasetVersion.number}`,
      cases: cases.length,
      role: label,
    },
  });
  await em.flush();
  if (label === 'candidate') input.onRunCreated?.(run.id);

  const settings = answerSettings(tenant.settings, version, DEFAULT_SYSTEM_PROMPT);
  const historyTokenBudget = input.historyTokenBudget ?? 8_000;
  const answers = new Array<CaseAnswer>(cases.length);
  let done = 0;
  let pending: number[] = [];
  const writeEm = dependencies.em.fork();

  // The predicted topic is that of the knowledge article an answer came from (one lookup per article).
  const topics = new Map<string, Promise<string | null>>();
  const topicOf = (articleId: string): Promise<string | null> => {
    let topic = topics.get(articleId);
    if (!topic) {
      topic = dependencies.em
        .fork()
        .findOne(KnowledgeArticle, { id: articleId, tenant: input.tenantId }, { fields: ['topic'] })
        .then((article) => article?.topic ?? null);
      topics.set(articleId, topic);
    }
    return topic;
  };

  async function answer(entry: EvaluationCase): Promise<CaseAnswer> {
    const request = detectHandoffRequest(entry.input);
    if (request) {
      // The engine hands these off without asking a provider; so does the evaluation.
      return {
        text: handoffNotice(request.language),
        provider: 'engine',
        model: 'handoff',
        handedOff: true,
        articleId: null,
        topic: null,
        latencyMs: 0,
        costUsd: 0,
        attempts: [],
        error: null,
      };
    }
    const prompt = buildPrompt({
      systemPrompt: settings.systemPrompt,
      history: contextHistory(entry),
      message: entry.input,
      historyTokenBudget,
    });
    const startedAt = Date.now();
    try {
      const outcome: ReplyOutcome & { metadata?: Record<string, unknown> } = await dependencies.gateway.reply({
        tenantId: input.tenantId,
        routing: settings.routing,
        messages: prompt.messages,
        // Never from or into the response cache: every case is a real generation, measured.
        cacheable: false,
        retrieval: settings.retrieval,
        traffic: 'evaluation',
        offlineModel: settings.offlineModel,
      });
      const articleId = typeof outcome.metadata?.articleId === 'string' ? outcome.metadata.articleId : null;
      return {
        text: outcome.text,
        provider: outcome.provider,
        model: outcome.model,
        handedOff: outcome.needsHuman,
        articleId,
        topic: outcome.needsHuman
          ? null
          : typeof outcome.metadata?.offlineModel === 'string'
            ? typeof outcome.metadata.topic === 'string'
              ? outcome.metadata.topic
              : null
            : articleId
              ? await topicOf(articleId)
              : null,
        latencyMs: outcome.latencyMs,
        costUsd: outcome.costUsd,
        attempts: outcome.attempts,
        error: null,
      };
    } catch (error) {
      // The gateway does not throw for provider failures; anything here is a bug or an outage of the database: record it as a handoff.
      return {
        text: '',
        provider: 'none',
        model: 'none',
        handedOff: true,
        articleId: null,
        topic: null,
        latencyMs: Date.now() - startedAt,
        costUsd: 0,
        attempts: [],
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  async function flushResults(indexes: number[]): Promise<void> {
    if (!indexes.length) return;
    const rows = indexes.map((index) => ({ index, entry: cases[index], reply: answers[index] }));
    // Usage rows: one per provider call, flagged as evaluation traffic, in one statement.
    const attempts = rows.flatMap(({ reply }) => reply.attempts);
    if (attempts.length) {
      const values: unknown[] = [];
      const tuples = attempts.map((attempt) => {
        values.push(
          randomUUID(),
          input.tenantId,
          attempt.startedAt,
          attempt.provider,
          attempt.model,
          attempt.usage.inputTokens,
          attempt.usage.cachedInputTokens,
          attempt.usage.outputTokens,
          attempt.usage.totalTokens,
          attempt.costUsd,
          Math.round(attempt.latencyMs),
          attempt.success,
          attempt.errorCode,
          attempt.failover,
          attempt.routingReason,
          attempt.complexity,
        );
        return '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true)';
      });
      await writeEm.getConnection().execute(
        `insert into provider_usage (id, tenant_id, created_at, provider, model, input_tokens, cached_input_tokens, output_tokens, total_tokens,
           estimated_cost_usd, latency_ms, success, error_code, failover, routing_reason, complexity, evaluation) values ${tuples.join(', ')}`,
        values,
      );
    }
    for (const { entry, reply } of rows) {
      const rouge = rougeScore(entry.expectedReply, reply.text);
      writeEm.create(EvaluationResult, {
        tenant: input.tenantId,
        run: writeEm.getReference(EvaluationRun, run.id),
        evaluationCase: writeEm.getReference(EvaluationCase, entry.id),
        replyText: reply.text,
        provider: reply.provider,
        model: reply.model,
        handedOff: reply.handedOff,
        predictedTopic: reply.topic,
        latencyMs: Math.round(reply.latencyMs),
        costUsd: reply.costUsd,
        sentenceBleu: sentenceBleu(reply.text, [entry.expectedReply]).score,
        rouge1: rouge.rouge1.fmeasure,
        rouge2: rouge.rouge2.fmeasure,
        rougeL: rouge.rougeL.fmeasure,
        exactMatch: exactMatch(entry.expectedReply, reply.text),
        error: reply.error,
      });
    }
    await writeEm.flush();
    writeEm.clear();
    await writeEm.getConnection().execute('update evaluation_run set completed_cases = ? where id = ?', [done, run.id]);
  }

  try {
    let next = 0;
    const concurrency = Math.max(1, Math.min(input.concurrency ?? 4, 32));
    let writing: Promise<void> = Promise.resolve();
    const worker = async () => {
      while (next < cases.length) {
        const index = next++;
        answers[index] = await answer(cases[index]);
        done += 1;
        pending.push(index);
        input.onProgress?.(done, cases.length, label);
        if (pending.length >= RESULT_BATCH) {
          const batch = pending;
          pending = [];
          writing = writing.then(() => flushResults(batch));
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await writing;
    await flushResults(pending);

    const scored: ScoredCase[] = cases.map((entry, index) => {
      const reply = answers[index];
      const rouge = rougeScore(entry.expectedReply, reply.text);
      return {
        expectedReply: entry.expectedReply,
        replyText: reply.text,
        expectedTopic: entry.expectedTopic,
        predictedTopic: reply.topic,
        expectHandoff: entry.expectHandoff,
        handedOff: reply.handedOff,
        rouge1: rouge.rouge1.fmeasure,
        rouge2: rouge.rouge2.fmeasure,
        rougeL: rouge.rougeL.fmeasure,
        exactMatch: exactMatch(entry.expectedReply, reply.text),
        costUsd: reply.costUsd,
        latencyMs: reply.latencyMs,
      };
    });
    const finalEm = dependencies.em.fork();
    const stored = await finalEm.findOneOrFail(EvaluationRun, { id: run.id });
    stored.metrics = { ...aggregateMetrics(scored) };
    stored.completedCases = cases.length;
    // A candidate run completes once compared with its baseline (evaluateModelVersion): readers polling it see a verdict with `completed`.
    if (label !== 'candidate') {
      stored.status = 'completed';
      stored.finishedAt = new Date();
    }
    await finalEm.flush();
    return stored;
  } catch (error) {
    dependencies.logger?.error({ err: error, runId: run.id }, 'evaluation run failed');
    await dependencies.em
      .fork()
      .getConnection()
      .execute(`update evaluation_run set status = 'failed', error = ?, finished_at = now() where id = ?`, [
        error instanceof Error ? error.message : String(error),
        run.id,
      ]);
    throw error;
  }
}
