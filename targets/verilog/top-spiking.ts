/**
 * @fileoverview A spiking stage in the top level: event reader, synapse (dense only), neuron core and sequencer, wired.
 * An identity layer has no synapse: the reader's events go straight to the neuron core, one pass per step, and the
 * stage reports idle only once the core is done (its event RAM is read while the next step would write it). When a
 * conv or pool layer consumes the outputs, a coordinate counter turns the unit order into {channel, row, column}.
 */
import { cat, type Expr, index, land, lit, lnot, ne, num, str, sext, zext } from './netlist.ts';
import { memFileName } from './mem-files.ts';
import type { SpikingPlan } from './plan.ts';
import { listInstance, type ListPort, readerInstance, type StageWires, type TopContext } from './top-context.ts';
import { indexBits } from './cores/common.ts';

export function spikingInstances(ctx: TopContext, s: SpikingPlan): StageWires {
  const { b, plan } = ctx;
  const l = s.layer;
  const p = `s${l}_`;
  const list = plan.lists[l]!;
  const w = (name: string, bits?: number, isSigned = false): Expr => b.wire(`${p}${name}`, bits === undefined ? undefined : num(bits), isSigned);
  const passStart = w('pass_start');
  const passFirst = w('pass_first');
  const ev = readerInstance(ctx, l, lit(1, 1), passStart, passFirst);
  const synIdle = s.identity ? undefined : w('syn_idle');
  const accWord = w('acc_word', s.lanes * s.accBits);
  let passIdle = ev.idle;
  if (!synIdle) {
    b.assign(accWord, lit(0, s.lanes * s.accBits));
  } else {
    const loaded = plan.load?.layer === l;
    b.instance(loaded ? 'snn_synapse_loaded' : 'snn_synapse', `${p}synapse`, {
      LANES: num(s.lanes), ...(loaded ? {} : { GROUPS: num(s.groups) }), INPUTS: num(s.op.inputs), INDEX_BITS: num(s.indexBits),
      X_BITS: num(list.value.bits), X_SIGNED: num(list.value.signed ? 1 : 0), WEIGHT_BITS: num(s.weightBits),
      ACC_BITS: num(s.accBits), MAC_BITS: num(s.macBits), W_ADDR_BITS: num(s.wAddrBits), ...(loaded ? {} : { WEIGHTS_FILE: str(memFileName(l, 'weights')) }),
      ...(plan.splitLaterProducts && l > 0 ? { SPLIT_PRODUCT: num(1) } : {}),
    }, {
      clk: ctx.clk, rst: ctx.rst, pass_start: passStart, pass_first: passFirst, in_valid: ev.valid, in_index: ev.entry, in_x: ev.x,
      idle: synIdle, acc_word: accWord, ...(loaded ? ctx.load : {}),
    });
    passIdle = land(ev.idle, synIdle);
  }
  const [capture, restart, updBusy, updFirst, idle, passesDone, outDone] = ['capture', 'restart', 'upd_busy', 'upd_first', 'idle', 'passes_done', 'out_done'].map((n) => w(n)) as [Expr, Expr, Expr, Expr, Expr, Expr, Expr];
  const updStep = w('upd_step', plan.stepBits);
  const outValid = w('out_valid');
  const outIndex = w('out_index', s.unitBits);
  const outU = w('out_u', s.memBits, true);
  const outO = w('out_o', s.outBits);
  const op = s.op;
  const outputKind = { excess: 0, binary: 1, membrane: 2 }[op.output.kind];
  const resetKind = { refractory: 0, subtract: 1, zero: 2, value: 3, none: 4 }[op.reset.kind];
  const rec = s.recurrent ? recurrentInstances(ctx, s, { passStart, passFirst, valid: outValid, index: outIndex, o: outO, step: updStep }) : undefined;
  if (rec) passIdle = land(passIdle, rec.idle);
  const extended = s.recurrent || s.current ? currentParams(s, rec?.word) : undefined;
  b.instance(extended ? 'snn_neuron_current' : 'snn_neuron', `${p}neuron`, {
    UNITS: num(op.units), LANES: num(s.lanes), UNIT_BITS: num(s.unitBits), LANE_BITS: num(s.laneBits),
    ACC_BITS: num(s.accBits), MEM_BITS: num(s.memBits), SUM_BITS: num(s.sumBits), BIAS_BITS: num(s.biasBits),
    SHIFT_BITS: num(s.shiftBits), ACC_SHIFT: num(s.accShift),
    DECAY_BITS: num(s.decay.bits), DECAY_MUL: lit(s.decay.mul, s.decay.bits, true), DECAY_SHIFT: num(s.decay.shift), DECAY_WIDTH: num(s.decayWidth),
    THRESHOLD: lit(s.threshold, s.memBits, true), MEM_MIN: lit(s.memMin, s.sumBits, true), MEM_MAX: lit(s.memMax, s.sumBits, true), MEM_FULL: num(s.memFull ? 1 : 0),
    OUTPUT_KIND: num(outputKind), OUT_BITS: num(s.outBits), OUT_SHIFT: num(op.output.kind === 'binary' ? 0 : op.output.shift),
    EXCESS_BITS: num(s.excessBits), OUT_MIN: lit(s.outMin, s.excessBits, true), OUT_MAX: lit(s.outMax, s.excessBits, true),
    RESET_KIND: num(resetKind), RESET_VALUE: lit(s.resetValue, s.memBits, true),
    RESET_BITS: num(s.reset.bits), RESET_MUL: lit(s.reset.mul, s.reset.bits, true), RESET_SHIFT: num(s.reset.shift), RESET_WIDTH: num(s.resetWidth),
    PARAMS_FILE: str(memFileName(l, 'units')),
    IDENTITY: num(s.identity ? 1 : 0), X_BITS: num(list.value.bits), X_SIGNED: num(list.value.signed ? 1 : 0),
    ...extended?.params,
  }, {
    clk: ctx.clk, rst: ctx.rst, capture, restart, first: updFirst, acc_word: accWord,
    ev_valid: s.identity ? ev.valid : lit(0, 1), ev_index: s.identity ? ev.entry : lit(0, s.unitBits), ev_x: s.identity ? ev.x : lit(0, list.value.bits),
    ...extended?.ports,
    busy: updBusy, out_valid: outValid, out_index: outIndex, out_u: outU, out_o: outO,
  });
  // An identity core reads its event RAM during the update, and a recurrent step reads the previous step's outputs.
  const waitsForUpdates = s.identity || rec !== undefined;
  const seqIdle = waitsForUpdates ? w('seq_idle') : idle;
  b.instance('snn_sequencer', `${p}sequencer`, { GROUPS: num(s.groups), GROUP_BITS: num(s.groupBits), STEP_BITS: num(plan.stepBits) }, {
    clk: ctx.clk, rst: ctx.rst, start: ctx.start(l), step: ctx.step(l), pass_idle: passIdle, upd_busy: updBusy,
    idle: seqIdle, pass_start: passStart, pass_first: passFirst, capture, restart, passes_done: passesDone, out_done: outDone, upd_step: updStep, upd_first: updFirst,
  });
  if (waitsForUpdates) b.assign(idle, land(seqIdle, lnot(updBusy)));
  const last = l === plan.stages.length - 1;
  const next = plan.lists[l + 1];
  let entry: Expr = outIndex;
  if (next?.coords && next.shape) {
    const [channels, height, width] = next.shape;
    entry = w('out_coords', next.addrBits);
    b.instance('snn_coords', `${p}coords`, {
      CHANNELS: num(channels), HEIGHT: num(height), WIDTH: num(width), CH_BITS: num(indexBits(channels)), ROW_BITS: num(indexBits(height)), COL_BITS: num(indexBits(width)),
    }, { clk: ctx.clk, rst: ctx.rst, advance: outValid, coords: entry });
  }
  let score: Expr | undefined;
  if (last) {
    if (plan.program.readout.source === 'output') {
      score = w('out_score', plan.readout.memBits, true);
      b.assign(score, op.output.type.signed ? sext(outO, num(s.outBits), num(plan.readout.memBits)) : zext(outO, num(s.outBits), num(plan.readout.memBits)));
    } else score = outU;
  }
  return {
    evWe: land(outValid, ne(outO, num(0))),
    evData: cat(entry, outO),
    evBank: index(updStep, num(0)),
    idle, passesDone, outDone,
    trace: { valid: outValid, step: updStep, index: outIndex, membrane: outU, output: outO, outSigned: op.output.type.signed },
    score,
    // Only the trace ports read these: the last layer's o or u (whichever the readout does not sum), and a non-last
    // layer's u and, when coordinates replace it in the events, its unit index.
    quiet: last ? [score === outU ? outO : outU, updStep] : [outU, updStep, ...(entry === outIndex ? [] : [outIndex])],
  };
}

