// Lint rules for Tafka. `make lint` runs them (through scripts/lint.mjs, which also type-checks);
// `npx eslint --fix .` applies the automatic fixes, formatting included.
//
// Three groups:
// - correctness: ESLint's and typescript-eslint's recommended sets, plus type-aware promise rules. A
//   broker is callbacks and promises; a promise nobody awaits or catches is a lost error today and an
//   unhandled-rejection crash tomorrow, and only type information can tell a call returns one.
// - layout: @stylistic rules that check the house style (2 spaces, single quotes, semicolons,
//   trailing commas, lines up to 160). They do not re-wrap code, so the hand-aligned schema and test
//   tables stay as written.
// - scripts: the .mjs helpers, bin/tafka.js and the inspector's page script get the same layout rules but no
//   type information.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

const layout = {
  // A ternary's branches indent their contents past the `?`/`:`; chains of nested ternaries are laid
  // out by hand.
  '@stylistic/indent': ['error', 2, { offsetTernaryExpressions: true, ignoredNodes: ['ConditionalExpression > ConditionalExpression'] }],
  '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
  '@stylistic/semi': ['error', 'always'],
  '@stylistic/semi-spacing': 'error',
  '@stylistic/no-extra-semi': 'error',
  '@stylistic/comma-dangle': ['error', 'always-multiline'],
  '@stylistic/comma-spacing': 'error',
  '@stylistic/key-spacing': 'error',
  '@stylistic/keyword-spacing': 'error',
  '@stylistic/space-infix-ops': 'error',
  '@stylistic/space-unary-ops': 'error',
  '@stylistic/space-before-blocks': 'error',
  '@stylistic/space-before-function-paren': ['error', { anonymous: 'always', named: 'never', asyncArrow: 'always' }],
  '@stylistic/space-in-parens': 'error',
  '@stylistic/computed-property-spacing': 'error',
  '@stylistic/function-call-spacing': 'error',
  '@stylistic/template-curly-spacing': 'error',
  '@stylistic/rest-spread-spacing': 'error',
  '@stylistic/arrow-parens': ['error', 'always'],
  '@stylistic/arrow-spacing': 'error',
  '@stylistic/block-spacing': 'error',
  '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
  '@stylistic/padded-blocks': ['error', 'never'],
  '@stylistic/no-multi-spaces': 'error',
  '@stylistic/no-whitespace-before-property': 'error',
  '@stylistic/dot-location': ['error', 'property'],
  '@stylistic/new-parens': 'error',
  '@stylistic/no-floating-decimal': 'error',
  '@stylistic/member-delimiter-style': 'error',
  '@stylistic/type-annotation-spacing': 'error',
  '@stylistic/spaced-comment': ['error', 'always', { markers: ['/'] }],
  '@stylistic/no-tabs': 'error',
  '@stylistic/no-trailing-spaces': 'error',
  '@stylistic/no-multiple-empty-lines': ['error', { max: 1, maxEOF: 0 }],
  '@stylistic/eol-last': 'error',
  '@stylistic/linebreak-style': 'error',
  // Long literals (hex frames, messages) may run past the limit; code and comments may not.
  '@stylistic/max-len': ['error', { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
};

export default defineConfig(
  // examples/library/vitest/ imports the installed package ('tafka'); integration/package.test.ts
  // type-checks and runs it against the packed tarball.
  { ignores: ['dist/', 'data/', 'node_modules/', 'tmp/', 'examples/library/vitest/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@stylistic': stylistic },
    rules: {
      // Promises: every one is awaited, returned, caught or explicitly `void`ed.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': ['error', { allowMixedPromiseArrays: true }],
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/only-throw-error': 'error',
      // `for (… in array)` walks the keys as strings, never what was meant.
      '@typescript-eslint/no-for-in-array': 'error',
      // `_`-prefixed names are deliberately unused (interface-shaped parameters, skipped tuple slots).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      ...layout,
    },
  },
  {
    files: ['**/*.mjs', 'bin/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    plugins: { '@stylistic': stylistic },
    rules: layout,
  },
  {
    // The inspector's page script: a classic browser script, no modules, no build step.
    files: ['src/admin/static/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(['window', 'document', 'location', 'fetch', 'console', 'setTimeout', 'clearTimeout', 'setInterval',
        'EventSource', 'Node', 'HTMLTableSectionElement'].map((name) => [name, 'readonly'])),
    },
    plugins: { '@stylistic': stylistic },
    rules: layout,
  },
  {
    // The jest example uses jest's globals.
    files: ['examples/library/jest/*.mjs'],
    languageOptions: {
      globals: { describe: 'readonly', test: 'readonly', expect: 'readonly', beforeAll: 'readonly', afterAll: 'readonly' },
    },
  },
);
