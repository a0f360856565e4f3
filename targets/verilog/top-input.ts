/**
 * @fileoverview The input side of the top level: the image loader (one pixel, or a 32-bit bus of packed pixels, per
 * beat) for jitter and direct programs, or the address-event loader for an events program, and what they hand the
 * input list and the first stage's scheduler.
 */
import { type Expr, lit, type ModuleBuilder, num } from './netlist.ts';
import type { DesignPlan } from './plan.ts';
import { indexBits } from './cores/common.ts';

/** What the input list and the first stage's scheduler get from the loader. */
export interface InputWires {
  readonly we: Expr;
  readonly data: Expr;
  /** Empties `bank` before the loader writes it (events: once per frame). */
  readonly wrStart: Expr;
  readonly bank: Expr;
  /** Events: timesteps closed so far, the first stage's producer count; undefined for an image. */
  readonly frames?: Expr;
}

interface Handshake {
  readonly clk: Expr;
  readonly active: Expr;
  readonly inValid: Expr;
  readonly inReady: Expr;
  readonly firstBeat: Expr;
  readonly done: Expr;
}

export function imageLoaderInstance(b: ModuleBuilder, plan: DesignPlan, io: Handshake & { readonly rst: Expr; readonly inPixel: Expr }): InputWires {
  const [channels, height, width] = plan.program.input.shape;
  const loaderWe = b.wire('loader_we');
  const loaderData = b.wire('loader_data', num(plan.lists[0]!.addrBits + plan.pixelBits));
  const loaderPorts = {
    clk: io.clk, rst: io.rst, active: io.active, in_valid: io.inValid, in_ready: io.inReady, first_beat: io.firstBeat, done: io.done, ev_we: loaderWe, ev_data: loaderData,
  };
  if (plan.beatPixels === 1) {
    b.instance('snn_loader', 'loader', {
      PIXEL_BITS: num(plan.pixelBits), CHANNELS: num(channels), HEIGHT: num(height), WIDTH: num(width), INDEX_BITS: num(plan.input.indexBits),
      CH_BITS: num(plan.input.chBits), ROW_BITS: num(plan.input.rowBits), COL_BITS: num(plan.input.colBits),
      COORDS: num(plan.lists[0]!.coords ? 1 : 0), ENTRY_BITS: num(plan.lists[0]!.addrBits),
    }, { ...loaderPorts, in_pixel: io.inPixel });
  } else {
    const beats = Math.ceil(plan.pixels / plan.beatPixels);
    const lastLanes = plan.pixels - (beats - 1) * plan.beatPixels;
    b.instance('snn_packed_loader', 'loader', {
      BEAT: num(plan.beatPixels), LANE_BITS: num(indexBits(plan.beatPixels)), PIXEL_BITS: num(plan.pixelBits), BEATS: num(beats),
      BEAT_BITS: num(indexBits(beats)), INDEX_BITS: num(plan.input.indexBits), BASE_BITS: num(indexBits(beats * plan.beatPixels)),
      LAST_MASK: lit(2 ** lastLanes - 1, plan.beatPixels),
    }, { ...loaderPorts, in_pixels: io.inPixel });
  }
  return { we: loaderWe, data: loaderData, wrStart: lit(0, 1), bank: lit(0, 1) };
}

interface AerIo extends Handshake {
  readonly clear: Expr;
  readonly in_addr: Expr;
  readonly in_count: Expr;
  readonly in_eot: Expr;
}

/** The AER loader; `firstRead` is the first stage's count of steps whose input it has read (frees a bank). */
export function aerLoaderInstance(b: ModuleBuilder, plan: DesignPlan, io: AerIo, firstRead: Expr): InputWires {
  const aer = plan.aer!;
  const list = plan.lists[0]!;
  const stepCountBits = plan.stepBits + 2;
  const we = b.wire('loader_we');
  const data = b.wire('loader_data', num(list.addrBits + plan.pixelBits));
  const wrStart = b.wire('loader_wr_start');
  const bank = b.wire('loader_bank');
  const frames = b.wire('loader_frames', num(stepCountBits));
  const { chBits, rowBits, colBits } = plan.input;
  b.instance('snn_aer_loader', 'loader', {
    ADDR_BITS: num(aer.addrBits), COUNT_BITS: num(aer.countBits), STEP_COUNT_BITS: num(stepCountBits), TIMESTEPS: num(plan.program.timesteps),
    COORDS: num(list.coords ? 1 : 0), ENTRY_BITS: num(list.addrBits), CH_BITS: num(chBits), ROW_BITS: num(rowBits), COL_BITS: num(colBits),
    PLANE_BITS: num(aer.planeBits),
    CH_MUL_BITS: num(aer.channel.mulBits), CH_MUL: lit(aer.channel.mul, aer.channel.mulBits), CH_SHIFT: num(aer.channel.shift),
    CH_PROD_BITS: num(Math.max(aer.addrBits + aer.channel.mulBits, aer.channel.shift + chBits)),
    PLANE: num(plan.program.input.shape[1] * plan.program.input.shape[2]),
    ROW_MUL_BITS: num(aer.row.mulBits), ROW_MUL: lit(aer.row.mul, aer.row.mulBits), ROW_SHIFT: num(aer.row.shift),
    ROW_PROD_BITS: num(Math.max(aer.planeBits + aer.row.mulBits, aer.row.shift + rowBits)), WIDTH: num(plan.program.input.shape[2]),
  }, {
    clk: io.clk, clear: io.clear, active: io.active, in_valid: io.inValid, in_ready: io.inReady, in_addr: io.in_addr, in_count: io.in_count, in_eot: io.in_eot,
    consumer_read: firstRead, first_beat: io.firstBeat, done: io.done, frames, wr_start: wrStart, wr_bank: bank, ev_we: we, ev_data: data,
  });
  return { we, data, wrStart, bank, frames };
}
