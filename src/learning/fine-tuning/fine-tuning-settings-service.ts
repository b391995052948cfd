import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../../audit/audit-service';
import { Tenant } from '../../db/entities';
import { badInput, notFound } from '../../errors';
import { tierNames } from '../../providers/routing-policy';
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

/** Validates and stores the tenant's fine-tuning settings (audited); bad input changes nothing. */
export async function setFineTuningSettings(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; change: FineTuningSettingsChange },
): Promise<FineTuningSettings> {
  const tenant = await em.findOne(Tenant, { id: input.tenantId });
  if (!tenant) throw notFound('Tenant', input.tenantId);
  const change = input.change;
  const stored = { ...((tenant.settings.fineTuning ?? {}) as Record<string, unknown>) };
  const apply = (key: keyof FineTuningSettingsChange, value: unknown) => {
    if (value === undefined) return;
    if (value === null) delete stored[key];
    else stored[key] = value;
  };
  if (change.schedule !== undefined && change.schedule !== null && !['monthly', 'off'].includes(change.schedule))
    throw badInput('fineTuning.schedule must be monthly or off');
  apply('schedule', change.schedule);
  if (
    change.minNewExamples !== undefined &&
    change.minNewExamples !== null &&
    !(Number.isInteger(change.minNewExamples) && change.minNewExamples >= 0 && change.minNewExamples <= 1_000_000)
  )
    throw badInput('fineTuning.minNewExamples must be a whole number from 0 to 1,000,000');
  apply('minNewExamples', change.minNewExamples);
  if (change.baseModel !== undefined && change.baseModel !== null && !/^[\w.:-]{1,100}$/.test(change.baseModel.trim()))
    throw badInput('fineTuning.baseModel must be an OpenAI model id such as gpt-4o-mini-2024-07-18');
  apply('baseModel', change.baseModel?.trim() ?? change.baseModel);
  if (change.tiers !== undefined && change.tiers !== null) {
    const unknown = change.tiers.filter((tier) => !(tierNames as readonly string[]).includes(tier));
    if (unknown.length || !change.tiers.length)
      throw badInput(`fineTuning.tiers must name at least one of ${tierNames.join(', ')}`);
  }
  apply('tiers', change.tiers ? [...new Set(change.tiers)] : change.tiers);
  if (change.gatingDataset !== undefined && change.gatingDataset !== null)
    await resolveDatasetVersion(em, input.tenantId, change.gatingDataset.trim());
  apply('gatingDataset', change.gatingDataset?.trim() ?? change.gatingDataset);

  const before = fineTuningSettingsFrom(tenant.settings);
  tenant.settings = { ...tenant.settings, fineTuning: stored };
  const after = fineTuningSettingsFrom(tenant.settings);
  recordAudit(em, {
    tenantId: input.tenantId,
    actor: input.actor,
    action: 'tenant.settings.fine_tuning.update',
    targetType: 'Tenant',
    targetId: input.tenantId,
    before: { ...before },
    after: { ...after },
  });
  await em.flush();
  return after;
}
