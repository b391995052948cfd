import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../../audit/audit-service';
import { AuditLog, FineTuningJob, HumanCorrection, OPEN_FINE_TUNING_PHASES, Tenant } from '../../db/entities';
import { AppError } from '../../errors';
import { fineTuningSettingsFrom } from './fine-tuning-settings';
import { startFineTuningJob, type FineTuningDependencies } from './fine-tuning-service';

export const SCHEDULE_ACTOR: Actor = 'system:fine-tuning-schedule';

export interface ScheduleOutcome {
  tenantId: string;
  started?: string;
  skipped?: string;
}

/** The first instant of `now`'s month, UTC. */
export function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/**
 * Monthly retraining (tenant setting fineTuning.schedule, `monthly` by
 * default). Runs daily under the `fine-tuning-schedule` job's advisory lock:
 * a tenant whose month has no job yet gets one, unless there is too little new
 * data since its last training set (fewer approved corrections than
 * fineTuning.minNewExamples), no OpenAI key, or a job still open. The check
 * is repeated every day of the month (data approved later still trains this
 * month); the first skip of a month is logged and recorded as an audit row
 * (`fine_tuning.schedule.skip`, with the reason).
 */
export async function runScheduledRetraining(
  dependencies: FineTuningDependencies,
  options: { now: Date },
): Promise<ScheduleOutcome[]> {
  const since = monthStart(options.now);
  const tenants = await dependencies.em.fork().find(Tenant, { disabledAt: null }, { orderBy: { createdAt: 'asc' } });
  const outcomes: ScheduleOutcome[] = [];
  for (const tenant of tenants) {
    const settings = fineTuningSettingsFrom(tenant.settings);
    if (settings.schedule === 'off') continue;
    const em = dependencies.em.fork();
    const thisMonth = await em.count(FineTuningJob, { tenant: tenant.id, createdAt: { $gte: since } });
    if (thisMonth > 0) continue;
    const reason = await skipReason(dependencies, em, tenant.id, settings.minNewExamples);
    if (reason) {
      outcomes.push({ tenantId: tenant.id, skipped: reason });
      await recordSkip(dependencies, em, tenant.id, reason, since);
      continue;
    }
    try {
      const job = await startFineTuningJob(dependencies, {
        tenantId: tenant.id,
        actor: SCHEDULE_ACTOR,
        trigger: 'schedule',
      });
      outcomes.push({ tenantId: tenant.id, started: job.id });
    } catch (error) {
      // Bad input (too few examples after filtering, no active version): a skip with its reason, not a crash of the run.
      if (!(error instanceof AppError)) throw error;
      outcomes.push({ tenantId: tenant.id, skipped: error.message });
      await recordSkip(dependencies, em, tenant.id, error.message, since);
    }
  }
  return outcomes;
}

async function skipReason(
  dependencies: FineTuningDependencies,
  em: EntityManager,
  tenantId: string,
  minimum: number,
): Promise<string | null> {
  const open = await em.count(FineTuningJob, { tenant: tenantId, phase: { $in: [...OPEN_FINE_TUNING_PHASES] } });
  if (open) return 'a fine-tuning job is still open';
  try {
    await dependencies.clients(tenantId);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const last = await dependencies.trainingSets.latestCreatedAt(em, tenantId);
  const fresh = await em.count(HumanCorrection, {
    tenant: tenantId,
    status: 'approved',
    ...(last ? { decidedAt: { $gt: last } } : {}),
  });
  if (fresh < minimum)
    return `too little new data: ${fresh} approved correction(s) since ${last ? `the last training set (${last.toISOString()})` : 'the start'}, fewer than fineTuning.minNewExamples = ${minimum}`;
  return null;
}

async function recordSkip(
  dependencies: FineTuningDependencies,
  em: EntityManager,
  tenantId: string,
  reason: string,
  since: Date,
): Promise<void> {
  const recorded = await em.count(AuditLog, {
    tenant: tenantId,
    action: 'fine_tuning.schedule.skip',
    createdAt: { $gte: since },
  });
  if (recorded > 0) return; // once a month: the daily re-check stays quiet until the data is there
  dependencies.logger?.info({ tenantId, reason }, 'scheduled retraining skipped');
  recordAudit(em, {
    tenantId,
    actor: SCHEDULE_ACTOR,
    action: 'fine_tuning.schedule.skip',
    targetType: 'Tenant',
    targetId: tenantId,
    after: { reason },
  });
  await em.flush();
}
