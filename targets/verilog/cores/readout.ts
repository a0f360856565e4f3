/**
 * @fileoverview snn_readout: class scores score[k] += u[k] for the steps the readout counts (given by the top as
 * FIRST..LAST of the last layer's computing step, which folds in its delay), then the argmax (smallest k among the
 * largest) and a valid/ready stream of CLASSES beats {class, score, label, last}.
 */
import {
  add, cond, div, eq, ge, gt, if_, index, land, lit, lor, ModuleBuilder, mul, ne, num, or, range, set, sext, shl, shr, signed, sub, switch_, zext, type Expr, type Module, type Stmt,
} from '../netlist.ts';
import { atMost, markUnused, sized } from './common.ts';

const IDLE = 0;
const SCAN = 1;
const EMIT = 2;
/** Two cycles for the last comparison to reach best and out_label (phases 2 and 0). */
const SETTLE = 3;

/**
 * `ring`: snn_readout_ring, for a last layer that sends its units in order 0..CLASSES-1 every step (one lane, the
 * board flow's --later-lanes 1). The scores sit in one shift register, class k at the head after k rotations: every
 * add rotates it (adding into the head when the step counts), and so does every scan and output beat, so no
 * CLASSES-way read or write select is built (the UP5K's LUTs are what it saves).
 */
