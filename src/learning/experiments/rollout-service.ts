import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { recordAudit, type Actor } from '../../audit/audit-service';
import {
  DeploymentEvent,
  Experiment,
  ModelVersion,
  Rollout,
  type ModelVersionStatus,
  type RolloutStatus,
} from '../../db/entities';
import { badInput, notFound } from '../../errors';
import { isUuid } from '../../ids';
import type { Logger } from '../../logger';
import { activateModelVersion, rollbackModelVersion, snapshotVersion } from '../model-versions/model-version-service';
import type { AlertRaiser } from './experiment-guard-job';
import { experimentResults, sourceMetrics, metricStatistic, type ExperimentResults } from './experiment-metrics';
import { createExperiment, setExperimentCoverage, startExperiment, stopExperiment } from './experiment-service';
import { evaluateGuard, type GuardedMetric, type GuardOptions, type GuardResult } from './guard';

/**
 * Gradual rollout (LEARNING.md, "Rollout"): the candidate serves a rising share
 * of customers through the coverage stages of its experiment (control = the
 * version active at the start; coverage raises only add customers, nobody
 * switches arm). The rollout job (`stepRollouts`, under the experiment-guard
 * job's advisory lock) advances a stage when its gates pass: at least
 * `minStageHours` in the stage, `minSamplePerArm` customers in each arm, no
 * sample-ratio mismatch, no guarded metric worse. A guarded metric worse
 * (> 5 % drop, significant on the sequential test) rolls back at once. After
 * the last stage the candidate becomes the active version (the previous one
 * stays deployable) and is watched for `watchHours` against the previous
 * version's control arm; a guarded drop then rolls the version back. All state
 * lives in the database, so the job resumes after restarts. Every step writes a
 * DeploymentEvent on the candidate and an audit row.
 */

export const ROLLOUT_ACTOR: Actor = 'system:rollout';
const OPEN: RolloutStatus[] = ['running', 'paused', 'watching'];

export interface CreateRolloutInput {
  tenantId: string;
  actor: Actor;
  candidateVersionId: string;
  stages?: number[] | null;
  minStageHours?: number | null;
  minSamplePerArm?: number | null;
  watchHours?: number | null;
  guardedMetrics?: string[] | null;
  now?: Date;
}

export interface RolloutDecision {
  rolloutId: string;
  tenantId: string;
  /** waiting, advanced, activated, completed, rolled_back, paused, ended. */
  action: 'waiting' | 'advanced' | 'activated' | 'completed' | 'rolled_back' | 'paused' | 'ended';
  stage: number;
  coverage: number;
  /** Gates that held the stage, in words. */
  blockedBy: string[];
  guards: GuardResult[];
  results: ExperimentResults | null;
  reason: string;
}

function idOf(value: unknown): string {
  return typeof value === 'string' ? value : (value as { id: string }).id;
}

function tenantOf(rollout: Rollout): string {
  return idOf(rollout.tenant);
}

function snapshotRollout(rollout: Rollout): Record<string, unknown> {
  return {
    status: rollout.status,
    stage: rollout.stageIndex,
    coverage: rollout.stages[rollout.stageIndex],
    stages: rollout.stages,
    candidateVersion: idOf(rollout.candidateVersion),
    previousVersion: idOf(rollout.previousVersion),
    experiment: idOf(rollout.experiment),
    endReason: rollout.endReason,
  };
}

function recordRolloutEvent(
  tx: EntityManager,
  rollout: Rollout,
  action: string,
  from: RolloutStatus | null,
  actor: Actor,
  reason: string | null,
  details?: Record<string, unknown>,
): void {
  tx.create(DeploymentEvent, {
    tenant: tenantOf(rollout),
    modelVersion: tx.getReference(ModelVersion, idOf(rollout.candidateVersion)),
    action: `rollout_${action}`,
    fromStatus: from,
    toStatus: rollout.status,
    actor,
    reason,
    details: {
      rolloutId: rollout.id,
      stage: rollout.stageIndex,
      coverage: rollout.stages[rollout.stageIndex],
      ...(details ?? {}),
    },
  });
  recordAudit(tx, {
    tenantId: tenantOf(rollout),
    actor,
    action: `rollout.${action}`,
    targetType: 'Rollout',
    targetId: rollout.id,
    before: from ? { status: from } : null,
    after: { ...snapshotRollout(rollout), ...(reason ? { reason } : {}) },
  });
}

