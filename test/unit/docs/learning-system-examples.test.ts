import fs from 'node:fs';
import path from 'node:path';
import { implicitSatisfaction } from '../../../src/feedback/implicit-satisfaction';

/** The worked examples of docs/learning-system.md ("Implicit satisfaction"), computed by the product's own formula. */
describe('docs/learning-system.md implicit satisfaction examples', () => {
  const none = { continuedConversation: false, completedAction: false, requestedHandoff: false, responseTimeMs: null };

  it('a reply with no reaction scores 0.5', () => {
    expect(implicitSatisfaction(none)).toBe(0.5);
  });

  it('"thanks, that worked" a minute later scores 0.995', () => {
    expect(
      implicitSatisfaction({ ...none, continuedConversation: true, completedAction: true, responseTimeMs: 60_000 }),
    ).toBe(0.995);
  });

  it('"let me talk to a person" right away scores 0.15', () => {
    expect(
      implicitSatisfaction({ ...none, continuedConversation: true, requestedHandoff: true, responseTimeMs: 0 }),
    ).toBe(0.15);
  });
});

/**
 * The sample-size table of docs/learning-system.md ("A/B testing practice"):
 * units per arm for a two-sided test at 5 % significance and 80 % power,
 * normal approximation (two proportions; a mean with a known spread).
 */
describe('docs/learning-system.md sample sizes', () => {
  const zAlpha = 1.959964; // two-sided 5 %
  const zBeta = 0.841621; // 80 % power
  const proportions = (p1: number, p2: number) => {
    const pooled = (p1 + p2) / 2;
    const numerator = zAlpha * Math.sqrt(2 * pooled * (1 - pooled)) + zBeta * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
    return Math.round(numerator ** 2 / (p1 - p2) ** 2);
  };
  const means = (sd: number, difference: number) => Math.round((2 * (zAlpha + zBeta) ** 2 * sd ** 2) / difference ** 2);
  const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/learning-system.md'), 'utf8');
  const row = (label: string) =>
    doc
      .split('\n')
      .find((line) => line.startsWith(`| ${label}`))!
      .split('|')
      .slice(2, 5)
      .map((cell) => Number(cell.trim().replace(/,/g, '')));

  it('👍 rate from 0.75', () => {
    expect(row('👍 rate (0.75)')).toEqual([0.95, 0.9, 0.8].map((ratio) => proportions(0.75, 0.75 * ratio)));
  });

  it('handoff rate from 0.15', () => {
    expect(row('handoff rate (0.15')).toEqual([1.05, 1.1, 1.2].map((ratio) => proportions(0.15, 0.15 * ratio)));
  });

  it('implicit satisfaction, mean 0.6, sd 0.2', () => {
    expect(row('implicit satisfaction (mean 0.6')).toEqual([0.05, 0.1, 0.2].map((drop) => means(0.2, 0.6 * drop)));
  });
});
