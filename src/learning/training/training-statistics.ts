import type { TrainingExample, TrainingSetStatistics } from '../../db/entities';
import { tokensOf, TOKENS_PER_MESSAGE } from '../../providers/token-estimate';
import type { TrainingFormat } from './training-format';

/**
 * Training prices in US dollars per million trained tokens (list prices,
 * November 2026: OpenAI's fine-tuning pricing page; Vertex AI's generative AI
 * pricing page, "tuning"). The model catalogue holds inference prices only.
 * A file is billed tokens × epochs; OpenAI's `auto` picks the epochs from the
 * set's size, 3 is the estimate used here for a few hundred to a few thousand examples.
 */
export const TRAINING_PRICES: ReadonlyArray<{ format: TrainingFormat; model: string; pricePerMillion: number }> = [
  { format: 'openai', model: 'gpt-4o-mini-2024-07-18', pricePerMillion: 3 },
  { format: 'openai', model: 'gpt-4.1-mini-2025-04-14', pricePerMillion: 5 },
  { format: 'gemini', model: 'gemini-2.5-flash', pricePerMillion: 5 },
];
export const ESTIMATED_EPOCHS = 3;

function count(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

/** Counts per split, source, topic and category, tokens and estimated training cost of `examples`. */
export function trainingStatistics(
  examples: readonly TrainingExample[],
  filteredOut: Record<string, number>,
  maskedValues: number,
): TrainingSetStatistics {
  const bySource: Record<string, number> = {};
  const byTopic: Record<string, number> = {};
  const byCategory: Record<string, number> = {};
  let total = 0;
  let trained = 0;
  let validation = 0;
  for (const example of examples) {
    count(bySource, example.source);
    count(byTopic, example.topic ?? '(none)');
    count(byCategory, example.category ?? '(none)');
    if (example.split === 'validation') validation += 1;
    for (const message of example.messages) {
      const tokens = tokensOf(message.content) + TOKENS_PER_MESSAGE;
      total += tokens;
      if (message.role === 'assistant' && message.weight !== 0) trained += tokens;
    }
  }
  // The validation file is not trained on; the whole training file (prompt and reply tokens) is billed.
  const trainTokens = examples.length ? (total * (examples.length - validation)) / examples.length : 0;
  return {
    examples: examples.length,
    train: examples.length - validation,
    validation,
    validationShare: examples.length ? Math.round((validation / examples.length) * 10_000) / 10_000 : 0,
    bySource,
    byTopic,
    byCategory,
    tokens: { total, trained, perExampleMean: examples.length ? Math.round(total / examples.length) : 0 },
    estimatedCost: TRAINING_PRICES.map((price) => ({
      ...price,
      epochs: ESTIMATED_EPOCHS,
      usd: Math.round(((trainTokens * ESTIMATED_EPOCHS * price.pricePerMillion) / 1e6) * 10_000) / 10_000,
    })),
    filteredOut,
    maskedValues,
  };
}
