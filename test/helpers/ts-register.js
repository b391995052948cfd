/**
 * Lets tests run a TypeScript command-line entry point as a real child process
 * (`node -r ./test/helpers/ts-register.js src/cli/knowledge.ts ...`) without
 * building dist/ first: each .ts file is transpiled on load with the project's
 * decorator settings, as ts-jest does with isolatedModules. Test use only.
 */
const fs = require('node:fs');
const ts = require('typescript');

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

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
