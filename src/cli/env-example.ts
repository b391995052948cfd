// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine } from './command-line';
import fs from 'node:fs';
import path from 'node:path';
import { renderEnvExample } from '../config/env-example';
import { runCli } from './cli-runner';

/** The checkout's .env.example, found from this file's folder both in the sources and in dist/. */
function envExamplePath(): string {
  let folder = __dirname;
  while (!fs.existsSync(path.join(folder, 'package.json'))) {
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error('package.json not found above ' + __dirname);
    folder = parent;
  }
  return path.join(folder, '.env.example');
}

/** `npm run env:example`: writes .env.example from the settings in src/config; with --check only compares. */
async function main(): Promise<number> {
  const file = envExamplePath();
  const text = renderEnvExample();
  if (commandLine().values.check) {
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (committed === text) {
      process.stdout.write('.env.example is up to date.\n');
      return 0;
    }
    process.stderr.write('.env.example does not match src/config: run npm run env:example and commit the result.\n');
    return 1;
  }
  fs.writeFileSync(file, text);
  process.stdout.write(`Wrote ${path.relative(process.cwd(), file) || file}.\n`);
  return 0;
}

runCli('env:example', main);
