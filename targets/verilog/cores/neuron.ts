/**
 * @fileoverview snn_neuron: the update of a spiking layer's units, one group of LANES units per `capture` (which
 * latches the synapse's accumulators, so the next group can accumulate meanwhile), one unit per cycle in a
 * four-stage pipeline:
 *   s0  read membrane v[j] and the unit's {accShift, bias}; the accumulator is lane q of the captured word
 *   s1  sum = roundShift(v * DECAY_MUL, DECAY_SHIFT) + (acc << shift) + bias      (exact, SUM_BITS wide)
 *   s2  u = clamp(sum); fired = u > THRESHOLD; output (excess | binary); v' = fired ? reset(u) : u
 *   s3  write v', present (j, u, o); the layer turns nonzero o into events and the readout adds u.
 * v reads as 0 at t = 0 (`first`), so no clearing pass is needed between inferences.
 */
import {
  add, block, cond, eq, gt, if_, shl, lit, lnot, lor, lt, minus1, ModuleBuilder, mul, num, part, range, ref, repeat, set, sext,
  sshl, sshr, str, sub, cat, type Expr, type Module,
} from '../netlist.ts';
import { sized } from './common.ts';

/** round-half-up shift of a signed value held in `width` bits: (a + 2^(s-1)) >>> s. */
function roundShift(b: ModuleBuilder, name: string, a: Expr, width: Expr, shift: Expr): Expr {
  const round = b.localparam(`${name}_ROUND`, cond(eq(shift, num(0)), num(0), shl(num(1), sub(shift, num(1)))), width, true);
  const out = b.wire(name, width, true);
  b.assign(out, sshr(add(a, round), shift));
  return out;
}

/** clamp of a SUM_BITS value to [MEM_MIN, MEM_MAX], as MEM_BITS. */
function clampMembrane(sum: Expr, memBits: Expr): Expr {
  const min = ref('MEM_MIN');
  const max = ref('MEM_MAX');
  return cond(lt(sum, min), range(min, minus1(memBits), num(0)), cond(gt(sum, max), range(max, minus1(memBits), num(0)), range(sum, minus1(memBits), num(0))));
}

