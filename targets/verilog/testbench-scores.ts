/**
 * @fileoverview The bench's side of the score stream. Per image every class starts unseen; beats are taken on
 * out_valid && out_ready (out_ready held low on gap cycles) until the one with out_last. The bench rejects, with one
 * `error ...` line in its output file, a beat dropped or changed while out_ready was low (valid/ready: a beat waits for
 * its handshake), a class outside 0..CLASSES-1, a class sent twice, and a class never sent: so every score written is
 * one the design sent for this image, never one kept from an earlier image.
 */
import {
  cat, ge, if_, index, land, let_, lit, lnot, lor, type ModuleBuilder, ne, num, range, ref, type Expr, type Stmt,
} from './netlist.ts';
import type { DesignPlan } from './plan.ts';
import { negedge } from './testbench-common.ts';
import type { BenchGaps } from './testbench-gaps.ts';

/** What the bench gives the collector: its score-stream nets, where scores go, and how it waits and fails. */
export interface ScoreContext {
  readonly clk: Expr;
  readonly cycle: Expr;
  readonly outValid: Expr;
  readonly outReady: Expr;
  readonly outClass: Expr;
  readonly outScore: Expr;
  readonly outLabel: Expr;
  readonly outLast: Expr;
  readonly scores: Expr;
  readonly label: Expr;
  readonly endCycle: Expr;
  readonly gaps: BenchGaps;
  readonly running: Expr;
  readonly checkTimeout: Stmt;
  /** Writes `error MESSAGE` (a $fwrite format) to the output file and ends the simulation. */
  readonly reject: (message: string, ...args: Expr[]) => Stmt[];
}

export interface ScoreCollector {
  /** Takes one image's beats; ends with out_ready high. */
  readonly take: readonly Stmt[];
  /** After a run that did not time out: rejects a class never sent. */
  readonly complete: readonly Stmt[];
}

export function scoreCollector(b: ModuleBuilder, plan: DesignPlan, c: ScoreContext): ScoreCollector {
  const ro = plan.readout;
  const seen = b.memory('seen', num(1), num(ro.classes));
  const held = b.reg('held');
  const beat = cat(c.outClass, c.outScore, c.outLabel, c.outLast);
  const beatBits = 2 * ro.classBits + ro.scoreBits + 1;
  const heldBeat = b.reg('held_beat', num(beatBits));
  const heldClass = range(heldBeat, beatBits - 1, beatBits - ro.classBits);
  const k = ref('k');
  const taken = b.reg('taken');
  const readyOrStall: Stmt[] = [...c.gaps.draw, let_(c.outReady, lnot(c.gaps.now))];
  // A class index can exceed CLASSES - 1 only when CLASSES is not a power of two.
  const outOfRange = ro.classes < 2 ** ro.classBits
    ? [if_(ge(c.outClass, num(ro.classes)), c.reject(`the design sent class %0d, outside 0..${ro.classes - 1}`, c.outClass))]
    : [];
  return {
    take: [
      { kind: 'for', variable: 'k', from: num(0), below: num(ro.classes), body: [let_(index(seen, k), lit(0, 1))] },
      let_(held, lit(0, 1)),
      let_(taken, lit(0, 1)),
      ...readyOrStall,
      { kind: 'while', test: land(lnot(taken), c.running), body: [
        if_(land(held, lor(lnot(c.outValid), ne(beat, heldBeat))), c.reject('the design dropped or changed its beat of class %0d while out_ready was low', heldClass)),
        let_(held, land(c.outValid, lnot(c.outReady))),
        let_(heldBeat, beat),
        if_(land(c.outValid, c.outReady), [
          ...outOfRange,
          if_(index(seen, c.outClass), c.reject('the design sent class %0d twice', c.outClass)),
          let_(index(seen, c.outClass), lit(1, 1)),
          let_(index(c.scores, c.outClass), c.outScore),
          let_(c.label, c.outLabel),
          if_(c.outLast, [let_(c.endCycle, c.cycle), let_(taken, lit(1, 1))]),
        ]),
        negedge(c.clk),
        ...readyOrStall,
        c.checkTimeout,
      ] },
      let_(c.outReady, lit(1, 1)),
    ],
    complete: [
      { kind: 'for', variable: 'k', from: num(0), below: num(ro.classes), body: [if_(lnot(index(seen, k)), c.reject('the design sent no score for class %0d', k))] },
    ],
  };
}
