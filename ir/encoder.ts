/**
 * @fileoverview Input encoders. A sample (type `input.type`, unsigned) becomes x_t each timestep.
 *
 * jitter:  x_t[i] = p[i] == 0 ? 0 : (p[i] * r) >> jitterBits          (floor; r = xorshift32 >>> (32 - jitterBits))
 *          One generator step per nonzero pixel, CHW order, timestep-major (runtime/prng.ts); seed is an input.
 * direct:  x_t[i] = p[i]
 * events:  x_t[i] = f[t, i]            the sample is T frames of event counts, frame-major: f[t, i] = s[t * P + i],
 *                                      P = C * H * W, every count at most max(input.type) (binning saturates)
 * All produce `outType` = the input type: the first layer's weights absorb the model's pixel (or event) scale.
 * How events become frames is `binning` (docs/ir.md "Event input"; data/events.ts is its definition).
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

/**
 * Events (time tau in integer microseconds) into T frames of counts:
 *   b = floor((tau - startUs) / binUs); kept when 0 <= b < T, else dropped (before the window or past its end)
 *   dvs (x, y, polarity p):   c = p when the input has 2 channels, 0 when it has 1;  f[b, (c * H + y) * W + x] += 1
 *   channels (channel n):     input [N, 1, 1];                                       f[b, n] += 1
 *   every count saturates at max(input.type).
 *   frames: the sample arrives as frames already (sequences such as smnist's rows); binUs and startUs are unused.
 */
export interface EventBinning {
  readonly source: 'dvs' | 'channels' | 'frames';
  /** Microseconds per timestep, >= 1. */
  readonly binUs: number;
  /** Start of the window in microseconds, >= 0. */
  readonly startUs: number;
}

export interface EventsEncoder {
  readonly kind: 'events';
  readonly binning: EventBinning;
  readonly outType: IntType;
}

export type IrEncoder = JitterEncoder | DirectEncoder | EventsEncoder;

/** Values in one sample: P pixels, or T frames of P counts for the events encoder. */
export function sampleLength(encoder: IrEncoder, shape: readonly number[], timesteps: number): number {
  const pixels = shape.reduce((a, b) => a * b, 1);
  return encoder.kind === 'events' ? timesteps * pixels : pixels;
}