/** A version status change outside activation (rolling out, rolled back during a rollout, back to evaluated). */
function setVersionStatus(
  tx: EntityManager,
  version: ModelVersion,
  status: ModelVersionStatus,
  actor: Actor,
  reason: string | null,
): void {
  const from = version.status;
  if (from === status) return;
  version.status = status;
  const action = status === 'rolled_back' ? 'rolled_back' : status === 'rolling_out' ? 'rolling_out' : 'rollout_ended';
  tx.create(DeploymentEvent, {
    tenant: version.tenant,
    modelVersion: version,
    action,
    fromStatus: from,
    toStatus: status,
    actor,
    reason,
  });
  recordAudit(tx, {
    tenantId: idOf(version.tenant),
    actor,
    action: `model_version.${action}`,
    targetType: 'ModelVersion',
    targetId: version.id,
    before: { status: from },
    after: { ...snapshotVersion(version), ...(reason ? { reason } : {}) },
  });
}

function validateStages(stages: number[]): void {
  if (
    !stages.length ||
    stages.some((stage, index) => !(stage > 0 && stage <= 1) || (index > 0 && stage <= stages[index - 1])) ||
    stages.at(-1) !== 1
  ) {
    throw badInput('stages: rising coverages in (0, 1], ending with 1 (100 %), e.g. [0.1, 0.5, 1]');
  }
}

export async function listRollouts(em: EntityManager, tenantId: string): Promise<Rollout[]> {
  return em.find(
    Rollout,
    { tenant: tenantId },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 100, populate: ['experiment'] },
  );
}

export async function findRollout(em: EntityManager, tenantId: string, rolloutId: string): Promise<Rollout | null> {
  if (!isUuid(rolloutId)) return null;
  return em.findOne(Rollout, { id: rolloutId, tenant: tenantId }, { populate: ['experiment'] });
}

/** Starts a rollout of an evaluated candidate against the active version at the first stage. */
export async function createRollout(em: EntityManager, input: CreateRolloutInput): Promise<Rollout> {
  const stages = input.stages ?? [0.1, 0.5, 1];
  validateStages(stages);
  const minStageHours = input.minStageHours ?? 48;
  const minSamplePerArm = input.minSamplePerArm ?? 100;
  const watchHours = input.watchHours ?? 48;
  if (!(minStageHours >= 0) || !(watchHours >= 0) || !Number.isInteger(minSamplePerArm) || minSamplePerArm < 1) {
    throw badInput('minStageHours and watchHours must be ≥ 0, minSamplePerArm a whole number ≥ 1');
  }
  const now = input.now ?? new Date();
  if (await em.count(Rollout, { tenant: input.tenantId, status: { $in: OPEN } }))
    throw badInput('A rollout is already under way for this tenant: finish, roll back or abort it first');
  const candidate = isUuid(input.candidateVersionId)
    ? await em.findOne(ModelVersion, { id: input.candidateVersionId, tenant: input.tenantId })
    : null;
  if (!candidate) throw notFound('Model version', input.candidateVersionId);
  if (candidate.status !== 'evaluated' && candidate.status !== 'rolled_back') {
    throw badInput(`Version ${candidate.number} is ${candidate.status}: only an evaluated version can be rolled out`);
  }
  const experiment = await createExperiment(em, {
    tenantId: input.tenantId,
    actor: input.actor,
    key: `rollout-v${candidate.number}-${randomUUID().slice(0, 8)}`,
    candidateVersionId: candidate.id,
    coverage: stages[0],
    guardedMetrics: input.guardedMetrics,
  });
  await startExperiment(em, { tenantId: input.tenantId, experiment: experiment.id, actor: input.actor, now });
  try {
    return await em.transactional(async (tx) => {
      const version = await tx.findOneOrFail(ModelVersion, { id: candidate.id });
      const rollout = tx.create(Rollout, {
        tenant: input.tenantId,
        experiment: tx.getReference(Experiment, experiment.id),
        candidateVersion: version,
        previousVersion: tx.getReference(ModelVersion, idOf(experiment.controlVersion)),
        stages,
        stageStartedAt: now,
        minStageHours,
        minSamplePerArm,
        watchHours,
        createdBy: input.actor,
      });
      setVersionStatus(tx, version, 'rolling_out', input.actor, `rollout at ${Math.round(stages[0] * 100)} %`);
      recordRolloutEvent(tx, rollout, 'started', null, input.actor, null);
      return rollout;
    });
  } catch (error) {
    await stopExperiment(em.fork(), {
      tenantId: input.tenantId,
      experiment: experiment.id,
      actor: input.actor,
      reason: 'rollout could not be created',
    });
    if (error instanceof UniqueConstraintViolationException)
      throw badInput('A rollout is already under way for this tenant');
    throw error;
  }
}

