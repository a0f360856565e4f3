/**
 * @fileoverview Spiking layer op: synapse + membrane, all integer. For unit j at step t, input x:
 *
 *   acc_j = dense: sum_i weights[j,i] * x_i   identity: x_j (inputs == units)     exact; |acc_j| fits accType
 *   u_j   = clamp(roundShift(v_j * decay.mul, decay.shift) + (acc_j << accShift[j]) + bias[j], membraneType)
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
}
