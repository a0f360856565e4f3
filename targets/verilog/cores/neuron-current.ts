/**
 * @fileoverview What snn_neuron_current adds to the neuron core (neuron.ts): the recurrent synapse's accumulators,
 * latched at capture like the input's and aligned by REC_SHIFT plus a per-unit extra shift; and the synaptic current,
 * c = clamp(roundShift(c * SYN_DECAY_MUL, SYN_DECAY_SHIFT) + in_j, [SYN_MIN, SYN_MAX]) in a RAM like the membrane's,
 * read as 0 in step 0. Without SYNAPTIC the current is in_j and no RAM is built. Built with `bias` (some layer has a
 * synaptic.bias), the unit word ends with SYN_BIAS_BITS of the current's bias, which in_j adds at s2 (0 bits: none).
 */
import {
  add, eq, type Expr, if_, lit, minus1, type ModuleBuilder, mul, num, part, range, ref, repeat, set, sext, sshl, str,
} from '../netlist.ts';
import { clampSigned, markUnused, roundShift } from './common.ts';

/** The parameters snn_neuron_current adds. */
export interface CurrentParams {
  readonly recLanes: Expr;
  readonly recAccBits: Expr;
  readonly recShift: Expr;
  readonly recShiftBits: Expr;
  readonly synaptic: Expr;
  readonly synBits: Expr;
  readonly synDecayWidth: Expr;
  /** Only in a core built with a current bias: the bits of its field in the unit word. */
  readonly synBiasBits?: Expr;
}

export function currentParams(b: ModuleBuilder, sumBits: Expr, bias = false): CurrentParams {
  const recLanes = b.param('REC_LANES', num(1), 'lanes of rec_word (an identity core: one per unit)');
  const recAccBits = b.param('REC_ACC_BITS', num(1), 'recurrent accumulator bits (1 and rec_word 0: no recurrent synapse)');
  const recShift = b.param('REC_SHIFT', num(0), 'recurrent shift common to all units');
  const recShiftBits = b.param('REC_SHIFT_BITS', num(0), 'bits of the per-unit extra recurrent shift (0: none)');
  const synaptic = b.param('SYNAPTIC', num(0), '1: a synaptic current state c');
  const synBits = b.param('SYN_BITS', num(2), 'bits of c, signed');
  b.wideParam('SYN_MIN', sumBits, true, lit(0, 40, true));
  b.wideParam('SYN_MAX', sumBits, true, lit(0, 40, true));
  b.param('SYN_FULL', num(0), '1: [SYN_MIN, SYN_MAX] is the whole signed SYN_BITS range (the clamp tests sign bits)');
  const synDecayBits = b.param('SYN_DECAY_BITS', num(2));
  b.wideParam('SYN_DECAY_MUL', synDecayBits, true, lit(0, 2, true));
  b.param('SYN_DECAY_SHIFT', num(0));
  const synDecayWidth = b.param('SYN_DECAY_WIDTH', num(4), 'holds c * SYN_DECAY_MUL and the rounding constant');
  const synBiasBits = bias ? b.param('SYN_BIAS_BITS', num(0), 'bits of the current\'s bias, the last field of the unit word (0: none)') : undefined;
  return { recLanes, recAccBits, recShift, recShiftBits, synaptic, synBits, synDecayWidth, ...(synBiasBits ? { synBiasBits } : {}) };
}

/** The unit word's bits after the feed-forward fields: the extra recurrent shift, and the current's bias if built. */
export function currentParamBits(p: CurrentParams): Expr {
  return p.synBiasBits ? add(p.recShiftBits, p.synBiasBits) : p.recShiftBits;
}

/**
 * in_j at s2: the aligned input plus the aligned recurrent sum (the unit word's field at `offset`), plus the current's
 * bias (the field after it) in a core built with one.
 */
export function currentInput(b: ModuleBuilder, p: CurrentParams, accAligned: Expr, rec: Expr, params: Expr, offset: Expr): Expr {
  const input = add(accAligned, alignedRecurrent(b, p, rec, params, offset));
  if (!p.synBiasBits) return input;
  const sumBits = ref('SUM_BITS');
  const bias = b.wire('syn_bias', sumBits, true);
  const bits = p.synBiasBits;
  b.generateIf('syn_bias_field', eq(bits, num(0)), (g) => g.assign(bias, repeat(sumBits, lit(0, 1))), (g) => {
    const field = g.wire('syn_bias_raw', bits, true);
    g.assign(field, part(params, add(offset, p.recShiftBits), bits));
    g.assign(bias, sext(field, bits, sumBits));
  });
  return add(input, bias);
}

export interface CurrentState {
  /** The unit's recurrent sum at s1 (drive it with `select` in the core's lane generate branch). */
  readonly unit: Expr;
  readonly select: (g: ModuleBuilder, lane: Expr) => void;
  /** The unit's c as read at s1 (0 without SYNAPTIC). */
  readonly cRead: Expr;
  /** Write port of the current RAM, driven by currentStages. */
  readonly cWrite: { readonly we: Expr; readonly waddr: Expr; readonly wdata: Expr };
}

