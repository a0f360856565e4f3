/**
 * @fileoverview Post-route Fmax on the iCE40 UP5K over several nextpnr placer seeds, for one design: synth_ice40 of the
 * pin-light P&R harness (as `snnc report`), then `nextpnr-ice40 --up5k --seed S` per seed, each log kept beside the
 * design (`synth/nextpnr-seedS.log`, with nextpnr's critical path). Prints Fmax per seed and the mean cycles per sample.
 *
 *   npx tsx bench/ice40-fmax.ts up5k OUT [lanes] [seeds]   # emits up5kProgram() (bench/verilog-target.ts) into OUT
 *   npx tsx bench/ice40-fmax.ts DIR [seeds]                # a design `snnc compile` wrote (its verilog/ folder or itself)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeDirAtomic } from '../base/fs-atomic.ts';
import { randomBatch } from '../runtime/batch.ts';
import { target } from '../targets/verilog/index.ts';
import { readDesign } from '../targets/verilog/emit.ts';
import { runTool, simulate } from '../targets/verilog/run.ts';
import { pnrHarness, synthIce40, UP5K } from '../targets/verilog/synth.ts';
import { up5kProgram } from './verilog-target.ts';

const FREQ_MHZ = 40;

function fmax(log: string): number | undefined {
  const all = [...log.matchAll(/Max frequency for clock\s+'[^']*':\s+([\d.]+) MHz/g)];
  return all.length > 0 ? Number(all[all.length - 1]![1]) : undefined;
}

async function main(args: readonly string[]): Promise<void> {
  let dir: string;
  let seedArg: string | undefined;
  if (args[0] === 'up5k') {
    dir = resolve(args[1] ?? 'build/fmax-up5k');
    writeDirAtomic(dir, (await target.emit(up5kProgram(), { lanes: Number(args[2] ?? 1) })).map((f) => [f.path, f.contents] as const));
    seedArg = args[3];
  } else {
    dir = resolve(args[0] ?? '.');
    if (existsSync(join(dir, 'verilog', 'design.json'))) dir = join(dir, 'verilog');
    seedArg = args[1];
  }
  const seeds = (seedArg ?? '1,2,3').split(',').map(Number);
  const design = readDesign(dir);
  const work = join(dir, 'synth');
  let synth = synthIce40(dir, design, work, pnrHarness(design));
  if (synth.estimate.dsp > UP5K.dsp) synth = synthIce40(dir, design, work, pnrHarness(design), false);
  const e = synth.estimate;
  console.log(`${design.program}, ${design.lanes} lane(s): LUT4 ${e.lut}, FF ${e.ff}, EBR ${e.ebr}, DSP ${e.dsp}`);
  const figures: number[] = [];
  for (const seed of seeds) {
    const log = join(work, `nextpnr-seed${seed}.log`);
    runTool('nextpnr-ice40', ['--up5k', '--package', 'sg48', '--json', synth.json, '--freq', String(FREQ_MHZ), '--seed', String(seed),
      '--pcf-allow-unconstrained', '--timing-allow-fail', '--quiet', '--log', log], work, 'nextpnr-ice40');
    const f = fmax(readFileSync(log, 'utf8'));
    console.log(`seed ${seed}: Fmax ${f ?? '?'} MHz  (${log})`);
    if (f !== undefined) figures.push(f);
  }
  if (figures.length > 0) console.log(`Fmax min ${Math.min(...figures)}, mean ${(figures.reduce((a, b) => a + b, 0) / figures.length).toFixed(2)}, max ${Math.max(...figures)} MHz`);
  if (!design.aer) {
    const c = simulate(dir, randomBatch(design.pixels, 20)).cycles;
    console.log(`cycles mean ${(c.reduce((a, b) => a + b, 0) / c.length).toFixed(1)} over 20 random images`);
  }
}

await main(process.argv.slice(2));
