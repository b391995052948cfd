// `npm run docs:scopes`: rewrites the scope table of docs/api-guide.md (between
// the scopes-table markers) from schema/schema.graphql, the table that
// test/unit/docs/api-scopes.test.ts checks. Run it after `npm run schema:emit`
// whenever an operation is added or its scopes change. Prettier aligns it.
require('../test/helpers/ts-register.js');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { fieldsByScope } = require('../test/helpers/schema-scopes');

const guide = path.join(__dirname, '..', 'docs', 'api-guide.md');
const START = '<!-- scopes-table:start -->';
const END = '<!-- scopes-table:end -->';
const rows = Object.entries(fieldsByScope()).map(
  ([scope, fields]) => `| \`${scope}\` | ${fields.queries.join(', ')} | ${fields.mutations.join(', ')} |`,
);
const text = fs.readFileSync(guide, 'utf8');
const start = text.indexOf(START);
const end = text.indexOf(END);
if (start < 0 || end < start) throw new Error(`docs/api-guide.md has no ${START} … ${END} markers`);
const table = ['| scope | queries | mutations |', '| --- | --- | --- |', ...rows].join('\n');
fs.writeFileSync(guide, `${text.slice(0, start + START.length)}\n\n${table}\n\n${text.slice(end)}`);
execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--write', guide], { stdio: 'ignore' });
process.stdout.write('Rewrote the scope table of docs/api-guide.md.\n');
