import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../../audit/audit-service';
import {
  DatasetVersion,
  EvaluationCase,
  EvaluationDataset,
  HumanCorrection,
  KnowledgeArticle,
  type EvaluationCaseSource,
} from '../../db/entities';
import { AppError, badInput, notFound } from '../../errors';
import { isUuid } from '../../ids';
import type { CaseInput } from './case-file';

/**
 * Evaluation datasets (LEARNING.md, "Evaluation dataset"). A dataset's
 * content is a chain of immutable DatasetVersions, each listing its case ids;
 * cases themselves never change. Adding, importing or archiving cases makes a
 * new version, so a version an evaluation used is exactly what it was.
 */

/** A dataset version needs this many cases before its evaluations may gate a deployment (the seed's rule). */
export const GATING_MINIMUM_CASES = 500;
/** Cases inserted per statement while importing. */
const BATCH = 500;

export type ProgressCallback = (done: number, total: number) => void;

export async function listDatasets(em: EntityManager, tenantId: string): Promise<EvaluationDataset[]> {
  return em.find(EvaluationDataset, { tenant: tenantId }, { orderBy: { name: 'asc' } });
}

export async function findDataset(
  em: EntityManager,
  tenantId: string,
  reference: string,
): Promise<EvaluationDataset | null> {
  if (isUuid(reference)) {
    const byId = await em.findOne(EvaluationDataset, { id: reference, tenant: tenantId });
    if (byId) return byId;
  }
  return em.findOne(EvaluationDataset, { name: reference, tenant: tenantId });
}

export async function datasetVersions(
  em: EntityManager,
  tenantId: string,
  datasetId: string,
): Promise<DatasetVersion[]> {
  return em.find(DatasetVersion, { tenant: tenantId, dataset: datasetId }, { orderBy: { number: 'desc' } });
}

/**
 * A dataset version by `name`, `name@3`, a dataset id (its latest version) or a
 * dataset version id.
 */
export async function resolveDatasetVersion(
  em: EntityManager,
  tenantId: string,
  reference: string,
): Promise<DatasetVersion> {
  if (isUuid(reference)) {
    const version = await em.findOne(DatasetVersion, { id: reference, tenant: tenantId }, { populate: ['dataset'] });
    if (version) return version;
  }
  const match = /^(.*?)(?:@(\d+))?$/.exec(reference.trim())!;
  const dataset = await findDataset(em, tenantId, match[1]);
  if (!dataset) throw notFound('Dataset', match[1]);
  const number = match[2] ? Number(match[2]) : dataset.latestVersionNumber;
  const version = await em.findOne(DatasetVersion, { dataset, number }, { populate: ['dataset'] });
  if (!version) throw notFound('Dataset version', `${dataset.name}@${number}`);
  return version;
}

/** The cases of a version, in the version's order. */
export async function versionCases(em: EntityManager, version: DatasetVersion): Promise<EvaluationCase[]> {
  const rows = await em.find(EvaluationCase, { id: { $in: version.caseIds } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return version.caseIds.map((id) => byId.get(id)).filter((row): row is EvaluationCase => row !== undefined);
}

export async function createDataset(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; name: string; description?: string | null },
): Promise<{ dataset: EvaluationDataset; version: DatasetVersion }> {
  const name = input.name.trim();
  if (!/^[\w.-]{1,100}$/.test(name))
    throw badInput('A dataset name is 1–100 letters, digits, dots, dashes or underscores');
  return em.transactional(async (tx) => {
    if (await tx.findOne(EvaluationDataset, { tenant: input.tenantId, name }))
      throw badInput(`A dataset named ${name} already exists`);
    const dataset = tx.create(EvaluationDataset, {
      tenant: input.tenantId,
      name,
      description: input.description?.trim() ?? '',
      latestVersionNumber: 1,
    });
    const version = tx.create(DatasetVersion, {
      tenant: input.tenantId,
      dataset,
      number: 1,
      caseIds: [],
      caseCount: 0,
      change: 'created',
      createdBy: input.actor,
    });
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'dataset.create',
      targetType: 'EvaluationDataset',
      targetId: dataset.id,
      after: { name, description: dataset.description },
    });
    return { dataset, version };
  });
}

