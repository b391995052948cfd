import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Every entry point's command line, parsed with node:util `parseArgs` BEFORE
 * the entry loads anything heavy. An entry imports this module first
 * (`import { commandLine } from '../src/cli/command-line';` as its first
 * import): at load it finds the running entry (`require.main`), parses
 * process.argv against the entry's spec below and
 * - on `--help`/`-h`: prints the usage on stdout and exits 0 (no side effects:
 *   nothing else of the entry has run yet);
 * - on an unknown option, a missing or bad value: one line on stderr, exit 2.
 * The entry then reads the parsed values with `commandLine()`.
 *
 * Adding a command: a spec here keyed by the entry's path without extension,
 * the import above as the entry's first import, and a package.json script
 * `node scripts/run.js <entry path>` (the help test covers every script).
 */

type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandSpec {
  /** Printed for --help (stdout). Written out here, not computed, so help needs no other module. */
  usage: string;
  options?: Options;
  /** How many positional arguments the command takes (default none). */
  positionals?: { min?: number; max?: number };
  /** Further checks of the values; returns the one-line problem or null. */
  check?: (values: Values, positionals: string[]) => string | null;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface ParsedCommandLine {
  values: Values;
  positionals: string[];
}

const positiveNumber = (name: string) => (values: Values) => {
  const raw = values[name];
  if (raw === undefined) return null;
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? null : `--${name} must be a positive number, not ${JSON.stringify(raw)}`;
};
const positiveInteger = (name: string) => (values: Values) => {
  const raw = values[name];
  if (raw === undefined) return null;
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? null : `--${name} must be a positive whole number, not ${JSON.stringify(raw)}`;
};
const wholeNumber = (name: string) => (values: Values) => {
  const raw = values[name];
  if (raw === undefined) return null;
  return /^\d+$/.test(String(raw)) ? null : `--${name} must be a whole number, not ${JSON.stringify(raw)}`;
};
const all =
  (...checks: Array<(values: Values, positionals: string[]) => string | null>) =>
  (values: Values, positionals: string[]) => {
    for (const check of checks) {
      const problem = check(values, positionals);
      if (problem) return problem;
    }
    return null;
  };

/** The commands of `npm run tenants` and `npm run datasets`. */
export const TENANT_COMMANDS = ['create', 'list', 'disable', 'enable', 'platform-key'];
export const DATASET_COMMANDS = ['list', 'create', 'import', 'add', 'import-corrections', 'archive', 'versions'];

/** The report format of `npm run evaluate`: --format, else --out's extension, else Markdown. */
export function reportFormat(values: Values): string {
  if (values.format !== undefined) return String(values.format);
  const extension = typeof values.out === 'string' ? path.extname(values.out).slice(1).toLowerCase() : '';
  return extension === 'markdown' ? 'md' : extension || 'md';
}

/** The scheduled jobs `npm run job` knows; a unit test keeps this list equal to JOBS. */
export const JOB_NAMES = ['daily-provider-summary', 'usage-cleanup', 'provider-health-metrics', 'handoff-idle-release'] as const;

export const COMMANDS: Record<string, CommandSpec> = {
  'src/main': {
    usage: `Usage: npm start

Starts parley: database (DATABASE_URL, or an embedded PostgreSQL in $PARLEY_DATA_DIR/db),
providers, WhatsApp and Slack channels, the GraphQL control plane, scheduled jobs, and
the HTTP server on $PORT. Every setting is an environment variable (or a line in .env):
see the configuration table in README.md.
`,
  },
  'src/cli/migrate': {
    usage: `Usage: npm run migrate

Applies the committed migrations to DATABASE_URL (or the embedded database) and exits.
`,
  },
  'src/cli/keys': {
    usage: `Usage:
  npm run keys -- create --tenant <name> --scopes <scope,scope…> [--name <label>]
  npm run keys -- list [--tenant <name>]
  npm run keys -- revoke <key id>

Control-plane API keys of the service's database (DATABASE_URL, or the embedded one,
shared with a running service). Scopes: analytics:view, corrections:write, users:manage.
A new key is printed once.
`,
    options: { tenant: { type: 'string' }, scopes: { type: 'string' }, name: { type: 'string' } },
    positionals: { min: 1, max: 2 },
    check: (values, positionals) => {
      const [command] = positionals;
      if (!['create', 'list', 'revoke'].includes(command ?? '')) return `unknown command ${JSON.stringify(command)}: use create, list or revoke`;
      if (command === 'create' && (!values.tenant || !values.scopes)) return 'create needs --tenant <name> and --scopes <scope,scope…>';
      if (command === 'revoke' && positionals.length !== 2) return 'revoke needs the key id: npm run keys -- revoke <key id>';
      if (command !== 'revoke' && positionals.length > 1) return `unexpected argument ${JSON.stringify(positionals[1])}`;
      return null;
    },
  },
  'src/cli/job': {
    usage: `Usage: npm run job -- <name> [--day YYYY-MM-DD]

Runs one scheduled job now, under the same advisory lock as the scheduler (skipped,
exit 1, when a running instance holds it). Jobs:
${JOB_NAMES.map((name) => `  ${name}`).join('\n')}
--day: the UTC day daily-provider-summary summarises (default yesterday).
`,
    options: { day: { type: 'string' } },
    positionals: { min: 1, max: 1 },
    check: (values, positionals) => {
      if (!(JOB_NAMES as readonly string[]).includes(positionals[0]!)) return `unknown job ${JSON.stringify(positionals[0])}: use one of ${JOB_NAMES.join(', ')}`;
      if (values.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(values.day))) return `--day must be a date as YYYY-MM-DD, not ${JSON.stringify(values.day)}`;
      return null;
    },
  },
  'src/cli/chat': {
    usage: `Usage: npm run chat [-- --tenant <name>] [--customer <id>]

Chat with parley in the terminal as a customer of a tenant (default "demo"), on the
configured database (embedded by default, shared with a running service) and providers
(offline knowledge base unless OPENAI_API_KEY / GEMINI_API_KEY are set). Under each
reply: provider, model, complexity, routing reason, latency, tokens and cost.

Commands: /new (start over as a new customer), /help, /quit (or Ctrl-C, Ctrl-D).
`,
    options: { tenant: { type: 'string' }, customer: { type: 'string' } },
  },
  'src/cli/alert-test': {
    usage: `Usage: npm run alert:test -- [--tenant <name>] [--severity info|warning|critical] [--resolve]

Raises the alert "parley-test-alert" for the tenant (default: the only tenant, or "demo")
through every configured notifier: the log always, Slack when SLACK_BOT_TOKEN and
SLACK_SIGNING_SECRET are set (the tenant's settings.channels.slack.oncallChannel).
Raising it again within ALERT_REPEAT_HOURS is deduplicated; --resolve resolves it
and updates the message.
`,
    options: { tenant: { type: 'string' }, severity: { type: 'string' }, resolve: { type: 'boolean' } },
    check: (values) =>
      values.severity === undefined || ['info', 'warning', 'critical'].includes(String(values.severity)) ? null : `--severity must be info, warning or critical, not ${JSON.stringify(values.severity)}`,
  },
  'src/cli/slack-settings': {
    usage: `Usage: npm run slack:settings -- --tenant <name> [options]

Shows, or changes, the tenant's Slack settings (settings.channels.slack):
  --handoff <C…>        channel for handed-off conversations
  --review <C…>         channel for bot replies to review
  --oncall <C…>         channel for alerts
  --approvers <U…,U…>   Slack users allowed to approve corrections (users:manage)
  --sample <0..1>       share of other bot replies sent for review
  --idle <minutes>      give an idle handed-off conversation back to the bot (0 = never)
A value of "none" removes the setting.
`,
    options: {
      tenant: { type: 'string' },
      handoff: { type: 'string' },
      review: { type: 'string' },
      oncall: { type: 'string' },
      approvers: { type: 'string' },
      sample: { type: 'string' },
      idle: { type: 'string' },
    },
    check: (values) => (values.tenant ? null : '--tenant <name> is required'),
  },
  'schema/emit-schema': {
    usage: `Usage: npm run schema:emit | npm run schema:check

Writes schema/schema.graphql from the resolvers; with --check (schema:check) only
compares, and exits 1 when the committed file is stale.
`,
    options: { check: { type: 'boolean' } },
  },
  'bench/analytics-bench': {
    usage: `Usage: npm run bench:analytics [-- --scale 1 --iterations 40] [--keep] [--only-generate] [--debug]

Generates ≥ 1M provider_usage rows (at scale 1) in a throwaway database on DATABASE_URL's
server (or an embedded PostgreSQL), then times the analytics queries through GraphQL
and as plain SQL. The database is dropped at the end and on Ctrl-C (unless --keep).
`,
    options: { scale: { type: 'string' }, iterations: { type: 'string' }, keep: { type: 'boolean' }, 'only-generate': { type: 'boolean' }, debug: { type: 'boolean' } },
    check: all(positiveNumber('scale'), positiveNumber('iterations')),
  },
  'bench/router-bench': {
    usage: `Usage: npm run bench:router [-- --decisions 20000 --turns 2000 --dataset <csv>]

Routing decisions on conversations replayed from the customer-support dataset
(default ../shared/datasets/customer-support-train.csv next to the project root; the
run stops when it is missing), then the engine's overhead per turn on a throwaway
database (dropped at the end and on Ctrl-C).
`,
    options: { decisions: { type: 'string' }, turns: { type: 'string' }, dataset: { type: 'string' } },
    check: all(positiveInteger('decisions'), positiveInteger('turns')),
  },
  'bench/turns-bench': {
    usage: `Usage: npm run bench:turns [-- --rate 200 --seconds 10 --levels 8,16,32,64,128,256 --level-seconds 5] [--profile]

Simulated WhatsApp customers against a running parley child process with fake providers
and a fake Twilio: latency at a fixed rate, then throughput at rising concurrency. The
throwaway database and the child processes are cleaned up at the end and on Ctrl-C.
`,
    options: { rate: { type: 'string' }, seconds: { type: 'string' }, levels: { type: 'string' }, 'level-seconds': { type: 'string' }, profile: { type: 'boolean' } },
    check: all(positiveNumber('rate'), positiveNumber('seconds'), positiveNumber('level-seconds'), (values) =>
      values.levels === undefined || String(values.levels).split(',').every((level) => Number.isInteger(Number(level)) && Number(level) > 0)
        ? null
        : `--levels must be positive whole numbers separated by commas, not ${JSON.stringify(values.levels)}`,
    ),
  },
  'src/cli/tenants': {
    // The scopes list is API_KEY_SCOPES (src/db/entities), written out so help loads nothing; a unit test keeps them equal.
    usage: `Usage:
  npm run tenants -- create <name> [--scopes analytics:view,corrections:write,users:manage] [--key-name <label>]
  npm run tenants -- list
  npm run tenants -- disable <name or id>
  npm run tenants -- enable <name or id>
  npm run tenants -- platform-key [--key-name <label>]

create prints the tenant's first API key once (default: every tenant scope; with
users:manage the business sets its WhatsApp, Slack and profile through GraphQL).
platform-key prints a key with the tenants:manage scope, for the createTenant,
tenants and disableTenant GraphQL operations; tenant keys never get that scope.
`,
    options: { scopes: { type: 'string' }, 'key-name': { type: 'string' } },
    positionals: { min: 1, max: 2 },
    check: (_values, positionals) => {
      const [command, target] = positionals;
      if (!TENANT_COMMANDS.includes(command!)) return `unknown command ${JSON.stringify(command)}: use ${TENANT_COMMANDS.join(', ')}`;
      if (['create', 'disable', 'enable'].includes(command!) && !target) return `${command} needs a tenant name`;
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
      if (!['import', 'list', 'retire', 'restore'].includes(command!)) return `unknown command ${JSON.stringify(command)}: use import, list, retire or restore`;
      if (!values.tenant) return '--tenant <name> is required';
      if (command === 'import' && !values.file) return 'import needs --file <path>';
      if ((command === 'retire' || command === 'restore') && !articleId) return `${command} needs an article id`;
      if (values.status !== undefined && !['active', 'retired', 'superseded', 'inactive', 'all'].includes(String(values.status))) {
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
        if (!DATASET_COMMANDS.includes(command!)) return `unknown command ${JSON.stringify(command)}: use ${DATASET_COMMANDS.join(', ')}`;
        if (command !== 'list' && !name) return `${command} needs a dataset name`;
        if (command === 'import' && !argument) return 'import needs a file: npm run datasets -- import <name> <file.csv|file.jsonl>';
        if (command === 'archive' && !argument) return 'archive needs case ids: npm run datasets -- archive <name> <case id>[,<case id>…]';
        if (command === 'add' && (!values.input || !values['expected-reply'])) return 'add needs --input <customer message> and --expected-reply <reply>';
        if (values.format !== undefined && !['csv', 'jsonl'].includes(String(values.format))) return `--format must be csv or jsonl, not ${JSON.stringify(values.format)}`;
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
      (values) => (values.version && values.dataset ? null : '--version <id or number> and --dataset <name[@version]> are required'),
      (values) => {
        const format = reportFormat(values);
        return ['md', 'csv', 'json'].includes(format) ? null : `--format must be md, csv or json, not ${JSON.stringify(format)}${values.format === undefined ? ` (from --out ${JSON.stringify(values.out)})` : ''}`;
      },
      positiveInteger('concurrency'),
    ),
  },
  'bench/learning-bench': {
    usage: `Usage: npm run bench:learning [-- --dataset <csv> --stages 2,10,30,100]

The learning curve: the customer-support dataset's training part (a hashed 80/20 split;
default ../shared/datasets/customer-support-train.csv next to the project root) is written
as approved knowledge in growing, nested stages (percent of the training part) into a
throwaway database on DATABASE_URL's server (or an embedded PostgreSQL); after each stage
the offline knowledge base answers every held-out question and the off-domain questions
of test/fixtures. Prints topic accuracy, answered and wrong rates, off-domain handoffs and
a plain TF-IDF nearest-neighbour baseline per stage.
`,
    options: { dataset: { type: 'string' }, stages: { type: 'string' } },
    check: (values) =>
      values.stages === undefined || String(values.stages).split(',').every((stage) => Number(stage) > 0 && Number(stage) <= 100)
        ? null
        : `--stages must be percentages (above 0, at most 100) separated by commas, not ${JSON.stringify(values.stages)}`,
  },
  'bench/retrieval-experiment': {
    usage: `Usage: npm run bench:retrieval [-- --dataset <csv>] [--only <method name part>] [--floor <score>]

Compares retrieval methods (MiniSearch, plain TF-IDF, BM25, character n-grams, blends,
topic votes, the provider's margin rule) on the customer-support dataset (default
../shared/datasets/customer-support-train.csv next to the project root): the training
part as knowledge, the held-out part and the off-domain questions of test/fixtures as
questions. Each method's answer floor is calibrated to hand off 80 % of the off-domain
questions, unless --floor fixes it; --only runs the methods whose name contains the text.
In memory: no database.
`,
    options: { dataset: { type: 'string' }, only: { type: 'string' }, floor: { type: 'string' } },
    check: (values) =>
      values.floor === undefined || (String(values.floor).trim() !== '' && Number.isFinite(Number(values.floor)))
        ? null
        : `--floor must be a number, not ${JSON.stringify(values.floor)}`,
  },
};

export type CommandOutcome = { kind: 'run'; parsed: ParsedCommandLine } | { kind: 'help'; text: string } | { kind: 'error'; message: string };

/** Parses `argv` against a spec (pure: for tests and for `commandLine`). */
export function parseCommand(name: string, spec: CommandSpec, argv: string[]): CommandOutcome {
  let parsed: ParsedCommandLine;
  try {
    const result = parseArgs({ args: argv, options: { ...spec.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    parsed = { values: result.values as Values, positionals: result.positionals };
  } catch (error) {
    // parseArgs' messages name the option ("Unknown option '--x'"); keep its first sentence.
    const message = error instanceof Error ? error.message.split('. ')[0]!.replace(/\.$/, '') : String(error);
    return { kind: 'error', message: `${message} (see npm run ${name} -- --help)` };
  }
  if (parsed.values.help) return { kind: 'help', text: spec.usage };
  const { min = 0, max = 0 } = spec.positionals ?? {};
  if (parsed.positionals.length > max) return { kind: 'error', message: `unexpected argument ${JSON.stringify(parsed.positionals[max])} (see npm run ${name} -- --help)` };
  if (parsed.positionals.length < min) return { kind: 'error', message: `missing argument (see npm run ${name} -- --help)` };
  const problem = spec.check?.(parsed.values, parsed.positionals);
  if (problem) return { kind: 'error', message: `${problem} (see npm run ${name} -- --help)` };
  return { kind: 'run', parsed };
}

/** The spec key of a running entry file (`…/dist/src/cli/chat.js` → `src/cli/chat`), or null. */
export function entryKey(filename: string | undefined): string | null {
  if (!filename) return null;
  const normalised = filename.split(path.sep).join('/').replace(/\.(js|ts)$/, '');
  return Object.keys(COMMANDS).find((key) => normalised.endsWith(`/${key}`)) ?? null;
}

/** The npm script of each entry, for messages. */
const SCRIPTS: Record<string, string> = {
  'src/main': 'start',
  'src/cli/alert-test': 'alert:test',
  'src/cli/slack-settings': 'slack:settings',
  'src/cli/tenants': 'tenants',
  'src/cli/knowledge': 'knowledge',
  'src/cli/datasets': 'datasets',
  'src/cli/evaluate': 'evaluate',
  'schema/emit-schema': 'schema:emit',
  'bench/analytics-bench': 'bench:analytics',
  'bench/router-bench': 'bench:router',
  'bench/turns-bench': 'bench:turns',
  'bench/learning-bench': 'bench:learning',
  'bench/retrieval-experiment': 'bench:retrieval',
};

let current: ParsedCommandLine | null = null;

function handle(key: string, argv: string[]): ParsedCommandLine {
  const name = SCRIPTS[key] ?? key.split('/').pop()!;
  const outcome = parseCommand(name, COMMANDS[key]!, argv);
  if (outcome.kind === 'help') {
    process.stdout.write(outcome.text);
    process.exit(0);
  }
  if (outcome.kind === 'error') {
    process.stderr.write(`parley ${name}: ${outcome.message}\n`);
    process.exit(2);
  }
  return outcome.parsed;
}

/** The running entry's parsed command line (parsed once, at load; exits on --help and on errors). */
export function commandLine(): ParsedCommandLine {
  if (current) return current;
  const key = entryKey(require.main?.filename);
  current = key ? handle(key, process.argv.slice(2)) : { values: {}, positionals: process.argv.slice(2) };
  return current;
}

// Parse at load, before the importing entry loads its (slow) dependencies.
if (entryKey(require.main?.filename)) commandLine();
