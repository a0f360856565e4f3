/**
 * @fileoverview Pass: turn float weights and neuron constants into integers at the chosen formats (round half away
 * from zero at compile time; saturating to the symmetric weight range). Widths here are provisional; range-analysis
 * narrows them from the actual integers.
 */
import { unreachable } from '../../ir/registry.ts';
import { SnncError } from '../../base/errors.ts';
import type { ConvOp } from '../../ir/conv.ts';
import { intType, type IntType } from '../../ir/int-type.ts';
import type { PoolOp } from '../../ir/pool.ts';
import type { IrLayer, Program } from '../../ir/program.ts';
import type { IrOutput, IrReset, RecurrentSynapse, SpikingOp, SynapticCurrent } from '../../ir/spiking.ts';
import { windowOutSize } from '../../ir/window.ts';
import type { ConvLayer, Encoder, PoolLayer, ResetMode, SpikingLayer } from '../../model/format.ts';
import type { IrEncoder } from '../../ir/encoder.ts';
import { spikingOutType } from './choose-formats.ts';
import { FACTOR_SHIFT, MAX_MEMBRANE_BITS } from './formats-policy.ts';
import { inputType } from './input-format.ts';
import type { LayerFormats, LoweringState, Pass } from './state.ts';
import { largest } from '../../base/array-extent.ts';

/** Provisional width of accumulators and scores, before range analysis. */
const WIDE = 48;

/** Round half away from zero: how every compile-time constant becomes an integer. */
export function roundAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** Row r of `data` ([rows, cols] row-major) at fraction bits fracs[r], saturated to [-maxInt, maxInt]. */
export function quantizeRows(data: Float32Array, rows: number, fracs: readonly number[], maxInt: number): number[] {
  const cols = data.length / rows;
  const out = new Array<number>(data.length);
  for (let r = 0; r < rows; r++) {
    const scale = 2 ** fracs[r]!;
    for (let i = r * cols; i < (r + 1) * cols; i++) out[i] = Math.max(-maxInt, Math.min(maxInt, roundAway(data[i]! * scale)));
  }
  return out;
}

/** A real factor as {mul, shift}; lowers the shift if the factor is too large for a 2^20 multiplier. */
export function toFactor(value: number): { mul: number; shift: number } {
  let shift = FACTOR_SHIFT;
  while (shift > 0 && Math.round(value * 2 ** shift) > 2 ** 20) shift--;
  return { mul: Math.round(value * 2 ** shift), shift };
}

type Shape = readonly [number, number, number];

function windowShape(inShape: Shape, channels: number, kernel: number, stride: number, padding: number): [number, number, number] {
  return [channels, windowOutSize(inShape[1], kernel, stride, padding), windowOutSize(inShape[2], kernel, stride, padding)];
}

function lowerConv(layer: ConvLayer, f: LayerFormats, inShape: Shape, inType: IntType, weightBits: number, activationBits: number): ConvOp {
  const stride = layer.stride ?? 1;
  const padding = layer.padding ?? 0;
  return {
    kind: 'conv', name: layer.name, inShape, outShape: windowShape(inShape, layer.filters, layer.kernel, stride, padding), kernel: layer.kernel, stride, padding, inType,
    weights: quantizeRows(layer.weights.data, layer.filters, f.weightFrac, 2 ** (weightBits - 1) - 1),
    weightType: intType(true, weightBits, largest(f.weightFrac)),
    weightFrac: f.weightFrac,
    bias: Array.from(layer.bias.data, (b, c) => roundAway(b * 2 ** (f.weightFrac[c]! + f.inFrac))),
    accType: intType(true, WIDE, largest(f.weightFrac) + f.inFrac),
    outShift: f.weightFrac.map((wf) => wf + f.inFrac - f.outFrac),
    outType: intType(true, activationBits, f.outFrac), learned: layer.learned,
  };
}

function lowerPool(layer: PoolLayer, f: LayerFormats, inShape: Shape, inType: IntType): PoolOp {
  if (!f.pool) throw new SnncError('ir', `layer ${layer.name}: choose-formats gave the pool no output type`);
  return {
    kind: 'pool', name: layer.name, mode: layer.mode, inShape, outShape: windowShape(inShape, inShape[0], layer.kernel, layer.stride, layer.padding),
    kernel: layer.kernel, stride: layer.stride, padding: layer.padding, inType, scale: f.pool.scale, outType: f.pool.outType,
  };
}

/** Resets in membrane units (frac fm); a reset value rounds half away from zero like every compile-time constant. */
function lowerReset(reset: ResetMode, threshold: number, fm: number): IrReset {
  switch (reset.kind) {
    case 'refractory':
      return { kind: 'refractory', ...toFactor(reset.penalty / threshold) };
    case 'value':
      return { kind: 'value', value: roundAway(reset.value * 2 ** fm) };
    case 'subtract':
    case 'zero':
    case 'none':
      return { kind: reset.kind };
    default:
      return unreachable(reset, 'reset mode');
  }
}

