/** @fileoverview A spiking stage in the top level: event reader, synapse, neuron core and sequencer, wired. */
import { cat, type Expr, index, land, lit, ne, num, str } from './netlist.ts';
import { memFileName } from './mem-files.ts';
import type { SpikingPlan } from './plan.ts';
import { readerInstance, type StageWires, type TopContext } from './top-context.ts';

export function spikingInstances(ctx: TopContext, s: SpikingPlan): StageWires {
  const { b, plan } = ctx;
  const l = s.layer;
  const p = `s${l}_`;
  const list = plan.lists[l]!;
  const w = (name: string, bits?: number, isSigned = false): Expr => b.wire(`${p}${name}`, bits === undefined ? undefined : num(bits), isSigned);
  const passStart = w('pass_start');
  const passFirst = w('pass_first');
  const ev = readerInstance(ctx, l, lit(1, 1), passStart, passFirst);
  const synIdle = w('syn_idle');
  const accWord = w('acc_word', s.lanes * s.accBits);
  b.instance('snn_synapse', `${p}synapse`, {
    LANES: num(s.lanes), GROUPS: num(s.groups), INPUTS: num(s.op.inputs), INDEX_BITS: num(s.indexBits),
    X_BITS: num(list.value.bits), X_SIGNED: num(list.value.signed ? 1 : 0), WEIGHT_BITS: num(s.weightBits),
    ACC_BITS: num(s.accBits), MAC_BITS: num(s.macBits), W_ADDR_BITS: num(s.wAddrBits), WEIGHTS_FILE: str(memFileName(l, 'weights')),
  }, {
    clk: ctx.clk, rst: ctx.rst, pass_start: passStart, pass_first: passFirst, in_valid: ev.valid, in_index: ev.entry, in_x: ev.x,
    idle: synIdle, acc_word: accWord,
  });
  const [capture, restart, updBusy, updFirst, idle, passesDone, outDone] = ['capture', 'restart', 'upd_busy', 'upd_first', 'idle', 'passes_done', 'out_done'].map((n) => w(n)) as [Expr, Expr, Expr, Expr, Expr, Expr, Expr];
  const updStep = w('upd_step', plan.stepBits);
  const outValid = w('out_valid');
  const outIndex = w('out_index', s.unitBits);
  const outU = w('out_u', s.memBits, true);
  const outO = w('out_o', s.outBits);
  const op = s.op;
  b.instance('snn_neuron', `${p}neuron`, {
    UNITS: num(op.units), LANES: num(s.lanes), UNIT_BITS: num(s.unitBits), LANE_BITS: num(s.laneBits),
    ACC_BITS: num(s.accBits), MEM_BITS: num(s.memBits), SUM_BITS: num(s.sumBits), BIAS_BITS: num(s.biasBits),
    SHIFT_BITS: num(s.shiftBits), ACC_SHIFT: num(s.accShift),
    DECAY_BITS: num(s.decay.bits), DECAY_MUL: lit(s.decay.mul, s.decay.bits, true), DECAY_SHIFT: num(s.decay.shift), DECAY_WIDTH: num(s.decayWidth),
    THRESHOLD: lit(s.threshold, s.memBits, true), MEM_MIN: lit(s.memMin, s.sumBits, true), MEM_MAX: lit(s.memMax, s.sumBits, true),
    OUTPUT_KIND: num(op.output.kind === 'excess' ? 0 : 1), OUT_BITS: num(s.outBits), OUT_SHIFT: num(op.output.kind === 'excess' ? op.output.shift : 0),
    EXCESS_BITS: num(s.excessBits), OUT_MAX: lit(s.outMax, s.excessBits, true),
    RESET_KIND: num(op.reset.kind === 'refractory' ? 0 : op.reset.kind === 'subtract' ? 1 : 2),
    RESET_BITS: num(s.reset.bits), RESET_MUL: lit(s.reset.mul, s.reset.bits, true), RESET_SHIFT: num(s.reset.shift), RESET_WIDTH: num(s.resetWidth),
    PARAMS_FILE: str(memFileName(l, 'units')),
  }, {
    clk: ctx.clk, rst: ctx.rst, capture, restart, first: updFirst, acc_word: accWord, busy: updBusy,
    out_valid: outValid, out_index: outIndex, out_u: outU, out_o: outO,
  });
  b.instance('snn_sequencer', `${p}sequencer`, { GROUPS: num(s.groups), GROUP_BITS: num(s.groupBits), STEP_BITS: num(plan.stepBits) }, {
    clk: ctx.clk, rst: ctx.rst, start: ctx.start(l), step: ctx.step(l), pass_idle: land(ev.idle, synIdle), upd_busy: updBusy,
    idle, pass_start: passStart, pass_first: passFirst, capture, restart, passes_done: passesDone, out_done: outDone, upd_step: updStep, upd_first: updFirst,
  });
  const last = l === plan.stages.length - 1;
  return {
    evWe: land(outValid, ne(outO, num(0))),
    evData: cat(outIndex, outO),
    evBank: index(updStep, num(0)),
    idle, passesDone, outDone,
    trace: { valid: outValid, step: updStep, index: outIndex, membrane: outU, output: outO, outSigned: op.output.type.signed },
    quiet: last ? [outO, updStep] : [outU, updStep],
  };
}
