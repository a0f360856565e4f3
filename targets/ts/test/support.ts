/** @fileoverview Test helpers of the ts target: emitting and loading a generated module, and widened programs. */
import { intType } from '../../../ir/int-type.ts';
import type { IrLayer, Program } from '../../../ir/program.ts';
import type { SpikingOp } from '../../../ir/spiking.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { target } from '../index.ts';
import { loadModel, type GeneratedModel } from '../run.ts';

/** Emits `program` into a temp folder and imports the generated module. */
export async function emitAndLoad(program: Program): Promise<GeneratedModel> {
  return loadModel(await emitTo(target, program), program);
}

/**
 * A program whose values leave 32 bits everywhere it can, to drive the emitter's double-precision paths: conv
 * accumulators near 2^34 with shifts of 29..31, accumulator shifts of 12..14, and unsigned 32-bit membranes.
 */
export function widen(program: Program): Program {
  const wide = intType(true, 48, 0);
  const layers = program.layers.map((op): IrLayer => {
    if (op.kind === 'conv') {
      return { ...op, bias: op.bias.map((b, f) => (f % 2 === 0 ? 1 : -1) * (2 ** 34 + b)), outShift: op.outShift.map((_, f) => 29 + (f % 3)), accType: wide };
    }
    if (op.kind === 'pool') return op;
    return { ...op, accShift: op.accShift.map((s, j) => s + 12 + (j % 3)), accType: wide, membraneType: intType(false, 32, op.membraneType.frac) };
  });
  const last = layers[layers.length - 1] as SpikingOp;
  return { ...program, name: `${program.name}-wide`, layers, readout: { ...program.readout, scoreType: intType(true, 48, last.membraneType.frac) } };
}

/**
 * A dense-first events program reshaped for another binning source: `channels` reads its C*H*W inputs as [N, 1, 1]
 * channels, `frames` keeps the shape and takes frames only; binUs and startUs as given.
 */
export function withBinning(program: Program, source: 'channels' | 'frames', binUs = 250, startUs = 1000): Program {
  if (program.encoder.kind !== 'events' || program.layers[0]?.kind !== 'spiking') throw new Error('withBinning wants a dense-first events program');
  const [c, h, w] = program.input.shape;
  const shape: [number, number, number] = source === 'channels' ? [c * h * w, 1, 1] : [c, h, w];
  return { ...program, name: `${program.name}-${source}`, input: { ...program.input, shape }, encoder: { ...program.encoder, binning: { source, binUs, startUs } } };
}
