/**
 * @fileoverview Input encoders. Pixels p (type `input.type`, 0..255) become x_t each timestep.
 *
 * jitter:  x_t[i] = p[i] == 0 ? 0 : (p[i] * r) >> jitterBits          (floor; r = xorshift32 >>> (32 - jitterBits))
 *          One generator step per nonzero pixel, CHW order, timestep-major (runtime/prng.ts); seed is an input.
 * direct:  x_t[i] = p[i]
 * Both produce `outType` = the input type (u8.8): the first layer's weights absorb the model's pixel scale.
 */
import type { IntType } from './int-type.ts';

export interface JitterEncoder {
  readonly kind: 'jitter';
  readonly prng: 'xorshift32';
  /** Bits of each random draw, 1..16. */
  readonly jitterBits: number;
  readonly outType: IntType;
}

export interface DirectEncoder {
  readonly kind: 'direct';
  readonly outType: IntType;
}

export type IrEncoder = JitterEncoder | DirectEncoder;
