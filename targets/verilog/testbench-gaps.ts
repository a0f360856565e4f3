/**
 * @fileoverview The bench's seeded gaps: with +gap=PERCENT (0..99) every valid the bench drives (in_valid) and every
 * ready it drives (out_ready) is held low on that share of cycles, drawn from an xorshift32 that each image or sample
 * seeds with its own seed XOR 0x9e3779b9 (0 becomes 1). The gaps are the same on every run and in both simulators, so
 * a failure under back-pressure replays. Without +gap (or with 0) valid and ready are never held low.
 */
import { call, eq, if_, land, let_, lit, lt, type ModuleBuilder, mod, ne, num, shl, shr, str, xor, type Expr, type Stmt } from './netlist.ts';

/** Mixed into the image's seed, so the gap stream is not the jitter encoder's stream (which also starts from it). */
const GOLDEN_RATIO = 0x9e3779b9;

export interface BenchGaps {
  /** Reads +gap (call in the initial block, before the first image). */
  readonly setup: readonly Stmt[];
  /** Seeds the generator with an image's seed (a 32-bit expression). */
  readonly seed: (seed: Expr) => Stmt[];
  /** Draws the next cycle's number; `now` is then true on a gap cycle. */
  readonly draw: readonly Stmt[];
  readonly now: Expr;
}

export function benchGaps(b: ModuleBuilder): BenchGaps {
  const gap = b.integer('gap');
  const rng = b.reg('rng', num(32));
  return {
    setup: [let_(gap, num(0)), if_(call('$value$plusargs', str('gap=%d'), gap), [])],
    seed: (seed) => [let_(rng, xor(seed, lit(GOLDEN_RATIO, 32))), if_(eq(rng, lit(0, 32)), [let_(rng, lit(1, 32))])],
    draw: [
      let_(rng, xor(rng, shl(rng, num(13)))),
      let_(rng, xor(rng, shr(rng, num(17)))),
      let_(rng, xor(rng, shl(rng, num(5)))),
    ],
    now: land(ne(gap, num(0)), lt(mod(rng, lit(100, 32)), gap)),
  };
}
