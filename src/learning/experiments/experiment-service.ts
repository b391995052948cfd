import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../../audit/audit-service';
import { DeploymentEvent, Experiment, ModelVersion, type ExperimentStatus } from '../../db/entities';
import { AppError, badInput, notFound } from '../../errors';
import { isUuid } from '../../ids';
import { GUARDED_METRICS } from './guard';

/**
 * Experiments: control version vs candidate version of one tenant (LEARNING.md).
 * At most one runs per tenant: starting a second while one runs is refused with
 * BAD_USER_INPUT naming the running one (stop it first); a partial unique index
 * (`experiment_one_running_per_tenant`) makes that hold across instances and
 * races. The engine reads the running experiment in its claim statement, so a
 * start, stop or coverage change applies from the next turn on every instance.
 * Every change writes an AuditLog row, and a DeploymentEvent on the candidate
 * version, in its transaction.
 */

export interface CreateExperimentInput {
  tenantId: string;
  actor: Actor;
  key: string;
  candidateVersionId: string;
  /** Default: the active version. */
  controlVersionId?: string | null;
  coverage?: number | null;
  weights?: [number, number] | null;
  seed?: string | null;
  guardedMetrics?: string[] | null;
}

export function snapshotExperiment(experiment: Experiment): Record<string, unknown> {
  return {
    key: experiment.key,
    status: experiment.status,
    controlVersion: versionId(experiment.controlVersion),
    candidateVersion: versionId(experiment.candidateVersion),
    coverage: experiment.coverage,
    weights: experiment.weights,
    seed: experiment.seed,
    guardedMetrics: experiment.guardedMetrics,
    stopReason: experiment.stopReason,
  };
}

function versionId(version: ModelVersion | string): string {
  return typeof version === 'string' ? version : version.id;
}

function tenantOf(experiment: Experiment): string {
  return typeof experiment.tenant === 'string' ? experiment.tenant : experiment.tenant.id;
}

export function validateCoverage(coverage: number): void {
  if (!(coverage > 0 && coverage <= 1))
    throw badInput('coverage must be more than 0 and at most 1 (0.1 = 10 % of customers)');
}

/** An audit row and a deployment-history row (on the candidate version) for one change of an experiment. */
export function recordExperimentEvent(
  tx: EntityManager,
  experiment: Experiment,
  action: string,
  from: ExperimentStatus | null,
  actor: Actor,
  reason: string | null,
  details?: Record<string, unknown>,
): void {
  const candidate = tx.getReference(ModelVersion, versionId(experiment.candidateVersion));
  tx.create(DeploymentEvent, {
    tenant: tenantOf(experiment),
    modelVersion: candidate,
    action: `experiment_${action}`,
    fromStatus: from,
    toStatus: experiment.status,
    actor,
    reason,
    details: {
      experiment: experiment.key,
      experimentId: experiment.id,
      coverage: experiment.coverage,
      ...(details ?? {}),
    },
  });
  recordAudit(tx, {
    tenantId: tenantOf(experiment),
    actor,
    action: `experiment.${action}`,
    targetType: 'Experiment',
    targetId: experiment.id,
    before: from ? { status: from } : null,
    after: { ...snapshotExperiment(experiment), ...(reason ? { reason } : {}), ...(details ?? {}) },
  });
}

export async function listExperiments(em: EntityManager, tenantId: string): Promise<Experiment[]> {
  return em.find(Experiment, { tenant: tenantId }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 200 });
}

export async function findExperiment(
  em: EntityManager,
  tenantId: string,
  reference: string,
): Promise<Experiment | null> {
  if (isUuid(reference)) return em.findOne(Experiment, { id: reference, tenant: tenantId });
  return em.findOne(Experiment, { key: reference, tenant: tenantId });
}

export async function runningExperiment(em: EntityManager, tenantId: string): Promise<Experiment | null> {
  return em.findOne(Experiment, { tenant: tenantId, status: 'running' });
}

