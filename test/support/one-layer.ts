/** @fileoverview A direct-encoded program of one spiking layer over a 1x1xN u8 image, for hand-computed golden cases. */
import { intType, type IntType } from '../../ir/int-type.ts';
import type { Program } from '../../ir/program.ts';
import type { SpikingOp } from '../../ir/spiking.ts';
import { validateProgram } from '../../ir/validate.ts';

/** The validated program reading `layer` (its inputs are the pixels), summing its membrane over every step. */
export function oneLayerProgram(layer: SpikingOp, timesteps: number, scoreType: IntType): Program {
  const pixels = intType(false, 8, 8);
  return validateProgram({
    format: 'snnc-ir', version: 1, name: layer.name, sourceSha256: '0'.repeat(64), timesteps, classes: layer.units,
    input: { shape: [1, 1, layer.inputs], type: pixels, realPerLsb: 1 / 255 },
    encoder: { kind: 'direct', outType: pixels },
    layers: [layer],
    readout: { kind: 'sum', source: 'membrane', begin: 0, scoreType, realPerLsb: 2 ** -scoreType.frac },
    quantization: { weightBits: 8, granularity: 'layer', activationBits: 8, calibration: { dataset: 'none', images: 0, seed: 0 }, provenNoSaturation: false },
  });
}
