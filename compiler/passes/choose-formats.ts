/**
 * @fileoverview Pass: choose fraction bits. Weights fill `weightBits` per layer or per output channel; a spiking
 * membrane keeps the accumulator's full precision (frac = max weight frac + input frac) so integration is exact;
 * activations (conv outputs, excess and membrane outputs) fill `activationBits` over the calibrated range. Pools
 * get an exact output type (pool-format.ts). The input type of each layer is tracked to size the pools.
 */
import { SnncError } from '../../base/errors.ts';
import { intType, signedBitsFor, type IntType } from '../../ir/int-type.ts';
import type { SpikingLayer } from '../../model/format.ts';
import { fracFor, MAX_MEMBRANE_BITS, MAX_SHIFT, MIN_FRAC } from './formats-policy.ts';
import { inputType } from './input-format.ts';
import { poolFormat } from './pool-format.ts';
import type { LayerFormats, LayerRanges, LowerOptions, Pass } from './state.ts';
import { largest, smallest } from '../../base/array-extent.ts';

function maxAbsRows(data: Float32Array, rows: number): number[] {
  const cols = data.length / rows;
  return Array.from({ length: rows }, (_, r) => {
    let m = 0;
    for (let c = 0; c < cols; c++) m = Math.max(m, Math.abs(data[r * cols + c]!));
    return m;
  });
}

/** Per-channel (or per-layer) weight fractions that put each row's largest |w| just inside the weight range. */
function weightFracs(data: Float32Array, rows: number, options: LowerOptions): { rowMax: number[]; weightFrac: number[] } {
  const wMax = 2 ** (options.weightBits - 1) - 1;
  const rowMax = maxAbsRows(data, rows);
  const layerFrac = fracFor(largest(rowMax), wMax);
  // Channels may differ by at most MAX_SHIFT fraction bits, so every alignment shift is a legal IR shift.
  const coarsest = smallest(rowMax.map((m) => (m > 0 ? fracFor(m, wMax) : layerFrac)));
  const weightFrac = options.granularity === 'channel' ? rowMax.map((m) => Math.min(m > 0 ? fracFor(m, wMax) : layerFrac, coarsest + MAX_SHIFT)) : rowMax.map(() => layerFrac);
  return { rowMax, weightFrac };
}

/** The largest real value the membrane must hold on calibration data, with 2 bits of headroom (x4). */
function membranePeak(layer: SpikingLayer, range: LayerRanges): number {
  let biasMax = 0;
  for (const b of layer.bias.data) biasMax = Math.max(biasMax, Math.abs(b));
  const resetValue = layer.reset.kind === 'value' ? Math.abs(layer.reset.value) : 0;
  const peak = Math.max(range.maxMembrane, layer.threshold, biasMax, resetValue) * 4;
  if (!Number.isFinite(peak) || peak > 2 ** MAX_MEMBRANE_BITS) {
    throw new SnncError('unsupported', `layer ${layer.name}: its membrane reaches ${(peak / 4).toPrecision(4)} on calibration data, beyond what a ${MAX_MEMBRANE_BITS}-bit membrane can hold`);
  }
  return peak;
}

/**
 * Fraction bits of a spiking layer. Dense: the membrane takes the finest channel's accumulator fraction, dropping
 * weight precision if that would not fit 32 bits. Identity (acc = x, weight 1 at frac 0): the membrane keeps the
 * input's fraction, plus up to IDENTITY_EXTRA_FRAC bits when the layer would round at the input's (identityExtraFrac).
 */
function spikingFormats(layer: SpikingLayer, range: LayerRanges, inFrac: number, options: LowerOptions): Omit<LayerFormats, 'inFrac'> {
  const peak = membranePeak(layer, range);
  let weightFrac: number[];
  let accFrac: number;
  if (layer.weights) {
    const w = weightFracs(layer.weights.data, layer.units, options);
    weightFrac = w.weightFrac;
    accFrac = largest(weightFrac) + inFrac;
    const excess = signedBitsFor(peak * 2 ** accFrac) - MAX_MEMBRANE_BITS;
    if (excess > 0) {
      if (smallest(weightFrac) - excess < MIN_FRAC) {
        throw new SnncError('unsupported', `layer ${layer.name}: its weights (max |w| ${largest(w.rowMax).toPrecision(4)}) and membrane range (${(peak / 4).toPrecision(4)}) do not fit one ${MAX_MEMBRANE_BITS}-bit format`);
      }
      weightFrac = weightFrac.map((f) => f - excess);
      accFrac -= excess;
    }
  } else {
    weightFrac = new Array<number>(layer.units).fill(0);
    const room = MAX_MEMBRANE_BITS - signedBitsFor(peak * 2 ** inFrac);
    if (room < 0) {
      throw new SnncError('unsupported', `layer ${layer.name}: its membrane range (${(peak / 4).toPrecision(4)}) does not fit ${MAX_MEMBRANE_BITS} bits at its input's ${inFrac} fraction bits (an identity synapse cannot drop input precision)`);
    }
    accFrac = inFrac + Math.min(room, identityExtraFrac(layer, inFrac));
  }
  const aSignedMax = 2 ** (options.activationBits - 1) - 1;
  const aUnsignedMax = 2 ** options.activationBits - 1;
  const fallback = layer.threshold > 0 ? layer.threshold : 1;
  const seen = range.maxOutput > 0 ? range.maxOutput : layer.output === 'membrane' && range.maxMembrane > 0 ? range.maxMembrane : fallback;
  const outFrac =
    layer.output === 'binary' ? 0
    : layer.output === 'excess' ? Math.min(accFrac, fracFor(seen, aUnsignedMax))
    : Math.min(accFrac, fracFor(seen, aSignedMax));
  if (!layer.recurrent) return { weightFrac, stateFrac: accFrac, outFrac };
  return { weightFrac, stateFrac: accFrac, outFrac, recurrentFrac: recurrentFracs(layer.recurrent.data, layer.units, accFrac - outFrac, options) };
}

