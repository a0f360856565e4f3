/**
 * @fileoverview Pass: prove widths from the actual integers. It reads the one bound analysis (ir/bounds.ts) and
 * narrows: accumulators get exactly the bits their worst case needs; the membrane bound follows the integration over
 * all T steps (decay, input, reset), and when it fits 32 bits the program is marked free of membrane saturation;
 * otherwise 32 bits with the clamp as part of the semantics (a recurrent sum is narrowed like an accumulator, and a
 * synaptic current whose clamp can trigger also leaves the program unproven). Pools are exact by construction (pool-format.ts): their
 * bound is checked, not narrowed.
 */
import { SnncError } from '../../base/errors.ts';
import { largest } from '../../base/array-extent.ts';
import { programBounds, scoreMagnitude, type ConvBounds, type PoolBounds, type SpikingBounds } from '../../ir/bounds.ts';
import type { ConvOp } from '../../ir/conv.ts';
import { intType, maxOf, minOf, signedBitsFor } from '../../ir/int-type.ts';
import type { PoolOp } from '../../ir/pool.ts';
import type { IrLayer, Program } from '../../ir/program.ts';
import type { SpikingOp } from '../../ir/spiking.ts';
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

function narrowSpiking(op: SpikingOp, bounds: SpikingBounds): { op: SpikingOp; proven: boolean } {
  const accType = intType(true, signedBitsFor(largest(bounds.accMagnitude, 1)), op.accType.frac);
  if (accType.bits + largest(op.accShift) > WIDE_BITS) refuse(op, `its aligned accumulator needs ${accType.bits + largest(op.accShift)} bits (at most ${WIDE_BITS})`);
  if (op.output.kind !== 'binary' && op.output.shift > MAX_SHIFT) refuse(op, `its output shift exceeds ${MAX_SHIFT}`);
  if (op.output.kind !== 'binary' && op.output.shift < 0) refuse(op, 'its output keeps more fraction bits than its membrane');
  if (op.accShift.some((s) => s < 0)) refuse(op, 'its accumulator has more fraction bits than its membrane');
  const rec = op.recurrent;
  const recurrent = rec && { ...rec, accType: intType(true, signedBitsFor(largest(bounds.recurrentMagnitude, 1)), rec.accType.frac) };
  if (recurrent && recurrent.accType.bits + largest(recurrent.accShift) > WIDE_BITS) refuse(op, `its aligned recurrent sum needs ${recurrent.accType.bits + largest(recurrent.accShift)} bits (at most ${WIDE_BITS})`);
  const bits = signedBitsFor(bounds.membraneMagnitude);
  // A synaptic current's clamp that can trigger is saturation too (ir/bounds.ts bounds it over the T steps).
  const proven = bits <= MAX_MEMBRANE_BITS && bounds.currentClampFree;
  const membraneType = intType(true, proven ? Math.max(bits, 2) : MAX_MEMBRANE_BITS, op.membraneType.frac);
  const resetValue = op.reset.kind === 'value' ? op.reset.value : 0;
  const currentBiasOk = !op.synaptic?.bias || op.synaptic.bias.every((b) => b >= minOf(op.synaptic!.type) && b <= maxOf(op.synaptic!.type));
  if (op.threshold > maxOf(membraneType) || op.bias.some((b) => Math.abs(b) > maxOf(membraneType)) || resetValue < minOf(membraneType) || resetValue > maxOf(membraneType) || !currentBiasOk) {
    throw new SnncError('unsupported', `layer ${op.name}: its threshold, bias or reset value needs more than ${MAX_MEMBRANE_BITS} membrane bits at ${op.membraneType.frac} fraction bits`);
  }
  return { op: { ...op, accType, membraneType, ...(recurrent ? { recurrent } : {}) }, proven };
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