export function neuronModule(): Module {
  const b = new ModuleBuilder('snn_neuron', 'membrane update, threshold, output and reset, one unit per cycle');
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
  const outputKind = b.param('OUTPUT_KIND', num(0), '0 excess, 1 binary');
  const outBits = b.param('OUT_BITS', num(8));
  const outShift = b.param('OUT_SHIFT', num(0));
  const excessBits = b.param('EXCESS_BITS', num(34));
  b.wideParam('OUT_MAX', excessBits, true, lit(255, 34, true));
  const resetKind = b.param('RESET_KIND', num(0), '0 refractory, 1 subtract, 2 zero');
  const resetBits = b.param('RESET_BITS', num(2));
  b.wideParam('RESET_MUL', resetBits, true, lit(0, 2, true));
  const resetShift = b.param('RESET_SHIFT', num(0));
  const resetWidth = b.param('RESET_WIDTH', num(4), 'holds u * RESET_MUL and the rounding constant');
  b.stringParam('PARAMS_FILE', '', 'per unit {shift, bias}');
  const clk = b.input('clk');
  const rst = b.input('rst');
  const first = b.input('first', undefined);
  const capture = b.input('capture');
  const restart = b.input('restart', undefined);
  const accWord = b.input('acc_word', mul(lanes, accBits));
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
  const shadow = b.reg('shadow', mul(lanes, accBits));
  const lastJ0 = b.wire('last_j0');
  const endGroup0 = b.wire('end_group0');
  b.assign(lastJ0, eq(j0, lastUnit));
  b.assign(endGroup0, lor(lastJ0, eq(q0, lastLane)));
  b.always(clk, [
    if_(capture, [set(shadow, accWord)]),
    if_(rst, [set(s0, num(0))], [if_(capture, [set(s0, num(1)), set(q0, num(0)), if_(restart, [set(j0, num(0))])], [
      if_(s0, [
        if_(endGroup0, [set(s0, num(0)), if_(lnot(lastJ0), [set(j0, add(j0, num(1)))])], [
          set(j0, add(j0, num(1))), set(q0, add(q0, num(1))),
        ]),
      ]),
    ])]),
  ]);
  const vRead = b.wire('v_read', memBits, true);
  const paramBits = add(biasBits, shiftBits);
  const unitParams = b.wire('unit_params', paramBits);
  const v3 = b.reg('v3', memBits, true);
  b.instance('snn_ram', 'membrane', { WIDTH: memBits, DEPTH: units, ADDR_BITS: unitBits, HAS_INIT: num(0), INIT_FILE: str('') }, {
    clk, re: s0, raddr: j0, rdata: vRead, we: outValid, waddr: outIndex, wdata: v3,
  });
  b.instance('snn_ram', 'unit_rom', { WIDTH: paramBits, DEPTH: units, ADDR_BITS: unitBits, HAS_INIT: num(1), INIT_FILE: ref('PARAMS_FILE') }, {
    clk, re: s0, raddr: j0, rdata: unitParams, we: lit(0, 1), waddr: repeat(unitBits, lit(0, 1)), wdata: repeat(paramBits, lit(0, 1)),
  });

  b.comment('s1: decay, aligned accumulator and bias, exactly');
  const s1 = b.reg('s1');
  const j1 = b.reg('j1', unitBits);
  const q1 = b.reg('q1', laneBits);
  b.always(clk, [set(s1, s0), set(j1, j0), set(q1, q0)]);
  const accLane = b.wire('acc_lane', accBits, true);
  b.assign(accLane, part(shadow, mul(q1, accBits), accBits));
  const vEff = b.wire('v_eff', memBits, true);
  b.assign(vEff, cond(first, num(0), vRead));
  const decayProduct = b.wire('decay_product', decayWidth, true);
  b.assign(decayProduct, mul(vEff, ref('DECAY_MUL')));
  const decayed = roundShift(b, 'decayed', decayProduct, decayWidth, decayShift);
  const accAligned = b.wire('acc_aligned', sumBits, true);
  const accBase = sshl(sext(accLane, accBits, sumBits), accShift);
  b.item({
    kind: 'generate-if', test: eq(shiftBits, num(0)), label: 'fixed_shift',
    then: block((g) => g.assign(accAligned, accBase)),
    else: block((g) => g.assign(accAligned, sshl(accBase, part(unitParams, biasBits, shiftBits)))),
  });
  const bias = b.wire('bias', biasBits, true);
  b.assign(bias, range(unitParams, minus1(biasBits), num(0)));
  const sum1 = b.wire('sum1', sumBits, true);
  b.assign(sum1, add(add(sext(decayed, decayWidth, sumBits), accAligned), sext(bias, biasBits, sumBits)));

  b.comment('s2: clamp, threshold, output and reset');
  const s2 = b.reg('s2');
  const j2 = b.reg('j2', unitBits);
  const sum2 = b.reg('sum2', sumBits, true);
  b.always(clk, [set(s2, s1), set(j2, j1), set(sum2, sum1)]);
  const u = b.wire('u', memBits, true);
  b.assign(u, clampMembrane(sum2, memBits));
  const fired = b.wire('fired');
  b.assign(fired, gt(u, threshold));
  const o = b.wire('o', outBits);
  b.item({
    kind: 'generate-if', test: eq(outputKind, num(0)), label: 'excess',
    then: block((g) => {
      const over = g.wire('over', excessBits, true);
      g.assign(over, sub(sext(u, memBits, excessBits), sext(threshold, memBits, excessBits)));
      const shifted = roundShift(g, 'shifted', over, excessBits, outShift);
      const max = ref('OUT_MAX');
      const clamped = cond(gt(shifted, max), range(max, minus1(outBits), num(0)), range(shifted, minus1(outBits), num(0)));
      g.assign(o, cond(fired, clamped, num(0)));
    }),
    else: block((g) => g.assign(o, cat(repeat(sub(outBits, num(1)), lit(0, 1)), fired))),
  });
  const resetValue = b.wire('reset_value', memBits, true);
  b.item({
    kind: 'generate-if', test: eq(resetKind, num(0)), label: 'refractory',
    then: block((g) => {
      const width = resetWidth;
      const product = g.wire('reset_product', width, true);
      g.assign(product, mul(u, ref('RESET_MUL')));
      const penalty = roundShift(g, 'penalty', product, width, resetShift);
      const lowered = g.wire('lowered', sumBits, true);
      g.assign(lowered, sub(sext(u, memBits, sumBits), sext(penalty, width, sumBits)));
      g.assign(resetValue, clampMembrane(lowered, memBits));
    }),
    else: block((g) => g.item({
      kind: 'generate-if', test: eq(resetKind, num(1)), label: 'subtract',
      then: block((h) => h.assign(resetValue, sub(u, threshold))),
      else: block((h) => h.assign(resetValue, num(0))),
    })),
  });

  b.comment('s3: write back and present');
  b.always(clk, [set(outValid, s2), set(outIndex, j2), set(outU, u), set(outO, o), set(v3, cond(fired, resetValue, u))]);
  b.assign(busy, lor(lor(s0, s1), lor(s2, outValid)));
  return b.build();
}
