/**
 * @fileoverview The onnx target plug-in: an integer ONNX model (opset 17) holding the whole inference (jitter
 * generator, timestep Loop, conv, spiking layers, readout), run bit-exactly by ONNX Runtime.
 */
import { join } from 'node:path';
import type { Target } from '../target.ts';
import { checkOptions, checkProgram, LIMITS } from './check.ts';
import { emitOnnxModels, MODEL_FILE } from './emit.ts';
import { OnnxModelSession } from './run.ts';
import { traceOnnx } from './trace.ts';

export const target: Target = {
  name: 'onnx',
  summary: 'integer ONNX model (opset 17, whole inference in the graph), run bit-exactly by ONNX Runtime',
  limits: LIMITS,
  checkOptions,
  check: checkProgram,
  async emit(program, options) {
    return emitOnnxModels(program, options);
  },
  async run(dir, program, batch) {
    const session = await OnnxModelSession.open(join(dir, MODEL_FILE), program.input.shape);
    try {
      return await session.run(batch);
    } finally {
      await session.close();
    }
  },
  trace: traceOnnx,
};