export function readoutModule(options: { ring?: boolean } = {}): Module {
  const ring = options.ring ?? false;
  const b = new ModuleBuilder(ring ? 'snn_readout_ring' : 'snn_readout', ring
    ? 'score accumulation in a ring, argmax and the output stream'
    : 'score accumulation, argmax and the output stream');
  const classes = b.param('CLASSES', num(2));
  const classBits = b.param('CLASS_BITS', num(1));
  const memBits = b.param('MEM_BITS', num(16));
  const scoreBits = b.param('SCORE_BITS', num(24));
  const stepBits = b.param('STEP_BITS', num(1));
  const any = b.param('ANY', num(1), '0: no step is counted (every score is 0)');
  const firstStep = b.param('FIRST', num(0), 'first counted step of the last layer');
  const lastStep = b.param('LAST', num(0), 'last counted step of the last layer');
  const totalAdds = ring ? b.param('TOTAL_ADDS', num(1), 'adds of one image (steps x CLASSES): the scan starts after the last') : undefined;
  const addsBits = ring ? b.param('ADDS_BITS', num(1), 'bits of TOTAL_ADDS') : undefined;
  const clk = b.input('clk');
  const rst = b.input('rst');
  const clear = b.input('clear');
  const step = b.input('step', stepBits);
  const addValid = b.input('add_valid');
  const addIndex = b.input('add_index', classBits);
  const addU = b.input('add_u', memBits, true);
  const finish = b.input('finish');
  const outValid = b.output('out_valid');
  const outReady = b.input('out_ready');
  const outClass = b.output('out_class', classBits, { reg: true });
  const outScore = b.output('out_score', scoreBits, { signed: true });
  const outLabel = b.output('out_label', classBits, { reg: true });
  const outLast = b.output('out_last');
  const done = b.output('done', undefined, { reg: true });
  const lastClass = sized(b, 'LAST_CLASS', classBits, classes, 1);
  const from = sized(b, 'FIRST_STEP', stepBits, firstStep);
  const to = sized(b, 'LAST_STEP', stepBits, lastStep);
  const scoreArray = ring ? undefined : b.memory('scores', scoreBits, classes, true);
  const scoreRing = ring ? b.reg('scores', mul(classes, scoreBits)) : undefined;
  const best = b.reg('best', scoreBits, true);
  const candidate = b.reg('candidate', scoreBits, true);
  const candidateClass = b.reg('candidate_class', classBits);
  b.comment('each class takes three scan cycles (phase 0, 1, 2): its candidate is captured; its halves are compared with');
  b.comment('best\'s (high signed, low unsigned); the halves decide greater, which moves best in the next phase 0');
  const phase = b.reg('phase', num(2));
  const greater = b.reg('greater');
  b.comment('candidate_first: the candidate is class 0, taken whatever best holds');
  const candidateFirst = b.reg('candidate_first');
  const lowBits = b.localparam('LOW_SCORE_BITS', div(scoreBits, num(2)));
  const highGreater = b.reg('high_greater');
  const highEqual = b.reg('high_equal');
  const lowGreater = b.reg('low_greater');
  const high = (x: Expr): Expr => signed(range(x, sub(scoreBits, num(1)), lowBits));
  const low = (x: Expr): Expr => range(x, sub(lowBits, num(1)), num(0));
  const atPhase = (p: number): Expr => eq(phase, lit(p, 2));
  const state = b.reg('state', num(2));
  const counted = b.wire('counted');
  const current = b.wire('current', scoreBits, true);
  const k = ring ? num(0) : b.integer('k');
  if (ring) markUnused(b, 'index', addIndex);
  const afterFirst = b.wire('after_first');
  b.comment('the comparisons exist only where they can fail (the linter rejects constant ones)');
  const beforeLast = atMost(b, 'before_last', step, stepBits, to);
  b.generateIf('from_zero', eq(firstStep, num(0)), (g) => g.assign(afterFirst, lit(1, 1)), (g) => g.assign(afterFirst, ge(step, from)));
  b.assign(counted, land(land(eq(any, num(1)), afterFirst), beforeLast));
  markUnused(b, 'step', step);
  let rotate: Stmt[] = [];
  let idle: Stmt[] = [if_(finish, [set(state, num(SCAN)), set(outClass, num(0))])];
  if (scoreRing && totalAdds && addsBits) {
    // `finish` can come before the neuron core's last updates have reached the readout: the ring waits for them.
    const adds = b.reg('adds', addsBits);
    const allAdds = sized(b, 'ALL_ADDS', addsBits, totalAdds);
    const pending = b.reg('pending');
    // adds == ALL_ADDS a cycle late, as a register (the compare sat on nextpnr's critical path); adds stops there
    const allIn = b.reg('all_in');
    b.always(clk, [if_(lor(rst, clear), [set(adds, num(0)), set(pending, num(0)), set(allIn, num(0))], [
      if_(addValid, [set(adds, add(adds, num(1)))]),
      set(allIn, eq(adds, allAdds)),
      if_(finish, [set(pending, num(1))]),
      if_(land(eq(state, num(IDLE)), land(pending, allIn)), [set(pending, num(0))]),
    ])]);
    idle = [if_(land(pending, allIn), [set(state, num(SCAN)), set(outClass, num(0))])];
    const head = b.wire('head', scoreBits, true);
    const headNext = b.wire('head_next', scoreBits);
    const rotated = b.wire('rotated', mul(classes, scoreBits));
    b.assign(head, range(scoreRing, sub(scoreBits, num(1)), num(0)));
    b.assign(headNext, cond(land(addValid, counted), add(head, sext(addU, memBits, scoreBits)), head));
    b.assign(rotated, or(shr(scoreRing, scoreBits), shl(zext(headNext, scoreBits, mul(classes, scoreBits)), mul(sub(classes, num(1)), scoreBits))));
    b.assign(current, head);
    const turns = lor(lor(addValid, land(eq(state, num(SCAN)), atPhase(1))), land(eq(state, num(EMIT)), outReady));
    rotate = [if_(turns, [set(scoreRing, rotated)])];
  } else {
    b.assign(current, index(scoreArray!, outClass));
  }
  b.assign(outScore, current);
  b.assign(outValid, eq(state, num(EMIT)));
  b.assign(outLast, eq(outClass, lastClass));
  b.always(clk, [
    set(done, num(0)),
    if_(lor(rst, clear), [
      scoreRing ? set(scoreRing, num(0)) : { kind: 'for', variable: 'k', from: num(0), below: classes, body: [set(index(scoreArray!, k), num(0))] },
      set(state, num(IDLE)),
      set(phase, lit(0, 2)),
      set(greater, num(0)),
    ], [
      ...(scoreRing ? rotate : [if_(land(addValid, counted), [addPerClass(scoreArray!, k, addIndex, classes, classBits, sext(addU, memBits, scoreBits))])]),
      set(phase, cond(atPhase(0), cond(eq(state, num(SCAN)), lit(1, 2), lit(0, 2)), cond(atPhase(1), lit(2, 2), lit(0, 2)))),
      if_(land(atPhase(0), eq(state, num(SCAN))), [set(candidate, current), set(candidateClass, outClass), set(candidateFirst, eq(outClass, num(0)))]),
      set(highGreater, gt(high(candidate), high(best))),
      set(highEqual, eq(high(candidate), high(best))),
      set(lowGreater, gt(low(candidate), low(best))),
      set(greater, land(atPhase(2), lor(candidateFirst, lor(highGreater, land(highEqual, lowGreater))))),
      if_(greater, [set(best, candidate), set(outLabel, candidateClass)]),
      switch_(state, [
        { labels: [num(IDLE)], body: idle },
        {
          labels: [num(SCAN)],
          body: [if_(atPhase(1), [
            if_(ne(outClass, lastClass), [set(outClass, add(outClass, num(1)))], [set(outClass, num(0)), set(state, num(SETTLE))]),
          ])],
        },
        { labels: [num(SETTLE)], body: [if_(atPhase(0), [set(state, num(EMIT))])] },
        {
          labels: [num(EMIT)],
          body: [
            if_(outReady, [
              if_(ne(outClass, lastClass), [set(outClass, add(outClass, num(1)))], [set(state, num(IDLE)), set(done, num(1))]),
            ]),
          ],
        },
      ], [set(state, num(IDLE))]),
    ]),
  ]);
  return b.build();
}

/**
 * scores[k] += u for the class k that add_index names, as one adder per class enabled by a decode of add_index: a
 * CLASSES-way read select in front of one shared adder was the non-board designs' critical path.
 */
function addPerClass(scores: Expr, k: Expr, addIndex: Expr, classes: Expr, classBits: Expr, u: Expr): Stmt {
  const low = range(k, sub(classBits, num(1)), num(0));
  return { kind: 'for', variable: 'k', from: num(0), below: classes, body: [if_(eq(addIndex, low), [set(index(scores, k), add(index(scores, k), u))])] };
}
