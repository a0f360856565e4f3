/**
 * @fileoverview The ts target plug-in: emits `model.ts`, a standalone bit-exact TypeScript model of one program
 * (weights embedded, no imports), and runs it on batches for verification.
 */
import type { Target } from '../target.ts';
import { checkOptions, checkProgram, LIMITS } from './check.ts';
import { emitModel, reemitModel } from './emit.ts';
import { runModel } from './run.ts';
import { traceModel } from './trace.ts';

export const target: Target = {
  name: 'ts',
  summary: 'standalone bit-exact TypeScript model (model.ts), specialized to the program',
  limits: LIMITS,
  checkOptions,
  check: checkProgram,
  emit: emitModel,
  reemit: reemitModel,
  run: runModel,
  trace: traceModel,
};
