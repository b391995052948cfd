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
 * 2. Timed from `node scripts/run.js …` (what the script runs) on a built
 * checkout; npm's own start-up comes on top.
 */
describe('command-line entry points', () => {
  const scripts = launcherScripts();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-help-'));
  // A database that does not exist: any command that tried to use it would fail instead of exiting 0.
  const env = cliEnvironment(path.join(dataDir, 'data'), {
    DATABASE_URL: 'postgres://nobody@127.0.0.1:1/not_a_database',
  });
  const run = (args: string[]) => {
    const started = Date.now();
    const result = spawnSync(process.execPath, args, {
      cwd: projectRoot,
      env,
      encoding: 'utf8',
      timeout: 60_000,
      input: '',
    });
    return { ...result, ms: Date.now() - started };
  };

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
    '%s --help: usage on stdout, exit 0, < 2 s, no side effects',
    (_script, args) => {
      const result = run([...args, '--help']);
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      expect(result.stdout).toMatch(/^Usage/);
      expect(result.ms).toBeLessThan(2_000);
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
