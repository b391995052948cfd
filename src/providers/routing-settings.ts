import { z } from 'zod';
import type { RoutingSettings } from '../db/entities';
import { KNOWLEDGE_BASE_MODEL, type ModelCatalogue } from './model-catalogue';
import { PROVIDER_IDS, type CapabilityTier } from './types';

/**
 * The one definition of a tenant's `settings.routing`: the control plane
 * validates writes with it (and refuses what it rejects), the router reads
 * with it (and replaces what it rejects by the default, listing the problem).
 * Whatever a write accepts therefore reads back without a problem.
 */
export const TIER_NAMES = [
  'cheap',
  'balanced',
  'long-context',
  'reasoning',
] as const satisfies readonly CapabilityTier[];

const PROVIDERS: readonly string[] = PROVIDER_IDS;

export const ROUTING_LIMITS = {
  longContextTokens: { min: 1, max: 10_000_000 },
  fallbackOrder: { min: 1, max: 10 },
} as const;

/** Schemas of each routing field; models are checked against `catalogue` (the defaults plus the tenant's own). */
export function routingFieldSchemas(catalogue: ModelCatalogue) {
  const fraction = z
    .number({ message: 'must be a number from 0 to 1' })
    .min(0, 'must be a number from 0 to 1')
    .max(1, 'must be a number from 0 to 1');
  const { min, max } = ROUTING_LIMITS.longContextTokens;
  const tokens = `must be a whole number of tokens from ${min} to ${max}`;
  const model = z
    .string({ message: 'must be a model id' })
    .refine((id) => Boolean(catalogue[id]), { message: 'is not in the model catalogue' });
  const fallbackEntry = z
    .string({ message: 'must be a model or provider id' })
    .refine((id) => id === KNOWLEDGE_BASE_MODEL || PROVIDERS.includes(id) || Boolean(catalogue[id]), {
      message: 'is neither a catalogue model nor a provider',
    });
  return {
    cheapThreshold: fraction,
    reasoningThreshold: fraction,
    longContextTokens: z.number({ message: tokens }).int(tokens).min(min, tokens).max(max, tokens),
    model,
    fallbackEntry,
    fallbackOrder: z
      .array(fallbackEntry, { message: 'must be a list of model or provider ids' })
      .min(ROUTING_LIMITS.fallbackOrder.min, 'must name at least one model or provider')
      .max(ROUTING_LIMITS.fallbackOrder.max, `must name at most ${ROUTING_LIMITS.fallbackOrder.max} entries`),
  };
}

/** The stored shape, for a whole `settings.routing` object (the catalogue override is checked by mergeCatalogue). */
export function routingSettingsSchema(catalogue: ModelCatalogue) {
  const fields = routingFieldSchemas(catalogue);
  return z
    .object({
      cheapThreshold: fields.cheapThreshold.optional(),
      reasoningThreshold: fields.reasoningThreshold.optional(),
      longContextTokens: fields.longContextTokens.optional(),
      models: z
        .object(Object.fromEntries(TIER_NAMES.map((tier) => [tier, fields.model.optional()])))
        .strict()
        .optional(),
      fallbackOrder: fields.fallbackOrder.optional(),
      catalogue: z.unknown().optional(),
    })
    .superRefine((routing, context) => {
      const cheap = routing.cheapThreshold ?? DEFAULT_THRESHOLDS.cheap;
      const reasoning = routing.reasoningThreshold ?? DEFAULT_THRESHOLDS.reasoning;
      if (reasoning < cheap)
        context.addIssue({
          code: 'custom',
          path: ['reasoningThreshold'],
          message: `must not be below routing.cheapThreshold (${cheap} > ${reasoning})`,
        });
    });
}

export const DEFAULT_THRESHOLDS = { cheap: 0.3, reasoning: 0.7 } as const;

/** `routing.<path>` for a zod issue path. */
export function routingField(path: ReadonlyArray<PropertyKey>): string {
  return ['routing', ...path.map(String)].join('.');
}

/** Validates a whole routing object; the first problem as `{ field, message }`, or null when it is valid. */
export function firstRoutingProblem(
  routing: RoutingSettings,
  catalogue: ModelCatalogue,
): { field: string; message: string } | null {
  const result = routingSettingsSchema(catalogue).safeParse(routing);
  if (result.success) return null;
  const issue = result.error.issues[0]!;
  return { field: routingField(issue.path), message: issue.message };
}
