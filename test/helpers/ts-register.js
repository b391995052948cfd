/**
 * Lets tests run a TypeScript command-line entry point as a real child process
 * (`node -r ./test/helpers/ts-register.js src/cli/knowledge.ts ...`) without
 * building dist/ first: each .ts file is transpiled on load with the project's
 * decorator settings, as ts-jest does with isolatedModules. Output is cached in
 * the OS temp folder by content hash, so only the first run pays for it (and
 * TypeScript itself is loaded only on a cache miss). Test use only.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CACHE = path.join(os.tmpdir(), 'parley-ts-register-v1');
fs.mkdirSync(CACHE, { recursive: true });
let ts = null;

function transpile(source, filename) {
  ts ??= require('typescript');
  const compilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    useDefineForClassFields: false,
    esModuleInterop: true,
    isolatedModules: true,
    inlineSourceMap: true,
  };
  return ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
}

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha1').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(CACHE, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    output = transpile(source, filename);
    // Write then rename, so a parallel run never reads half a file.
    const temporary = `${cached}.${process.pid}`;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, cached);
  }
  module._compile(output, filename);
};