interface RecurrentWiring {
  readonly passStart: Expr;
  readonly passFirst: Expr;
  /** The neuron core's outputs, and the step they belong to. */
  readonly valid: Expr;
  readonly index: Expr;
  readonly o: Expr;
  readonly step: Expr;
}

/**
 * The recurrent synapse: the layer's own list (bank t % 2 takes step t's nonzero outputs; step t reads bank (t-1) % 2,
 * emptied at step 0 by `clear`), its reader and a second snn_synapse with weights [units, units]. Both synapses start
 * each pass together; the stage starts step t only once step t - 1's updates are written (waitsForUpdates).
 */
function recurrentInstances(ctx: TopContext, s: SpikingPlan, at: RecurrentWiring): { word: Expr; idle: Expr } {
  const { b } = ctx;
  const rec = s.recurrent!;
  const l = s.layer;
  const p = `s${l}_own_`;
  const list = rec.list;
  const port: ListPort = {
    re: b.wire(`${p}re`), raddr: b.wire(`${p}raddr`, num(list.countBits)), rdata: b.wire(`${p}rdata`, num(list.addrBits + list.value.bits)), count: b.wire(`${p}count`, num(list.countBits)),
  };
  listInstance(b, list, `${l}_own`, port, {
    clear: ctx.clear, start: ctx.start(l), clrBank: ctx.startBank(l), we: land(at.valid, ne(at.o, num(0))), data: cat(at.index, at.o), bank: index(at.step, num(0)),
  }, lnot(index(ctx.step(l), num(0))));
  const ev = readerInstance(ctx, l, lit(1, 1), at.passStart, at.passFirst, { list, port, name: 'own' });
  const word = b.wire(`s${l}_rec_word`, num(rec.lanes * rec.accBits));
  const synIdle = b.wire(`s${l}_rec_syn_idle`);
  b.instance('snn_synapse', `s${l}_rec_synapse`, {
    LANES: num(rec.lanes), GROUPS: num(rec.groups), INPUTS: num(s.op.units), INDEX_BITS: num(s.unitBits),
    X_BITS: num(list.value.bits), X_SIGNED: num(list.value.signed ? 1 : 0), WEIGHT_BITS: num(rec.weightBits),
    ACC_BITS: num(rec.accBits), MAC_BITS: num(rec.macBits), W_ADDR_BITS: num(rec.wAddrBits), WEIGHTS_FILE: str(memFileName(l, 'recurrent')),
  }, {
    clk: ctx.clk, rst: ctx.rst, pass_start: at.passStart, pass_first: at.passFirst, in_valid: ev.valid, in_index: ev.entry, in_x: ev.x,
    idle: synIdle, acc_word: word,
  });
  return { word, idle: land(ev.idle, synIdle) };
}

