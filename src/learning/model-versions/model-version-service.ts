import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../../audit/audit-service';
import { DeploymentEvent, ModelVersion, type ModelVersionStatus, type TierModels } from '../../db/entities';
import { AppError, badInput, notFound } from '../../errors';
import { isUuid } from '../../ids';
import { tierNames } from '../../providers/routing-policy';

/**
 * Model versions and their deployment history (LEARNING.md, "Model version").
 * One version is active per tenant (a partial unique index guarantees it);
 * the engine reads it on every turn inside its claim statement, so an
 * activation or rollback takes effect on the next turn on every instance.
 * Every change writes a DeploymentEvent and an AuditLog row in its transaction.
 */

/** Versions ready for instant rollback (the active one included). */
export const KEPT_DEPLOYABLE_VERSIONS = 3;
/** Statuses a version can be activated from (besides a forced draft). */
const DEPLOYABLE: readonly ModelVersionStatus[] = ['evaluated', 'rolled_back', 'active', 'rolling_out'];

export interface ModelVersionChanges {
  tierModels?: TierModels | null;
  systemPrompt?: string | null;
  retrievalK?: number | null;
  retrievalMinScore?: number | null;
  offlineModelArtifactId?: string | null;
  notes?: string | null;
}

export function snapshotVersion(version: ModelVersion): Record<string, unknown> {
  return {
    number: version.number,
    status: version.status,
    tierModels: version.tierModels,
    systemPrompt: version.systemPrompt,
    retrievalK: version.retrievalK,
    retrievalMinScore: version.retrievalMinScore,
    offlineModelArtifactId: version.offlineModelArtifactId,
  };
}

export async function listModelVersions(em: EntityManager, tenantId: string): Promise<ModelVersion[]> {
  return em.find(ModelVersion, { tenant: tenantId }, { orderBy: { number: 'desc' } });
}

export async function findModelVersion(
  em: EntityManager,
  tenantId: string,
  versionId: string,
): Promise<ModelVersion | null> {
  if (!isUuid(versionId)) return null;
  return em.findOne(ModelVersion, { id: versionId, tenant: tenantId });
}

/** A version by id, or by number when given `#3` or `3`. */
export async function resolveModelVersion(
  em: EntityManager,
  tenantId: string,
  reference: string,
): Promise<ModelVersion> {
  const number = /^#?(\d+)$/.exec(reference.trim());
  const version = number
    ? await em.findOne(ModelVersion, { tenant: tenantId, number: Number(number[1]) })
    : await findModelVersion(em, tenantId, reference);
  if (!version) throw notFound('Model version', reference);
  return version;
}

export async function activeModelVersion(em: EntityManager, tenantId: string): Promise<ModelVersion> {
  const version = await em.findOne(ModelVersion, { tenant: tenantId, status: 'active' });
  if (!version)
    throw new AppError(
      'CONFLICT',
      `Tenant ${tenantId} has no active model version; activate one with activateModelVersion`,
    );
  return version;
}

export async function deploymentHistory(
  em: EntityManager,
  tenantId: string,
  versionId?: string | null,
): Promise<DeploymentEvent[]> {
  const where: Record<string, unknown> = { tenant: tenantId };
  if (versionId) where.modelVersion = versionId;
  return em.find(DeploymentEvent, where, {
    orderBy: { createdAt: 'desc', id: 'desc' },
    populate: ['modelVersion'],
    limit: 500,
  });
}

function validateChanges(changes: ModelVersionChanges): void {
  if (changes.tierModels) {
    for (const [tier, model] of Object.entries(changes.tierModels)) {
      if (!(tierNames as readonly string[]).includes(tier))
        throw badInput(`tierModels: unknown tier ${tier}; tiers are ${tierNames.join(', ')}`);
      if (typeof model !== 'string' || !model.trim()) throw badInput(`tierModels.${tier} must be a model id`);
    }
  }
  if (
    changes.retrievalK !== undefined &&
    changes.retrievalK !== null &&
    (!Number.isInteger(changes.retrievalK) || changes.retrievalK < 0 || changes.retrievalK > 20)
  ) {
    throw badInput('retrievalK must be a whole number from 0 to 20');
  }
  const minScore = changes.retrievalMinScore;
  if (minScore !== undefined && minScore !== null && !(minScore >= 0 && minScore <= 1))
    throw badInput('retrievalMinScore must be from 0 to 1');
}

