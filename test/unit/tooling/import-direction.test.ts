import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The lint rule that keeps dependencies pointing one way (channels → src ←
 * schema) must fail a deliberate wrong import. ESLint loads its flat config with
 * a dynamic import, which jest's module sandbox does not allow, so the cases are
 * linted by the project's own ESLint in a child process.
 */
const ROOT = path.resolve(__dirname, '../../..');

const LINT_CASES = `
const { ESLint } = require('eslint');
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const cases = JSON.parse(process.argv[1]);
  const out = [];
  for (const [filePath, code] of cases) {
    const [result] = await eslint.lintText(code, { filePath });
    out.push(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((error) => { console.error(error); process.exit(2); });
`;

function restrictedImportMessages(cases: [string, string][]): string[][] {
  const output = execFileSync(process.execPath, ['-e', LINT_CASES, JSON.stringify(cases)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(output) as string[][];
}

describe('lint: import direction channels → src ← schema', () => {
  it('fails imports against the direction and allows the composition roots', () => {
    const cases: [string, string, boolean][] = [
      [
        'src/engine/probe.ts',
        "import { createGraphqlMounter } from '../../schema/graphql-server';\nexport const probe = createGraphqlMounter;\n",
        false,
      ],
      [
        'src/engine/probe.ts',
        "import { INBOUND_PATH } from '../../channels/whatsapp/whatsapp-channel';\nexport const probe = INBOUND_PATH;\n",
        false,
      ],
      [
        'channels/slack/probe.ts',
        "import { createGraphqlMounter } from '../../schema/graphql-server';\nexport const probe = createGraphqlMounter;\n",
        false,
      ],
      [
        'schema/analytics/probe.ts',
        "import { INBOUND_PATH } from '../../channels/whatsapp/whatsapp-channel';\nexport const probe = INBOUND_PATH;\n",
        false,
      ],
      ['src/engine/probe.ts', "import { openOrm } from '../db/orm';\nexport const probe = openOrm;\n", true],
      ['channels/slack/probe.ts', "import { openOrm } from '../../src/db/orm';\nexport const probe = openOrm;\n", true],
      [
        'src/main.ts',
        "import { createGraphqlMounter } from '../schema/graphql-server';\nexport const probe = createGraphqlMounter;\n",
        true,
      ],
      [
        'src/cli/probe.ts',
        "import { INBOUND_PATH } from '../../channels/whatsapp/whatsapp-channel';\nexport const probe = INBOUND_PATH;\n",
        true,
      ],
    ];
    const messages = restrictedImportMessages(cases.map(([file, code]) => [file, code]));
    cases.forEach(([file, , allowed], index) => {
      if (allowed) expect({ file, messages: messages[index] }).toEqual({ file, messages: [] });
      else
        expect({ file, messages: messages[index] }).toEqual({
          file,
          messages: [expect.stringContaining('Dependencies point one way')],
        });
    });
  });
});
