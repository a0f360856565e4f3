/**
 * @fileoverview snn_neuron: the update of a spiking layer's units, one group of LANES units per `capture` (which
 * latches the synapse's accumulators, so the next group can accumulate meanwhile), one unit per cycle through a
 * pipeline cut for clock speed (units are independent, so depth costs a few cycles per step and nothing else):
 *   s0  read membrane v[j] and the unit's {accShift, bias}      s1  take lane q of the captured accumulators
 *   s2  v * DECAY_MUL, acc << shift                              s3  roundShift(v * DECAY_MUL), acc + bias
 *   s4  sum = the two (exact)                                    s5  u = clamp(sum)
 *   s6  fired = u > THRESHOLD, u - THRESHOLD, u * RESET_MUL       s7  the two round-half-up shifts
 *   s8  output, u - penalty (narrow)                             s9  reset value (the refractory clamp)
 *   s10 write v' = fired ? reset(u) : u, present (j, u, o): the layer turns nonzero o into events and the readout
 *   adds u (or o). Each adder chain has a stage of its own, for the UP5K's clock.
 * v reads as 0 in step 0 (`first`, latched at capture), so no clearing pass is needed between inferences.
 * Output membrane (OUTPUT_KIND 2) never fires: o = clamp(roundShift(u, OUT_SHIFT)), v' = u.
 * IDENTITY = 1 (acc_j = x_j): no synapse; the step's events (ev_*) are written to a unit-addressed RAM, and one capture
 * walks every unit, reading acc[j] at s0 and clearing it behind itself at s1. The top starts the layer's next step only
 * once this core is idle, so event writes and the walk never overlap.
 * snn_neuron_current (`current`: a recurrent synapse or a synaptic current) adds, after s2, two stages for the input
 * current: in_j = (acc << shift) + (rec << REC_SHIFT..), then c = SYNAPTIC ? clamp(scaleBy(c, SYN_DECAY) + in_j) : in_j,
 * which the membrane sum adds instead of acc. rec_word holds the recurrent synapse's lanes (an identity core's has a lane
 * per unit); c is a RAM like the membrane, 0 in step 0, written when the unit's c is known.
 */
import {
  add, cond, eq, gt, if_, index, lit, lnot, lor, lt, minus1, ModuleBuilder, mul, num, part, range, ref, repeat, set, sext,
  sshl, str, sub, cat, type Expr, type Module,
} from '../netlist.ts';
import { clampSigned, markUnused, roundShift, sized } from './common.ts';
import { currentInput, currentParamBits, currentParams, currentStages, currentState, writeCurrent } from './neuron-current.ts';

export interface NeuronOptions {
  /** snn_neuron_current: a recurrent term and a synaptic current (the feed-forward snn_neuron stays as it was). */
  readonly current: boolean;
  /** snn_neuron_current with SYN_BIAS_BITS: some layer's synaptic current has a bias. */
  readonly currentBias?: boolean;
}

