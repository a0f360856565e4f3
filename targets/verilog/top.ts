/**
 * @fileoverview The generated top level: instantiates the cores for one program (loader, one event list per stage
 * boundary, a reader plus synapse, neuron and sequencer per spiking layer, a conv core per conv layer, the readout
 * and the controller) and wires them. Everything layer-specific is a parameter value or a memory file name.
 */
import {
  cat, cond, eq, type Expr, index, land, lit, lnot, lor, ModuleBuilder, ne, num, ref, sext, str, zext, type Module,
} from './netlist.ts';
import type { ConvPlan, DesignPlan, ListPlan, SpikingPlan } from './plan.ts';
import { memFileName } from './mem-files.ts';
import { convInstances } from './top-conv.ts';
import { indexBits } from './cores/common.ts';

export interface TopOptions {
  readonly traces: boolean;
}

/** Widths of the debug trace port: one record per unit update (spiking) or output position (conv). */
export function traceWidths(plan: DesignPlan): { index: number; membrane: number; output: number } {
  return {
    index: Math.max(...plan.stages.map((s) => (s.kind === 'spiking' ? s.unitBits : s.flatBits))),
    membrane: Math.max(...plan.stages.map((s) => (s.kind === 'spiking' ? s.memBits : 1))),
    output: Math.max(...plan.stages.map((s) => (s.kind === 'spiking' ? s.outBits + 1 : s.outBits + 1))),
  };
}

/** What a stage hands to its event list, its trace and its done pulse. */
export interface StageWires {
  readonly done: Expr;
  readonly evWe: Expr;
  readonly evData: Expr;
  readonly trace: { readonly valid: Expr; readonly index: Expr; readonly indexBits: number; readonly membrane?: Expr; readonly memBits: number; readonly output: Expr; readonly outBits: number; readonly outSigned: boolean };
  /** Signals only the trace port reads (marked unused without traces). */
  readonly quiet: readonly Expr[];
}

/** The common context a stage builder needs. */
export interface TopContext {
  readonly b: ModuleBuilder;
  readonly plan: DesignPlan;
  readonly clk: Expr;
  readonly rst: Expr;
  readonly first: Expr;
  readonly seedLoad: Expr;
  readonly seed: Expr;
  /** Start pulse of stage l. */
  readonly start: (l: number) => Expr;
  /** Read port of list l, for its consumer's reader. */
  readonly listPort: (l: number) => { readonly re: Expr; readonly raddr: Expr; readonly rdata: Expr; readonly count: Expr };
}

/** The reader of list l: `start` begins a pass; `firstPass` marks the jitter generator (later passes rewind to it). */
export function readerInstance(ctx: TopContext, l: number, ready: Expr, start: Expr, firstPass: Expr): { valid: Expr; entry: Expr; x: Expr; idle: Expr } {
  const { b, plan } = ctx;
  const list = plan.lists[l]!;
  const p = `s${l}_`;
  const valid = b.wire(`${p}ev_valid`);
  const entry = b.wire(`${p}ev_entry`, num(list.addrBits));
  const x = b.wire(`${p}ev_x`, num(list.value.bits));
  const idle = b.wire(`${p}reader_idle`);
  const port = ctx.listPort(l);
  const encoder = plan.program.encoder;
  b.instance('snn_event_reader', `${p}reader`, {
    ENTRY_BITS: num(list.addrBits), X_BITS: num(list.value.bits), COUNT_BITS: num(list.countBits),
    ENCODE: num(l === 0 && encoder.kind === 'jitter' ? 1 : 0), JITTER_BITS: num(encoder.kind === 'jitter' ? encoder.jitterBits : 1),
  }, {
    clk: ctx.clk, rst: ctx.rst, start, first_pass: firstPass, count: port.count, complete: l === 0 ? lnot(ref('ctl_loading')) : lit(1, 1), re: port.re, raddr: port.raddr, rdata: port.rdata,
    seed_load: ctx.seedLoad, seed: ctx.seed, out_valid: valid, out_entry: entry, out_x: x, out_ready: ready, idle,
  });
  return { valid, entry, x, idle };
}

