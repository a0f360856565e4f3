/**
 * @fileoverview What the wasm target refuses, from its own limits only. Every intermediate is computed in i64 (or in
 * i32 lanes only where plan.ts proves the values fit), and the IR keeps every value below 2^53, so any valid program
 * is exact; what remains is memory: the plan must fit the target's wasm memory. A valid program is assumed.
 */
import { SnncError } from '../../base/errors.ts';
import type { Program } from '../../ir/program.ts';
import type { OptionsToCheck, TargetLimits } from '../target.ts';
import { MAX_MEMORY_BYTES, planWasm } from './plan.ts';

/** The wasm target's limits as data: i64 arithmetic, exact below 2^63. */
export const LIMITS: TargetLimits = { exactBits: 63 };

/** The wasm target reads no emit option that could be out of range. */
export function checkOptions(_options: OptionsToCheck): void {}

/** Bytes of wasm memory a program's weights, tables and buffers need (a quick estimate before planning). */
function memoryEstimate(program: Program): number {
  let bytes = 0;
  let width = program.input.shape.reduce((a, b) => a * b, 1);
  bytes += 40 * width + (program.encoder.kind === 'events' ? program.timesteps * (width + 16) : 0);
  for (const op of program.layers) {
    if (op.kind === 'spiking') {
      bytes += 4 * op.weights.length + 60 * op.units + 8 * (op.inputs + 4) + (op.recurrent ? 4 * op.recurrent.weights.length + 16 * (op.units + 1) : 0) + (op.synaptic ? (op.synaptic.bias ? 16 : 8) * op.units : 0);
      width = op.units;
    } else {
      const out = op.outShape.reduce((a, b) => a * b, 1);
      bytes += (op.kind === 'conv' ? 4 * op.weights.length : 0) + 16 * out;
      width = out;
    }
  }
  return bytes + 16 * width;
}

/** Throws SnncError('unsupported') when the program does not fit the wasm memory the target plans. */
export function checkProgram(program: Program): void {
  const last = program.layers[program.layers.length - 1];
  if (last?.kind !== 'spiking') throw new SnncError('unsupported', 'the last layer must be spiking: the readout sums its visible values');
  const limit = MAX_MEMORY_BYTES;
  if (memoryEstimate(program) > limit) throw new SnncError('unsupported', `the program needs more than ${limit / 2 ** 20} MiB of wasm memory`);
  const pages = planWasm(program).pages;
  if (pages * 65536 > limit) throw new SnncError('unsupported', `the program needs ${pages * 64} KiB of wasm memory, more than ${limit / 2 ** 20} MiB`);
}
