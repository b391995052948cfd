import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COMMANDS, JOB_NAMES } from '../../../src/cli/command-line';
import { JOBS } from '../../../src/jobs';
import { cliEnvironment, ensureBuilt, launcherScripts, projectRoot } from '../../helpers/built-checkout';

/**
 * Every npm script that runs an entry answers --help fast, on stdout, with no
 * side effects, and rejects an unknown option with one line on stderr and exit
 * 2. "Fast" is checked by what `node scripts/run.js … --help` (what the script
 * runs) loads on a built checkout: none of the heavy packages (ORM, database
 * driver, SDKs, GraphQL), which are what made a start take seconds.
 */
describe('command-line entry points', () => {
  const scripts = launcherScripts();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-help-'));
  // A database that does not exist: any command that tried to use it would fail instead of exiting 0.
  const env = cliEnvironment(path.join(dataDir, 'data'), {
    DATABASE_URL: 'postgres://nobody@127.0.0.1:1/not_a_database',
  });
  const loadedModulesFile = path.join(dataDir, 'loaded-modules.txt');
  const recorder = path.join(projectRoot, 'test/helpers/record-loaded-modules.js');
  const run = (args: string[]) => {
    fs.rmSync(loadedModulesFile, { force: true });
    const result = spawnSync(process.execPath, ['-r', recorder, ...args], {
      cwd: projectRoot,
      env: { ...env, PARLEY_LOADED_MODULES_FILE: loadedModulesFile },
      encoding: 'utf8',
      timeout: 60_000,
      input: '',
    });
    const loaded = fs.existsSync(loadedModulesFile) ? fs.readFileSync(loadedModulesFile, 'utf8').split('\n') : [];
    return { ...result, loaded };
  };
  /** Packages whose loading makes a start slow: --help must answer without any of them. */
  const HEAVY =
    /node_modules\/(@mikro-orm|pg|openai|@google\/genai|twilio|@slack|express|graphql|type-graphql|@apollo)\//;

  beforeAll(() => ensureBuilt(), 900_000);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('covers every entry point with a spec, and every script with the launcher', () => {
    expect(scripts.map(({ script }) => script).sort()).toEqual(
      expect.arrayContaining([
        'start',
        'migrate',
        'keys',
        'chat',
        'job',
        'alert:test',
        'slack:settings',
        'schema:emit',
        'schema:check',
        'bench:analytics',
        'bench:router',
        'bench:turns',
        'bench:learning',
        'bench:retrieval',
        'tenants',
        'knowledge',
        'datasets',
        'evaluate',
      ]),
    );
    for (const { args } of scripts) expect(Object.keys(COMMANDS)).toContain(args[1]);
  });

  it('lists the jobs the scheduler has', () => {
    expect([...JOB_NAMES].sort()).toEqual(Object.keys(JOBS).sort());
  });

  it.each(launcherScripts().map(({ script, args }) => [script, args] as const))(
    '%s --help: usage on stdout, exit 0, nothing heavy loaded, no side effects',
    (_script, args) => {
      const result = run([...args, '--help']);
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      expect(result.stdout).toMatch(/^Usage/);
      // What makes --help fast, counted rather than timed (a timing fails on a busy machine).
      expect(result.loaded.length).toBeGreaterThan(0);
      expect(result.loaded.filter((file) => HEAVY.test(file))).toEqual([]);
      expect(fs.existsSync(path.join(dataDir, 'data'))).toBe(false);
    },
  );

  it.each(launcherScripts().map(({ script, args }) => [script, args] as const))(
    '%s --no-such-option: one line on stderr, exit 2',
    (_script, args) => {
      const result = run([...args, '--no-such-option']);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/no-such-option/);
    },
  );

  it.each([
    ['bench/analytics-bench', ['--scale', 'abc'], /--scale must be a positive number/],
    ['bench/router-bench', ['--turns', '0'], /--turns must be a positive whole number/],
    ['bench/turns-bench', ['--levels', '8,x'], /--levels/],
    ['src/cli/keys', [], /missing argument/],
    ['src/cli/keys', ['create', '--tenant', 'demo'], /--scopes/],
    ['src/cli/job', ['no-such-job'], /unknown job/],
    ['src/cli/job', ['daily-provider-summary', '--day', 'yesterday'], /YYYY-MM-DD/],
    ['src/cli/alert-test', ['--severity', 'loud'], /--severity/],
    ['src/cli/slack-settings', [], /--tenant/],
    ['src/cli/chat', ['--tenant'], /argument missing|tenant/],
    ['src/cli/tenants', ['rename', 'shop'], /unknown command "rename"/],
    ['src/cli/knowledge', ['list'], /--tenant/],
    ['src/cli/datasets', ['import', 'support'], /import needs a file/],
    ['src/cli/evaluate', [], /--version/],
    ['bench/learning-bench', ['--stages', '2,x'], /--stages/],
    ['bench/retrieval-experiment', ['--floor', 'high'], /--floor/],
  ] as const)('%s %j: one line naming the problem, exit 2', (entry, extra, message) => {
    const result = run(['scripts/run.js', entry, ...extra]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});
