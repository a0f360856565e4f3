/**
 * @fileoverview The onnx target plug-in: an integer ONNX model (opset 17) holding the whole inference (jitter
 * generator, timestep Loop, conv, spiking layers, readout), run bit-exactly by ONNX Runtime. Wiring only.
 */
import type { Target } from '../target.ts';
import { checkOptions, checkProgram, LIMITS } from './check.ts';
import { emitOnnxModels } from './emit.ts';
import { runOnnx } from './run.ts';
import { traceOnnx } from './trace.ts';

export const target: Target = {
  name: 'onnx',
  summary: 'integer ONNX model (opset 17, whole inference in the graph), run bit-exactly by ONNX Runtime',
  limits: LIMITS,
  checkOptions,
  check: checkProgram,
  emit: async (program, options) => emitOnnxModels(program, options),
  run: runOnnx,
  trace: traceOnnx,
};