export function neuronModule(options: NeuronOptions = { current: false }): Module {
  const current = options.current;
  const b = current
    ? new ModuleBuilder('snn_neuron_current', 'membrane update with a recurrent term and a synaptic current, threshold, output and reset')
    : new ModuleBuilder('snn_neuron', 'membrane update, threshold, output and reset, one unit per cycle');
  const units = b.param('UNITS', num(1));
  const lanes = b.param('LANES', num(1));
  const unitBits = b.param('UNIT_BITS', num(1));
  const laneBits = b.param('LANE_BITS', num(1));
  const accBits = b.param('ACC_BITS', num(16));
  const memBits = b.param('MEM_BITS', num(16), 'membrane bits, signed');
  const sumBits = b.param('SUM_BITS', num(40), 'holds every exact intermediate of the update');
  const biasBits = b.param('BIAS_BITS', num(8));
  const shiftBits = b.param('SHIFT_BITS', num(0), 'bits of the per-unit extra accumulator shift (0: none)');
  const accShift = b.param('ACC_SHIFT', num(0), 'accumulator shift common to all units');
  const decayBits = b.param('DECAY_BITS', num(2));
  b.wideParam('DECAY_MUL', decayBits, true, lit(1, 2, true));
  const decayShift = b.param('DECAY_SHIFT', num(0));
  const decayWidth = b.param('DECAY_WIDTH', num(4), 'holds v * DECAY_MUL and the rounding constant');
  b.wideParam('THRESHOLD', memBits, true, lit(0, 16, true));
  b.wideParam('MEM_MIN', sumBits, true, lit(0, 40, true));
  b.wideParam('MEM_MAX', sumBits, true, lit(0, 40, true));
  const memFull = b.param('MEM_FULL', num(0), '1: [MEM_MIN, MEM_MAX] is the whole signed MEM_BITS range (clamps test sign bits)');
  const outputKind = b.param('OUTPUT_KIND', num(0), '0 excess, 1 binary, 2 membrane (never fires)');
  const outBits = b.param('OUT_BITS', num(8));
  const outShift = b.param('OUT_SHIFT', num(0));
  const excessBits = b.param('EXCESS_BITS', num(34));
  b.wideParam('OUT_MIN', excessBits, true, lit(0, 34, true));
  b.wideParam('OUT_MAX', excessBits, true, lit(255, 34, true));
  const resetKind = b.param('RESET_KIND', num(0), '0 refractory, 1 subtract, 2 zero, 3 value, 4 none');
  b.wideParam('RESET_VALUE', memBits, true, lit(0, 16, true));
  const resetBits = b.param('RESET_BITS', num(2));
  b.wideParam('RESET_MUL', resetBits, true, lit(0, 2, true));
  const resetShift = b.param('RESET_SHIFT', num(0));
  const resetWidth = b.param('RESET_WIDTH', num(4), 'holds u * RESET_MUL and the rounding constant');
  b.stringParam('PARAMS_FILE', '', 'per unit {shift, bias}');
  const identity = b.param('IDENTITY', num(0), '1: acc_j = x_j from the events ev_*, no accumulator lanes');
  const xBits = b.param('X_BITS', num(1), 'identity: bits of an event value');
  const xSigned = b.param('X_SIGNED', num(0), 'identity: 1 if event values are signed');
  const cur = current ? currentParams(b, sumBits, options.currentBias === true) : undefined;
  const clk = b.input('clk');
  const rst = b.input('rst');
  const first = b.input('first', undefined);
  const capture = b.input('capture');
  const restart = b.input('restart', undefined);
  const accWord = b.input('acc_word', mul(lanes, accBits));
  const evValid = b.input('ev_valid');
  const evIndex = b.input('ev_index', unitBits);
  const evX = b.input('ev_x', xBits);
  const recWord = cur ? b.input('rec_word', mul(cur.recLanes, cur.recAccBits)) : undefined;
  const busy = b.output('busy');
  const outValid = b.output('out_valid', undefined, { reg: true });
  const outIndex = b.output('out_index', unitBits, { reg: true });
  const outU = b.output('out_u', memBits, { reg: true, signed: true });
  const outO = b.output('out_o', outBits, { reg: true });
  const threshold = ref('THRESHOLD');

  const lastUnit = sized(b, 'LAST_UNIT', unitBits, units, 1);
  const lastLane = sized(b, 'LAST_LANE', laneBits, lanes, 1);
  b.comment('s0: walk the units of the captured group; j carries on from the previous group unless `restart`');
  const s0 = b.reg('s0');
  const j0 = b.reg('j0', unitBits);
  const q0 = b.reg('q0', laneBits);
  b.comment('j0 == LAST_UNIT and q0 == LAST_LANE as registers, set with j0 and q0 (the compares sat on nextpnr\'s critical path)');
  const lastJ0 = b.reg('last_j0');
  const lastQ0 = b.reg('last_q0');
  const nextJ0 = b.wire('next_j0', unitBits);
  const nextQ0 = b.wire('next_q0', laneBits);
  const endGroup0 = b.wire('end_group0');
  b.assign(nextJ0, add(j0, num(1)));
  b.assign(nextQ0, add(q0, num(1)));
  b.generateIf('walk', eq(identity, num(0)), (g) => g.assign(endGroup0, lor(lastJ0, lastQ0)), (g) => {
    g.assign(endGroup0, lastJ0);
    markUnused(g, 'lane', lastQ0);
  });
  const stepJ0 = [set(j0, nextJ0), set(lastJ0, eq(nextJ0, lastUnit))];
  b.always(clk, [
    if_(rst, [set(s0, num(0))], [if_(capture, [
      set(s0, num(1)), set(q0, num(0)), set(lastQ0, eq(lanes, num(1))), if_(restart, [set(j0, num(0)), set(lastJ0, eq(units, num(1)))]),
    ], [
      if_(s0, [
        if_(endGroup0, [set(s0, num(0)), if_(lnot(lastJ0), stepJ0)], [...stepJ0, set(q0, nextQ0), set(lastQ0, eq(nextQ0, lastLane))]),
      ]),
    ])]),
  ]);
  const vRead = b.wire('v_read', memBits, true);
  const paramBits = cur ? add(add(biasBits, shiftBits), currentParamBits(cur)) : add(biasBits, shiftBits);
  const unitParams = b.wire('unit_params', paramBits);
  const vNew = b.reg('v_new', memBits, true);
  b.instance('snn_ram', 'membrane', { WIDTH: memBits, DEPTH: units, ADDR_BITS: unitBits, HAS_INIT: num(0), INIT_FILE: str('') }, {
    clk, re: s0, raddr: j0, rdata: vRead, we: outValid, waddr: outIndex, wdata: vNew,
  });
  b.instance('snn_ram', 'unit_rom', { WIDTH: paramBits, DEPTH: units, ADDR_BITS: unitBits, HAS_INIT: num(1), INIT_FILE: ref('PARAMS_FILE') }, {
    clk, re: s0, raddr: j0, rdata: unitParams, we: lit(0, 1), waddr: repeat(unitBits, lit(0, 1)), wdata: repeat(paramBits, lit(0, 1)),
  });
  const firstStep = b.reg('first_step');
  b.always(clk, [if_(capture, [set(firstStep, first)])]);

  // Each stage k has a valid bit and the unit index; `stage` declares both and shifts them along.
  const valid: Expr[] = [s0];
  const unit: Expr[] = [j0];
  const stage = (k: number): void => {
    valid.push(b.reg(`s${k}`));
    unit.push(b.reg(`j${k}`, unitBits));
    b.always(clk, [set(valid[k]!, cond(rst, num(0), valid[k - 1]!)), set(unit[k]!, unit[k - 1]!)]);
  };
  const regs = (k: number, pairs: readonly (readonly [string, Expr, Expr, boolean])[]): Expr[] => {
    const out = pairs.map(([name, width, , isSigned]) => b.reg(`${name}${k}`, width, isSigned));
    b.always(clk, pairs.map(([, , value], i) => set(out[i]!, value)));
    return out;
  };

  b.comment('s1: the lane, the membrane (0 in step 0), the unit parameters');
  stage(1);
  const q1 = b.reg('q1', laneBits);
  b.always(clk, [set(q1, q0)]);
  const accUnit = b.wire('acc_unit', accBits, true);
  const rec = cur && recWord ? currentState(b, cur, { clk, capture, recWord, read: s0, unit: j0, units, unitBits }) : undefined;
  b.generateIf('lanes', eq(identity, num(0)), (g) => {
    g.comment('dense: capture latches the accumulators, so the synapse can start on the next group');
    const shadow = g.reg('shadow', mul(lanes, accBits));
    g.always(clk, [if_(capture, [set(shadow, accWord)])]);
    g.assign(accUnit, part(shadow, mul(q1, accBits), accBits));
    if (rec) rec.select(g, q1);
    markUnused(g, 'events', evValid, evIndex, evX);
  }, (g) => {
    if (rec) rec.select(g, unit[1]!);
    const accRead = g.wire('acc_read', accBits);
    const x = g.wire('x_wide', accBits);
    g.generateIf('x_sign', eq(xSigned, num(1)), (h) => h.assign(x, sext(evX, xBits, accBits)), (h) => h.assign(x, cat(repeat(sub(accBits, xBits), lit(0, 1)), evX)));
    g.instance('snn_ram', 'acc_ram', { WIDTH: accBits, DEPTH: units, ADDR_BITS: unitBits, HAS_INIT: num(0), INIT_FILE: str('') }, {
      clk, re: s0, raddr: j0, rdata: accRead, we: lor(evValid, valid[1]!), waddr: cond(valid[1]!, unit[1]!, evIndex), wdata: cond(valid[1]!, repeat(accBits, lit(0, 1)), x),
    });
    g.assign(accUnit, accRead);
    markUnused(g, 'lanes', accWord, q1);
  });
  const [acc1, v1, params1, rec1, c1] = regs(1, [
    ['acc', accBits, accUnit, true],
    ['v', memBits, cond(firstStep, num(0), vRead), true],
    ['params', paramBits, unitParams, false],
    ...(cur && rec ? [['rec', cur.recAccBits, rec.unit, true] as const, ['c', cur.synBits, cond(firstStep, num(0), rec.cRead), true] as const] : []),
  ]);
  b.comment('s2: decay product and aligned accumulator');
  stage(2);
  const accAligned = b.wire('acc_aligned', sumBits, true);
  const accBase = sshl(sext(acc1!, accBits, sumBits), accShift);
  b.generateIf('fixed_shift', eq(shiftBits, num(0)), (g) => g.assign(accAligned, accBase), (g) => g.assign(accAligned, sshl(accBase, part(params1!, biasBits, shiftBits))));
  const input = cur && rec1 ? currentInput(b, cur, accAligned, rec1, params1!, add(biasBits, shiftBits)) : accAligned;
  const [decay2, acc2, bias2, cDecay2] = regs(2, [
    ['decay', decayWidth, mul(v1!, ref('DECAY_MUL')), true],
    ['acc', sumBits, input, true],
    ['bias', biasBits, range(params1!, minus1(biasBits), num(0)), true],
    ...(cur && c1 ? [['c_decay', cur.synDecayWidth, mul(c1, ref('SYN_DECAY_MUL')), true] as const] : []),
  ]);
  // The current's two stages (snn_neuron_current) come before the sum; x counts them in the later stages' names.
  const x = cur ? 2 : 0;
  let drive = acc2!;
  let [decayIn, biasIn] = [decay2!, bias2!];
  if (cur && rec && cDecay2) {
    ({ drive, decay: decayIn, bias: biasIn } = currentStages(b, cur, { stage, regs, sumBits, decay: [decay2!, decayWidth], bias: [bias2!, biasBits], input: acc2!, cDecay: cDecay2, cWrite: rec.cWrite }));
  }
  b.comment(`s${3 + x}: the decay rounded, and input plus bias (the sum is split over two stages for clock speed)`);
  stage(3 + x);
  if (cur && rec) writeCurrent(b, cur, rec.cWrite, valid[3 + x]!, unit[3 + x]!, drive);
  const decayed = roundShift(b, 'decayed', decayIn, decayWidth, decayShift);
  const [decayed3, part3] = regs(3 + x, [
    ['decayed', decayWidth, decayed, true],
    ['part', sumBits, add(drive, sext(biasIn, biasBits, sumBits)), true],
  ]);
  b.comment(`s${4 + x}: the exact sum`);
  stage(4 + x);
  const [sum4] = regs(4 + x, [['sum', sumBits, add(sext(decayed3!, decayWidth, sumBits), part3!), true]]);
  b.comment(`s${5 + x}: clamp to the membrane type`);
  stage(5 + x);
  const clamped = clampSigned(b, 'u_clamped', sum4!, sumBits, memBits, { min: ref('MEM_MIN'), max: ref('MEM_MAX'), full: memFull });
  const [u5] = regs(5 + x, [['u', memBits, clamped, true]]);
  b.comment(`s${6 + x}: threshold, excess and reset product`);
  stage(6 + x);
  const [u6, fired6, over6, product6] = regs(6 + x, [
    ['u', memBits, u5!, true],
    ['fired', num(1), gt(u5!, threshold), false],
    ['over', excessBits, sub(sext(u5!, memBits, excessBits), sext(threshold, memBits, excessBits)), true],
    ['product', resetWidth, mul(u5!, ref('RESET_MUL')), true],
  ]);
  b.comment(`s${7 + x}: round-half-up shifts of the excess and of the reset penalty`);
  stage(7 + x);
  const shifted = roundShift(b, 'shifted', over6!, excessBits, outShift);
  const penalty = roundShift(b, 'penalty', product6!, resetWidth, resetShift);
  const [u7, fired7, shifted7, penalty7] = regs(7 + x, [
    ['u', memBits, u6!, true],
    ['fired', num(1), index(fired6!, num(0)), false],
    ['shifted', excessBits, shifted, true],
    ['penalty', resetWidth, penalty, true],
  ]);
  b.comment(`s${8 + x}: output (excess | binary | membrane) and reset (refractory | subtract | zero | value | none)`);
  stage(8 + x);
  const fired = b.wire('fires');
  const o = b.wire('o', outBits);
  const max = ref('OUT_MAX');
  const min = ref('OUT_MIN');
  const low = (e: Expr): Expr => range(e, minus1(outBits), num(0));
  b.generateIf('excess', eq(outputKind, num(0)), (g) => {
    g.assign(fired, index(fired7!, num(0)));
    g.assign(o, cond(fired, cond(gt(shifted7!, max), low(max), low(shifted7!)), num(0)));
  }, (g) => g.generateIf('binary', eq(outputKind, num(1)), (h) => {
    h.assign(fired, index(fired7!, num(0)));
    h.assign(o, cat(repeat(sub(outBits, num(1)), lit(0, 1)), fired));
    markUnused(h, 'excess', shifted7!);
  }, (h) => {
    h.comment('membrane: never fires; o = clamp(roundShift(u, OUT_SHIFT))');
    h.assign(fired, lit(0, 1));
    h.assign(o, cond(lt(shifted7!, min), low(min), cond(gt(shifted7!, max), low(max), low(shifted7!))));
    markUnused(h, 'fired', fired7!);
  }));
  b.comment('u - penalty, in LOWER_BITS = max(MEM_BITS, RESET_WIDTH) + 1 (exact), clamped in the next stage');
  const lowerBits = b.localparam('LOWER_BITS', add(cond(gt(memBits, resetWidth), memBits, resetWidth), num(1)));
  const [u8, fired8, o8, lowered8] = regs(8 + x, [
    ['u', memBits, u7!, true],
    ['fired', num(1), fired, false],
    ['o', outBits, o, false],
    ['lowered', lowerBits, sub(sext(u7!, memBits, lowerBits), sext(penalty7!, resetWidth, lowerBits)), true],
  ]);
  b.comment(`s${9 + x}: the reset value (refractory | subtract | zero | value | none)`);
  stage(9 + x);
  const resetValue = b.wire('reset_value', memBits, true);
  b.generateIf('refractory', eq(resetKind, num(0)), (g) => {
    const low = (name: string): Expr => g.localparam(`LOWER_${name}`, range(ref(`MEM_${name}`), minus1(lowerBits), num(0)), lowerBits, true);
    g.assign(resetValue, clampSigned(g, 'lowered_clamped', lowered8!, lowerBits, memBits, { min: low('MIN'), max: low('MAX'), full: memFull }));
  }, (g) => {
    markUnused(g, 'lowered', lowered8!);
    g.generateIf('subtract', eq(resetKind, num(1)), (h) => h.assign(resetValue, sub(u8!, threshold)), (h) =>
      h.generateIf('zero', eq(resetKind, num(2)), (i) => i.assign(resetValue, num(0)), (i) =>
        i.generateIf('value', eq(resetKind, num(3)), (j) => j.assign(resetValue, ref('RESET_VALUE')), (j) => j.assign(resetValue, u8!))));
  });
  b.comment(`s${10 + x}: write back and present`);
  b.always(clk, [
    set(outValid, cond(rst, num(0), valid[9 + x]!)), set(outIndex, unit[9 + x]!), set(outU, u8!), set(outO, o8!), set(vNew, cond(index(fired8!, num(0)), resetValue, u8!)),
  ]);
  b.assign(busy, [...valid, outValid].reduce((a, v) => lor(a, v)));
  return b.build();
}
