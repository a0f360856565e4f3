/**
 * @fileoverview Pass: turn float weights and neuron constants into integers at the chosen formats (round half away
 * from zero at compile time; saturating to the symmetric weight range). Widths here are provisional; range-analysis
 * narrows them from the actual integers.
 */
import { SnncError } from '../errors.ts';
import type { ConvOp } from '../ir/conv.ts';
import { intType, type IntType } from '../ir/int-type.ts';
import type { IrLayer, Program } from '../ir/program.ts';
import type { IrOutput, IrReset, SpikingOp } from '../ir/spiking.ts';
import type { ConvLayer, SpikingLayer } from '../model/format.ts';
import { FACTOR_SHIFT, INPUT_BITS, INPUT_FRAC, MAX_MEMBRANE_BITS } from './formats-policy.ts';
import type { LayerFormats, LoweringState, Pass } from './state.ts';

/** Provisional width of accumulators and scores, before range analysis. */
const WIDE = 48;

function roundAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

function quantizeRows(data: Float32Array, rows: number, fracs: readonly number[], maxInt: number): number[] {
  const cols = data.length / rows;
  return Array.from(data, (w, i) => Math.max(-maxInt, Math.min(maxInt, roundAway(w * 2 ** fracs[Math.floor(i / cols)]!))));
}

/** A real factor as {mul, shift}; lowers the shift if the factor is too large for a 2^20 multiplier. */
export function toFactor(value: number): { mul: number; shift: number } {
  let shift = FACTOR_SHIFT;
  while (shift > 0 && Math.round(value * 2 ** shift) > 2 ** 20) shift--;
  return { mul: Math.round(value * 2 ** shift), shift };
}

function lowerConv(layer: ConvLayer, f: LayerFormats, inShape: readonly [number, number, number], inType: IntType, weightBits: number): ConvOp {
  const [, h, w] = inShape;
  const outType = intType(true, 0, f.outFrac);
  return {
    kind: 'conv', name: layer.name, inShape, outShape: [layer.filters, h - layer.kernel + 1, w - layer.kernel + 1], kernel: layer.kernel, inType,
    weights: quantizeRows(layer.weights.data, layer.filters, f.weightFrac, 2 ** (weightBits - 1) - 1),
    weightType: intType(true, weightBits, Math.max(...f.weightFrac)),
    weightFrac: f.weightFrac,
    bias: Array.from(layer.bias.data, (b, c) => roundAway(b * 2 ** (f.weightFrac[c]! + f.inFrac))),
    accType: intType(true, WIDE, Math.max(...f.weightFrac) + f.inFrac),
    outShift: f.weightFrac.map((wf) => wf + f.inFrac - f.outFrac),
    outType, learned: layer.learned,
  };
}

function lowerSpiking(layer: SpikingLayer, f: LayerFormats, inType: IntType, weightBits: number, activationBits: number): SpikingOp {
  const fm = f.stateFrac;
  const membraneType = intType(true, MAX_MEMBRANE_BITS, fm);
  const output: IrOutput = layer.output === 'binary' ? { kind: 'binary', type: intType(false, 1, 0) } : { kind: 'excess', shift: fm - f.outFrac, type: intType(false, activationBits, f.outFrac) };
  const reset: IrReset = layer.reset.kind === 'refractory' ? { kind: 'refractory', ...toFactor(layer.reset.penalty / layer.threshold) } : { kind: layer.reset.kind };
  return {
    kind: 'spiking', name: layer.name, inputs: layer.weights.shape[1]!, units: layer.units, inType,
    weights: quantizeRows(layer.weights.data, layer.units, f.weightFrac, 2 ** (weightBits - 1) - 1),
    weightType: intType(true, weightBits, Math.max(...f.weightFrac)),
    weightFrac: f.weightFrac,
    accType: intType(true, WIDE, fm),
    accShift: f.weightFrac.map((wf) => fm - wf - f.inFrac),
    bias: Array.from(layer.bias.data, (b) => roundAway(b * 2 ** fm)),
    membraneType,
    decay: toFactor(layer.decay),
    threshold: roundAway(layer.threshold * 2 ** fm),
    output, reset, delay: layer.delay,
  };
}

export function buildProgram(state: LoweringState): Program {
  const { model, options, formats } = state;
  if (!formats) throw new SnncError('ir', 'quantize needs choose-formats to run first');
  const timesteps = options.timesteps ?? model.timesteps;
  const inputType = intType(false, INPUT_BITS, INPUT_FRAC);
  let inType = inputType;
  let shape = model.input.shape;
  const layers: IrLayer[] = model.layers.map((layer, l) => {
    const f = formats[l]!;
    if (layer.kind === 'conv') {
      const op = { ...lowerConv(layer, f, shape, inType, options.weightBits), outType: intType(true, options.activationBits, f.outFrac) };
      shape = op.outShape;
      inType = op.outType;
      return op;
    }
    const op = lowerSpiking(layer, f, inType, options.weightBits, options.activationBits);
    inType = op.output.type;
    return op;
  });
  const last = layers[layers.length - 1] as SpikingOp;
  const window = timesteps - model.readout.begin;
  return {
    format: 'snnc-ir', version: 1, name: model.metadata.name, sourceSha256: state.sourceSha256, timesteps, classes: model.classes,
    input: { shape: model.input.shape, type: inputType, realPerLsb: state.originalScale ?? model.input.scale },
    encoder: model.encoder.kind === 'jitter' ? { kind: 'jitter', prng: 'xorshift32', jitterBits: options.jitterBits, outType: inputType } : { kind: 'direct', outType: inputType },
    layers,
    readout: {
      kind: model.readout.kind, begin: model.readout.begin, scoreType: intType(true, WIDE, last.membraneType.frac),
      realPerLsb: 2 ** -last.membraneType.frac / (model.readout.kind === 'mean' ? window : 1),
    },
    quantization: {
      weightBits: options.weightBits, granularity: options.granularity, activationBits: options.activationBits,
      calibration: { dataset: state.calibration.dataset, images: state.calibration.images.length, seed: state.calibration.seeds[0] ?? 0 },
      provenNoSaturation: false,
    },
  };
}

export const quantize: Pass = {
  name: 'quantize',
  run: (state) => ({ ...state, program: buildProgram(state) }),
};
