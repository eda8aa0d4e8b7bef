#!/usr/bin/env node
// `make lint`: type-check the whole project (src, protocol, test, integration) and run ESLint on it.
//
// Why a script and not `tsc --noEmit && eslint .`: ESLint's type-aware rules need the same TypeScript
// program tsc builds, and building it is most of the cost. Here it is built once: tsc's diagnostics
// come from it, then ESLint is handed it instead of building its own (about 40% faster on 2 cores).
//
// Usage: node scripts/lint.mjs [--fix]   (--fix writes ESLint's automatic fixes, formatting included)
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';

const fix = process.argv.includes('--fix');
const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

// 1. The type check, as `tsc -p tsconfig.json` would report it.
const config = ts.getParsedCommandLineOfConfigFile('tsconfig.json', {}, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (d) => {
    throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  },
});
if (!config) throw new Error('cannot read tsconfig.json');
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
const diagnostics = ts.getPreEmitDiagnostics(program);
const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
const format = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
if (diagnostics.length > 0) process.stdout.write(format(diagnostics, host) + '\n');

// 2. ESLint on every file, type-aware rules reading the program above.
const eslint = new ESLint({
  fix,
  overrideConfig: { files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false, programs: [program] } } },
});
const results = await eslint.lintFiles(['.']);
if (fix) await ESLint.outputFixes(results);
const formatter = await eslint.loadFormatter('stylish');
const report = await formatter.format(results);
if (report) process.stdout.write(report);

const lintErrors = results.reduce((n, r) => n + r.errorCount, 0);
const typeErrors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;
console.log(`lint: ${typeErrors} type error(s), ${lintErrors} lint error(s) in ${results.length} files`);
process.exitCode = typeErrors + lintErrors > 0 ? 1 : 0;
