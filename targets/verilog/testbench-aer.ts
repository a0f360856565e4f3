/**
 * @fileoverview The test bench's address-event driver (events designs): per sample it reads a hex seed, a hex beat
 * count and the beats {eot, address, count} (hex, eot in the top bit; run.ts `aerBeats` writes them) and streams them
 * through the top's in_addr / in_count / in_eot over valid/ready. With +gap=PERCENT (0..99) it holds in_valid low and
 * out_ready low on that share of cycles, drawn from an xorshift32 seeded by the sample's seed, so the design is
 * checked under back-pressure and bubbles; cycles then include the gaps.
 */
import { add, call, eq, if_, index, land, let_, lit, lnot, lt, type ModuleBuilder, mod, ne, num, range, shl, shr, str, xor, type Expr, type Stmt } from './netlist.ts';
import type { DesignPlan } from './plan.ts';

/** What the shared bench gives the driver. */
export interface BenchContext {
  readonly clk: Expr;
  readonly inValid: Expr;
  readonly inReady: Expr;
  readonly outReady: Expr;
  readonly cycle: Expr;
  readonly startCycle: Expr;
  readonly i: Expr;
  readonly got: Expr;
  readonly value: Expr;
  readonly running: Expr;
  readonly checkTimeout: Stmt;
  readonly read: (target: Expr, format: string) => Stmt;
  readonly fail: (message: string) => Stmt[];
}

export interface AerDriver {
  readonly ports: Record<string, Expr>;
  /** Reads +gap (call in the initial block). */
  readonly setup: Stmt[];
  /** Streams one sample's beats. */
  readonly stimulus: (c: BenchContext) => Stmt[];
  /** After each output-loop edge: the next out_ready. */
  readonly stall: (c: BenchContext) => Stmt[];
}

const GOLDEN_RATIO = 0x9e3779b9;

export function aerDriver(b: ModuleBuilder, plan: DesignPlan): AerDriver {
  const aer = plan.aer!;
  const beatBits = aer.addrBits + aer.countBits + 1;
  const inAddr = b.reg('in_addr', num(aer.addrBits), false, lit(0, aer.addrBits));
  const inCount = b.reg('in_count', num(aer.countBits), false, lit(0, aer.countBits));
  const inEot = b.reg('in_eot', undefined, false, lit(0, 1));
  const beat = b.reg('beat', num(beatBits));
  const beats = b.integer('beats');
  const gap = b.integer('gap');
  const rng = b.reg('rng', num(32));
  const step: Stmt[] = [
    let_(rng, xor(rng, shl(rng, num(13)))),
    let_(rng, xor(rng, shr(rng, num(17)))),
    let_(rng, xor(rng, shl(rng, num(5)))),
  ];
  const gapNow = land(ne(gap, num(0)), lt(mod(rng, lit(100, 32)), gap));
  const negedge = (clk: Expr): Stmt => ({ kind: 'wait-edge', edge: 'negedge', signal: clk });
  return {
    ports: { in_addr: inAddr, in_count: inCount, in_eot: inEot },
    setup: [let_(gap, num(0)), if_(call('$value$plusargs', str('gap=%d'), gap), [])],
    stimulus: (c) => [
      c.read(c.value, '%h'),
      let_(rng, xor(c.value, lit(GOLDEN_RATIO, 32))),
      if_(eq(rng, lit(0, 32)), [let_(rng, lit(1, 32))]),
      c.read(beats, '%h'),
      if_(ne(c.got, num(1)), c.fail('the input file ends early')),
      let_(c.i, num(0)),
      let_(c.startCycle, c.cycle),
      if_(lt(c.i, beats), [c.read(beat, '%h')]),
      { kind: 'while', test: land(lt(c.i, beats), c.running), body: [
        negedge(c.clk),
        ...step,
        if_(gapNow, [let_(c.inValid, lit(0, 1))], [
          let_(c.inValid, lit(1, 1)),
          let_(inEot, index(beat, num(beatBits - 1))),
          let_(inAddr, range(beat, beatBits - 2, aer.countBits)),
          let_(inCount, range(beat, aer.countBits - 1, 0)),
          if_(c.inReady, [
            if_(eq(c.i, num(0)), [let_(c.startCycle, c.cycle)]),
            let_(c.i, add(c.i, num(1))),
            if_(lt(c.i, beats), [c.read(beat, '%h'), if_(ne(c.got, num(1)), c.fail('the input file ends early'))]),
          ]),
        ]),
        c.checkTimeout,
      ] },
    ],
    stall: (c) => [...step, let_(c.outReady, lnot(gapNow))],
  };
}
