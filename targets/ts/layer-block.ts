/**
 * @fileoverview The first layer's drive for a block of timesteps (plan.ts, TIME_BLOCK), when a jitter encoder feeds a
 * dense spiking layer. The encoder has drawn the block's inputs ahead into xBlock[b][n] (nonzero pixel n at timestep
 * t0 + b); one pass over the nonzero pixels then adds each pixel's weight row, loaded once, times its value at every
 * timestep of the block:
 *   acc[b][k] = sum_n W'[pixIdx[n]][k] * xBlock[b][n]      (W' transposed and scaled by 2^accShift, or lane-packed)
 * A zero draw adds 0. Each row of acc goes through the partial sums of one timestep's exact dot product, so the plan's
 * drive range (and, packed, every lane's bound) covers every intermediate, as in the event loops of layer-spiking.ts.
 */
import type { CodeBlockWriter } from 'ts-morph';
import { accumulate } from './expr.ts';
import type { SpikingPlan } from './plan.ts';

/** Pixels per pass: each pass loads and stores every accumulator of the block once for this many rows. */
const PIXEL_GROUP = 4;

/** The words (packed) or units of one timestep's accumulators. */
function width(p: SpikingPlan): number {
  return p.packing?.words ?? p.op.units;
}

/** The block's accumulation: acc[b][k] for every timestep b of the block, from bias (or 0, packed) up. */
export function blockDrive(p: SpikingPlan, block: number): (w: CodeBlockWriter) => void {
  const { op, prefix: l, packing } = p;
  const words = width(p);
  const weights = packing ? `${l}P` : `${l}W`;
  const kind = packing ? 'Float64Array' : p.driveKind;
  const pixels = p.input.length;
  const steps = Array.from({ length: block }, (_, b) => b);
  const pass = (w: CodeBlockWriter, group: number): void => {
    const rows = Array.from({ length: group }, (_, g) => g);
    const at = (g: number): string => (g === 0 ? 'n' : `n + ${g}`);
    w.writeLine(`const ${rows.map((g) => `a${g} = pixIdx[${at(g)}]! * ${words}`).join(', ')};`);
    for (const b of steps) w.writeLine(`const ${rows.map((g) => `x${b}${g} = xBlock[${b === 0 ? '' : `${b * pixels} + `}${at(g)}]!`).join(', ')};`);
    w.write(`for (let k = 0; k < ${words}; k++)`).block(() => {
      w.writeLine(`const ${rows.map((g) => `w${g} = ${weights}[a${g} + k]!`).join(', ')};`);
      for (const b of steps) {
        const q = b === 0 ? 'k' : `${b * words} + k`;
        w.writeLine(`${l}Acc[${q}] = ${accumulate(kind, `${l}Acc[${q}]!`, rows.map((g) => `w${g} * x${b}${g}`).join(' + '))};`);
      }
    });
  };
  return (w) => {
    w.writeLine(`// ${op.name}: the drive of ${block} timesteps in one pass${packing ? ` (${packing.lanes} units per double, ${packing.laneBits}-bit lanes)` : ''}: each nonzero pixel's row is`);
    w.writeLine(`// loaded once and added times the pixel's value at each of them; x<b><g> is pixel n + g at timestep t0 + b.`);
    if (packing) w.writeLine(`${l}Acc.fill(0);`);
    else w.writeLine(`for (let b = 0; b < ${block}; b++) ${l}Acc.set(${l}Bias, b * ${words});`);
    w.block(() => {
      w.writeLine('let n = 0;');
      w.write(`for (; n + ${PIXEL_GROUP} <= pixN; n += ${PIXEL_GROUP})`).block(() => pass(w, PIXEL_GROUP));
      w.write('for (; n < pixN; n++)').block(() => pass(w, 1));
    });
  };
}

/** Timestep t's drive from its row of the block: unpacked lanes plus bias, or the row itself (bias included). */
export function blockRow(w: CodeBlockWriter, p: SpikingPlan): void {
  const words = width(p);
  if (p.packing) return unpackLanes(w, p, `(t - t0) * ${words} + `);
  w.writeLine(`${p.prefix}D.set(${p.prefix}Acc.subarray((t - t0) * ${words}, (t - t0 + 1) * ${words}));`);
}

/**
 * drive = unpacked accumulators + bias, from the words of `${l}Acc` at `row` ('' or an offset and ' + '). The lowest
 * lane of a word is its exact remainder nearest 0, because every lane lies inside +-2^(laneBits-1).
 */
export function unpackLanes(w: CodeBlockWriter, p: SpikingPlan, row: string): void {
  const l = p.prefix;
  const { lanes, laneBits, words } = p.packing!;
  w.writeLine(`// Unpack: the lowest lane is the exact remainder nearest 0, because every lane lies inside +-2^${laneBits - 1}.`);
  w.write(`for (let k = 0, j = 0; k < ${words}; k++)`).block(() => {
    w.writeLine(`let p = ${l}Acc[${row}k]!;`);
    w.writeLine(`for (let m = 1; m < ${lanes}; m++, j++) { const q = Math.round(p * ${2 ** -laneBits}); ${l}D[j] = p - q * ${2 ** laneBits} + ${l}Bias[j]!; p = q; }`);
    w.writeLine(`${l}D[j] = p + ${l}Bias[j]!;`);
    w.writeLine('j++;');
  });
}
