import fs from 'node:fs';
import path from 'node:path';
import { fieldsByScope } from '../../helpers/schema-scopes';

/** The scope table of docs/api-guide.md against the scopes the schema's descriptions name. */
describe('docs/api-guide.md scope table', () => {
  const guide = fs.readFileSync(path.resolve(__dirname, '../../../docs/api-guide.md'), 'utf8');
  const table = guide.slice(guide.indexOf('<!-- scopes-table:start -->'), guide.indexOf('<!-- scopes-table:end -->'));
  const rows = table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  const list = (cell: string) => (cell ? cell.split(/,\s*/) : []);

  it('lists every field of the schema under each scope that allows it', () => {
    const shown = Object.fromEntries(
      rows.map(([scope, queries, mutations]) => [
        scope.replace(/`/g, ''),
        { queries: list(queries), mutations: list(mutations) },
      ]),
    );
    expect(shown).toEqual(fieldsByScope());
  });
});
