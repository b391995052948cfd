import fs from 'node:fs';
import path from 'node:path';
import { costComparisonCells } from '../../../src/providers/cost-comparison';

/** The cells of the Markdown table between two HTML-comment markers (header and separator left out). */
function tableBetween(markdown: string, name: string): string[][] {
  const start = markdown.indexOf(`<!-- ${name}:start -->`);
  const end = markdown.indexOf(`<!-- ${name}:end -->`);
  if (start < 0 || end < start) throw new Error(`docs/architecture.md has no ${name} markers`);
  return markdown
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

describe('docs/architecture.md cost per tier', () => {
  const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/architecture.md'), 'utf8');

  it('is the table the catalogue and the default routing give', () => {
    const expected = costComparisonCells();
    const shown = tableBetween(doc, 'cost-table');
    // On a mismatch, paste these rows into the table (then npx prettier --write docs/architecture.md).
    const rows = expected.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
    expect({ shown, rows }).toEqual({ shown: expected, rows });
  });

  it('prices every tier, first choice included', () => {
    const tiers = new Set(costComparisonCells().map((cells) => `${cells[0]}:${cells[2]}`));
    for (const tier of ['cheap', 'balanced', 'long-context', 'reasoning'])
      expect(tiers).toContain(`${tier}:first choice`);
  });
});