/** The recurrent shadow (latched at capture) and the current RAM, read at s0 with the membrane. */
export function currentState(b: ModuleBuilder, p: CurrentParams, at: { clk: Expr; capture: Expr; recWord: Expr; read: Expr; unit: Expr; units: Expr; unitBits: Expr }): CurrentState {
  const shadow = b.reg('rec_shadow', mul(p.recLanes, p.recAccBits));
  b.always(at.clk, [if_(at.capture, [set(shadow, at.recWord)])]);
  const unit = b.wire('rec_unit', p.recAccBits, true);
  const cRead = b.wire('c_read', p.synBits, true);
  const cWrite = { we: b.wire('c_we'), waddr: b.wire('c_waddr', at.unitBits), wdata: b.wire('c_wdata', p.synBits, true) };
  b.generateIf('current_ram', eq(p.synaptic, num(1)), (g) => {
    g.instance('snn_ram', 'current', { WIDTH: p.synBits, DEPTH: at.units, ADDR_BITS: at.unitBits, HAS_INIT: num(0), INIT_FILE: str('') }, {
      clk: at.clk, re: at.read, raddr: at.unit, rdata: cRead, ...cWrite,
    });
  }, (g) => {
    g.assign(cRead, repeat(p.synBits, lit(0, 1)));
    markUnused(g, 'current_write', cWrite.we, cWrite.waddr, cWrite.wdata);
  });
  return { unit, cRead, cWrite, select: (g, lane) => g.assign(unit, part(shadow, mul(lane, p.recAccBits), p.recAccBits)) };
}

/** rec << (REC_SHIFT + the unit's extra shift, the params field at `offset`), SUM_BITS wide. */
export function alignedRecurrent(b: ModuleBuilder, p: CurrentParams, rec: Expr, params: Expr, offset: Expr): Expr {
  const sumBits = ref('SUM_BITS');
  const aligned = b.wire('rec_aligned', sumBits, true);
  const base = sshl(sext(rec, p.recAccBits, sumBits), p.recShift);
  b.generateIf('rec_fixed_shift', eq(p.recShiftBits, num(0)), (g) => g.assign(aligned, base), (g) => g.assign(aligned, sshl(base, part(params, offset, p.recShiftBits))));
  return aligned;
}

type Regs = (k: number, pairs: readonly (readonly [string, Expr, Expr, boolean])[]) => Expr[];

export interface CurrentStagesAt {
  readonly stage: (k: number) => void;
  readonly regs: Regs;
  readonly sumBits: Expr;
  /** Carried along the two stages: the membrane's decay product and the bias, with their widths. */
  readonly decay: readonly [Expr, Expr];
  readonly bias: readonly [Expr, Expr];
  /** in_j at s2, SUM_BITS wide, and c * SYN_DECAY_MUL. */
  readonly input: Expr;
  readonly cDecay: Expr;
  readonly cWrite: CurrentState['cWrite'];
}

/** s3: scaleBy(c) + in_j; s4: the clamp, written back to the current RAM. Returns c (SUM_BITS) and the carried values. */
export function currentStages(b: ModuleBuilder, p: CurrentParams, at: CurrentStagesAt): { drive: Expr; decay: Expr; bias: Expr } {
  const sumBits = at.sumBits;
  const carried = (decay: Expr, bias: Expr): (readonly [string, Expr, Expr, boolean])[] => [['decay', at.decay[1], decay, true], ['bias', at.bias[1], bias, true]];
  b.comment('s3: the current c = scaleBy(c, SYN_DECAY) + in_j (in_j without SYNAPTIC)');
  at.stage(3);
  const cSum = b.wire('c_sum', sumBits, true);
  b.generateIf('synaptic_sum', eq(p.synaptic, num(1)), (g) => {
    const decayed = roundShift(g, 'c_decayed', at.cDecay, p.synDecayWidth, ref('SYN_DECAY_SHIFT'));
    g.assign(cSum, add(sext(decayed, p.synDecayWidth, sumBits), at.input));
  }, (g) => {
    g.assign(cSum, at.input);
    markUnused(g, 'c_decay', at.cDecay);
  });
  const [sum3, decay3, bias3] = at.regs(3, [['c_sum', sumBits, cSum, true], ...carried(at.decay[0], at.bias[0])]);
  b.comment('s4: clamp c to its type, write it back');
  at.stage(4);
  const clamped = b.wire('c_clamped', sumBits, true);
  const [min, max] = [ref('SYN_MIN'), ref('SYN_MAX')];
  b.generateIf('synaptic_clamp', eq(p.synaptic, num(1)), (g) => {
    const narrow = clampSigned(g, 'c_narrow', sum3!, sumBits, p.synBits, { min, max, full: ref('SYN_FULL') });
    g.assign(clamped, sext(narrow, p.synBits, sumBits));
  }, (g) => g.assign(clamped, sum3!));
  const [c4, decay4, bias4] = at.regs(4, [['c', sumBits, clamped, true], ...carried(decay3!, bias3!)]);
  return { drive: c4!, decay: decay4!, bias: bias4! };
}

/** Writes c back as the next stage (`valid`, `unit`: s5, where the registers of s4 hold that unit) begins. */
export function writeCurrent(b: ModuleBuilder, p: CurrentParams, write: CurrentState['cWrite'], valid: Expr, unit: Expr, c: Expr): void {
  b.assign(write.we, valid);
  b.assign(write.waddr, unit);
  b.assign(write.wdata, range(c, minus1(p.synBits), num(0)));
}
