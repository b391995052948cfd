import path from 'node:path';
import { all, positiveInteger, wholeNumber, type Values } from './command-checks';
import type { CommandSpec } from './command-line';

/**
 * The command-line specs of the operators' commands (tenants, knowledge,
 * datasets, evaluate), part of COMMANDS in command-line.ts: parsed before the
 * entry loads anything heavy, so nothing here may import more than node's own
 * modules and command-checks.
 */

/** The commands of `npm run tenants` and `npm run datasets`. */
export const TENANT_COMMANDS = [
  'create',
  'list',
  'disable',
  'enable',
  'platform-key',
  'platform-keys',
  'revoke-platform-key',
];
export const DATASET_COMMANDS = ['list', 'create', 'import', 'add', 'import-corrections', 'archive', 'versions'];

/** The report format of `npm run evaluate`: --format, else --out's extension, else Markdown. */
export function reportFormat(values: Values): string {
  if (values.format !== undefined) return String(values.format);
  const extension = typeof values.out === 'string' ? path.extname(values.out).slice(1).toLowerCase() : '';
  return extension === 'markdown' ? 'md' : extension || 'md';
}

export const OPERATOR_COMMANDS: Record<string, CommandSpec> = {
  'src/cli/tenants': {
    // The scopes list is API_KEY_SCOPES (src/db/entities), written out so help loads nothing; a unit test keeps them equal.
    usage: `Usage:
  npm run tenants -- create <name> [--scopes analytics:view,corrections:write,users:manage] [--key-name <label>]
  npm run tenants -- list
  npm run tenants -- disable <name or id>
  npm run tenants -- enable <name or id>
  npm run tenants -- platform-key [--key-name <label>]
  npm run tenants -- platform-keys
  npm run tenants -- revoke-platform-key <platform key id>

create prints the tenant's first API key once (default: every tenant scope; with
users:manage the business sets its WhatsApp, Slack and profile through GraphQL).
platform-key prints a key with the tenants:manage scope, for the createTenant,
tenants and disableTenant GraphQL operations; tenant keys never get that scope.
platform-keys lists them (prefixes only); revoke-platform-key refuses the key at
once on every instance.
`,
    options: { scopes: { type: 'string' }, 'key-name': { type: 'string' } },
    positionals: { min: 1, max: 2 },
    check: (_values, positionals) => {
      const [command, target] = positionals;
      if (!TENANT_COMMANDS.includes(command!))
        return `unknown command ${JSON.stringify(command)}: use ${TENANT_COMMANDS.join(', ')}`;
      if (['create', 'disable', 'enable'].includes(command!) && !target) return `${command} needs a tenant name`;
      if (command === 'revoke-platform-key' && !target) return 'revoke-platform-key needs a platform key id';
      return null;
    },
  },
  'src/cli/knowledge': {
    usage: `Usage:
  npm run knowledge -- import --tenant <name> --file <path> [--format csv|jsonl] [--map question=<col>,answer=<col>,topic=<col>]
  npm run knowledge -- list --tenant <name> [--search <words>] [--status active|retired|superseded|all]
  npm run knowledge -- retire <article id> --tenant <name> [--reason <text>]
  npm run knowledge -- restore <article id> --tenant <name>

import reads CSV (with a header row) or JSONL. Without --map the usual column names are
used: question ← question|instruction|prompt, answer ← answer|response|reply,
topic ← topic|category|intent. Re-running an import changes nothing that is unchanged.
`,
    options: {
      tenant: { type: 'string' },
      file: { type: 'string' },
      format: { type: 'string' },
      map: { type: 'string' },
      search: { type: 'string' },
      status: { type: 'string' },
      reason: { type: 'string' },
    },
    positionals: { min: 1, max: 2 },
    check: (values, positionals) => {
      const [command, articleId] = positionals;
      if (!['import', 'list', 'retire', 'restore'].includes(command!))
        return `unknown command ${JSON.stringify(command)}: use import, list, retire or restore`;
      if (!values.tenant) return '--tenant <name> is required';
      if (command === 'import' && !values.file) return 'import needs --file <path>';
      if ((command === 'retire' || command === 'restore') && !articleId) return `${command} needs an article id`;
      if (
        values.status !== undefined &&
        !['active', 'retired', 'superseded', 'inactive', 'all'].includes(String(values.status))
      ) {
        return `--status must be active, retired, superseded, inactive or all, not ${JSON.stringify(values.status)}`;
      }
      return null;
    },
  },
  'src/cli/datasets': {
    usage: `Usage (every command takes --tenant <name>, default demo):
  npm run datasets -- list
  npm run datasets -- create <name> [--description <text>]
  npm run datasets -- import <name> <file.csv|file.jsonl> [--format csv|jsonl] [--sample <n>]
        [--input <column>] [--expected-reply <column>] [--topic <column>] [--handoff <column>] [--context <column>]
        [--handoff-topics <topic,topic>]
  npm run datasets -- add <name> --input <customer message> --expected-reply <reply> [--topic <topic>] [--expect-handoff]
  npm run datasets -- import-corrections <name> [--min-quality <0-5>]
  npm run datasets -- archive <name> <case id>[,<case id>…] [--reason <text>]
  npm run datasets -- versions <name>

The shared customer-support CSV works with no mapping:
  npm run datasets -- import support ../shared/datasets/customer-support-train.csv --sample 600 --handoff-topics contact_human_agent
`,
    options: {
      tenant: { type: 'string' },
      description: { type: 'string' },
      format: { type: 'string' },
      sample: { type: 'string' },
      input: { type: 'string' },
      'expected-reply': { type: 'string' },
      topic: { type: 'string' },
      handoff: { type: 'string' },
      context: { type: 'string' },
      'handoff-topics': { type: 'string' },
      'expect-handoff': { type: 'boolean' },
      'min-quality': { type: 'string' },
      reason: { type: 'string' },
    },
    positionals: { min: 1, max: 3 },
    check: all(
      (values, positionals) => {
        const [command, name, argument] = positionals;
        if (!DATASET_COMMANDS.includes(command!))
          return `unknown command ${JSON.stringify(command)}: use ${DATASET_COMMANDS.join(', ')}`;
        if (command !== 'list' && !name) return `${command} needs a dataset name`;
        if (command === 'import' && !argument)
          return 'import needs a file: npm run datasets -- import <name> <file.csv|file.jsonl>';
        if (command === 'archive' && !argument)
          return 'archive needs case ids: npm run datasets -- archive <name> <case id>[,<case id>…]';
        if (command === 'add' && (!values.input || !values['expected-reply']))
          return 'add needs --input <customer message> and --expected-reply <reply>';
        if (values.format !== undefined && !['csv', 'jsonl'].includes(String(values.format)))
          return `--format must be csv or jsonl, not ${JSON.stringify(values.format)}`;
        return null;
      },
      wholeNumber('sample'),
      wholeNumber('min-quality'),
    ),
  },
  'src/cli/evaluate': {
    usage: `Usage:
  npm run evaluate -- --version <id or number> --dataset <name[@version]> [--tenant <name>] [--out report.md|report.csv|report.json]
                      [--format md|csv|json] [--concurrency <n>] [--no-compare]

Runs the model version over the dataset version through the same gateway customers use, as evaluation
traffic (no customer sees it; its usage is recorded apart), compares it with the active version on the
same dataset version, and writes the report (format from --out's extension, else Markdown on stdout).
Exit code 0 when it passes, 1 when it fails.
`,
    options: {
      version: { type: 'string' },
      dataset: { type: 'string' },
      tenant: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string' },
      concurrency: { type: 'string' },
      'no-compare': { type: 'boolean' },
    },
    check: all(
      (values) =>
        values.version && values.dataset
          ? null
          : '--version <id or number> and --dataset <name[@version]> are required',
      (values) => {
        const format = reportFormat(values);
        return ['md', 'csv', 'json'].includes(format)
          ? null
          : `--format must be md, csv or json, not ${JSON.stringify(format)}${values.format === undefined ? ` (from --out ${JSON.stringify(values.out)})` : ''}`;
      },
      positiveInteger('concurrency'),
    ),
  },
};