/** Locks the dataset and returns it with its latest version. */
async function lockLatest(
  tx: EntityManager,
  tenantId: string,
  datasetId: string,
): Promise<{ dataset: EvaluationDataset; latest: DatasetVersion }> {
  const dataset = await tx.findOne(
    EvaluationDataset,
    { id: datasetId, tenant: tenantId },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!dataset) throw notFound('Dataset', datasetId);
  const latest = await tx.findOneOrFail(DatasetVersion, { dataset, number: dataset.latestVersionNumber });
  return { dataset, latest };
}

function nextVersion(
  tx: EntityManager,
  tenantId: string,
  dataset: EvaluationDataset,
  latest: DatasetVersion,
  caseIds: string[],
  change: string,
  actor: Actor,
): DatasetVersion {
  dataset.latestVersionNumber = latest.number + 1;
  return tx.create(DatasetVersion, {
    tenant: tenantId,
    dataset,
    number: latest.number + 1,
    caseIds,
    caseCount: caseIds.length,
    change,
    parentVersion: latest,
    createdBy: actor,
  });
}

function validateCase(entry: CaseInput, index: number): void {
  if (!entry.input?.trim()) throw badInput(`Case ${index + 1}: the customer message (input) is required`);
  if (!entry.expectedReply?.trim()) throw badInput(`Case ${index + 1}: the expected reply is required`);
}

/** Adds cases (typed by hand, read from a file or taken from corrections) as one new version. */
export async function addCases(
  em: EntityManager,
  input: {
    tenantId: string;
    actor: Actor;
    datasetId: string;
    cases: CaseInput[];
    source: EvaluationCaseSource;
    change?: string;
    onProgress?: ProgressCallback;
  },
): Promise<DatasetVersion> {
  if (!input.cases.length) throw badInput('No cases to add');
  input.cases.forEach(validateCase);
  return em.transactional(async (tx) => {
    const { dataset, latest } = await lockLatest(tx, input.tenantId, input.datasetId);
    const ids: string[] = [];
    for (let start = 0; start < input.cases.length; start += BATCH) {
      for (const entry of input.cases.slice(start, start + BATCH)) {
        const row = tx.create(EvaluationCase, {
          tenant: input.tenantId,
          dataset,
          context: entry.context ?? [],
          input: entry.input.trim(),
          expectedReply: entry.expectedReply.trim(),
          expectedTopic: entry.expectedTopic?.trim() || null,
          expectHandoff: entry.expectHandoff ?? false,
          source: input.source,
          sourceRef: entry.sourceRef ?? null,
          provenance: entry.provenance ?? null,
        });
        ids.push(row.id);
      }
      await tx.flush();
      input.onProgress?.(Math.min(start + BATCH, input.cases.length), input.cases.length);
    }
    const change = input.change ?? `added ${ids.length} ${input.source} case${ids.length === 1 ? '' : 's'}`;
    const version = nextVersion(tx, input.tenantId, dataset, latest, [...latest.caseIds, ...ids], change, input.actor);
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'dataset.cases.add',
      targetType: 'EvaluationDataset',
      targetId: dataset.id,
      before: { version: latest.number, cases: latest.caseCount },
      after: { version: version.number, cases: version.caseCount, source: input.source, added: ids.length },
    });
    return version;
  });
}

/**
 * Approved corrections become cases (customer message → corrected reply), with
 * their provenance (who approved, when, quality) and the topic of the article
 * each produced. Corrections already in the dataset's latest version are skipped.
 */
