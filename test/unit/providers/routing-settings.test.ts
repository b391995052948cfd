import { defaultCatalogue } from '../../../src/providers/model-catalogue';
import { resolvePolicy } from '../../../src/providers/routing-policy';
import { firstRoutingProblem } from '../../../src/providers/routing-settings';
import type { RoutingSettings } from '../../../src/db/entities';

/**
 * Writes (the control plane) and reads (the router) share one schema: a value
 * the control plane stores reads back with no problem, and a value it refuses
 * is one the router replaces by its default and lists, under the same field.
 */
const accepted: RoutingSettings[] = [
  {},
  { cheapThreshold: 0, reasoningThreshold: 1 },
  { cheapThreshold: 0.5, reasoningThreshold: 0.5 },
  { longContextTokens: 1 },
  { longContextTokens: 10_000_000 },
  { models: { cheap: 'gpt-4o-mini', reasoning: 'o3' } },
  { fallbackOrder: ['gemini', 'gpt-4o-mini', 'knowledge-base'] },
];

const refused: Array<[RoutingSettings, string]> = [
  [{ cheapThreshold: 1.5 }, 'routing.cheapThreshold'],
  [{ reasoningThreshold: -0.1 }, 'routing.reasoningThreshold'],
  [{ cheapThreshold: 0.9, reasoningThreshold: 0.5 }, 'routing.reasoningThreshold'],
  [{ longContextTokens: 0 }, 'routing.longContextTokens'],
  [{ longContextTokens: 20_000_000 }, 'routing.longContextTokens'],
  [{ longContextTokens: 2_500.5 }, 'routing.longContextTokens'],
  [{ models: { cheap: 'gpt-9' } }, 'routing.models.cheap'],
  [{ fallbackOrder: ['nobody'] }, 'routing.fallbackOrder'],
];

describe('routing settings: one schema for writing and reading', () => {
  it.each(accepted.map((routing) => [JSON.stringify(routing), routing]))(
    'accepts %s on write, and the router reads it without a problem',
    (_label, routing) => {
      expect(firstRoutingProblem(routing, defaultCatalogue)).toBeNull();
      expect(resolvePolicy({ ...routing }).problems).toEqual([]);
    },
  );

  it.each(refused.map(([routing, field]) => [JSON.stringify(routing), routing, field] as const))(
    'refuses %s on write, and the router lists the same field and keeps its default',
    (_label, routing, field) => {
      expect(firstRoutingProblem(routing, defaultCatalogue)?.field.startsWith(field)).toBe(true);
      const problems = resolvePolicy({ ...routing }).problems;
      expect(problems.length).toBe(1);
      expect(problems[0]!.startsWith(field)).toBe(true);
    },
  );

  it('applies what it accepts', () => {
    const policy = resolvePolicy({ cheapThreshold: 0.1, longContextTokens: 50_000, models: { cheap: 'gpt-4o-mini' } });
    expect(policy).toMatchObject({ cheapThreshold: 0.1, longContextTokens: 50_000 });
    expect(policy.models.cheap).toBe('gpt-4o-mini');
  });
});
