/** @fileoverview The one check of a sample against a program: its length, and event counts within the input type. */
import { sampleLength } from '../ir/encoder.ts';
import { maxOf } from '../ir/int-type.ts';
import type { Program } from '../ir/program.ts';

/** Throws RangeError naming the problem: a wrong length, or an event count above max(input.type). */
export function checkSample(program: Program, sample: Uint8Array): void {
  const expected = sampleLength(program.encoder, program.input.shape, program.timesteps);
  if (sample.length !== expected) {
    const what = program.encoder.kind === 'events' ? `${program.timesteps} frames of ${expected / program.timesteps} counts` : `${expected} pixels`;
    throw new RangeError(`sample has ${sample.length} values, the program wants ${what}`);
  }
  if (program.encoder.kind !== 'events') return;
  const top = maxOf(program.input.type);
  if (top >= 255) return;
  const at = sample.findIndex((v) => v > top);
  if (at >= 0) throw new RangeError(`event count ${sample[at]} at frame ${Math.floor(at / (expected / program.timesteps))} exceeds the input type's ${top} (bin with saturation)`);
}
