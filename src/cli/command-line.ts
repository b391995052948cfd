import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { all, positiveInteger, positiveNumber, wholeNumber, type Values } from './command-checks';
import { OPERATOR_COMMANDS } from './operator-commands';
import { TRAINING_COMMANDS } from './training-commands';

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
 * Adding a command: a spec here (the operators' commands: in
 * operator-commands.ts) keyed by the entry's path without extension, the
 * import above as the entry's first import, and a package.json script
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

export type { Values };

export interface ParsedCommandLine {
  values: Values;
  positionals: string[];
}

/** The scheduled jobs `npm run job` knows; a unit test keeps this list equal to JOBS. */
export const JOB_NAMES = [
  'daily-provider-summary',
  'usage-cleanup',
  'provider-health-metrics',
  'handoff-idle-release',
  'alert-rules',
  'experiment-guard',
  'csat-survey',
  'metrics-digest',
  'fine-tuning-poll',
  'fine-tuning-schedule',
] as const;

export const COMMANDS: Record<string, CommandSpec> = {
  'src/main': {
    usage: `Usage: npm start

Starts parley: database (DATABASE_URL, or an embedded PostgreSQL in $PARLEY_DATA_DIR/db),
providers, WhatsApp and Slack channels, the GraphQL control plane, scheduled jobs, and
the HTTP server on $PORT. Every setting is an environment variable (or a line in .env):
see the configuration table in docs/configuration.md.
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
      if (!['create', 'list', 'revoke'].includes(command ?? ''))
        return `unknown command ${JSON.stringify(command)}: use create, list or revoke`;
      if (command === 'create' && (!values.tenant || !values.scopes))
        return 'create needs --tenant <name> and --scopes <scope,scope…>';
      if (command === 'revoke' && positionals.length !== 2)
        return 'revoke needs the key id: npm run keys -- revoke <key id>';
      if (command !== 'revoke' && positionals.length > 1)
        return `unexpected argument ${JSON.stringify(positionals[1])}`;
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
      if (!(JOB_NAMES as readonly string[]).includes(positionals[0]!))
        return `unknown job ${JSON.stringify(positionals[0])}: use one of ${JOB_NAMES.join(', ')}`;
      if (values.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(values.day)))
        return `--day must be a date as YYYY-MM-DD, not ${JSON.stringify(values.day)}`;
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
SLACK_SIGNING_SECRET are set (the tenant's settings.channels.slack.oncallChannel),
email when ALERT_SMTP_URL is set (settings.alerts.email.to or ALERT_EMAIL_TO), and
PagerDuty when the tenant or PAGERDUTY_ROUTING_KEY has a routing key. The test alert
ignores the tenant's severity routes so that every medium is exercised; it prints
what each notifier did. Raising it again within ALERT_REPEAT_HOURS is deduplicated;
--resolve resolves it and updates (PagerDuty: resolves) every message.
`,
    options: { tenant: { type: 'string' }, severity: { type: 'string' }, resolve: { type: 'boolean' } },
    check: (values) =>
      values.severity === undefined || ['info', 'warning', 'critical'].includes(String(values.severity))
        ? null
        : `--severity must be info, warning or critical, not ${JSON.stringify(values.severity)}`,
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
  'src/cli/env-example': {
    usage: `Usage: npm run env:example [-- --check]

Writes .env.example from the settings declared in src/config (one block per area, each
setting's expectation and default); with --check only compares, and exits 1 when the
committed file is stale.
`,
    options: { check: { type: 'boolean' } },
  },
  'bench/analytics-bench': {
    usage: `Usage: npm run bench:analytics [-- --scale 1 --iterations 40 --warmup 5] [--only <name part>]
         [--no-graphql] [--ignore-load] [--keep] [--only-generate] [--debug]

Generates ≥ 1M provider_usage rows (at scale 1) and the conversations, feedback, handoffs,
surveys, conversions, corrections and model versions the analytics read, in a throwaway
database on DATABASE_URL's server (or an embedded PostgreSQL). Then times every analytics
query as the service runs it, as hand-written SQL computing the same figures (checked equal
on every run: exit 1 when they differ) and through GraphQL, interleaved. Refuses to run
when the 1-minute load average is above half the CPUs, unless --ignore-load. The database
is dropped at the end and on Ctrl-C (unless --keep).
`,
    options: {
      scale: { type: 'string' },
      iterations: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      'no-graphql': { type: 'boolean' },
      'ignore-load': { type: 'boolean' },
      keep: { type: 'boolean' },
      'only-generate': { type: 'boolean' },
      debug: { type: 'boolean' },
    },
    check: all(positiveNumber('scale'), positiveNumber('iterations'), wholeNumber('warmup')),
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
    usage: `Usage: npm run bench:turns [-- --rates 100,200 --seconds 10 --levels 8,16,32,64,128,256 --level-seconds 5]
         [--processes 2] [--systems baseline,instant,parley,cluster,instances] [--ignore-load] [--profile]

Simulated WhatsApp customers against running parley child processes with fake providers
and a fake Twilio: latency at fixed rates, then throughput at rising concurrency, for the
baseline, parley with an instant gateway, one service process, WEB_CONCURRENCY=--processes
workers and --processes separate instances. Refuses to run when the 1-minute load average
is above half the CPUs, unless --ignore-load (the summary then says so). The throwaway
database and the child processes are cleaned up at the end and on Ctrl-C.
`,
    options: {
      rate: { type: 'string' },
      rates: { type: 'string' },
      processes: { type: 'string' },
      systems: { type: 'string' },
      'ignore-load': { type: 'boolean' },
      seconds: { type: 'string' },
      levels: { type: 'string' },
      'level-seconds': { type: 'string' },
      profile: { type: 'boolean' },
    },
    check: all(
      positiveNumber('rate'),
      positiveNumber('seconds'),
      positiveNumber('level-seconds'),
      positiveNumber('processes'),
      (values) =>
        [values.levels, values.rates].every(
          (list) =>
            list === undefined ||
            String(list)
              .split(',')
              .every((level) => Number.isInteger(Number(level)) && Number(level) > 0),
        )
          ? null
          : `--levels and --rates must be positive whole numbers separated by commas, not ${JSON.stringify(values.levels ?? values.rates)}`,
      (values) =>
        values.systems === undefined ||
        String(values.systems)
          .split(',')
          .every((name) => ['baseline', 'instant', 'parley', 'cluster', 'instances'].includes(name))
          ? null
          : `--systems must name some of baseline, instant, parley, cluster, instances, not ${JSON.stringify(values.systems)}`,
    ),
  },
  'bench/learning-bench': {
    usage: `Usage: npm run bench:learning [-- --dataset <csv> --stages 2,10,30,100]

The learning curve: the customer-support dataset's training part (a hashed 80/20 split;
default ../shared/datasets/customer-support-train.csv next to the project root) is written
as approved knowledge in growing, nested stages (percent of the training part) into a
throwaway database on DATABASE_URL's server (or an embedded PostgreSQL); after each stage
the offline knowledge base answers every held-out question and the off-domain questions
of test/fixtures. Prints topic accuracy, answered and wrong rates, off-domain handoffs,
ROUGE-L and a plain TF-IDF nearest-neighbour baseline per stage; at 100 % also the offline
trainer's model (docs/training.md) next to retrieval alone and the TF-IDF baseline, with
its training time.
`,
    options: { dataset: { type: 'string' }, stages: { type: 'string' } },
    check: (values) =>
      values.stages === undefined ||
      String(values.stages)
        .split(',')
        .every((stage) => Number(stage) > 0 && Number(stage) <= 100)
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
  'src/cli/simulate-rollout': {
    usage: `Usage: npm run simulate:rollout [-- --control-rate 0.75 --candidate-rate 0.80 --customers-per-hour 60 --rate-share 0.7
                                  --stages 0.1,0.5,1 --stage-hours 48 --min-sample 100 --watch-hours 48
                                  --tick-hours 6 --max-days 40 --seed 1 --tenant demo]

Synthetic customers write to the tenant (the demo tenant by default) through the real conversation
engine and database, on an accelerated clock: each is served by the version the running rollout
assigns them and rates the reply 👍 with that version's rate (--control-rate for the active version,
--candidate-rate for a new candidate version created for the run). After every tick the
experiment-guard job runs at the simulated time; each stage, the statistics and every decision are
printed. Exit code 0 when the candidate ends active, 3 when it was rolled back.
`,
    options: {
      'control-rate': { type: 'string' },
      'candidate-rate': { type: 'string' },
      'customers-per-hour': { type: 'string' },
      'rate-share': { type: 'string' },
      stages: { type: 'string' },
      'stage-hours': { type: 'string' },
      'min-sample': { type: 'string' },
      'watch-hours': { type: 'string' },
      'tick-hours': { type: 'string' },
      'max-days': { type: 'string' },
      seed: { type: 'string' },
      tenant: { type: 'string' },
    },
    check: all(
      positiveNumber('customers-per-hour'),
      positiveNumber('tick-hours'),
      positiveNumber('max-days'),
      positiveInteger('min-sample'),
      wholeNumber('seed'),
    ),
  },
  'src/cli/fine-tune': {
    usage: `Usage (every command takes --tenant <name>, default demo; --json prints JSON):
  npm run fine-tune -- start [--training-set <id|number|latest>] [--base-model <model>]
  npm run fine-tune -- status <job id|ftjob-…> [--refresh]
  npm run fine-tune -- cancel <job id|ftjob-…> [--reason <text>]
  npm run fine-tune -- list

start exports a training set from the approved corrections (unless --training-set names one), uploads
its train and validation JSONL to OpenAI (the tenant's key, else OPENAI_API_KEY; OPENAI_BASE_URL) and
creates the fine-tuning job. The fine-tuning-poll job follows it (every 5 minutes, or --refresh now):
a succeeded job becomes a draft model version, evaluated on the gating dataset against the active one.
`,
    options: {
      tenant: { type: 'string' },
      'training-set': { type: 'string' },
      'base-model': { type: 'string' },
      reason: { type: 'string' },
      refresh: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    positionals: { min: 1, max: 2 },
    check: (_values, positionals) => {
      const [command, job] = positionals;
      if (!['start', 'status', 'cancel', 'list'].includes(command!))
        return `unknown command ${JSON.stringify(command)}: use start, status, cancel or list`;
      if ((command === 'status' || command === 'cancel') && !job) return `${command} needs a job id`;
      if ((command === 'start' || command === 'list') && job) return `${command} takes no job id`;
      return null;
    },
  },
  ...OPERATOR_COMMANDS,
  ...TRAINING_COMMANDS,
};

export type CommandOutcome =
  { kind: 'run'; parsed: ParsedCommandLine } | { kind: 'help'; text: string } | { kind: 'error'; message: string };

/** Parses `argv` against a spec (pure: for tests and for `commandLine`). */
export function parseCommand(name: string, spec: CommandSpec, argv: string[]): CommandOutcome {
  let parsed: ParsedCommandLine;
  try {
    const result = parseArgs({
      args: argv,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    parsed = { values: result.values as Values, positionals: result.positionals };
  } catch (error) {
    // parseArgs' messages name the option ("Unknown option '--x'"); keep its first sentence.
    const message = error instanceof Error ? error.message.split('. ')[0]!.replace(/\.$/, '') : String(error);
    return { kind: 'error', message: `${message} (see npm run ${name} -- --help)` };
  }
  if (parsed.values.help) return { kind: 'help', text: spec.usage };
  const { min = 0, max = 0 } = spec.positionals ?? {};
  if (parsed.positionals.length > max)
    return {
      kind: 'error',
      message: `unexpected argument ${JSON.stringify(parsed.positionals[max])} (see npm run ${name} -- --help)`,
    };
  if (parsed.positionals.length < min)
    return { kind: 'error', message: `missing argument (see npm run ${name} -- --help)` };
  const problem = spec.check?.(parsed.values, parsed.positionals);
  if (problem) return { kind: 'error', message: `${problem} (see npm run ${name} -- --help)` };
  return { kind: 'run', parsed };
}

/** The spec key of a running entry file (`…/dist/src/cli/chat.js` → `src/cli/chat`), or null. */
export function entryKey(filename: string | undefined): string | null {
  if (!filename) return null;
  const normalised = filename
    .split(path.sep)
    .join('/')
    .replace(/\.(js|ts)$/, '');
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
  'src/cli/training-data': 'training-data',
  'src/cli/simulate-rollout': 'simulate:rollout',
  'src/cli/fine-tune': 'fine-tune',
  'schema/emit-schema': 'schema:emit',
  'src/cli/env-example': 'env:example',
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

/** A string option's value from the parsed command line, or undefined when it was not given. */
export function stringOption(name: string): string | undefined {
  const value = commandLine().values[name];
  return typeof value === 'string' ? value : undefined;
}

// Parse at load, before the importing entry loads its (slow) dependencies.
if (entryKey(require.main?.filename)) commandLine();
