/**
 * @fileoverview FPGA estimates for an emitted design: yosys synth_xilinx (7-series) and synth_ice40 cell counts, and
 * nextpnr-ice40 place and route on an UP5K for Fmax. Place and route goes through a generated pin-light harness
 * (snn_pnr: pixel and seed shifted in on one pin, every output folded into one XOR pin), because the UP5K's 39 pins
 * cannot carry the top's ports; the folding keeps all of the design's logic observable, so none is optimised away.
 */
import { SnncError } from '../../base/errors.ts';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cat, index, ModuleBuilder, num, range, reduceXor, set, type Module } from './netlist.ts';
import { printModule } from './print-verilog.ts';
import { runTool } from './run.ts';
import type { DesignInfo } from './emit.ts';

/** UP5K capacity (Lattice iCE40 UltraPlus family data sheet). */
export const UP5K = { lut: 5280, ff: 5280, ebr: 30, dsp: 8, spram: 4 } as const;

export interface CellCounts {
  readonly [cell: string]: number;
}

export interface XilinxEstimate {
  readonly lut: number;
  /** LUTs used as distributed RAM or shift registers. */
  readonly lutMemory: number;
  readonly ff: number;
  /** In RAMB36 equivalents (a RAMB18 counts one half). */
  readonly bram: number;
  readonly dsp: number;
  readonly cells: CellCounts;
}

export interface Ice40Estimate {
  readonly lut: number;
  readonly ff: number;
  readonly ebr: number;
  readonly dsp: number;
  readonly spram: number;
  readonly cells: CellCounts;
}

export type PlaceResult = { readonly fits: true; readonly fmaxMHz: number } | { readonly fits: false; readonly reason: string };

const sum = (cells: CellCounts, match: (name: string) => boolean): number =>
  Object.entries(cells).filter(([name]) => match(name)).reduce((total, [, n]) => total + n, 0);

/** Cell counts of the top module from `yosys stat -json` output. */
export function parseStat(json: string): CellCounts {
  const stat = JSON.parse(json) as { design?: { num_cells_by_type?: Record<string, number> } };
  return stat.design?.num_cells_by_type ?? {};
}

export function xilinxEstimate(cells: CellCounts): XilinxEstimate {
  const lutMemory = 4 * sum(cells, (c) => c === 'RAM32M' || c === 'RAM64M') + sum(cells, (c) => /^(RAM(32|64|128|256)X1[SD]|SRL16E|SRLC32E)$/.test(c));
  return {
    lut: sum(cells, (c) => /^LUT[1-6]$/.test(c)),
    lutMemory,
    ff: sum(cells, (c) => /^FD[A-Z]*$/.test(c)),
    bram: sum(cells, (c) => c === 'RAMB36E1') + sum(cells, (c) => c === 'RAMB18E1') / 2,
    dsp: sum(cells, (c) => c.startsWith('DSP48')),
    cells,
  };
}

export function ice40Estimate(cells: CellCounts): Ice40Estimate {
  return {
    lut: sum(cells, (c) => c === 'SB_LUT4'),
    ff: sum(cells, (c) => /^SB_DFF/.test(c)),
    ebr: sum(cells, (c) => c.startsWith('SB_RAM40')),
    dsp: sum(cells, (c) => c === 'SB_MAC16'),
    spram: sum(cells, (c) => c === 'SB_SPRAM256KA'),
    cells,
  };
}

function yosys(dir: string, work: string, info: DesignInfo, extra: readonly string[], commands: string): CellCounts {
  const statFile = join(work, `${commands.startsWith('synth_xilinx') ? 'xilinx' : 'ice40'}-stat.json`);
  const files = [...info.rtl, ...extra].join(' ');
  // -defer: elaborate modules only with the parameters their instances give (the defaults name no memory file).
  const script = `read_verilog -defer ${files}; ${commands}; tee -q -o ${relative(dir, statFile)} stat -json`;
  writeFileSync(join(work, `${commands.split(' ')[0]}.ys`), script + '\n');
  const log = runTool('yosys', ['-q', '-p', script], dir, `yosys ${commands.split(' ')[0]}`);
  writeFileSync(join(work, `${commands.split(' ')[0]}.log`), log);
  // yosys resolves a net with two drivers to a constant and synthesises on: the figures would describe another design.
  const conflict = /^Warning: multiple conflicting drivers for (\S+)/m.exec(log);
  if (conflict) throw new SnncError('tool', `yosys ${commands.split(' ')[0]}: ${conflict[1]} has several drivers, so its figures would not describe the design (see ${relative(dir, work)}/${commands.split(' ')[0]}.log)`);
  return parseStat(readFileSync(statFile, 'utf8'));
}

