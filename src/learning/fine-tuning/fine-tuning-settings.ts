import type { CapabilityTier } from '../../providers/types';
import { defaultCatalogue, type ModelSpec } from '../../providers/model-catalogue';
import { tierNames } from '../../providers/routing-policy';

/** The tenant setting `settings.fineTuning` (every field optional; read tolerantly, written through setFineTuningSettings). */
export interface FineTuningSettings {
  /** `monthly` (default): the schedule starts a job on the first day of each month; `off`: only by hand. */
  schedule: 'monthly' | 'off';
  /** The schedule skips a month with fewer new approved corrections than this since the last training set (default 50). */
  minNewExamples: number;
  /** The OpenAI model fine-tuned (default gpt-4o-mini-2024-07-18). */
  baseModel: string;
  /** The tiers of the new draft version that get the fine-tuned model (default cheap and balanced). */
  tiers: CapabilityTier[];
  /** The evaluation dataset validating the draft (name, name@N or id); default: the tenant's largest gating dataset. */
  gatingDataset: string | null;
}

export const DEFAULT_FINE_TUNING_SETTINGS: FineTuningSettings = {
  schedule: 'monthly',
  minNewExamples: 50,
  baseModel: 'gpt-4o-mini-2024-07-18',
  tiers: ['cheap', 'balanced'],
  gatingDataset: null,
};

export function fineTuningSettingsFrom(settings: Record<string, unknown> | null | undefined): FineTuningSettings {
  const raw = (settings?.fineTuning ?? {}) as Record<string, unknown>;
  const tiers = Array.isArray(raw.tiers)
    ? raw.tiers.filter((tier): tier is CapabilityTier => (tierNames as readonly unknown[]).includes(tier))
    : [];
  return {
    schedule: raw.schedule === 'off' ? 'off' : 'monthly',
    minNewExamples:
      typeof raw.minNewExamples === 'number' && Number.isInteger(raw.minNewExamples) && raw.minNewExamples >= 0
        ? raw.minNewExamples
        : DEFAULT_FINE_TUNING_SETTINGS.minNewExamples,
    baseModel:
      typeof raw.baseModel === 'string' && raw.baseModel.trim()
        ? raw.baseModel.trim()
        : DEFAULT_FINE_TUNING_SETTINGS.baseModel,
    tiers: tiers.length ? tiers : [...DEFAULT_FINE_TUNING_SETTINGS.tiers],
    gatingDataset: typeof raw.gatingDataset === 'string' && raw.gatingDataset.trim() ? raw.gatingDataset.trim() : null,
  };
}

/**
 * The suffix naming tenant and version in the fine-tuned model's name
 * (`ft:<base>:<org>:<suffix>:<id>`). OpenAI allows up to 64 characters; the
 * model name keeps letters, digits and dashes, so everything else becomes a dash.
 */
export function fineTuningSuffix(tenantName: string, versionNumber: number): string {
  const tenant =
    tenantName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'tenant';
  return `${tenant}-v${versionNumber}`;
}

/**
 * OpenAI's price of serving a fine-tuned model (US dollars per 1M tokens,
 * November 2026 list): about twice the base model's. Unknown bases fall back to
 * twice the base model's catalogue price.
 */
const FINE_TUNED_PRICES: Record<string, { input: number; cachedInput: number; output: number }> = {
  'gpt-4o-mini': { input: 0.3, cachedInput: 0.15, output: 1.2 },
  'gpt-4o': { input: 3.75, cachedInput: 1.875, output: 15 },
  'gpt-4.1': { input: 3, cachedInput: 0.75, output: 12 },
  'gpt-4.1-mini': { input: 0.8, cachedInput: 0.2, output: 3.2 },
};

/** `gpt-4o-mini-2024-07-18` → `gpt-4o-mini` (the catalogue names models without their snapshot date). */
export function catalogueName(model: string): string {
  return model.replace(/-\d{4}-\d{2}-\d{2}$/, '');
}

/**
 * The catalogue entry of a fine-tuned model (`routing.catalogue` of the
 * tenant): served by OpenAI with the base model's context window and tier, at
 * the fine-tuned price. Without it the router would not know the model and
 * would route its tier to the knowledge base.
 */
export function fineTunedCatalogueEntry(baseModel: string): Omit<ModelSpec, 'id'> {
  const name = catalogueName(baseModel);
  const base = defaultCatalogue[name];
  const price =
    FINE_TUNED_PRICES[name] ??
    (base
      ? {
          input: base.prices[0].input * 2,
          cachedInput: base.prices[0].cachedInput * 2,
          output: base.prices[0].output * 2,
        }
      : FINE_TUNED_PRICES['gpt-4o-mini']);
  return {
    provider: 'openai',
    contextWindow: base?.contextWindow ?? 128_000,
    tier: base?.tier ?? 'cheap',
    prices: [price],
  };
}
