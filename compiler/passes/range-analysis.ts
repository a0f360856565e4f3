/**
 * @fileoverview Pass: prove widths from the actual integers. Accumulators get exactly the bits their worst case
 * needs; the membrane bound follows the integration over all T steps (decay, input, reset), and when it fits 32 bits
 * the program is marked free of membrane saturation; otherwise 32 bits with the clamp as part of the semantics.
 * Pools are exact by construction (pool-format.ts): their bound is checked, not narrowed.
 */
import { SnncError } from '../../base/errors.ts';
import type { ConvOp } from '../../ir/conv.ts';
import { intType, maxOf, minOf, signedBitsFor, type IntType } from '../../ir/int-type.ts';
import type { PoolOp } from '../../ir/pool.ts';
import type { IrLayer } from '../../ir/program.ts';
import type { SpikingOp } from '../../ir/spiking.ts';
import { MAX_MEMBRANE_BITS, MAX_SHIFT } from './formats-policy.ts';

/** Accumulators and scores must stay exact in a double and an int64 (docs/ir.md). */
const WIDE_BITS = 48;
import type { Pass } from './state.ts';
import { largest } from '../../base/array-extent.ts';

function maxAbs(t: IntType): number {
  return Math.max(maxOf(t), -minOf(t));
}

/** Per row: sum_i |w_i| * max|x|. */
function rowBounds(weights: readonly number[], rows: number, inType: IntType): number[] {
  const cols = weights.length / rows;
  const xMax = maxAbs(inType);
  return Array.from({ length: rows }, (_, r) => {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += Math.abs(weights[r * cols + c]!);
    return sum * xMax;
  });
}

function refuse(op: { name: string }, what: string): never {
  throw new SnncError('unsupported', `layer ${op.name}: ${what}; the model's value ranges are too wide for exact fixed point`);
}

function narrowConv(op: ConvOp): ConvOp {
  const bounds = rowBounds(op.weights, op.outShape[0], op.inType).map((b, f) => b + Math.abs(op.bias[f]!));
  const bits = signedBitsFor(largest(bounds));
  if (bits > WIDE_BITS) refuse(op, `its accumulator needs ${bits} bits (at most ${WIDE_BITS})`);
  if (op.outShift.some((s) => s > MAX_SHIFT)) refuse(op, `its output shift exceeds ${MAX_SHIFT}`);
  return { ...op, accType: intType(true, bits, op.accType.frac) };
}

/**
 * Bound on |u| and |v| over `timesteps` steps for one unit whose input term is at most `drive`. After a spike,
 * |v| <= |u| for subtract (0 <= u - threshold < u) and zero, <= |1 - factor| |u| + 1 for refractory, and = |value|
 * for a value reset; a membrane-output layer never fires.
 */
export function membraneBound(op: SpikingOp, drive: number, timesteps: number): number {
  const decay = op.decay.mul / 2 ** op.decay.shift;
  const refractory = op.reset.kind === 'refractory' ? Math.abs(1 - op.reset.mul / 2 ** op.reset.shift) : 0;
  const resetValue = op.reset.kind === 'value' ? Math.abs(op.reset.value) : 0;
  let v = 0;
  let peak = 0;
  for (let t = 0; t < timesteps; t++) {
    const u = (op.decay.mul === 0 ? 0 : Math.ceil(v * decay) + 1) + drive;
    const after = op.reset.kind === 'refractory' ? Math.max(u, Math.ceil(u * refractory) + 1) : Math.max(u, resetValue);
    peak = Math.max(peak, u, after);
    v = after;
    if (!Number.isFinite(v) || v > 2 ** 52) return Infinity;
  }
  return peak;
}

