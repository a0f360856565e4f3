/**
 * @fileoverview The $readmemh images: weight words laid out for the lanes, and per-unit / per-filter constants.
 * One hex word per line; lane 0 (or the low field) in the least significant bits; negative values in two's complement.
 * A pool stage's images are those of its conv form (plan.ts poolAsConv); an identity spiking layer has no weights.
 */
import type { ConvPlan, SpikingPlan } from './plan.ts';

export type MemKind = 'weights' | 'units' | 'recurrent';

/** Path of a memory image, relative to the design directory (simulators and yosys run there). */
export function memFileName(layer: number, kind: MemKind): string {
  return `mem/s${layer}_${kind}.hex`;
}

/** Packs fields (value, bits) low field first into one hex word of `sum(bits)` bits. */
export function packWord(fields: readonly (readonly [value: bigint | number, bits: number])[]): string {
  let word = 0n;
  let offset = 0n;
  let width = 0;
  for (const [value, bits] of fields) {
    const v = BigInt(value);
    const mask = (1n << BigInt(bits)) - 1n;
    if (v < -(1n << BigInt(bits)) || v > mask) throw new RangeError(`${v} does not fit ${bits} bits`);
    word |= (v & mask) << offset;
    offset += BigInt(bits);
    width += bits;
  }
  return word.toString(16).padStart(Math.ceil(width / 4), '0');
}

function lines(words: readonly string[]): string {
  return words.join('\n') + '\n';
}

/** Weight words [group][input] of a [rows, inputs] row-major matrix, lane q of a word holding row group * lanes + q. */
function laneWords(weights: readonly number[], rows: number, inputs: number, at: { lanes: number; groups: number; bits: number }): string {
  const words: string[] = [];
  for (let g = 0; g < at.groups; g++) {
    for (let i = 0; i < inputs; i++) {
      const fields: [number, number][] = [];
      for (let q = 0; q < at.lanes; q++) {
        const j = g * at.lanes + q;
        fields.push([j < rows ? weights[j * inputs + i]! : 0, at.bits]);
      }
      words.push(packWord(fields));
    }
  }
  return lines(words);
}

export function spikingWeights(s: SpikingPlan): string {
  return laneWords(s.op.weights, s.op.units, s.op.inputs, { lanes: s.lanes, groups: s.groups, bits: s.weightBits });
}

/** The recurrent synapse's words, laid out as the input synapse's with the layer's own units as inputs. */
export function recurrentWeights(s: SpikingPlan): string {
  const rec = s.recurrent;
  if (!rec || !s.op.recurrent) return lines([]);
  return laneWords(s.op.recurrent.weights, s.op.units, s.op.units, { lanes: rec.lanes, groups: rec.groups, bits: rec.weightBits });
}

/**
 * Per unit {bias, extra accShift, extra recurrent.accShift, synaptic.bias}, low field first; a shift field only when its
 * bits are > 0, the current's bias only when the layer has one.
 */
export function spikingUnits(s: SpikingPlan): string {
  const recShift = s.op.recurrent?.accShift;
  const words = s.op.bias.map((bias, j) => {
    const fields: [number, number][] = [[bias, s.biasBits]];
    if (s.shiftBits > 0) fields.push([s.op.accShift[j]! - s.accShift, s.shiftBits]);
    if (s.recurrent && recShift && s.recurrent.shiftBits > 0) fields.push([recShift[j]! - s.recurrent.shift, s.recurrent.shiftBits]);
    if (s.current && s.current.biasBits > 0) fields.push([s.op.synaptic!.bias![j]!, s.current.biasBits]);
    return packWord(fields);
  });
  return lines(words);
}

export function convWeights(c: ConvPlan): string {
  const [channels] = c.op.inShape;
  const [filters] = c.op.outShape;
  const k = c.op.kernel;
  const words: string[] = [];
  for (let ch = 0; ch < channels; ch++) {
    for (let ki = 0; ki < k; ki++) {
      for (let kj = 0; kj < k; kj++) {
        for (let g = 0; g < c.groups; g++) {
          const fields: [number, number][] = [];
          for (let q = 0; q < c.lanes; q++) {
            const f = g * c.lanes + q;
            fields.push([f < filters ? c.op.weights[((f * channels + ch) * k + ki) * k + kj]! : 0, c.weightBits]);
          }
          words.push(packWord(fields));
        }
      }
    }
  }
  return lines(words);
}

export function convFilters(c: ConvPlan): string {
  return lines(c.op.bias.map((bias, f) => packWord([[bias, c.biasBits], [c.op.outShift[f]!, c.shiftBits]])));
}