export async function importApprovedCorrections(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; datasetId: string; minQuality?: number | null; since?: Date | null },
): Promise<{ version: DatasetVersion | null; imported: number; skipped: number }> {
  const where: Record<string, unknown> = { tenant: input.tenantId, status: 'approved', customerMessage: { $ne: null } };
  if (input.minQuality !== undefined && input.minQuality !== null) where.qualityScore = { $gte: input.minQuality };
  if (input.since) where.decidedAt = { $gte: input.since };
  const corrections = await em.find(HumanCorrection, where, { orderBy: { decidedAt: 'asc', id: 'asc' } });
  const latest = await resolveDatasetVersion(em, input.tenantId, input.datasetId);
  const existing = new Set(
    (
      await em.find(EvaluationCase, { id: { $in: latest.caseIds }, source: 'correction' }, { fields: ['sourceRef'] })
    ).map((row) => row.sourceRef),
  );
  const fresh = corrections.filter((correction) => !existing.has(correction.id));
  if (!fresh.length) return { version: null, imported: 0, skipped: corrections.length };
  const articles = await em.find(KnowledgeArticle, {
    tenant: input.tenantId,
    correction: { $in: fresh.map((correction) => correction.id) },
  });
  const topicOf = new Map(articles.map((article) => [article.correction?.id, article.topic]));
  const version = await addCases(em, {
    tenantId: input.tenantId,
    actor: input.actor,
    datasetId: latest.dataset.id,
    source: 'correction',
    change: `imported ${fresh.length} approved correction${fresh.length === 1 ? '' : 's'}`,
    cases: fresh.map((correction) => ({
      input: correction.customerMessage!,
      expectedReply: correction.correctedReply,
      expectedTopic: topicOf.get(correction.id) ?? null,
      sourceRef: correction.id,
      provenance: {
        correctionId: correction.id,
        interactionId: correction.interaction?.id ?? null,
        author: correction.authorName ?? correction.authorId,
        approvedBy: correction.decidedBy,
        approvedAt: correction.decidedAt,
        qualityScore: correction.qualityScore,
        category: correction.category,
      },
    })),
  });
  return { version, imported: fresh.length, skipped: corrections.length - fresh.length };
}

/** Archives cases: a new version without them (the cases and older versions stay). */
export async function archiveCases(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; datasetId: string; caseIds: string[]; reason?: string | null },
): Promise<DatasetVersion> {
  if (!input.caseIds.length) throw badInput('Name at least one case to archive');
  return em.transactional(async (tx) => {
    const { dataset, latest } = await lockLatest(tx, input.tenantId, input.datasetId);
    const removing = new Set(input.caseIds);
    const missing = input.caseIds.filter((id) => !latest.caseIds.includes(id));
    if (missing.length)
      throw badInput(
        `Not in the latest version (${latest.number}) of ${dataset.name}: ${missing.slice(0, 5).join(', ')}`,
      );
    const kept = latest.caseIds.filter((id) => !removing.has(id));
    const reason = input.reason?.trim();
    const version = nextVersion(
      tx,
      input.tenantId,
      dataset,
      latest,
      kept,
      `archived ${removing.size} case${removing.size === 1 ? '' : 's'}${reason ? `: ${reason}` : ''}`,
      input.actor,
    );
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'dataset.cases.archive',
      targetType: 'EvaluationDataset',
      targetId: dataset.id,
      before: { version: latest.number, cases: latest.caseCount },
      after: { version: version.number, cases: version.caseCount, archived: [...removing], reason: reason ?? null },
    });
    return version;
  });
}

/** Throws unless the version is big enough to gate a deployment. */
export function assertGatingSize(version: DatasetVersion): void {
  if (version.caseCount < GATING_MINIMUM_CASES) {
    throw new AppError(
      'BAD_USER_INPUT',
      `Dataset version ${version.number} has ${version.caseCount} cases; gating a deployment needs at least ${GATING_MINIMUM_CASES}`,
    );
  }
}
