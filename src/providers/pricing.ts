import { defaultCatalogue, type ModelCatalogue, type ModelSpec, type PriceBand } from './model-catalogue';
import type { TokenUsage } from './types';

/** Prices are converted to integer micro-dollars per 1M tokens so the sums are exact integers. */
const MICRO = 1_000_000;

/** The band a request is billed at: the first whose limit the prompt does not exceed. */
export function priceBandFor(spec: ModelSpec, promptTokens: number): PriceBand {
  for (const band of spec.prices) {
    if (band.upToPromptTokens === undefined || promptTokens <= band.upToPromptTokens) return band;
  }
  return spec.prices[spec.prices.length - 1]!;
}

/**
 * Cost in US dollars of one call. Uncached prompt tokens at the input price,
 * cached prompt tokens at the cached price, output tokens at the output price,
 * all at the band the prompt size selects. Computed with integer micro-dollar
 * prices and one final division, so it is exact to the last representable digit.
 * Unknown models cost 0 (and are logged by the caller); they cannot be routed to.
 */
export function costOf(
  model: string | ModelSpec,
  usage: TokenUsage,
  catalogue: ModelCatalogue = defaultCatalogue,
): number {
  const spec = typeof model === 'string' ? catalogue[model] : model;
  if (!spec) return 0;
  const band = priceBandFor(spec, usage.inputTokens);
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const uncached = usage.inputTokens - cached;
  const microDollarsTimesMillion =
    uncached * Math.round(band.input * MICRO) +
    cached * Math.round(band.cachedInput * MICRO) +
    usage.outputTokens * Math.round(band.output * MICRO);
  return microDollarsTimesMillion / (MICRO * 1_000_000);
}

export const zeroUsage: Readonly<TokenUsage> = Object.freeze({
  inputTokens: 0,
  cachedInputTokens: 0,
  outputTokens: 0,
  totalTokens: 0,
});

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}
