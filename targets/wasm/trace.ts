/** @fileoverview Tracing one image through an emitted model.wasm: every layer's visible values at every timestep. */
import type { Program } from '../../ir/program.ts';
import type { TargetTrace } from '../target.ts';
import { loadWasmModel } from './run.ts';

/** The trace of `dir/model.wasm` as it is on disk (an edited file is traced as edited). */
export async function traceWasm(dir: string, program: Program, pixels: Uint8Array, seed: number): Promise<TargetTrace> {
  const model = await loadWasmModel(dir, program);
  return model.trace(pixels, seed);
}
