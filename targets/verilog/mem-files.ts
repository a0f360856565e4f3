/**
 * @fileoverview The $readmemh images: weight words laid out for the lanes, and per-unit / per-filter constants.
 * One hex word per line; lane 0 (or the low field) in the least significant bits; negative values in two's complement.
 * A pool stage's images are those of its conv form (plan.ts poolAsConv); an identity spiking layer has no weights.
 */
import type { ConvPlan, SpikingPlan } from './plan.ts';

export type MemKind = 'weights' | 'units';

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

export function spikingWeights(s: SpikingPlan): string {
  const { inputs, units, weights } = s.op;
  const words: string[] = [];
  for (let g = 0; g < s.groups; g++) {
    for (let i = 0; i < inputs; i++) {
      const fields: [number, number][] = [];
      for (let q = 0; q < s.lanes; q++) {
        const j = g * s.lanes + q;
        fields.push([j < units ? weights[j * inputs + i]! : 0, s.weightBits]);
      }
      words.push(packWord(fields));
    }
  }
  return lines(words);
}

export function spikingUnits(s: SpikingPlan): string {
  const words = s.op.bias.map((bias, j) => {
    const fields: [number, number][] = [[bias, s.biasBits]];
    if (s.shiftBits > 0) fields.push([s.op.accShift[j]! - s.accShift, s.shiftBits]);
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