export async function createExperiment(em: EntityManager, input: CreateExperimentInput): Promise<Experiment> {
  const key = input.key.trim();
  if (!/^[a-z0-9][a-z0-9._-]{0,99}$/i.test(key))
    throw badInput('key: letters, digits, dot, dash or underscore, at most 100 characters');
  const coverage = input.coverage ?? 0.1;
  validateCoverage(coverage);
  const weights = input.weights ?? [0.5, 0.5];
  if (weights.length !== 2 || weights.some((weight) => !(weight > 0)) || Math.abs(weights[0] + weights[1] - 1) > 1e-9) {
    throw badInput('weights: two positive numbers (control, candidate) summing to 1');
  }
  const guarded = input.guardedMetrics ?? [...GUARDED_METRICS];
  const unknown = guarded.filter((metric) => !(GUARDED_METRICS as readonly string[]).includes(metric));
  if (unknown.length)
    throw badInput(`guardedMetrics: unknown ${unknown.join(', ')}; use ${GUARDED_METRICS.join(', ')}`);
  return em.transactional(async (tx) => {
    if (await tx.count(Experiment, { tenant: input.tenantId, key }))
      throw badInput(`An experiment ${key} already exists; use another key`);
    const candidate = isUuid(input.candidateVersionId)
      ? await tx.findOne(ModelVersion, { id: input.candidateVersionId, tenant: input.tenantId })
      : null;
    if (!candidate) throw notFound('Model version', input.candidateVersionId);
    const control = input.controlVersionId
      ? isUuid(input.controlVersionId)
        ? await tx.findOne(ModelVersion, { id: input.controlVersionId, tenant: input.tenantId })
        : null
      : await tx.findOne(ModelVersion, { tenant: input.tenantId, status: 'active' });
    if (!control)
      throw input.controlVersionId
        ? notFound('Model version', input.controlVersionId)
        : new AppError('CONFLICT', 'The tenant has no active model version to compare with');
    if (control.id === candidate.id) throw badInput('control and candidate must be different versions');
    for (const version of [control, candidate]) {
      if (version.status === 'draft' || version.status === 'retired') {
        throw badInput(
          `Version ${version.number} is ${version.status}: only evaluated (or previously active) versions serve customers`,
        );
      }
    }
    const experiment = tx.create(Experiment, {
      tenant: input.tenantId,
      key,
      controlVersion: control,
      candidateVersion: candidate,
      coverage,
      weights,
      seed: input.seed?.trim() || key,
      guardedMetrics: guarded,
      createdBy: input.actor,
    });
    recordExperimentEvent(tx, experiment, 'created', null, input.actor, null);
    return experiment;
  });
}

async function lockExperiment(tx: EntityManager, tenantId: string, reference: string): Promise<Experiment> {
  const found = await findExperiment(tx, tenantId, reference);
  if (!found) throw notFound('Experiment', reference);
  await tx.execute('select id from experiment where id = ? for update', [found.id]);
  await tx.refresh(found);
  return found;
}

/** draft → running. A second running experiment of the tenant is refused (BAD_USER_INPUT). */
export async function startExperiment(
  em: EntityManager,
  input: { tenantId: string; experiment: string; actor: Actor; now?: Date },
): Promise<Experiment> {
  try {
    return await em.transactional(async (tx) => {
      const experiment = await lockExperiment(tx, input.tenantId, input.experiment);
      if (experiment.status === 'running') return experiment;
      if (experiment.status !== 'draft')
        throw badInput(`Experiment ${experiment.key} is ${experiment.status}; create a new one to test again`);
      const running = await runningExperiment(tx, input.tenantId);
      if (running) throw oneRunning(running.key);
      experiment.status = 'running';
      experiment.startedAt = input.now ?? new Date();
      recordExperimentEvent(tx, experiment, 'started', 'draft', input.actor, null);
      await tx.flush();
      return experiment;
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException && /experiment_one_running_per_tenant/.test(error.message))
      throw oneRunning(null);
    throw error;
  }
}

function oneRunning(key: string | null): AppError {
  return badInput(
    `Only one experiment runs per tenant at a time: ${key ? `experiment ${key} is running` : 'another experiment just started'}; stop it first`,
    {
      running: key,
    },
  );
}

/**
 * running → stopped (or concluded). Everyone in it goes back to the active
 * version from the next turn. `concluded` marks an experiment that ran its course.
 */
export async function stopExperiment(
  em: EntityManager,
  input: {
    tenantId: string;
    experiment: string;
    actor: Actor;
    reason: string;
    conclude?: boolean;
    now?: Date;
    details?: Record<string, unknown>;
  },
): Promise<Experiment> {
  const reason = input.reason.trim();
  if (!reason) throw badInput('Say why the experiment stops (reason)');
  return em.transactional(async (tx) => {
    const experiment = await lockExperiment(tx, input.tenantId, input.experiment);
    if (experiment.status === 'stopped' || experiment.status === 'concluded') return experiment;
    const from = experiment.status;
    experiment.status = input.conclude ? 'concluded' : 'stopped';
    experiment.stoppedAt = input.now ?? new Date();
    experiment.stopReason = reason;
    recordExperimentEvent(
      tx,
      experiment,
      input.conclude ? 'concluded' : 'stopped',
      from,
      input.actor,
      reason,
      input.details,
    );
    return experiment;
  });
}

/** Raises (or lowers) the share of customers in a running experiment; raising only adds customers, nobody switches arm. */
export async function setExperimentCoverage(
  em: EntityManager,
  input: { tenantId: string; experiment: string; actor: Actor; coverage: number; reason?: string | null },
): Promise<Experiment> {
  validateCoverage(input.coverage);
  return em.transactional(async (tx) => {
    const experiment = await lockExperiment(tx, input.tenantId, input.experiment);
    if (experiment.status === 'stopped' || experiment.status === 'concluded')
      throw badInput(`Experiment ${experiment.key} is ${experiment.status}`);
    const before = experiment.coverage;
    experiment.coverage = input.coverage;
    recordExperimentEvent(tx, experiment, 'coverage_changed', experiment.status, input.actor, input.reason ?? null, {
      previousCoverage: before,
    });
    return experiment;
  });
}
