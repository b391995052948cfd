// ESLint flat config: typescript-eslint's recommended rules, the dependency direction
// channels → src ← schema, and a nudge to split files past 300 lines.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** `no-restricted-imports` patterns that keep one root from importing another. */
const forbid = (...roots) =>
  roots.map((root) => ({
    regex: `(^|/)${root}/`,
    message: `Dependencies point one way: channels → src ← schema. Move what you need into src/ (or pass it in through a factory) instead of importing from ${root}/.`,
  }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'web/dist/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      'max-lines': ['warn', { max: 300 }],
      // `_unused` names say "deliberately ignored" (destructuring a field away, a required parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          caughtErrors: 'none',
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' },
    },
    // CommonJS helpers (test/helpers/ts-register.js, scripts/) load modules with require by definition.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Node scripts (build helpers) in ES module form.
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  {
    // The core imports neither a channel nor a resolver; the composition roots wire everything together.
    files: ['src/**/*.ts'],
    ignores: ['src/main.ts', 'src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: forbid('channels', 'schema') }] },
  },
  {
    files: ['channels/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: forbid('schema') }] },
  },
  {
    files: ['schema/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: forbid('channels') }] },
  },
);
