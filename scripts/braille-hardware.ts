/**
 * @fileoverview `npx tsx scripts/braille-hardware.ts BUILD_DIR [--samples N]`: the Verilog cost of a recurrent layer
 * (results/hardware.md). BUILD_DIR is `snnc compile examples/braille-rnn.nir --calibration none` output. It emits the
 * program as it is and with its recurrent weights removed (the feed-forward network of the same width), simulates both
 * on the same random event samples, checks every score against the golden runtime, and prints one table row each:
 * yosys synth_xilinx LUT/FF/BRAM36/DSP and cycles per sample.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeDirAtomic } from '../base/fs-atomic.ts';
import type { Program } from '../ir/program.ts';
import { parseProgram } from '../ir/validate.ts';
import { randomProgramBatch } from '../runtime/batch.ts';
import { traceGolden } from '../runtime/golden.ts';
import { emitDesign } from '../targets/verilog/emit.ts';
import { hardwareReport } from '../targets/verilog/report.ts';
import { simulate } from '../targets/verilog/run.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { samples: { type: 'string', default: '20' } } });
const build = positionals[0];
if (!build) {
  console.error('usage: npx tsx scripts/braille-hardware.ts BUILD_DIR [--samples N]');
  process.exit(2);
}
const recurrent = parseProgram(readFileSync(join(build, 'ir.json'), 'utf8'), 'ir.json');
const feedForward: Program = {
  ...recurrent, name: `${recurrent.name}-without-recurrent-weights`,
  layers: recurrent.layers.map((op) => (op.kind === 'spiking' ? (({ recurrent: _dropped, ...rest }) => rest)(op) : op)),
};
const batch = randomProgramBatch(recurrent, Number(values.samples));
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log('| program | LUT (as memory) | FF | BRAM36 | DSP | cycles per sample: mean (min-max) | hidden spikes per sample | bit-exact |');
console.log('|---|---:|---:|---:|---:|---|---:|---:|');
for (const program of [recurrent, feedForward]) {
  const dir = join(mkdtempSync(join(tmpdir(), 'snnc-braille-hw-')), 'design');
  writeDirAtomic(dir, emitDesign(program, { lanes: 50, traces: false }).map((f) => [f.path, f.contents] as const));
  const sim = simulate(dir, batch);
  const traces = batch.images.map((image, i) => traceGolden(program, image, batch.seeds[i]!));
  const exact = traces.filter((trace, i) => JSON.stringify(trace.scores) === JSON.stringify(sim.scores[i])).length;
  const spikes = traces.map((trace) => trace.layers[0]!.output.reduce((n, row) => n + row.filter((v) => v !== 0).length, 0));
  const x = hardwareReport(dir, { xilinx: true, ice40: false, place: false }).xilinx!;
  const cycles = sim.cycles;
  console.log(`| ${program.name} | ${x.lut} (${x.lutMemory}) | ${x.ff} | ${x.bram} | ${x.dsp} | ${Math.round(mean(cycles))} (${Math.min(...cycles)}-${Math.max(...cycles)}) | ${Math.round(mean(spikes))} | ${exact}/${batch.images.length} |`);
}