/** Locks every version of the tenant: version changes of one tenant run one at a time. */
async function lockVersions(tx: EntityManager, tenantId: string): Promise<ModelVersion[]> {
  return tx.find(
    ModelVersion,
    { tenant: tenantId },
    { orderBy: { number: 'desc' }, lockMode: LockMode.PESSIMISTIC_WRITE },
  );
}

function recordEvent(
  tx: EntityManager,
  version: ModelVersion,
  action: string,
  fromStatus: ModelVersionStatus | null,
  actor: Actor,
  reason: string | null,
  details?: Record<string, unknown>,
): void {
  tx.create(DeploymentEvent, {
    tenant: version.tenant,
    modelVersion: version,
    action,
    fromStatus,
    toStatus: version.status,
    actor,
    reason,
    details: details ?? null,
  });
  recordAudit(tx, {
    tenantId: typeof version.tenant === 'string' ? version.tenant : version.tenant.id,
    actor,
    action: `model_version.${action}`,
    targetType: 'ModelVersion',
    targetId: version.id,
    before: fromStatus ? { status: fromStatus } : null,
    after: { ...snapshotVersion(version), ...(reason ? { reason } : {}) },
  });
}

/** A new draft: the parent (default: the active version) with `changes` applied. */
export async function createDraftModelVersion(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; parentVersionId?: string | null; changes: ModelVersionChanges },
): Promise<ModelVersion> {
  validateChanges(input.changes);
  return em.transactional(async (tx) => {
    const versions = await lockVersions(tx, input.tenantId);
    const parent = input.parentVersionId
      ? versions.find((version) => version.id === input.parentVersionId)
      : versions.find((version) => version.status === 'active');
    if (!parent)
      throw input.parentVersionId
        ? notFound('Model version', input.parentVersionId)
        : new AppError('CONFLICT', 'No active model version to start a draft from');
    const changes = input.changes;
    const version = tx.create(ModelVersion, {
      tenant: input.tenantId,
      number: (versions[0]?.number ?? 0) + 1,
      status: 'draft',
      tierModels: changes.tierModels ?? { ...parent.tierModels },
      systemPrompt: changes.systemPrompt !== undefined ? changes.systemPrompt?.trim() || null : parent.systemPrompt,
      retrievalK: changes.retrievalK ?? parent.retrievalK,
      retrievalMinScore: changes.retrievalMinScore ?? parent.retrievalMinScore,
      offlineModelArtifactId:
        changes.offlineModelArtifactId !== undefined ? changes.offlineModelArtifactId : parent.offlineModelArtifactId,
      parentVersion: parent,
      notes: changes.notes ?? '',
      createdBy: input.actor,
    });
    recordEvent(tx, version, 'created', null, input.actor, null, { parentVersion: parent.number });
    return version;
  });
}

/** A draft whose evaluation passed (or that a person vouches for) becomes deployable; evaluated versions are immutable. */
export async function markModelVersionEvaluated(
  em: EntityManager,
  input: { tenantId: string; versionId: string; actor: Actor; runId?: string | null; reason?: string | null },
): Promise<ModelVersion> {
  return em.transactional(async (tx) => {
    const versions = await lockVersions(tx, input.tenantId);
    const version = versions.find((candidate) => candidate.id === input.versionId);
    if (!version) throw notFound('Model version', input.versionId);
    if (version.status !== 'draft') return version;
    version.status = 'evaluated';
    version.evaluatedAt = new Date();
    recordEvent(
      tx,
      version,
      'evaluated',
      'draft',
      input.actor,
      input.reason ?? null,
      input.runId ? { evaluationRun: input.runId } : undefined,
    );
    return version;
  });
}

