/**
 * @fileoverview The test bench's address-event driver (events designs): per sample it reads a hex seed, a hex beat
 * count and the beats {eot, address, count} (hex, eot in the top bit; run.ts `aerBeats` writes them) and streams them
 * through the top's in_addr / in_count / in_eot over valid/ready, with in_valid held low on the bench's gap cycles
 * (testbench-gaps.ts, seeded by the sample's seed); cycles then include the gaps.
 */
import { add, eq, if_, index, land, let_, lit, lt, type ModuleBuilder, ne, num, range, type Expr, type Stmt } from './netlist.ts';
import type { DesignPlan } from './plan.ts';
import { negedge } from './testbench-common.ts';
import type { BenchGaps } from './testbench-gaps.ts';

/** What the shared bench gives the driver. */
export interface BenchContext {
  readonly clk: Expr;
  readonly inValid: Expr;
  readonly inReady: Expr;
  readonly cycle: Expr;
  readonly startCycle: Expr;
  readonly i: Expr;
  readonly got: Expr;
  readonly value: Expr;
  readonly running: Expr;
  readonly gaps: BenchGaps;
  readonly checkTimeout: Stmt;
  readonly read: (target: Expr, format: string) => Stmt;
  readonly fail: (message: string) => Stmt[];
}

export interface AerDriver {
  readonly ports: Record<string, Expr>;
  /** Streams one sample's beats. */
  readonly stimulus: (c: BenchContext) => Stmt[];
}

export function aerDriver(b: ModuleBuilder, plan: DesignPlan): AerDriver {
  const aer = plan.aer!;
  const beatBits = aer.addrBits + aer.countBits + 1;
  const inAddr = b.reg('in_addr', num(aer.addrBits), false, lit(0, aer.addrBits));
  const inCount = b.reg('in_count', num(aer.countBits), false, lit(0, aer.countBits));
  const inEot = b.reg('in_eot', undefined, false, lit(0, 1));
  const beat = b.reg('beat', num(beatBits));
  const beats = b.integer('beats');
  return {
    ports: { in_addr: inAddr, in_count: inCount, in_eot: inEot },
    stimulus: (c) => [
      c.read(c.value, '%h'),
      ...c.gaps.seed(c.value),
      c.read(beats, '%h'),
      if_(ne(c.got, num(1)), c.fail('the input file ends early')),
      let_(c.i, num(0)),
      let_(c.startCycle, c.cycle),
      if_(lt(c.i, beats), [c.read(beat, '%h')]),
      { kind: 'while', test: land(lt(c.i, beats), c.running), body: [
        negedge(c.clk),
        ...c.gaps.draw,
        if_(c.gaps.now, [let_(c.inValid, lit(0, 1))], [
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
  };
}
