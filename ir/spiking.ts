/**
 * @fileoverview Spiking layer op: synapse + membrane, all integer. For unit j at step t, input x:
 *
 *   acc_j = dense: sum_i weights[j,i] * x_i   identity: x_j (inputs == units)     exact; |acc_j| fits accType
 *   rec_j = recurrent: sum_k recurrent.weights[j,k] * r_k, r = this layer's o of step t-1 (0 at t = 0)   else 0
 *   in_j  = (acc_j << accShift[j]) + (rec_j << recurrent.accShift[j])
 *   c_j   = synaptic: clamp(scaleBy(c_j, synaptic.decay) + in_j + cb_j, synaptic.type)   (c_j of step t-1, 0 at t = 0;
 *           cb_j = synaptic.bias[j], or 0 without it)
 *           else: in_j                                                          (no current state)
 *   u_j   = clamp(roundShift(v_j * decay.mul, decay.shift) + c_j + bias[j], membraneType)
 *   f_j   = output membrane: false    otherwise: u_j > threshold
 *   o_j   = membrane: clamp(roundShift(u_j, output.shift), output.type)          (a non-firing LI / integrator)
 *           otherwise !f_j ? 0 : excess: clamp(roundShift(u_j - threshold, output.shift), output.type)   binary: 1
 *   v_j   = !f_j ? u_j : refractory: clamp(u_j - roundShift(u_j * reset.mul, reset.shift), membraneType)
 *                        subtract:   u_j - threshold
 *                        zero:       0
 *                        value:      reset.value                  (NIR v_reset, in membrane units)
 *                        none:       (only with output membrane, which never fires)
 * v starts at 0. Visible at step t: (u, o) of step t (delay 0), or of step t-1 and zeros at t = 0 (delay 1).
 * roundShift(a, s) = floor((a + 2^(s-1)) / 2^s) for s > 0, a for s = 0 (round half up); << is exact.
 */
import type { IntType } from './int-type.ts';

/** Multiply-and-shift factor: value * mul / 2^shift, rounded half up. */
export interface Factor {
  readonly mul: number;
  readonly shift: number;
}

export type IrOutput =
  | { readonly kind: 'excess'; readonly shift: number; readonly type: IntType }
  | { readonly kind: 'binary'; readonly type: IntType }
  | { readonly kind: 'membrane'; readonly shift: number; readonly type: IntType };

export type IrReset =
  | ({ readonly kind: 'refractory' } & Factor)
  | { readonly kind: 'subtract' }
  | { readonly kind: 'zero' }
  | { readonly kind: 'value'; readonly value: number }
  | { readonly kind: 'none' };

/**
 * Recurrent synapse: the layer's own output o of the previous step, r, through weights [units, units].
 * rec_j = sum_k weights[j,k] * r_k (exact; |rec_j| fits accType), then shifted by accShift[j] onto the membrane's
 * fraction bits: weightFrac[j] + output.type.frac + accShift[j] = membraneType.frac.
 */
export interface RecurrentSynapse {
  /** [units, units] row-major: weights[j * units + k] takes unit k's previous output to unit j. */
  readonly weights: readonly number[];
  readonly weightType: IntType;
  /** Per unit: informational, as the input synapse's. */
  readonly weightFrac: readonly number[];
  /** bits bound the unshifted |rec_j|; frac is the membrane's (after accShift), informational. */
  readonly accType: IntType;
  readonly accShift: readonly number[];
}

/**
 * Synaptic current (NIR CubaLIF's second state): c_j = clamp(scaleBy(c_j, decay) + in_j + bias[j], type), starting
 * at 0; u_j adds the new c_j. type is signed and has the membrane's fraction bits. A firing unit keeps its current.
 */
export interface SynapticCurrent {
  readonly decay: Factor;
  readonly type: IntType;
  /**
   * Per unit, in the current's (= the membrane's) units: added to c_j every step after its decay, with in_j, before
   * its clamp (NIR: an Affine's bias into a CubaLIF). Absent: 0 for every unit.
   */
  readonly bias?: readonly number[];
}

/** The current bias of unit j: synaptic.bias[j], 0 without it (or without a synaptic current). */
export function currentBias(op: SpikingOp, j: number): number {
  return op.synaptic?.bias?.[j] ?? 0;
}

export interface SpikingOp {
  readonly kind: 'spiking';
  readonly name: string;
  readonly inputs: number;
  readonly units: number;
  readonly inType: IntType;
  /** dense: weights [units, inputs]; identity: acc_j = x_j, inputs == units, weights empty (after a conv or pool). */
  readonly synapse: 'dense' | 'identity';
  /** [units, inputs] row-major; [] for the identity synapse. */
  readonly weights: readonly number[];
  readonly weightType: IntType;
  /** Per unit: a weight w means w * 2^-weightFrac[j]. Informational; the semantics use accShift. */
  readonly weightFrac: readonly number[];
  readonly accType: IntType;
  /** Per unit left shift aligning acc_j to the membrane's fraction bits. */
  readonly accShift: readonly number[];
  /** Per unit, in membrane units. */
  readonly bias: readonly number[];
  readonly membraneType: IntType;
  readonly decay: Factor;
  /** In membrane units, >= 0; 0 and unused with output membrane. */
  readonly threshold: number;
  readonly output: IrOutput;
  readonly reset: IrReset;
  readonly delay: 0 | 1;
  /** Absent: no recurrent current (rec_j = 0). */
  readonly recurrent?: RecurrentSynapse;
  /** Absent: no current state (c_j = in_j). */
  readonly synaptic?: SynapticCurrent;
}
