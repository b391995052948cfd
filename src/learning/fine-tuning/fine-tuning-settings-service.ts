import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../../audit/audit-service';
import { Tenant } from '../../db/entities';
import { badInput, notFound } from '../../errors';
import { tierNames } from '../../providers/routing-policy';
import { withLockedTenant } from '../../tenants/locked-tenant';
import { resolveDatasetVersion } from '../datasets/dataset-service';
import { fineTuningSettingsFrom, type FineTuningSettings } from './fine-tuning-settings';

/** A change to settings.fineTuning: absent fields stay, `null` resets a field to its default. */
export interface FineTuningSettingsChange {
  schedule?: string | null;
  minNewExamples?: number | null;
  baseModel?: string | null;
  tiers?: string[] | null;
  gatingDataset?: string | null;
}

/**
 * Validates and stores the tenant's fine-tuning settings (audited) on the
 * locked tenant row; bad input changes nothing.
 */
export async function setFineTuningSettings(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; change: FineTuningSettingsChange },
): Promise<FineTuningSettings> {
  if (!(await em.findOne(Tenant, { id: input.tenantId }))) throw notFound('Tenant', input.tenantId);
  const change = input.change;
  if (change.schedule !== undefined && change.schedule !== null && !['monthly', 'off'].includes(change.schedule))
    throw badInput('fineTuning.schedule must be monthly or off');
  if (
    change.minNewExamples !== undefined &&
    change.minNewExamples !== null &&
    !(Number.isInteger(change.minNewExamples) && change.minNewExamples >= 0 && change.minNewExamples <= 1_000_000)
  )
    throw badInput('fineTuning.minNewExamples must be a whole number from 0 to 1,000,000');
  if (change.baseModel !== undefined && change.baseModel !== null && !/^[\w.:-]{1,100}$/.test(change.baseModel.trim()))
    throw badInput('fineTuning.baseModel must be an OpenAI model id such as gpt-4o-mini-2024-07-18');
  if (change.tiers !== undefined && change.tiers !== null) {
    const unknown = change.tiers.filter((tier) => !(tierNames as readonly string[]).includes(tier));
    if (unknown.length || !change.tiers.length)
      throw badInput(`fineTuning.tiers must name at least one of ${tierNames.join(', ')}`);
  }
  if (change.gatingDataset !== undefined && change.gatingDataset !== null)
    await resolveDatasetVersion(em, input.tenantId, change.gatingDataset.trim());

  return withLockedTenant(em, input.tenantId, (tx, tenant) => {
    const stored = { ...((tenant.settings.fineTuning ?? {}) as Record<string, unknown>) };
    const apply = (key: keyof FineTuningSettingsChange, value: unknown) => {
      if (value === undefined) return;
      if (value === null) delete stored[key];
      else stored[key] = value;
    };
    apply('schedule', change.schedule);
    apply('minNewExamples', change.minNewExamples);
    apply('baseModel', change.baseModel?.trim() ?? change.baseModel);
    apply('tiers', change.tiers ? [...new Set(change.tiers)] : change.tiers);
    apply('gatingDataset', change.gatingDataset?.trim() ?? change.gatingDataset);

    const before = fineTuningSettingsFrom(tenant.settings);
    tenant.settings = { ...tenant.settings, fineTuning: stored };
    const after = fineTuningSettingsFrom(tenant.settings);
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'tenant.settings.fine_tuning.update',
      targetType: 'Tenant',
      targetId: input.tenantId,
      before: { ...before },
      after: { ...after },
    });
    return after;
  });
}
