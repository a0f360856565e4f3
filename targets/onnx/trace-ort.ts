/**
 * @fileoverview One inference's per-layer, per-timestep values from ONNX Runtime, shaped like the golden trace. A model
 * emitted without `traces` has no trace outputs, so the traced twin of the same program is built in memory: the same
 * construction with extra outputs, which is what locating a mismatch needs.
 */
import { join } from 'node:path';
import type { Program } from '../../compiler/ir/program.ts';
import type { TargetTrace } from '../target.ts';
import { emitOnnxModels, MODEL_FILE } from './emit.ts';
import { traceOutputName } from './graph-io.ts';
import { OnnxModelSession, type RawRun } from './run-ort.ts';

/** Splits a [T, 1, units] output into T rows. */
function perTimestep(run: RawRun, name: string, timesteps: number): number[][] {
  const out = run.outputs.get(name);
  if (!out) return [];
  const units = out.dims[2]!;
  return Array.from({ length: timesteps }, (_, t) => out.data.slice(t * units, (t + 1) * units));
}

export async function traceOnnx(dir: string, program: Program, pixels: Uint8Array, seed: number): Promise<TargetTrace> {
  let session = await OnnxModelSession.open(join(dir, MODEL_FILE), program.input.shape);
  const wanted = traceOutputName(program.layers[0]?.name ?? '', 'output');
  if (!session.outputNames.includes(wanted)) {
    await session.close();
    const [traced] = emitOnnxModels(program, { traces: true });
    session = await OnnxModelSession.fromBytes(traced!.contents as Uint8Array, `${program.name} (traced)`, program.input.shape);
  }
  try {
    const run = await session.runRaw([pixels], [seed]);
    return {
      layers: program.layers.map((op) => ({
        membrane: op.kind === 'spiking' ? perTimestep(run, traceOutputName(op.name, 'membrane'), program.timesteps) : [],
        output: perTimestep(run, traceOutputName(op.name, 'output'), program.timesteps),
      })),
    };
  } finally {
    await session.close();
  }
}