async function lockRollout(tx: EntityManager, tenantId: string, rolloutId: string): Promise<Rollout> {
  const rollout = await findRollout(tx, tenantId, rolloutId);
  if (!rollout) throw notFound('Rollout', rolloutId);
  await tx.execute('select id from rollout where id = ? for update', [rollout.id]);
  await tx.refresh(rollout);
  return rollout;
}

export async function pauseRollout(
  em: EntityManager,
  input: { tenantId: string; rolloutId: string; actor: Actor; reason?: string | null },
): Promise<Rollout> {
  return em.transactional(async (tx) => {
    const rollout = await lockRollout(tx, input.tenantId, input.rolloutId);
    if (rollout.status !== 'running')
      throw badInput(`The rollout is ${rollout.status}; only a running rollout can be paused`);
    rollout.status = 'paused';
    recordRolloutEvent(tx, rollout, 'paused', 'running', input.actor, input.reason ?? null);
    return rollout;
  });
}

/** A paused rollout runs again (its stage keeps its start time; the guard kept watching meanwhile). */
export async function resumeRollout(
  em: EntityManager,
  input: { tenantId: string; rolloutId: string; actor: Actor; reason?: string | null },
): Promise<Rollout> {
  return em.transactional(async (tx) => {
    const rollout = await lockRollout(tx, input.tenantId, input.rolloutId);
    if (rollout.status !== 'paused')
      throw badInput(`The rollout is ${rollout.status}; only a paused rollout can be resumed`);
    rollout.status = 'running';
    recordRolloutEvent(tx, rollout, 'resumed', 'paused', input.actor, input.reason ?? null);
    return rollout;
  });
}

/** Moves to the next stage now, skipping the time and sample gates (a person decides; the reason is required and kept). */
export async function advanceRollout(
  em: EntityManager,
  input: { tenantId: string; rolloutId: string; actor: Actor; reason: string; now?: Date },
): Promise<Rollout> {
  const reason = input.reason?.trim();
  if (!reason) throw badInput('Say why the rollout advances now (reason)');
  const rollout = await findRollout(em, input.tenantId, input.rolloutId);
  if (!rollout) throw notFound('Rollout', input.rolloutId);
  if (rollout.status !== 'running' && rollout.status !== 'paused') throw badInput(`The rollout is ${rollout.status}`);
  await nextStage(em, rollout, input.actor, `manual: ${reason}`, input.now ?? new Date());
  return (await findRollout(em.fork(), input.tenantId, rollout.id))!;
}

/** Ends a rollout: everyone back on the previous version (rolled back when the candidate was already active). */
export async function abortRollout(
  em: EntityManager,
  input: { tenantId: string; rolloutId: string; actor: Actor; reason: string; now?: Date },
): Promise<Rollout> {
  const reason = input.reason?.trim();
  if (!reason) throw badInput('Say why the rollout is aborted (reason)');
  const rollout = await findRollout(em, input.tenantId, input.rolloutId);
  if (!rollout) throw notFound('Rollout', input.rolloutId);
  if (!OPEN.includes(rollout.status)) throw badInput(`The rollout is already ${rollout.status}`);
  await endRollout(em, rollout, 'aborted', input.actor, reason, input.now ?? new Date());
  return (await findRollout(em.fork(), input.tenantId, rollout.id))!;
}