/** A pool's output type holds every window (choose-formats made it so); re-checked here from the integers. */
function checkPool(op: PoolOp): PoolOp {
  const area = op.kernel * op.kernel;
  const scaled = (a: number): number => Math.floor((a * op.scale.mul + (op.scale.shift > 0 ? 2 ** (op.scale.shift - 1) : 0)) / 2 ** op.scale.shift);
  if (scaled(area * minOf(op.inType)) < minOf(op.outType) || scaled(area * maxOf(op.inType)) > maxOf(op.outType)) refuse(op, 'its output type does not hold every window');
  return op;
}

function narrowSpiking(op: SpikingOp, timesteps: number): { op: SpikingOp; proven: boolean } {
  const accBounds = op.synapse === 'identity' ? new Array<number>(op.units).fill(maxAbs(op.inType)) : rowBounds(op.weights, op.units, op.inType);
  const accType = intType(true, signedBitsFor(largest(accBounds, 1)), op.accType.frac);
  if (accType.bits + largest(op.accShift) > WIDE_BITS) refuse(op, `its aligned accumulator needs ${accType.bits + largest(op.accShift)} bits (at most ${WIDE_BITS})`);
  if (op.output.kind !== 'binary' && op.output.shift > MAX_SHIFT) refuse(op, `its output shift exceeds ${MAX_SHIFT}`);
  if (op.output.kind !== 'binary' && op.output.shift < 0) refuse(op, 'its output keeps more fraction bits than its membrane');
  if (op.accShift.some((s) => s < 0)) refuse(op, 'its accumulator has more fraction bits than its membrane');
  let bound = Math.max(op.threshold, op.reset.kind === 'value' ? Math.abs(op.reset.value) : 0);
  accBounds.forEach((a, j) => {
    const drive = a * 2 ** op.accShift[j]! + Math.abs(op.bias[j]!);
    bound = Math.max(bound, Math.abs(op.bias[j]!), membraneBound(op, drive, timesteps));
  });
  const bits = signedBitsFor(bound);
  const proven = bits <= MAX_MEMBRANE_BITS;
  const membraneType = intType(true, proven ? Math.max(bits, 2) : MAX_MEMBRANE_BITS, op.membraneType.frac);
  const resetValue = op.reset.kind === 'value' ? op.reset.value : 0;
  if (op.threshold > maxOf(membraneType) || op.bias.some((b) => Math.abs(b) > maxOf(membraneType)) || resetValue < minOf(membraneType) || resetValue > maxOf(membraneType)) {
    throw new SnncError('unsupported', `layer ${op.name}: its threshold, bias or reset value needs more than ${MAX_MEMBRANE_BITS} membrane bits at ${op.membraneType.frac} fraction bits`);
  }
  return { op: { ...op, accType, membraneType }, proven };
}

export const rangeAnalysis: Pass = {
  name: 'range-analysis',
  run(state) {
    const program = state.program;
    if (!program) throw new SnncError('ir', 'range-analysis needs quantize to run first');
    let proven = true;
    const layers: IrLayer[] = program.layers.map((op) => {
      switch (op.kind) {
        case 'conv':
          return narrowConv(op);
        case 'pool':
          return checkPool(op);
        case 'spiking': {
          const narrowed = narrowSpiking(op, program.timesteps);
          proven &&= narrowed.proven;
          return narrowed.op;
        }
        default: {
          const never: never = op;
          return never;
        }
      }
    });
    const last = layers.filter((l): l is SpikingOp => l.kind === 'spiking').pop()!;
    const read = program.readout.source === 'output' ? last.output.type : last.membraneType;
    const scoreBound = (program.timesteps - program.readout.begin) * maxAbs(read);
    const scoreBits = signedBitsFor(scoreBound);
    if (scoreBits > WIDE_BITS) refuse(last, `its readout score needs ${scoreBits} bits (at most ${WIDE_BITS})`);
    return {
      ...state,
      program: {
        ...program,
        layers,
        readout: { ...program.readout, scoreType: intType(true, scoreBits, read.frac) },
        quantization: { ...program.quantization, provenNoSaturation: proven },
      },
    };
  },
};
