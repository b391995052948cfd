import { KNOWLEDGE_BASE_MODEL } from './model-catalogue';
import { costOf, priceBandFor } from './pricing';
import { defaultPolicy, tierNames, type RoutingPolicy } from './routing-policy';
import type { CapabilityTier } from './types';

/** The turn a tier's cost is compared on: prompt and output tokens (no cached prompt tokens). */
export interface SampleTurn {
  promptTokens: number;
  outputTokens: number;
}

/**
 * A typical support turn (system prompt, three reference answers, a few turns of
 * history; a short answer), and for the long-context tier a prompt just past its
 * 100k-token threshold.
 */
export const sampleTurns: Readonly<Record<CapabilityTier, SampleTurn>> = Object.freeze({
  cheap: { promptTokens: 1_500, outputTokens: 250 },
  balanced: { promptTokens: 1_500, outputTokens: 250 },
  'long-context': { promptTokens: 120_000, outputTokens: 400 },
  reasoning: { promptTokens: 1_500, outputTokens: 250 },
});

export interface CostComparisonRow {
  tier: CapabilityTier;
  /** `first choice`, `fallback 1`, … in the tier's failover order. */
  role: string;
  model: string;
  provider: string;
  /** Dollars per 1M tokens at the band the sample prompt selects: "input / cached input / output". */
  prices: string;
  /** Dollars for 1,000 sample turns of the tier, at this model. */
  per1000Turns: number;
  /** This model's cost over gpt-4o's for the same turn (the "send everything to gpt-4o" baseline). */
  versusGpt4o: number;
}

const BASELINE = 'gpt-4o';

/**
 * For each tier, every model of its failover chain (first choice, then the
 * fallback order; the free knowledge base that ends every chain is left out),
 * priced on the tier's sample turn from the catalogue. docs/architecture.md
 * shows this table; a test keeps the two equal.
 */
export function costComparison(policy: RoutingPolicy = defaultPolicy): CostComparisonRow[] {
  const rows: CostComparisonRow[] = [];
  for (const tier of tierNames) {
    const turn = sampleTurns[tier];
    const usage = {
      inputTokens: turn.promptTokens,
      cachedInputTokens: 0,
      outputTokens: turn.outputTokens,
      totalTokens: turn.promptTokens + turn.outputTokens,
    };
    const baseline = costOf(BASELINE, usage, policy.catalogue);
    const chain = [policy.models[tier], ...policy.fallbackOrder[tier]].filter(
      (model, index, all) => model !== KNOWLEDGE_BASE_MODEL && all.indexOf(model) === index,
    );
    chain.forEach((model, index) => {
      const spec = policy.catalogue[model];
      if (!spec) return;
      const band = priceBandFor(spec, turn.promptTokens);
      const perTurn = costOf(spec, usage, policy.catalogue);
      rows.push({
        tier,
        role: index === 0 ? 'first choice' : `fallback ${index}`,
        model,
        provider: spec.provider,
        prices: [band.input, band.cachedInput, band.output].map(formatPrice).join(' / '),
        per1000Turns: round(perTurn * 1000, 2),
        versusGpt4o: round(perTurn / baseline, 2),
      });
    });
  }
  return rows;
}

/** The table as Markdown cells, in the order docs/architecture.md shows them. */
export function costComparisonCells(policy: RoutingPolicy = defaultPolicy): string[][] {
  return costComparison(policy).map((row) => {
    const turn = sampleTurns[row.tier];
    return [
      row.tier,
      `${turn.promptTokens.toLocaleString('en-US')} + ${turn.outputTokens.toLocaleString('en-US')}`,
      row.role,
      row.model,
      row.provider,
      row.prices,
      `$${row.per1000Turns.toFixed(2)}`,
      `${row.versusGpt4o.toFixed(2)}×`,
    ];
  });
}

function formatPrice(dollars: number): string {
  return dollars.toFixed(Math.max(2, (String(dollars).split('.')[1] ?? '').length));
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