async function nextStage(
  em: EntityManager,
  rollout: Rollout,
  actor: Actor,
  reason: string,
  now: Date,
): Promise<'advanced' | 'activated'> {
  const tenantId = tenantOf(rollout);
  if (rollout.stageIndex < rollout.stages.length - 1) {
    const coverage = rollout.stages[rollout.stageIndex + 1];
    await setExperimentCoverage(em.fork(), { tenantId, experiment: idOf(rollout.experiment), actor, coverage, reason });
    await em.fork().transactional(async (tx) => {
      const row = await lockRollout(tx, tenantId, rollout.id);
      const from = row.status;
      row.stageIndex += 1;
      row.stageStartedAt = now;
      recordRolloutEvent(tx, row, 'advanced', from, actor, reason, { coverage });
    });
    return 'advanced';
  }
  // Last stage passed: the candidate becomes the active version; the experiment ends; the watch begins.
  await stopExperiment(em.fork(), {
    tenantId,
    experiment: idOf(rollout.experiment),
    actor,
    reason: `rollout complete: ${reason}`,
    conclude: true,
    now,
  });
  await activateModelVersion(em.fork(), {
    tenantId,
    versionId: idOf(rollout.candidateVersion),
    actor,
    reason: `rollout complete: ${reason}`,
  });
  await em.fork().transactional(async (tx) => {
    const row = await lockRollout(tx, tenantId, rollout.id);
    const from = row.status;
    row.status = 'watching';
    row.completedAt = now;
    row.watchUntil = new Date(now.getTime() + row.watchHours * 3_600_000);
    recordRolloutEvent(tx, row, 'activated', from, actor, reason);
  });
  return 'activated';
}

async function endRollout(
  em: EntityManager,
  rollout: Rollout,
  status: 'rolled_back' | 'aborted',
  actor: Actor,
  reason: string,
  now: Date,
  details?: Record<string, unknown>,
): Promise<void> {
  const tenantId = tenantOf(rollout);
  const experiment = await em.fork().findOneOrFail(Experiment, { id: idOf(rollout.experiment) });
  if (experiment.status === 'running' || experiment.status === 'draft') {
    await stopExperiment(em.fork(), {
      tenantId,
      experiment: experiment.id,
      actor,
      reason: `rollout ${status.replace('_', ' ')}: ${reason}`,
      now,
      details,
    });
  }
  const candidate = await em.fork().findOneOrFail(ModelVersion, { id: idOf(rollout.candidateVersion) });
  if (rollout.status === 'watching' && candidate.status === 'active') {
    // Already active: back to the previous version on every instance from the next turn; the candidate is marked rolled back.
    await rollbackModelVersion(em.fork(), { tenantId, actor, reason });
  }
  await em.fork().transactional(async (tx) => {
    const row = await lockRollout(tx, tenantId, rollout.id);
    const version = await tx.findOneOrFail(ModelVersion, { id: idOf(row.candidateVersion) });
    if (version.status === 'rolling_out')
      setVersionStatus(tx, version, status === 'rolled_back' ? 'rolled_back' : 'evaluated', actor, reason);
    const from = row.status;
    row.status = status;
    row.endReason = reason;
    recordRolloutEvent(tx, row, status === 'rolled_back' ? 'rolled_back' : 'aborted', from, actor, reason, details);
  });
}

export interface RolloutStepOptions {
  now: Date;
  alerts?: AlertRaiser | null;
  logger?: Logger | null;
  guard?: GuardOptions;
  /** Link of the runbook for the alert a rollback raises (docs/runbooks/model-version-guard.md). */
  runbookUrl?: string | null;
}

/** One step of every open rollout: the rollout job. */
export async function stepRollouts(em: EntityManager, options: RolloutStepOptions): Promise<RolloutDecision[]> {
  const open = await em.fork().find(Rollout, { status: { $in: OPEN } }, { orderBy: { createdAt: 'asc' } });
  const decisions: RolloutDecision[] = [];
  for (const rollout of open) decisions.push(await stepRollout(em, rollout, options));
  return decisions;
}

