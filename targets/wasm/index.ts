/**
 * @fileoverview The wasm target plug-in: emits `model.wasm`, a WebAssembly module (128-bit SIMD, event-driven)
 * specialized to one program, and `model.mjs`, a dependency-free ES module that loads it in Node or a browser.
 */
import type { Target } from '../target.ts';
import { checkOptions, checkProgram, LIMITS } from './check.ts';
import { emitWasm, reemitWasm } from './emit.ts';
import { runWasm } from './run.ts';
import { traceWasm } from './trace.ts';

export const target: Target = {
  name: 'wasm',
  summary: 'WebAssembly SIMD module (model.wasm) with a JS loader (model.mjs), specialized to the program',
  limits: LIMITS,
  checkOptions,
  check: checkProgram,
  emit: emitWasm,
  reemit: reemitWasm,
  run: runWasm,
  trace: traceWasm,
};