function spikingInstances(ctx: TopContext, s: SpikingPlan): StageWires {
  const { b, plan } = ctx;
  const l = s.layer;
  const p = `s${l}_`;
  const list = plan.lists[l]!;
  const passStart = b.wire(`${p}pass_start`);
  const passFirst = b.wire(`${p}pass_first`);
  const ev = readerInstance(ctx, l, lit(1, 1), passStart, passFirst);
  const synIdle = b.wire(`${p}syn_idle`);
  const accWord = b.wire(`${p}acc_word`, num(s.lanes * s.accBits));
  b.instance('snn_synapse', `${p}synapse`, {
    LANES: num(s.lanes), GROUPS: num(s.groups), INPUTS: num(s.op.inputs), INDEX_BITS: num(s.indexBits),
    X_BITS: num(list.value.bits), X_SIGNED: num(list.value.signed ? 1 : 0), WEIGHT_BITS: num(s.weightBits),
    ACC_BITS: num(s.accBits), MAC_BITS: num(s.macBits), W_ADDR_BITS: num(s.wAddrBits), WEIGHTS_FILE: str(memFileName(l, 'weights')),
  }, {
    clk: ctx.clk, rst: ctx.rst, pass_start: passStart, pass_first: passFirst, in_valid: ev.valid, in_index: ev.entry, in_x: ev.x,
    idle: synIdle, acc_word: accWord,
  });
  const capture = b.wire(`${p}capture`);
  const restart = b.wire(`${p}restart`);
  const updBusy = b.wire(`${p}upd_busy`);
  const done = b.wire(`${p}done`);
  const outValid = b.wire(`${p}out_valid`);
  const outIndex = b.wire(`${p}out_index`, num(s.unitBits));
  const outU = b.wire(`${p}out_u`, num(s.memBits), true);
  const outO = b.wire(`${p}out_o`, num(s.outBits));
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
    clk: ctx.clk, rst: ctx.rst, capture, restart, first: ctx.first, acc_word: accWord, busy: updBusy,
    out_valid: outValid, out_index: outIndex, out_u: outU, out_o: outO,
  });
  b.instance('snn_sequencer', `${p}sequencer`, { GROUPS: num(s.groups), GROUP_BITS: num(s.groupBits) }, {
    clk: ctx.clk, rst: ctx.rst, start: ctx.start(l), pass_idle: land(ev.idle, synIdle), upd_busy: updBusy,
    pass_start: passStart, pass_first: passFirst, capture, restart, done,
  });
  return {
    done,
    evWe: land(outValid, ne(outO, num(0))),
    evData: cat(outIndex, outO),
    trace: { valid: outValid, index: outIndex, indexBits: s.unitBits, membrane: outU, memBits: s.memBits, output: outO, outBits: s.outBits, outSigned: op.output.type.signed },
    quiet: s.layer === plan.stages.length - 1 ? [outO] : [outU],
  };
}

function listInstance(ctx: TopContext, list: ListPlan, l: number, write: { start: Expr; we: Expr; data: Expr }, step: Expr): void {
  const { b } = ctx;
  const port = ctx.listPort(l);
  const bank = list.banks === 2 ? index(step, num(0)) : lit(0, 1);
  b.instance('snn_event_list', `l${l}_list`, {
    ENTRY_BITS: num(list.addrBits + list.value.bits), DEPTH: num(list.depth), BANKS: num(list.banks), COUNT_BITS: num(list.countBits),
    ADDR_BITS: num(indexBits(list.banks * list.depth)),
  }, {
    clk: ctx.clk, clear: ref('ctl_clear'), wr_start: write.start, wr_bank: bank, we: write.we, wdata: write.data,
    rd_bank: list.banks === 2 ? lnot(bank) : lit(0, 1), re: port.re, raddr: port.raddr, rdata: port.rdata, rd_count: port.count,
  });
}

