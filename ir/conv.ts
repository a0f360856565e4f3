/**
 * @fileoverview Conv op (stateless, every timestep), square kernel, zero padding, output flattened CHW.
 *
 *   acc[f,i,j] = bias[f] + sum_{c,ki,kj} weights[f,c,ki,kj] * x[c, i*stride+ki-padding, j*stride+kj-padding]
 *                (x outside the image is 0)                                       exact; |acc| fits accType
 *   outShape[1] = floor((inShape[1] + 2*padding - kernel) / stride) + 1, likewise [2]
 *   y[f,i,j]   = clamp(roundShift(acc[f,i,j], outShift[f]), outType)
 * roundShift(a, s) = floor((a + 2^(s-1)) / 2^s) for s > 0, a for s = 0 (round half up).
 */
import type { IntType } from './int-type.ts';

export interface ConvOp {
  readonly kind: 'conv';
  readonly name: string;
  readonly inShape: readonly [channels: number, height: number, width: number];
  readonly outShape: readonly [filters: number, height: number, width: number];
  readonly kernel: number;
  /** >= 1; the paper's models use 1. */
  readonly stride: number;
  /** Zero padding on every side, 0 <= padding < kernel; the paper's models use 0. */
  readonly padding: number;
  readonly inType: IntType;
  /** [filters, channels, kernel, kernel] row-major. */
  readonly weights: readonly number[];
  readonly weightType: IntType;
  /** Per filter: a weight w means w * 2^-weightFrac[f]. Informational; the semantics use outShift. */
  readonly weightFrac: readonly number[];
  /** Per filter, in accumulator units (frac weightFrac[f] + inType.frac). */
  readonly bias: readonly number[];
  readonly accType: IntType;
  readonly outShift: readonly number[];
  readonly outType: IntType;
  /** A fixed filter bank (e.g. Gabor) rather than learned weights. */
  readonly learned: boolean;
}
