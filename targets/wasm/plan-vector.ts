/**
 * @fileoverview When a dense layer's membrane update runs in i32x4 lanes (4 units at once) instead of per unit in
 * i64: only when the bounds (ir/bounds.ts) prove every intermediate fits int32. scaleBy(a, {m, s}) with |a| <= A:
 * - direct: (a*m + 2^(s-1)) >> s, when A*m + 2^(s-1) < 2^31;
 * - split:  a = hi*2^s + lo (0 <= lo < 2^s): hi*m + ((lo*m + 2^(s-1)) >> s), exact because hi*m*2^s is a multiple
 *   of 2^s; when (2^s - 1)*m + 2^(s-1) < 2^31 and (A/2^s + 1)*m < 2^30.
 */
import type { SpikingBounds } from '../../ir/bounds.ts';
import { maxOf, minOf } from '../../ir/int-type.ts';
import { foldFactor, hull, type FoldedFactor } from '../../ir/interval.ts';
import type { SpikingOp } from '../../ir/spiking.ts';

export interface Scale32 {
  readonly mode: 'zero' | 'direct' | 'split';
  readonly mul: number;
  readonly shift: number;
}

export interface VectorUpdate {
  readonly decay: Scale32;
  /** The refractory reset's factor, when the reset is refractory. */
  readonly reset: Scale32 | undefined;
  /** The accShift every unit shares, or 'powers': a table of 2^accShift[j] multiplies each lane. */
  readonly accShift: number | 'powers';
}

const LIMIT = 2 ** 31;
const fits = (min: number, max: number): boolean => min >= -LIMIT && max < LIMIT;

/** How scaleBy(a, f) runs in i32 lanes for |a| <= bound, or undefined when it cannot. */
export function scale32(f: FoldedFactor, bound: number): Scale32 | undefined {
  const { mul, shift } = f;
  const half = shift > 0 ? 2 ** (shift - 1) : 0;
  if (mul === 0) return { mode: 'zero', mul, shift };
  if (bound * mul + half < LIMIT) return { mode: 'direct', mul, shift };
  if (shift > 0 && (2 ** shift - 1) * mul + half < LIMIT && (Math.floor(bound / 2 ** shift) + 1) * mul < 2 ** 30) return { mode: 'split', mul, shift };
  return undefined;
}

/** The vector update of a dense layer whose accumulators are i32, or undefined when some value could leave int32. */
export function planVectorUpdate(op: SpikingOp, bounds: SpikingBounds): VectorUpdate | undefined {
  const first = op.accShift[0]!;
  const accShift = op.accShift.every((s) => s === first) ? first : 'powers';
  if (op.accShift.some((s) => s > 30)) return undefined;
  const drive = hull(bounds.drive);
  if (!fits(2 * drive.min, 2 * drive.max) || op.bias.some((b) => Math.abs(b) >= 2 ** 30)) return undefined;
  if (!fits(bounds.preClamp.min, bounds.preClamp.max) || !fits(bounds.state.min, bounds.state.max)) return undefined;
  const lo = minOf(op.membraneType);
  const hi = maxOf(op.membraneType);
  const thr = op.threshold;
  const out = op.output;
  const outShift = out.kind === 'binary' ? 0 : out.shift;
  const half = outShift > 0 ? 2 ** (outShift - 1) : 0;
  if (thr >= LIMIT || !fits(lo - thr, hi + half) || !fits(lo - thr, hi - thr + half)) return undefined;
  const decay = scale32(foldFactor(op.decay), Math.max(-bounds.state.min, bounds.state.max));
  if (!decay) return undefined;
  let reset: Scale32 | undefined;
  if (op.reset.kind === 'refractory') {
    const u = Math.max(-lo, hi);
    reset = scale32(foldFactor(op.reset), u);
    if (!reset || u + (u * op.reset.mul) / 2 ** op.reset.shift + 1 >= LIMIT) return undefined;
  }
  return { decay, reset, accShift };
}