export function topModule(plan: DesignPlan, options: TopOptions): Module {
  const program = plan.program;
  const b = new ModuleBuilder('snn_top', `${program.name}: ${plan.stages.map((s) => s.op.name).join(' -> ')}, T=${program.timesteps}, ${plan.lanes} lane(s)`);
  const clk = b.input('clk');
  const rst = b.input('rst');
  const inValid = b.input('in_valid');
  const inReady = b.output('in_ready');
  const inPixel = b.input('in_pixel', num(plan.pixelBits));
  const inSeed = b.input('in_seed', num(32));
  const outValid = b.output('out_valid');
  const outReady = b.input('out_ready');
  const ro = plan.readout;
  const outClass = b.output('out_class', num(ro.classBits));
  const outScore = b.output('out_score', num(ro.scoreBits), { signed: true });
  const outLabel = b.output('out_label', num(ro.classBits));
  const outLast = b.output('out_last');
  const tw = traceWidths(plan);
  const trace = options.traces
    ? {
        valid: b.output('trace_valid'), stage: b.output('trace_stage', num(plan.stageBits)), step: b.output('trace_step', num(plan.stepBits)),
        index: b.output('trace_index', num(tw.index)), membrane: b.output('trace_membrane', num(tw.membrane), { signed: true }),
        output: b.output('trace_output', num(tw.output), { signed: true }),
      }
    : undefined;

  const w = (name: string, bits?: number): Expr => b.wire(name, bits === undefined ? undefined : num(bits));
  const loading = w('ctl_loading');
  w('ctl_clear');
  const start = w('ctl_start');
  const stage = w('ctl_stage', plan.stageBits);
  const step = w('ctl_step', plan.stepBits);
  const first = w('ctl_first');
  const finish = w('ctl_finish');
  const stageDone = w('stage_done');
  const readoutDone = w('readout_done');
  const loadDone = w('load_done');
  const seedLoad = w('seed_load');
  const ports = plan.lists.map((list, l) => ({
    re: w(`l${l}_re`), raddr: w(`l${l}_raddr`, list.countBits), rdata: w(`l${l}_rdata`, list.addrBits + list.value.bits), count: w(`l${l}_count`, list.countBits),
  }));
  const starts = plan.stages.map((_, l) => w(`s${l}_start`));
  plan.stages.forEach((_, l) => b.assign(starts[l]!, land(start, eq(stage, lit(l, plan.stageBits)))));
  const ctx: TopContext = { b, plan, clk, rst, first, seedLoad, seed: inSeed, start: (l) => starts[l]!, listPort: (l) => ports[l]! };

  b.instance('snn_controller', 'controller', {
    TIMESTEPS: num(program.timesteps), STEP_BITS: num(plan.stepBits), STAGES: num(plan.stages.length), STAGE_BITS: num(plan.stageBits),
  }, {
    clk, rst, first_beat: seedLoad, load_done: loadDone, stage_done: stageDone, readout_done: readoutDone, loading, clear: ref('ctl_clear'), start, stage, step, first, finish,
  });
  const [channels, height, width] = program.input.shape;
  const loaderWe = w('loader_we');
  const loaderData = w('loader_data', plan.lists[0]!.addrBits + plan.pixelBits);
  b.instance('snn_loader', 'loader', {
    PIXEL_BITS: num(plan.pixelBits), CHANNELS: num(channels), HEIGHT: num(height), WIDTH: num(width), INDEX_BITS: num(plan.input.indexBits),
    CH_BITS: num(plan.input.chBits), ROW_BITS: num(plan.input.rowBits), COL_BITS: num(plan.input.colBits),
    COORDS: num(plan.lists[0]!.coords ? 1 : 0), ENTRY_BITS: num(plan.lists[0]!.addrBits),
  }, {
    clk, rst, active: loading, in_valid: inValid, in_ready: inReady, in_pixel: inPixel, first_beat: seedLoad, done: loadDone,
    ev_we: loaderWe, ev_data: loaderData,
  });
  listInstance(ctx, plan.lists[0]!, 0, { start: lit(0, 1), we: loaderWe, data: loaderData }, step);

  const stages = plan.stages.map((s) => (s.kind === 'spiking' ? spikingInstances(ctx, s) : convInstances(ctx, s as ConvPlan)));
  stages.forEach((wires, l) => {
    if (l + 1 < plan.lists.length) listInstance(ctx, plan.lists[l + 1]!, l + 1, { start: starts[l]!, we: wires.evWe, data: wires.evData }, step);
  });
  b.assign(stageDone, stages.map((s) => s.done).reduce((a, c) => lor(a, c)));

  const lastWires = stages[stages.length - 1]!;
  b.instance('snn_readout', 'readout', {
    CLASSES: num(ro.classes), CLASS_BITS: num(ro.classBits), MEM_BITS: num(ro.memBits), SCORE_BITS: num(ro.scoreBits),
    STEP_BITS: num(plan.stepBits), ANY: num(ro.any ? 1 : 0), FIRST: num(ro.first), LAST: num(ro.last),
  }, {
    clk, rst, clear: ref('ctl_clear'), step, add_valid: lastWires.trace.valid, add_index: lastWires.trace.index,
    add_u: lastWires.trace.membrane ?? num(0), finish, out_valid: outValid, out_ready: outReady, out_class: outClass,
    out_score: outScore, out_label: outLabel, out_last: outLast, done: readoutDone,
  });

  if (trace) {
    const records = stages.map((s) => s.trace);
    b.assign(trace.valid, records.map((r) => r.valid).reduce((a, c) => lor(a, c)));
    b.assign(trace.stage, stage);
    b.assign(trace.step, step);
    const pick = (get: (r: StageWires['trace']) => Expr): Expr =>
      records.slice(0, -1).reduceRight((acc, r) => cond(r.valid, get(r), acc), get(records[records.length - 1]!));
    b.assign(trace.index, pick((r) => zext(r.index, num(r.indexBits), num(tw.index))));
    b.assign(trace.membrane, pick((r) => (r.membrane ? sext(r.membrane, num(r.memBits), num(tw.membrane)) : signed0(tw.membrane))));
    b.assign(trace.output, pick((r) => (r.outSigned ? sext(r.output, num(r.outBits), num(tw.output)) : zext(r.output, num(r.outBits), num(tw.output)))));
  } else {
    // Without trace ports, the last layer's outputs and the other layers' membranes have no reader.
    b.assign(b.wire('unused_trace'), repeatOr(stages.flatMap((s) => s.quiet)));
  }
  return b.build();
}

function signed0(bits: number): Expr {
  return lit(0, bits, true);
}

function repeatOr(signals: Expr[]): Expr {
  return { kind: 'unary', op: '|', arg: signals.length === 1 ? signals[0]! : cat(...signals) };
}

