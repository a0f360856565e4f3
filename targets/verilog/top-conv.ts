/** @fileoverview A conv or pool stage in the top level: the stage's event reader feeding one snn_conv instance. */
import { cat, index, land, lit, ne, num, str } from './netlist.ts';
import { memFileName } from './mem-files.ts';
import type { ConvPlan } from './plan.ts';
import { readerInstance, type StageWires, type TopContext } from './top-context.ts';
import { indexBits } from './cores/common.ts';

export function convInstances(ctx: TopContext, c: ConvPlan): StageWires {
  const { b, plan } = ctx;
  const l = c.layer;
  const p = `s${l}_`;
  const list = plan.lists[l]!;
  const ready = b.wire(`${p}conv_ready`);
  const ev = readerInstance(ctx, l, ready, ctx.start(l), lit(1, 1));
  const op = c.op;
  const [channels] = op.inShape;
  const [filters, outH, outW] = op.outShape;
  const idle = b.wire(`${p}idle`);
  const passesDone = b.wire(`${p}passes_done`);
  const outDone = b.wire(`${p}out_done`);
  const outValid = b.wire(`${p}out_valid`);
  const outFlat = b.wire(`${p}out_flat`, num(c.flatBits));
  const outEntry = b.wire(`${p}out_entry`, num(c.outIndexBits));
  const outY = b.wire(`${p}out_y`, num(c.outBits));
  b.instance('snn_conv', `${p}conv`, {
    CHANNELS: num(channels), KERNEL: num(op.kernel), FILTERS: num(filters),
    OUT_H: num(outH), OUT_W: num(outW), LANES: num(c.lanes), GROUPS: num(c.groups),
    CH_BITS: num(c.chBits), ROW_BITS: num(c.rowBits), COL_BITS: num(c.colBits), K_BITS: num(indexBits(op.kernel)),
    LANE_BITS: num(c.laneBits), GROUP_BITS: num(c.groupBits), FILTER_BITS: num(c.filterBits), OROW_BITS: num(indexBits(outH)), OCOL_BITS: num(indexBits(outW)),
    W_ADDR_BITS: num(c.wAddrBits), A_ADDR_BITS: num(c.aAddrBits), X_BITS: num(list.value.bits), X_SIGNED: num(list.value.signed ? 1 : 0),
    WEIGHT_BITS: num(c.weightBits), ACC_BITS: num(c.accBits), MAC_BITS: num(c.macBits), BIAS_BITS: num(c.biasBits), SHIFT_BITS: num(c.shiftBits),
    SUM_BITS: num(c.sumBits), OUT_BITS: num(c.outBits), OUT_MIN: lit(c.outMin, c.sumBits, true), OUT_MAX: lit(c.outMax, c.sumBits, true),
    FLAT_BITS: num(c.flatBits), WIDE_BITS: num(Math.max(c.aAddrBits, indexBits(outH), indexBits(outW))), KKG: num(op.kernel * op.kernel * c.groups),
    POSITIONS: num(outH * outW), ENTRY_BITS: num(c.outIndexBits), COORDS_OUT: num(plan.lists[l + 1]?.coords ? 1 : 0),
    STRIDE: num(op.stride), PADDING: num(op.padding), Q_BITS: num(c.quotientBits), REM_BITS: num(c.remainderBits),
    WEIGHTS_FILE: str(memFileName(l, 'weights')), PARAMS_FILE: str(memFileName(l, 'units')),
  }, {
    clk: ctx.clk, rst: ctx.rst, start: ctx.start(l), in_valid: ev.valid, in_entry: ev.entry, in_x: ev.x, in_idle: ev.idle, in_ready: ready,
    idle, scatter_done: passesDone, out_valid: outValid, out_flat: outFlat, out_entry: outEntry, out_y: outY, done: outDone,
  });
  return {
    evWe: land(outValid, ne(outY, num(0))),
    evData: cat(outEntry, outY),
    evBank: index(ctx.step(l), num(0)),
    idle, passesDone, outDone,
    trace: { valid: outValid, step: ctx.step(l), index: outFlat, output: outY, outSigned: op.outType.signed },
    quiet: [outFlat, ctx.step(l)],
  };
}
