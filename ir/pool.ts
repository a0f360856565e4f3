/**
 * @fileoverview Pool op (stateless, every timestep): sum or average pooling, square window, zero padding, CHW.
 *
 *   acc[c,i,j] = sum_{ki,kj < kernel} x[c, i*stride+ki-padding, j*stride+kj-padding]   (outside the image: 0) exact
 *   y[c,i,j]   = clamp(roundShift(acc[c,i,j] * scale.mul, scale.shift), outType)
 * sum: scale = {mul 1, shift 0}.  avg: scale ~ 1/kernel^2 (exact when kernel^2 is a power of two).
 *   outShape = [channels, floor((H + 2*padding - kernel)/stride) + 1, floor((W + 2*padding - kernel)/stride) + 1]
 */
import type { IntType } from './int-type.ts';
import type { Factor } from './spiking.ts';

export interface PoolOp {
  readonly kind: 'pool';
  readonly name: string;
  readonly mode: 'sum' | 'avg';
  readonly inShape: readonly [channels: number, height: number, width: number];
  readonly outShape: readonly [channels: number, height: number, width: number];
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
  readonly inType: IntType;
  readonly scale: Factor;
  readonly outType: IntType;
}