/**
 * Makes `versionId` the active version. The previous active one stays deployable
 * (status `evaluated`) for rollback; beyond the newest three deployable versions,
 * older ones are retired (their rows and history are kept). A draft is only
 * activated with `force` (audited as such).
 */
export async function activateModelVersion(
  em: EntityManager,
  input: { tenantId: string; versionId: string; actor: Actor; reason?: string | null; force?: boolean },
): Promise<ModelVersion> {
  return em.transactional(async (tx) => {
    const versions = await lockVersions(tx, input.tenantId);
    const version = versions.find((candidate) => candidate.id === input.versionId);
    if (!version) throw notFound('Model version', input.versionId);
    if (version.status === 'active') return version;
    if (version.status === 'retired')
      throw badInput(`Version ${version.number} is retired; create a new draft from it instead`);
    if (version.status === 'draft' && !input.force) {
      throw badInput(
        `Version ${version.number} is a draft: evaluate it first (npm run evaluate), or activate with force`,
      );
    }
    const reason = input.reason?.trim() || null;
    await switchActive(tx, versions, version, input.actor, 'activated', reason);
    return version;
  });
}

/** Goes back to the version that was active before the current one (the most recent earlier activation still deployable). */
export async function rollbackModelVersion(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; reason?: string | null },
): Promise<ModelVersion> {
  return em.transactional(async (tx) => {
    const versions = await lockVersions(tx, input.tenantId);
    const current = versions.find((version) => version.status === 'active');
    if (!current) throw new AppError('CONFLICT', 'No active model version to roll back');
    const activations = await tx.find(
      DeploymentEvent,
      { tenant: input.tenantId, action: 'activated', modelVersion: { $ne: current.id } },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 50 },
    );
    const target = activations
      .map((event) =>
        versions.find(
          (version) =>
            version.id === (typeof event.modelVersion === 'string' ? event.modelVersion : event.modelVersion.id),
        ),
      )
      .find((version) => version && DEPLOYABLE.includes(version.status));
    if (!target) throw new AppError('CONFLICT', 'There is no earlier active version left to roll back to');
    const reason = input.reason?.trim() || null;
    const from = current.status;
    current.status = 'rolled_back';
    recordEvent(tx, current, 'rolled_back', from, input.actor, reason, { to: target.number });
    await switchActive(
      tx,
      versions,
      target,
      input.actor,
      'activated',
      reason ?? `rollback from version ${current.number}`,
      true,
    );
    return target;
  });
}

async function switchActive(
  tx: EntityManager,
  versions: ModelVersion[],
  version: ModelVersion,
  actor: Actor,
  action: string,
  reason: string | null,
  rollback = false,
): Promise<void> {
  const previous = versions.find((candidate) => candidate.status === 'active' && candidate !== version);
  if (previous) {
    previous.status = 'evaluated';
    recordEvent(tx, previous, 'deactivated', 'active', actor, reason, { replacedBy: version.number });
  }
  // The partial unique index allows one active row: the old one must leave 'active' in the database first.
  await tx.flush();
  const from = version.status;
  version.status = 'active';
  version.activatedAt = new Date();
  recordEvent(tx, version, action, from, actor, reason, rollback ? { rollback: true } : undefined);
  // Keep the newest deployable versions (the active one always); retire the rest.
  const deployable = versions.filter(
    (candidate) => candidate === version || ['evaluated', 'rolled_back'].includes(candidate.status),
  );
  const kept = new Set([
    version,
    ...deployable.filter((candidate) => candidate !== version).slice(0, KEPT_DEPLOYABLE_VERSIONS - 1),
  ]);
  for (const candidate of deployable) {
    if (kept.has(candidate)) continue;
    const status = candidate.status;
    candidate.status = 'retired';
    candidate.retiredAt = new Date();
    recordEvent(
      tx,
      candidate,
      'retired',
      status,
      actor,
      `only the newest ${KEPT_DEPLOYABLE_VERSIONS} deployable versions are kept`,
    );
  }
}
