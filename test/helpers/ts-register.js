/* eslint-disable */
// Lets a child Node process run the TypeScript sources directly (`node -r ./test/helpers/ts-register.js src/main.ts`),
// transpiled file by file as ts-jest does with isolatedModules, with a cache keyed by the source's hash so a
// second start is quick. Used by tests that run the real service as a process (signals, exit codes).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const cacheDir = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'parley-ts-register');
fs.mkdirSync(cacheDir, { recursive: true });
const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  useDefineForClassFields: false,
  isolatedModules: true,
  inlineSourceMap: true,
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const hash = crypto.createHash('sha256').update(filename).update('\0').update(source).digest('hex').slice(0, 32);
  const cached = path.join(cacheDir, `${hash}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    output = ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
    fs.writeFileSync(cached, output);
  }
  module._compile(output, filename);
};
