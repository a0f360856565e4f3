/**
 * @fileoverview Pass: prove widths from the actual integers. It reads the one bound analysis (ir/bounds.ts) and
 * narrows: accumulators get exactly the bits their worst case needs; the membrane bound follows the integration over
 * all T steps (decay, input, reset), and when it fits 32 bits the program is marked free of membrane saturation;
 * otherwise 32 bits with the clamp as part of the semantics. Pools are exact by construction (pool-format.ts): their
 * bound is checked, not narrowed.
 */
import { SnncError } from '../../base/errors.ts';
import { largest } from '../../base/array-extent.ts';
import { programBounds, scoreMagnitude, type ConvBounds, type PoolBounds, type SpikingBounds } from '../../ir/bounds.ts';
import type { ConvOp } from '../../ir/conv.ts';
import { intType, maxOf, minOf, signedBitsFor } from '../../ir/int-type.ts';
import type { PoolOp } from '../../ir/pool.ts';
import type { IrLayer, Program } from '../../ir/program.ts';
import type { RecurrentSynapse, SpikingOp } from '../../ir/spiking.ts';
import { MAX_MEMBRANE_BITS, MAX_SHIFT } from './formats-policy.ts';
import type { Pass } from './state.ts';

/** Accumulators and scores must stay exact in a double and an int64 (docs/ir.md). */
const WIDE_BITS = 48;

function refuse(op: { name: string }, what: string): never {
  throw new SnncError('unsupported', `layer ${op.name}: ${what}; the model's value ranges are too wide for exact fixed point`);
}

function narrowConv(op: ConvOp, bounds: ConvBounds): ConvOp {
  const bits = signedBitsFor(largest(bounds.accMagnitude));
  if (bits > WIDE_BITS) refuse(op, `its accumulator needs ${bits} bits (at most ${WIDE_BITS})`);
  if (op.outShift.some((s) => s > MAX_SHIFT)) refuse(op, `its output shift exceeds ${MAX_SHIFT}`);
  return { ...op, accType: intType(true, bits, op.accType.frac) };
}

/** A pool's output type holds every window (choose-formats made it so); re-checked here from the integers. */
function checkPool(op: PoolOp, bounds: PoolBounds): PoolOp {
  if (bounds.declaredScaled.min < minOf(op.outType) || bounds.declaredScaled.max > maxOf(op.outType)) refuse(op, 'its output type does not hold every window');
  return op;
}

/**
 * A recurrent accumulator's bits: sum_k |weights[j,k]| of binary spikes. ir/bounds.ts does not bound recurrent and
 * synaptic layers yet, so until it does their membrane and current stay at 32 bits with the clamp in the semantics.
 */
function narrowRecurrent(op: SpikingOp, recurrent: RecurrentSynapse): RecurrentSynapse {
  let worst = 1;
  for (let j = 0; j < op.units; j++) {
    let sum = 0;
    for (let k = 0; k < op.units; k++) sum += Math.abs(recurrent.weights[j * op.units + k]!);
    worst = Math.max(worst, sum);
  }
  const accType = intType(true, signedBitsFor(worst), recurrent.accType.frac);
  if (accType.bits + largest(recurrent.accShift) > WIDE_BITS) refuse(op, `its aligned recurrent accumulator needs ${accType.bits + largest(recurrent.accShift)} bits (at most ${WIDE_BITS})`);
  if (recurrent.accShift.some((s) => s < 0 || s > MAX_SHIFT)) refuse(op, `its recurrent accumulator shift is outside 0..${MAX_SHIFT}`);
  return { ...recurrent, accType };
}

function narrowSpiking(op: SpikingOp, bounds: SpikingBounds): { op: SpikingOp; proven: boolean } {
  const accType = intType(true, signedBitsFor(largest(bounds.accMagnitude, 1)), op.accType.frac);
  if (accType.bits + largest(op.accShift) > WIDE_BITS) refuse(op, `its aligned accumulator needs ${accType.bits + largest(op.accShift)} bits (at most ${WIDE_BITS})`);
  if (op.output.kind !== 'binary' && op.output.shift > MAX_SHIFT) refuse(op, `its output shift exceeds ${MAX_SHIFT}`);
  if (op.output.kind !== 'binary' && op.output.shift < 0) refuse(op, 'its output keeps more fraction bits than its membrane');
  if (op.accShift.some((s) => s < 0)) refuse(op, 'its accumulator has more fraction bits than its membrane');
  // not bounded for recurrent and synaptic layers yet (narrowRecurrent): 32 bits, not proven
  const bits = op.recurrent || op.synaptic ? undefined : signedBitsFor(bounds.membraneMagnitude);
  const proven = bits !== undefined && bits <= MAX_MEMBRANE_BITS;
  const membraneType = intType(true, proven ? Math.max(bits, 2) : MAX_MEMBRANE_BITS, op.membraneType.frac);
  const resetValue = op.reset.kind === 'value' ? op.reset.value : 0;
  if (op.threshold > maxOf(membraneType) || op.bias.some((b) => Math.abs(b) > maxOf(membraneType)) || resetValue < minOf(membraneType) || resetValue > maxOf(membraneType)) {
    throw new SnncError('unsupported', `layer ${op.name}: its threshold, bias or reset value needs more than ${MAX_MEMBRANE_BITS} membrane bits at ${op.membraneType.frac} fraction bits`);
  }
  return { op: { ...op, accType, membraneType, ...(op.recurrent ? { recurrent: narrowRecurrent(op, op.recurrent) } : {}) }, proven };
}

export const rangeAnalysis: Pass = {
  name: 'range-analysis',
  run(state) {
    const program = state.program;
    if (!program) throw new SnncError('ir', 'range-analysis needs quantize to run first');
    const bounds = programBounds(program);
    let proven = true;
    const layers: IrLayer[] = program.layers.map((op, l) => {
      const at = bounds.layers[l]!;
      switch (op.kind) {
        case 'conv':
          return narrowConv(op, at as ConvBounds);
        case 'pool':
          return checkPool(op, at as PoolBounds);
        case 'spiking': {
          const narrowed = narrowSpiking(op, at as SpikingBounds);
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
    // The score reads the narrowed membrane type, so its bound comes from the narrowed program.
    const narrowed: Program = { ...program, layers };
    const scoreBits = signedBitsFor(scoreMagnitude(narrowed));
    if (scoreBits > WIDE_BITS) refuse(last, `its readout score needs ${scoreBits} bits (at most ${WIDE_BITS})`);
    return {
      ...state,
      program: {
        ...narrowed,
        readout: { ...program.readout, scoreType: intType(true, scoreBits, read.frac) },
        quantization: { ...program.quantization, provenNoSaturation: proven },
      },
    };
  },
};
