/**
 * @fileoverview The hardware report of an emitted design: 7-series and iCE40 estimates, UP5K place and route, and
 * cycles per inference measured in simulation, turned into latency and throughput at 100 MHz and at the Fmax.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SnncError } from '../../base/errors.ts';
import type { Batch } from '../../runtime/batch.ts';
import type { DesignInfo } from './emit.ts';
import { readDesign } from './emit.ts';
import { simulate, type Simulator } from './run.ts';
import {
  pnrHarness, placeUp5k, synthIce40, synthXilinx, UP5K, up5kOverflow, type Ice40Estimate, type PlaceResult, type XilinxEstimate,
} from './synth.ts';
import { largest, smallest } from '../../base/array-extent.ts';

export const REFERENCE_MHZ = 100;

export interface CycleStats {
  readonly images: number;
  readonly source: string;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

export interface HardwareReport {
  readonly dir: string;
  readonly design: DesignInfo;
  readonly xilinx?: XilinxEstimate;
  readonly ice40?: Ice40Estimate;
  readonly place?: PlaceResult;
  readonly cycles?: CycleStats;
}

export interface ReportOptions {
  /** Images (and where they come from) for the cycle measurement; none skips it. */
  readonly batch?: { readonly batch: Batch; readonly source: string };
  readonly xilinx?: boolean;
  readonly ice40?: boolean;
  readonly place?: boolean;
  readonly simulator?: Simulator;
  readonly log?: (line: string) => void;
}

/** DIR may be the design directory or a build directory holding `verilog/`. */
export function resolveDesignDir(dir: string): string {
  if (existsSync(join(dir, 'design.json'))) return dir;
  if (existsSync(join(dir, 'verilog', 'design.json'))) return join(dir, 'verilog');
  throw new SnncError('io', `${dir}: no verilog design here (expected design.json or verilog/design.json)`);
}

export function hardwareReport(dirArg: string, options: ReportOptions = {}): HardwareReport {
  // yosys, nextpnr and the simulators run with the design folder as cwd: every path they get must be absolute.
  const dir = resolveDesignDir(resolve(dirArg));
  const design = readDesign(dir);
  const log = options.log ?? (() => {});
  const work = join(dir, 'synth');
  let xilinx: XilinxEstimate | undefined;
  let ice40: Ice40Estimate | undefined;
  let place: PlaceResult | undefined;
  let cycles: CycleStats | undefined;
  if (options.batch) {
    log(`simulating ${options.batch.batch.images.length} ${options.batch.source} images`);
    const result = simulate(dir, options.batch.batch, { simulator: options.simulator });
    const c = result.cycles;
    cycles = { images: c.length, source: options.batch.source, mean: c.reduce((a, b) => a + b, 0) / c.length, min: smallest(c), max: largest(c) };
  }
  if (options.xilinx ?? true) {
    log('yosys synth_xilinx');
    xilinx = synthXilinx(dir, design, work);
  }
  if (options.ice40 ?? true) {
    log('yosys synth_ice40');
    let synth = synthIce40(dir, design, work, pnrHarness(design));
    // Only the DSPs overflowing is worth a second synthesis; a design short of LUTs or EBR will not fit either way.
    if (synth.estimate.dsp > UP5K.dsp && up5kOverflow({ ...synth.estimate, dsp: 0 }) === undefined) {
      log(`${synth.estimate.dsp} multipliers exceed the UP5K's ${UP5K.dsp} DSPs: synth_ice40 again with multipliers in LUTs`);
      synth = synthIce40(dir, design, work, pnrHarness(design), false);
    }
    ice40 = synth.estimate;
    if (options.place ?? true) {
      const overflow = up5kOverflow(ice40);
      if (overflow) place = { fits: false, reason: `does not fit an UP5K: ${overflow}` };
      else {
        log('nextpnr-ice40 --up5k');
        place = placeUp5k(synth.json, work, REFERENCE_MHZ);
      }
    }
  }
  return { dir, design, xilinx, ice40, place, cycles };
}

const us = (cycles: number, mhz: number): string => (cycles / mhz).toFixed(1);
const perSecond = (cycles: number, mhz: number): string => Math.round((mhz * 1e6) / cycles).toLocaleString('en-US');

export function formatReport(r: HardwareReport): string[] {
  const lines = [`design       ${r.dir} (${r.design.program}, ${r.design.lanes} lane(s), T=${r.design.timesteps})`];
  const x = r.xilinx;
  if (x) lines.push(`7-series     LUT ${x.lut}, LUT as memory ${x.lutMemory}, FF ${x.ff}, BRAM36 ${x.bram}, DSP ${x.dsp}  (yosys synth_xilinx)`);
  const i = r.ice40;
  if (i) lines.push(`iCE40        LUT4 ${i.lut}, FF ${i.ff}, EBR ${i.ebr}, DSP ${i.dsp}, SPRAM ${i.spram}  (yosys synth_ice40, with the P&R harness)`);
  if (r.place) lines.push(r.place.fits ? `UP5K P&R     Fmax ${r.place.fmaxMHz.toFixed(1)} MHz (nextpnr-ice40)` : `UP5K P&R     ${r.place.reason}`);
  const c = r.cycles;
  if (c) {
    lines.push(`cycles       mean ${Math.round(c.mean)} (min ${c.min}, max ${c.max}) per inference over ${c.images} ${c.source} images`);
    lines.push(`at ${REFERENCE_MHZ} MHz   ${us(c.mean, REFERENCE_MHZ)} us per image, ${perSecond(c.mean, REFERENCE_MHZ)} images/s`);
    if (r.place?.fits) lines.push(`at Fmax      ${us(c.mean, r.place.fmaxMHz)} us per image, ${perSecond(c.mean, r.place.fmaxMHz)} images/s (${r.place.fmaxMHz.toFixed(1)} MHz)`);
  }
  return lines;
}
