/**
 * @fileoverview snn_prng: the jitter generator, xorshift32 with shifts 13, 17, 5, bit-identical to runtime/prng.ts.
 * Seed 0 loads 0x6D2B79F5 (xorshift has no zero state); `next` is the state after one step, and `step` commits it.
 * `mark` saves the state and `rewind` restores it, so a replayed pass over the same pixels draws the same numbers.
 */
import { cond, eq, if_, lit, ModuleBuilder, num, set, shl, shr, xor, type Module } from '../netlist.ts';
import { ZERO_SEED_STATE } from '../../../runtime/prng.ts';

export function prngModule(): Module {
  const b = new ModuleBuilder('snn_prng', 'xorshift32 (13, 17, 5), one step per nonzero pixel');
  const clk = b.input('clk');
  const load = b.input('load');
  const seed = b.input('seed', num(32));
  const step = b.input('step');
  const mark = b.input('mark');
  const rewind = b.input('rewind');
  const state = b.output('state', num(32), { reg: true });
  const next = b.output('next', num(32));
  const a = b.wire('a', num(32));
  const c = b.wire('c', num(32));
  b.assign(a, xor(state, shl(state, lit(13, 5))));
  b.assign(c, xor(a, shr(a, lit(17, 5))));
  b.assign(next, xor(c, shl(c, lit(5, 5))));
  const saved = b.reg('saved', num(32));
  b.comment('mark/rewind: a layer that replays its events once per group of units replays the same draws');
  b.always(clk, [
    if_(mark, [set(saved, state)]),
    if_(load, [set(state, cond(eq(seed, lit(0, 32)), lit(ZERO_SEED_STATE, 32), seed))], [
      if_(rewind, [set(state, saved)], [if_(step, [set(state, next)])]),
    ]),
  ]);
  return b.build();
}