/** snn_neuron_current's parameters and its rec_word port (0 without a recurrent synapse). */
function currentParams(s: SpikingPlan, recWord: Expr | undefined): { params: Record<string, Expr>; ports: Record<string, Expr> } {
  const rec = s.recurrent;
  const cur = s.current;
  const decay = cur?.decay ?? { mul: 0, shift: 0, bits: 2 };
  // Without a recurrent synapse, rec_word is zeros of one bit per lane the core selects (an identity core: per unit).
  const lanes = rec?.lanes ?? (s.identity ? s.op.units : s.lanes);
  return {
    params: {
      REC_LANES: num(lanes), REC_ACC_BITS: num(rec?.accBits ?? 1), REC_SHIFT: num(rec?.shift ?? 0), REC_SHIFT_BITS: num(rec?.shiftBits ?? 0),
      SYNAPTIC: num(cur ? 1 : 0), SYN_BITS: num(cur?.bits ?? 2), SYN_MIN: lit(cur?.min ?? 0n, s.sumBits, true), SYN_MAX: lit(cur?.max ?? 0n, s.sumBits, true), SYN_FULL: num(cur?.full ? 1 : 0),
      SYN_DECAY_BITS: num(decay.bits), SYN_DECAY_MUL: lit(decay.mul, decay.bits, true), SYN_DECAY_SHIFT: num(decay.shift), SYN_DECAY_WIDTH: num(cur?.decayWidth ?? 4),
      ...(cur && cur.biasBits > 0 ? { SYN_BIAS_BITS: num(cur.biasBits) } : {}),
    },
    ports: { rec_word: recWord ?? lit(0, lanes) },
  };
}