export async function stepRollout(
  em: EntityManager,
  rollout: Rollout,
  options: RolloutStepOptions,
): Promise<RolloutDecision> {
  const now = options.now;
  const tenantId = tenantOf(rollout);
  const experiment = await em.fork().findOneOrFail(Experiment, { id: idOf(rollout.experiment) });
  const decision = (
    action: RolloutDecision['action'],
    reason: string,
    extra: Partial<RolloutDecision> = {},
  ): RolloutDecision => ({
    rolloutId: rollout.id,
    tenantId,
    action,
    stage: rollout.stageIndex,
    coverage: rollout.stages[rollout.stageIndex],
    blockedBy: [],
    guards: [],
    results: null,
    reason,
    ...extra,
  });
  const rollBack = async (reason: string, guards: GuardResult[], results: ExperimentResults | null) => {
    await endRollout(em, rollout, 'rolled_back', ROLLOUT_ACTOR, reason, now, { evidence: guards });
    options.logger?.warn({ tenantId, rollout: rollout.id, reason }, 'rollout rolled back');
    await options.alerts
      ?.raise({
        tenantId,
        key: `rollout:${rollout.id}`,
        title: `Rollout rolled back: the new model version is worse`,
        severity: 'critical',
        description: `${reason}. Every customer is back on the previous version.`,
        metric: guards[0]?.metric ?? null,
        value: guards[0]?.relativeChange ?? null,
        threshold: -(options.guard?.maxRelativeDrop ?? 0.05),
        query: '{ rollouts { id status endReason stage coverage } }',
        runbookUrl: options.runbookUrl ?? undefined,
      })
      .catch((error: unknown) =>
        options.logger?.error({ err: error, rollout: rollout.id }, 'could not raise the rollout alert'),
      );
    return decision('rolled_back', reason, { guards, results });
  };

  if (rollout.status === 'watching') {
    // The new active version since completion vs the previous version's control arm during the rollout.
    const window = { from: rollout.completedAt!, to: now };
    const before = { from: experiment.startedAt!, to: experiment.stoppedAt ?? rollout.completedAt! };
    const current = await sourceMetrics(
      em.fork(),
      tenantId,
      { arm: 'candidate', versionId: idOf(rollout.candidateVersion), variant: null },
      window,
    );
    const previous = await sourceMetrics(
      em.fork(),
      tenantId,
      { arm: 'control', versionId: idOf(rollout.previousVersion), variant: 'control' },
      before,
    );
    const guards = (experiment.guardedMetrics as GuardedMetric[]).map((metric) =>
      evaluateGuard(metric, metricStatistic(metric, previous), metricStatistic(metric, current), options.guard),
    );
    const worse = guards.filter((guard) => guard.verdict === 'worse');
    if (worse.length)
      return rollBack(
        `automatic rollback during the watch period: ${worse.map((guard) => guard.reason).join('; ')}`,
        worse,
        null,
      );
    if (now >= rollout.watchUntil!) {
      await em.fork().transactional(async (tx) => {
        const row = await lockRollout(tx, tenantId, rollout.id);
        row.status = 'completed';
        recordRolloutEvent(
          tx,
          row,
          'completed',
          'watching',
          ROLLOUT_ACTOR,
          `watched for ${row.watchHours} h with no guarded metric worse`,
        );
      });
      return decision('completed', 'watch period over, no guarded metric worse', { guards });
    }
    return decision('waiting', 'watching the new active version', { guards });
  }

  if (experiment.status !== 'running') {
    // Stopped by the experiment guard (or by hand): the rollout ends with it.
    return rollBack(experiment.stopReason ?? `experiment ${experiment.key} was stopped`, [], null);
  }
  const results = await experimentResults(em.fork(), experiment, now, options.guard, false);
  const worse = results.guards.filter((guard) => guard.verdict === 'worse');
  if (worse.length)
    return rollBack(
      `automatic rollback at ${Math.round(rollout.stages[rollout.stageIndex] * 100)} %: ${worse.map((guard) => guard.reason).join('; ')}`,
      worse,
      results,
    );
  if (rollout.status === 'paused')
    return decision('paused', 'paused by an operator', { guards: results.guards, results });

  const blockedBy: string[] = [];
  const hours = (now.getTime() - rollout.stageStartedAt.getTime()) / 3_600_000;
  if (hours < rollout.minStageHours) blockedBy.push(`time in stage ${hours.toFixed(1)} h < ${rollout.minStageHours} h`);
  const fewest = Math.min(results.arms.control.customers, results.arms.candidate.customers);
  if (fewest < rollout.minSamplePerArm) blockedBy.push(`customers per arm ${fewest} < ${rollout.minSamplePerArm}`);
  if (results.srm) blockedBy.push(`sample-ratio mismatch (p ${results.srmPValue?.toPrecision(3)})`);
  if (blockedBy.length)
    return decision('waiting', blockedBy.join('; '), { blockedBy, guards: results.guards, results });
  const reason = `gates passed at ${Math.round(rollout.stages[rollout.stageIndex] * 100)} % (${hours.toFixed(1)} h, ${fewest} customers per arm, no SRM, no guarded metric worse)`;
  const action = await nextStage(em, rollout, ROLLOUT_ACTOR, reason, now);
  return decision(action, reason, { guards: results.guards, results });
}
