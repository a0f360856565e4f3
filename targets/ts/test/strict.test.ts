/**
 * @fileoverview Generated modules compile standalone under the strictest common tsc settings (no project tsconfig,
 * no @types, ES2022 library only) and import nothing.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { randomProgram } from '../../../ir/random-program.ts';
import type { Program } from '../../../ir/program.ts';
import { featurePrograms } from '../../../test/support/target-feature-programs.ts';
import { emitTo, tempDir } from '../../../test/support/emit-to.ts';
import { exampleProgram } from '../../../test/support/example.ts';
import { target } from '../index.ts';
import { widen, withBinning } from './support.ts';

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noImplicitOverride: true,
  noPropertyAccessFromIndexSignature: true,
  noFallthroughCasesInSwitch: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ES2022,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts'],
  types: [],
};

const PROGRAMS: readonly Program[] = [
  randomProgram(20, { conv: true, encoder: 'jitter', delay: 1, output: 'binary', reset: 'refractory' }),
  randomProgram(21, { conv: true, encoder: 'direct', delay: 0, output: 'excess', reset: 'subtract' }),
  randomProgram(22, { conv: false, encoder: 'jitter', delay: 1, output: 'excess', reset: 'zero' }),
  randomProgram(23, { conv: false, encoder: 'direct', delay: 0, output: 'binary', reset: 'zero', weightBits: 16 }),
  widen(randomProgram(24, { conv: true, encoder: 'jitter', delay: 1, output: 'excess', reset: 'refractory' })),
  widen(randomProgram(25, { conv: true, encoder: 'direct', delay: 0, output: 'binary', reset: 'subtract' })),
  (await exampleProgram()).program,
  ...featurePrograms().map((f) => f.program),
  ...[0, 1, 2, 3, 4, 5].map((k) => randomProgram(9000 + k, { extended: true, pool: k % 2 === 0, identity: k % 3 === 0 })),
  // Event input: dvs with 2 and 1 channels (binEvents, inferEvents), a channels sensor, frames only.
  randomProgram(26, { conv: true, encoder: 'events', delay: 1, output: 'excess', reset: 'refractory' }),
  randomProgram(4, { conv: false, encoder: 'events', timesteps: 3 }),
  ...(['channels', 'frames'] as const).map((source) => withBinning(randomProgram(27, { conv: false, encoder: 'events', timesteps: 5 }), source)),
];

test('every generated module compiles with tsc --strict and friends, alone, and imports nothing', async (t) => {
  const files: string[] = [];
  for (const program of PROGRAMS) {
    const file = join(await emitTo(target, program), 'model.ts');
    t.deepEqual(ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles, [], `${program.name} imports something`);
    files.push(file);
  }
  const compiled = ts.createProgram(files, OPTIONS);
  const problems = ts.getPreEmitDiagnostics(compiled).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') + (d.file ? ` (${d.file.fileName})` : ''));
  t.deepEqual(problems, []);
  t.is(compiled.getSourceFiles().filter((f) => !f.isDeclarationFile).length, PROGRAMS.length);
});

test('the check catches a broken module (the compile test can fail)', (t) => {
  const file = join(tempDir('ts-broken'), 'broken.ts');
  ts.sys.writeFile(file, 'const x: Int32Array = new Int32Array(1);\nexport const y: number = x[0];\n');
  const problems = ts.getPreEmitDiagnostics(ts.createProgram([file], OPTIONS));
  t.is(problems.length, 1);
  t.is(problems[0]!.code, 2322); // number | undefined is not assignable to number (noUncheckedIndexedAccess)
});
