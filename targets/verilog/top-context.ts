/** @fileoverview What the top level's stage builders share: the context they wire into and what they hand back. */
import { type Expr, lit, lnot, type ModuleBuilder, num, ref } from './netlist.ts';
import type { DesignPlan, ListPlan } from './plan.ts';
import { indexBits } from './cores/common.ts';

/** Per-stage trace port widths: one record per unit update (spiking) or output position (conv). */
export function stageTrace(plan: DesignPlan, l: number): { readonly index: number; readonly membrane: number; readonly output: number } {
  const s = plan.stages[l]!;
  return s.kind === 'spiking' ? { index: s.unitBits, membrane: s.memBits, output: s.outBits + 1 } : { index: s.flatBits, membrane: 1, output: s.outBits + 1 };
}

/** The read side of an event list. */
export interface ListPort {
  readonly re: Expr;
  readonly raddr: Expr;
  readonly rdata: Expr;
  readonly count: Expr;
}

/** What a stage hands to the top: its output events, its scheduler handshakes and its trace record. */
export interface StageWires {
  readonly evWe: Expr;
  readonly evData: Expr;
  /** Bank (step parity) its events are written to. */
  readonly evBank: Expr;
  /** Idle: may start its next step. */
  readonly idle: Expr;
  /** Pulse: the step's input has been read (its producer may overwrite that bank). */
  readonly passesDone: Expr;
  /** Pulse: the step's outputs are complete. */
  readonly outDone: Expr;
  readonly trace: {
    readonly valid: Expr; readonly step: Expr; readonly index: Expr; readonly membrane?: Expr; readonly output: Expr; readonly outSigned: boolean;
  };
  /** The value the readout adds when this is the last stage: u, or o extended to plan.readout.memBits. */
  readonly score?: Expr;
  /** Signals only the trace ports read (marked unused without traces). */
  readonly quiet: readonly Expr[];
}

/** The context a stage builder needs. */
export interface TopContext {
  readonly b: ModuleBuilder;
  readonly plan: DesignPlan;
  readonly clk: Expr;
  readonly rst: Expr;
  readonly loading: Expr;
  /** Empties every event list as an image begins. */
  readonly clear: Expr;
  readonly seedLoad: Expr;
  readonly seed: Expr;
  /** Stage l's scheduler: the start pulse and the step it runs. */
  readonly start: (l: number) => Expr;
  readonly step: (l: number) => Expr;
  /** The parity of the step stage l starts (valid with its start pulse). */
  readonly startBank: (l: number) => Expr;
  /** Read port of list l, for its consumer's reader (the bank is chosen from the consumer's step). */
  readonly listPort: (l: number) => ListPort;
  /** snn_top's weight-load inputs (load-ports.ts), for the loaded layer's synapse; empty without plan.load. */
  readonly load: Record<string, Expr>;
}

/** A list other than plan.lists[l] for a reader: a recurrent layer's own events, and the names of its wires. */
export interface OwnList {
  readonly list: ListPlan;
  readonly port: ListPort;
  /** Replaces `ev` and `reader` in the wire and instance names. */
  readonly name: string;
}

/**
 * The reader of list l: `start` begins a pass (an image's list fills during step 0; an events frame is complete before
 * its step starts); `firstPass` marks the jitter generator (later passes rewind to it). With `own`, the reader of a
 * recurrent layer's own list instead (complete before the step starts; never encoded).
 */
export function readerInstance(ctx: TopContext, l: number, ready: Expr, start: Expr, firstPass: Expr, own?: OwnList): { valid: Expr; entry: Expr; x: Expr; idle: Expr } {
  const { b, plan } = ctx;
  const list = own?.list ?? plan.lists[l]!;
  const p = `s${l}_`;
  const [evName, readerName] = own ? [own.name, `${own.name}_reader`] : ['ev', 'reader'];
  const valid = b.wire(`${p}${evName}_valid`);
  const entry = b.wire(`${p}${evName}_entry`, num(list.addrBits));
  const x = b.wire(`${p}${evName}_x`, num(list.value.bits));
  const idle = b.wire(`${p}${readerName}_idle`);
  const port = own?.port ?? ctx.listPort(l);
  const encoder = plan.program.encoder;
  b.instance('snn_event_reader', `${p}${readerName}`, {
    ENTRY_BITS: num(list.addrBits), X_BITS: num(list.value.bits), COUNT_BITS: num(list.countBits),
    ENCODE: num(l === 0 && !own && encoder.kind === 'jitter' ? 1 : 0), JITTER_BITS: num(encoder.kind === 'jitter' ? encoder.jitterBits : 1),
    ...(plan.splitLaterProducts && l === 0 && !own && encoder.kind === 'jitter' ? { SPLIT_JITTER: num(1) } : {}),
  }, {
    clk: ctx.clk, rst: ctx.rst, start, first_pass: firstPass, count: port.count, complete: l === 0 && !own && !plan.aer ? lnot(ctx.loading) : lit(1, 1),
    re: port.re, raddr: port.raddr, rdata: port.rdata, seed_load: ctx.seedLoad, seed: ctx.seed,
    out_valid: valid, out_entry: entry, out_x: x, out_ready: ready, idle,
  });
  return { valid, entry, x, idle };
}

/** What is written into an event list: the producer's step start (which empties `clrBank`) and its events. */
export interface ListWrite {
  readonly clear: Expr;
  readonly start: Expr;
  readonly clrBank: Expr;
  readonly we: Expr;
  readonly data: Expr;
  readonly bank: Expr;
}

/** An snn_event_list named `l${name}_list`, read through `port` from bank `readBank`. */
export function listInstance(b: ModuleBuilder, list: ListPlan, name: number | string, port: ListPort, write: ListWrite, readBank: Expr): void {
  b.instance('snn_event_list', `l${name}_list`, {
    ENTRY_BITS: num(list.addrBits + list.value.bits), DEPTH: num(list.depth), BANKS: num(list.banks), COUNT_BITS: num(list.countBits),
    ADDR_BITS: num(indexBits(list.banks * list.depth)),
  }, {
    clk: ref('clk'), clear: write.clear, wr_start: write.start, clr_bank: write.clrBank, wr_bank: write.bank, we: write.we, wdata: write.data,
    rd_bank: readBank, re: port.re, raddr: port.raddr, rdata: port.rdata, rd_count: port.count,
  });
}