/**
 * Recurrent weights fill `weightBits` like the input weights, but may keep at most `room` fraction bits (membrane frac
 * minus output frac), so that recurrent.accShift = membrane frac - weight frac - output frac is a left shift (>= 0).
 * The membrane frac is the input accumulator's: its outputs (spikes, or excess values at their own frac) are coarse.
 */
function recurrentFracs(data: Float32Array, units: number, room: number, options: LowerOptions): number[] {
  return weightFracs(data, units, options).weightFrac.map((f) => Math.min(f, room));
}

/** Fraction bits an identity layer's membrane may keep below its input's (bounded by the 32-bit membrane). */
export const IDENTITY_EXTRA_FRAC = 8;

/**
 * 0 when an identity layer is exact at its input's fraction (an IF neuron on integer spikes: decay 0 or 1, no
 * refractory factor, threshold, bias and reset value on the input's grid), else IDENTITY_EXTRA_FRAC so that the
 * leak's rounding (at most 1/2 lsb per step) and the constants stay well below one input lsb.
 */
function identityExtraFrac(layer: SpikingLayer, inFrac: number): number {
  const onGrid = (x: number): boolean => Number.isInteger(x * 2 ** inFrac);
  const exact =
    (layer.decay === 0 || layer.decay === 1) &&
    layer.reset.kind !== 'refractory' &&
    (layer.reset.kind !== 'value' || onGrid(layer.reset.value)) &&
    onGrid(layer.threshold) &&
    layer.bias.data.every(onGrid);
  return exact ? 0 : IDENTITY_EXTRA_FRAC;
}

/** The IR type a spiking layer outputs, given its formats. */
export function spikingOutType(layer: SpikingLayer, outFrac: number, activationBits: number): IntType {
  switch (layer.output) {
    case 'binary':
      return intType(false, 1, 0);
    case 'excess':
      return intType(false, activationBits, outFrac);
    case 'membrane':
      return intType(true, activationBits, outFrac);
    default: {
      const never: never = layer.output;
      return never;
    }
  }
}

export const chooseFormats: Pass = {
  name: 'choose-formats',
  run(state) {
    const { model, options, ranges } = state;
    if (!ranges) throw new SnncError('ir', 'choose-formats needs calibrate to run first');
    const aSignedMax = 2 ** (options.activationBits - 1) - 1;
    let inType = inputType(model, state.inputFrac);
    const formats: LayerFormats[] = model.layers.map((layer, l) => {
      const inFrac = inType.frac;
      const range = ranges[l]!;
      let f: LayerFormats;
      switch (layer.kind) {
        case 'conv': {
          const { weightFrac } = weightFracs(layer.weights.data, layer.filters, options);
          // The output may not keep more fraction bits than the least precise filter's accumulator has.
          const outFrac = Math.min(fracFor(range.maxOutput, aSignedMax), smallest(weightFrac) + inFrac);
          f = { inFrac, weightFrac, stateFrac: outFrac, outFrac };
          inType = intType(true, options.activationBits, outFrac);
          break;
        }
        case 'pool': {
          const pool = poolFormat(layer, inType);
          f = { inFrac, weightFrac: [], stateFrac: pool.outType.frac, outFrac: pool.outType.frac, pool };
          inType = pool.outType;
          break;
        }
        case 'spiking': {
          f = { inFrac, ...spikingFormats(layer, range, inFrac, options) };
          inType = spikingOutType(layer, f.outFrac, options.activationBits);
          break;
        }
        default: {
          const never: never = layer;
          return never;
        }
      }
      return f;
    });
    return { ...state, formats };
  },
};