function lowerSpiking(layer: SpikingLayer, f: LayerFormats, inputs: number, inType: IntType, weightBits: number, activationBits: number): SpikingOp {
  const fm = f.stateFrac;
  const membraneType = intType(true, MAX_MEMBRANE_BITS, fm);
  const type = spikingOutType(layer, f.outFrac, activationBits);
  const output: IrOutput = layer.output === 'binary' ? { kind: 'binary', type } : { kind: layer.output, shift: fm - f.outFrac, type };
  const identity = !layer.weights;
  return {
    kind: 'spiking', name: layer.name, inputs, units: layer.units, inType, synapse: identity ? 'identity' : 'dense',
    weights: layer.weights ? quantizeRows(layer.weights.data, layer.units, f.weightFrac, 2 ** (weightBits - 1) - 1) : [],
    // identity: the implicit weight 1 at frac 0, which s2.0 holds (the field is unused)
    weightType: identity ? intType(true, 2, 0) : intType(true, weightBits, largest(f.weightFrac)),
    weightFrac: f.weightFrac,
    accType: intType(true, WIDE, fm),
    accShift: f.weightFrac.map((wf) => fm - wf - f.inFrac),
    bias: Array.from(layer.bias.data, (b) => roundAway(b * 2 ** fm)),
    membraneType,
    decay: toFactor(layer.decay),
    threshold: roundAway(layer.threshold * 2 ** fm),
    // a membrane output never fires, so its reset is never applied: written as none
    output, reset: layer.output === 'membrane' ? { kind: 'none' } : lowerReset(layer.reset, layer.threshold, fm), delay: layer.delay,
    ...(layer.recurrent ? { recurrent: lowerRecurrent(layer, f, type, weightBits) } : {}),
    // the current lives on the membrane's grid and width; range-analysis proves (or not) that its clamp never acts
    ...(layer.synapticDecay !== undefined ? { synaptic: currentOf(layer, layer.synapticDecay, membraneType, fm) } : {}),
  };
}

/** The synaptic current on the membrane's grid and width, with its bias (if any) in membrane units. */
function currentOf(layer: SpikingLayer, decay: number, type: IntType, fm: number): SynapticCurrent {
  const bias = layer.synapticBias ? Array.from(layer.synapticBias.data, (b) => roundAway(b * 2 ** fm)) : undefined;
  return { decay: toFactor(decay), type, ...(bias ? { bias } : {}) };
}

/** Recurrent weights at their per-unit fracs, shifted onto the membrane: weightFrac + output frac + accShift = fm. */
function lowerRecurrent(layer: SpikingLayer, f: LayerFormats, outType: IntType, weightBits: number): RecurrentSynapse {
  const fracs = f.recurrentFrac;
  if (!layer.recurrent || !fracs) throw new SnncError('ir', `layer ${layer.name}: choose-formats gave the recurrent weights no format`);
  return {
    weights: quantizeRows(layer.recurrent.data, layer.units, fracs, 2 ** (weightBits - 1) - 1),
    weightType: intType(true, weightBits, largest(fracs)),
    weightFrac: fracs,
    accType: intType(true, WIDE, f.stateFrac),
    accShift: fracs.map((wf) => f.stateFrac - wf - outType.frac),
  };
}

function lowerEncoder(encoder: Encoder, jitterBits: number, outType: IntType): IrEncoder {
  switch (encoder.kind) {
    case 'jitter':
      return { kind: 'jitter', prng: 'xorshift32', jitterBits, outType };
    case 'direct':
      return { kind: 'direct', outType };
    case 'events': {
      const { source, binUs, startUs } = encoder.binning;
      return { kind: 'events', binning: { source, binUs, startUs }, outType };
    }
    default:
      return unreachable(encoder, 'encoder');
  }
}

export function buildProgram(state: LoweringState): Program {
  const { model, options, formats } = state;
  if (!formats) throw new SnncError('ir', 'quantize needs choose-formats to run first');
  const timesteps = options.timesteps ?? model.timesteps;
  const inType0 = inputType(model, state.inputFrac);
  let inType = inType0;
  let shape: Shape = model.input.shape;
  let width = shape[0] * shape[1] * shape[2];
  const layers: IrLayer[] = model.layers.map((layer, l) => {
    const f = formats[l]!;
    switch (layer.kind) {
      case 'conv':
      case 'pool': {
        const op = layer.kind === 'conv' ? lowerConv(layer, f, shape, inType, options.weightBits, options.activationBits) : lowerPool(layer, f, shape, inType);
        shape = op.outShape;
        width = shape[0] * shape[1] * shape[2];
        inType = op.outType;
        return op;
      }
      case 'spiking': {
        // an identity layer keeps `shape` (the image its input had); a dense one makes a flat vector
        const op = lowerSpiking(layer, f, width, inType, options.weightBits, options.activationBits);
        width = op.units;
        inType = op.output.type;
        return op;
      }
      default: {
        const never: never = layer;
        return never;
      }
    }
  });
  const last = layers[layers.length - 1];
  if (last?.kind !== 'spiking') throw new SnncError('model', 'the last layer must be spiking: the readout reads it');
  const window = timesteps - model.readout.begin;
  const source = model.readout.source ?? 'membrane';
  const scoreFrac = source === 'output' ? last.output.type.frac : last.membraneType.frac;
  return {
    format: 'snnc-ir', version: 1, name: model.metadata.name, sourceSha256: state.sourceSha256, timesteps, classes: model.classes,
    input: { shape: model.input.shape, type: inType0, realPerLsb: state.originalScale ?? model.input.scale },
    encoder: lowerEncoder(model.encoder, options.jitterBits, inType0),
    layers,
    readout: {
      kind: model.readout.kind, source, begin: model.readout.begin, scoreType: intType(true, WIDE, scoreFrac),
      realPerLsb: 2 ** -scoreFrac / (model.readout.kind === 'mean' ? window : 1),
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
