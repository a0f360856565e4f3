/** @fileoverview Tracing one image through an emitted model.ts: every layer's visible values at every timestep. */
import type { Program } from '../../ir/program.ts';
import type { ModelTrace } from '../../runtime/trace.ts';
import { loadModel } from './run.ts';

/** The trace of `dir/model.ts` as it is on disk (an edited file is traced as edited). */
export async function traceModel(dir: string, program: Program, pixels: Uint8Array, seed: number): Promise<ModelTrace> {
  const model = await loadModel(dir, program);
  return model.trace(pixels, seed);
}