export function synthXilinx(dir: string, info: DesignInfo, work: string): XilinxEstimate {
  mkdirSync(work, { recursive: true });
  return xilinxEstimate(yosys(dir, work, info, [], `synth_xilinx -top ${info.top} -flatten`));
}

/** The pin-light harness around snn_top used for place and route. */
export function pnrHarness(info: DesignInfo): Module {
  const b = new ModuleBuilder('snn_pnr', 'place-and-route harness: inputs shifted in on one pin, outputs folded to one');
  const clk = b.input('clk');
  const rst = b.input('rst');
  const inValid = b.input('in_valid');
  const inBit = b.input('in_bit');
  const outReady = b.input('out_ready');
  const inReady = b.output('in_ready');
  const outValid = b.output('out_valid');
  const outBit = b.output('out_bit');
  // An image beat and its seed, or an address-event beat {eot, address, count}.
  const aer = info.aer;
  const beatBits = aer ? aer.addrBits + aer.countBits + 1 : info.pixelBits * info.beatPixels;
  const shiftBits = aer ? beatBits : beatBits + 32;
  const shift = b.reg('shift_in', num(shiftBits));
  const outClass = b.wire('out_class', num(info.classBits));
  const outScore = b.wire('out_score', num(info.scoreBits));
  const outLabel = b.wire('out_label', num(info.classBits));
  const outLast = b.wire('out_last');
  b.always(clk, [set(shift, cat(range(shift, shiftBits - 2, 0), inBit))]);
  b.instance(info.top, 'dut', {}, {
    clk, rst, in_valid: inValid, in_ready: inReady,
    ...(aer
      ? { in_count: range(shift, aer.countBits - 1, 0), in_addr: range(shift, beatBits - 2, aer.countBits), in_eot: index(shift, beatBits - 1) }
      : { in_pixel: range(shift, beatBits - 1, 0), in_seed: range(shift, shiftBits - 1, beatBits) }),
    out_valid: outValid, out_ready: outReady, out_class: outClass, out_score: outScore, out_label: outLabel, out_last: outLast,
  });
  b.assign(outBit, reduceXor(cat(outClass, outScore, outLabel, outLast)));
  return b.build();
}

/** `dsp`: map multipliers to SB_MAC16 (the UP5K has 8); without it they are built from LUTs. */
export function synthIce40(dir: string, info: DesignInfo, work: string, harness?: Module, dsp = true): { estimate: Ice40Estimate; json: string } {
  mkdirSync(work, { recursive: true });
  const json = join(work, 'ice40.json');
  const extra: string[] = [];
  let top: string = info.top;
  if (harness) {
    const file = join(work, `${harness.name}.v`);
    writeFileSync(file, printModule(harness));
    extra.push(relative(dir, file));
    top = harness.name;
  }
  const cells = yosys(dir, work, info, extra, `synth_ice40 -top ${top}${dsp ? ' -dsp' : ''} -json ${relative(dir, json)}`);
  return { estimate: ice40Estimate(cells), json };
}

/** Why an estimate cannot fit an UP5K, or undefined when it may. */
export function up5kOverflow(e: Ice40Estimate): string | undefined {
  const over = [
    e.lut > UP5K.lut ? `${e.lut}/${UP5K.lut} LUT` : '',
    e.ebr > UP5K.ebr ? `${e.ebr}/${UP5K.ebr} EBR` : '',
    e.dsp > UP5K.dsp ? `${e.dsp}/${UP5K.dsp} DSP` : '',
  ].filter((s) => s !== '');
  return over.length > 0 ? `needs ${over.join(', ')}` : undefined;
}

export function placeUp5k(json: string, work: string, targetMHz: number): PlaceResult {
  const log = join(work, 'nextpnr.log');
  try {
    runTool('nextpnr-ice40', ['--up5k', '--package', 'sg48', '--json', json, '--freq', String(targetMHz), '--pcf-allow-unconstrained', '--timing-allow-fail', '--quiet', '--log', log], work, 'nextpnr-ice40');
  } catch (e) {
    const text = readSafe(log);
    const error = text.split('\n').find((l) => l.startsWith('ERROR'));
    if (error) return { fits: false, reason: error.replace(/^ERROR:\s*/, '') };
    throw e;
  }
  const matches = [...readSafe(log).matchAll(/Max frequency for clock\s+'[^']*':\s+([\d.]+) MHz/g)];
  const last = matches[matches.length - 1];
  if (!last) return { fits: false, reason: 'nextpnr reported no clock frequency' };
  return { fits: true, fmaxMHz: Number(last[1]) };
}

function readSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
