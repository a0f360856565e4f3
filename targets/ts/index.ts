/**
 * @fileoverview The ts target plug-in: emits `model.ts`, a standalone bit-exact TypeScript model of one program
 * (weights embedded, no imports), and runs it on batches for verification.
 */
import type { Program } from '../../ir/program.ts';
import type { Target } from '../target.ts';
import { emitModel, reemitModel } from './emit.ts';
import { planModel } from './plan.ts';
import { runModel } from './run.ts';
import { traceModel } from './trace.ts';

export const target: Target = {
  name: 'ts',
  summary: 'standalone bit-exact TypeScript model (model.ts), specialized to the program',
  check(program: Program): void {
    planModel(program);
  },
  emit: emitModel,
  reemit: reemitModel,
  run: runModel,
  trace: traceModel,
};
