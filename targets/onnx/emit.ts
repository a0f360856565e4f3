/** @fileoverview The onnx target's emit: `model.onnx` (exact integers), and `model-float.onnx` with --precision float. */
import { SnncError } from '../../base/errors.ts';
import type { Program } from '../../ir/program.ts';
import type { EmitOptions, EmittedFile } from '../target.ts';
import { buildFloatGraph } from './build-float.ts';
import { buildIntGraph } from './build-int.ts';
import { checkOptions, checkProgram } from './check.ts';
import { modelBytes, OPSET } from './model-proto.ts';

export const MODEL_FILE = 'model.onnx';
export const FLOAT_MODEL_FILE = 'model-float.onnx';

/** ONNX reads `unroll` and `traces` from the shared emit options. */
export type OnnxEmitOptions = EmitOptions;

export function emitOnnxModels(program: Program, options: OnnxEmitOptions): EmittedFile[] {
  checkProgram(program);
  checkOptions({ ...options, timesteps: program.timesteps });
  const build = { traces: options.traces ?? false, unroll: options.unroll ?? false };
  const intGraph = buildIntGraph(program, build);
  const files: EmittedFile[] = [{ path: MODEL_FILE, contents: modelBytes(intGraph, program, `snnc ${program.name}: integer SNN, bit-exact with the snnc golden runtime`, { 'snnc.precision': 'int' }) }];
  options.log?.(`onnx: ${MODEL_FILE}, opset ${OPSET}, ${intGraph.node?.length ?? 0} top-level nodes, timesteps ${build.unroll ? 'unrolled' : 'in a Loop'}`);
  if (options.precision === 'float') {
    if (!options.model) throw new SnncError('usage', 'onnx: --precision float needs the float model the program was compiled from');
    // The float model format has no event encoder yet: its graph would take an image, not the program's frames.
    if (program.encoder.kind === 'events') throw new SnncError('unsupported', 'onnx: --precision float takes images; an events program has no float event model yet');
    // The float graph (float-layers.ts) has no recurrent synapse or synaptic current yet: it would drop them silently.
    const recurrent = program.layers.find((op) => op.kind === 'spiking' && (op.recurrent || op.synaptic));
    if (recurrent) throw new SnncError('unsupported', `onnx: --precision float does not compute ${recurrent.name}'s recurrent synapse or synaptic current yet (model.onnx does)`);
    const floatGraph = buildFloatGraph(options.model, build);
    files.push({ path: FLOAT_MODEL_FILE, contents: modelBytes(floatGraph, program, `snnc ${options.model.metadata.name}: the float model in float64 ops (same graph shape as ${MODEL_FILE})`, { 'snnc.precision': 'float64' }) });
    options.log?.(`onnx: ${FLOAT_MODEL_FILE} (float64)`);
  }
  return files;
}
