import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const projectRoot = path.resolve(__dirname, '..', '..');

/** Compiles dist/ when the sources changed since the last build (what every npm script does first). */
export function ensureBuilt(): void {
  execFileSync(process.execPath, ['-e', "require('./scripts/run.js').ensureBuilt()"], {
    cwd: projectRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 900_000,
  });
}

/** package.json scripts that run an entry through scripts/run.js: name → arguments after `node`. */
export function launcherScripts(): Array<{ script: string; args: string[] }> {
  // The package file is plain JSON; its scripts are strings.
  const scripts = (
    JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  return Object.entries(scripts)
    .filter(([, command]) => command.startsWith('node scripts/run.js ') && !command.includes('--build'))
    .map(([script, command]) => ({ script, args: command.slice('node '.length).split(' ') }));
}

/** A clean environment for a CLI: no database URL, no provider or Slack keys, data in `dataDir`. */
export function cliEnvironment(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    PARLEY_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    ...extra,
  };
  return env;
}
