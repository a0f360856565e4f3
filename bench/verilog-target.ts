/**
 * @fileoverview Benchmarks of the verilog target on the MNIST example: cycles per image measured in Verilator,
 * simulation speed, and (for results/hardware.md) the `--lanes` table with yosys 7-series estimates, plus an UP5K
 * place and route of a smaller model. bench/run.ts calls `benchVerilogTarget`; alone: `npx tsx bench/verilog-target.ts
 * [images]`; for the table `npx tsx bench/verilog-target.ts table [images] [lanes,lanes,...] [weight bits]` (the
 * model from $SNNC_BENCH_MODEL, default examples/mnist-snn; weight bits default to the model's: 8, or a QAT model's).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeDirAtomic } from '../base/fs-atomic.ts';
import type { Program } from '../ir/program.ts';
import { makeRandom } from '../ir/random-program.ts';
import type { SpikingOp } from '../ir/spiking.ts';
import { compileModelDir } from '../compiler/compile-model-dir.ts';
import { loadDataset } from '../data/load.ts';
import { datasetBatch } from '../runtime/batch.ts';
import { runGolden } from '../runtime/golden.ts';
import type { Batch } from '../runtime/batch.ts';
import { target } from '../targets/verilog/index.ts';
import { DEFAULT_LANES } from '../targets/verilog/check.ts';
import { hardwareReport, REFERENCE_MHZ } from '../targets/verilog/report.ts';
import { randomBatch } from '../runtime/batch.ts';
import { readDesign } from '../targets/verilog/emit.ts';
import { simulate } from '../targets/verilog/run.ts';
import type { BenchRow } from './row.ts';

export interface LanesRow {
  readonly lanes: number;
  readonly lut: number;
  readonly lutMemory: number;
  readonly ff: number;
  readonly bram: number;
  readonly dsp: number;
  readonly cyclesMean: number;
  readonly cyclesMax: number;
  readonly exact: string;
}

function mnistBatch(count: number): Batch {
  return datasetBatch(loadDataset('mnist', 'test', { limit: count }));
}

async function emitDir(program: Program, lanes: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `snnc-verilog-bench-${lanes}-`));
  writeDirAtomic(dir, (await target.emit(program, { lanes })).map((f) => [f.path, f.contents] as const));
  return dir;
}

/** Images whose scores and label equal the golden runtime's, as `n/total`. */
function exactness(program: Program, batch: Batch, scores: readonly (readonly number[])[], labels: readonly number[]): string {
  let same = 0;
  batch.images.forEach((image, i) => {
    const g = runGolden(program, image, batch.seeds[i]!);
    if (g.label === labels[i] && g.scores.every((s, k) => s === scores[i]![k])) same++;
  });
  return `${same}/${batch.images.length}`;
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** Rows for `npm run bench`: the example at the default lanes, simulated on `imageCount` MNIST test images. */
export async function benchVerilogTarget(modelDir: string, imageCount: number): Promise<BenchRow[]> {
  const { program } = await compileModelDir(modelDir);
  const dir = await emitDir(program, DEFAULT_LANES);
  try {
    const batch = mnistBatch(Math.min(imageCount, 1000));
    let started = performance.now();
    simulate(dir, { images: batch.images.slice(0, 1), seeds: [0] });
    const buildSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const result = simulate(dir, batch);
    const simSeconds = (performance.now() - started) / 1000;
    const cycles = mean(result.cycles);
    const n = batch.images.length;
    return [
      { what: `verilog, ${DEFAULT_LANES} lanes: cycles per image`, figure: `${Math.round(cycles)}`, detail: `mean over ${n} MNIST test images (max ${Math.max(...result.cycles)}), ${exactness(program, batch, result.scores, result.labels)} bit-exact` },
      { what: `verilog, ${DEFAULT_LANES} lanes: latency at ${REFERENCE_MHZ} MHz`, figure: `${(cycles / REFERENCE_MHZ).toFixed(1)} us`, detail: 'one image at a time, first pixel beat to last score beat' },
      { what: 'verilog: Verilator simulation', figure: `${(n / simSeconds).toFixed(0)} images/s`, detail: `${((n * cycles) / simSeconds / 1e6).toFixed(2)} M simulated cycles/s, one process` },
      { what: 'verilog: Verilator build', figure: `${buildSeconds.toFixed(1)} s`, detail: 'verilate, compile and run one image (cached in the design dir afterwards)' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One row of the --lanes table: yosys synth_xilinx figures and cycles over `batch`. */
export async function lanesRow(program: Program, lanes: number, batch: Batch, log: (line: string) => void): Promise<LanesRow> {
  const dir = await emitDir(program, lanes);
  try {
    log(`lanes ${lanes}: simulating ${batch.images.length} images, then yosys synth_xilinx`);
    const sim = simulate(dir, batch);
    const report = hardwareReport(dir, { ice40: false, place: false });
    const x = report.xilinx!;
    return {
      lanes, lut: x.lut, lutMemory: x.lutMemory, ff: x.ff, bram: x.bram, dsp: x.dsp,
      cyclesMean: mean(sim.cycles), cyclesMax: Math.max(...sim.cycles), exact: exactness(program, batch, sim.scores, sim.labels),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A smaller model for the UP5K (the 784-100-10 weights need more block RAM than its 30 EBR hold): 14x14 pixels,
 * 32 hidden units, 10 outputs, the example's neuron modes, 8-bit random weights (place and route does not depend on
 * trained values) and 16-bit membranes so that each decay multiply fits one 16x16 DSP.
 */
export function up5kProgram(): Program {
  const rand = makeRandom(2026);
  const weights = (n: number): number[] => Array.from({ length: n }, () => Math.floor(rand() * 256) - 128);
  const u8 = { signed: false, bits: 8, frac: 8 } as const;
  const layer = (name: string, inputs: number, units: number): SpikingOp => ({
    kind: 'spiking', name, inputs, units, inType: u8, synapse: 'dense', weights: weights(inputs * units), weightType: { signed: true, bits: 8, frac: 7 },
    weightFrac: new Array<number>(units).fill(7), accType: { signed: true, bits: 24, frac: 15 }, accShift: new Array<number>(units).fill(0),
    bias: Array.from({ length: units }, () => Math.floor(rand() * 512) - 256), membraneType: { signed: true, bits: 16, frac: 8 },
    decay: { mul: 58982, shift: 16 }, threshold: 256, output: { kind: 'excess', shift: 7, type: u8 }, reset: { kind: 'refractory', mul: 98304, shift: 16 }, delay: 0,
  });
  return {
    format: 'snnc-ir', version: 1, name: 'up5k-14x14-32-10', sourceSha256: '0'.repeat(64), timesteps: 8, classes: 10,
    input: { shape: [1, 14, 14], type: u8, realPerLsb: 1 / 255 },
    encoder: { kind: 'jitter', prng: 'xorshift32', jitterBits: 8, outType: u8 },
    layers: [layer('hidden', 196, 32), layer('out', 32, 10)],
    readout: { kind: 'sum', source: 'membrane', begin: 0, scoreType: { signed: true, bits: 20, frac: 8 }, realPerLsb: 1 / 256 },
    quantization: { weightBits: 8, granularity: 'layer', activationBits: 8, calibration: { dataset: 'none', images: 0, seed: 0 }, provenNoSaturation: false },
  };
}

async function main(args: readonly string[]): Promise<void> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  if (args[0] !== 'table') {
    for (const row of await benchVerilogTarget(process.env.SNNC_BENCH_MODEL ?? 'examples/mnist-snn', Number(args[0] ?? 200))) {
      console.log(`${row.what.padEnd(44)} ${row.figure.padStart(14)}  ${row.detail}`);
    }
    return;
  }
  const count = Number(args[1] ?? 200);
  const lanesList = (args[2] ?? '1,4,10,16,25,34,50,100').split(',').map(Number);
  const { program } = await compileModelDir(process.env.SNNC_BENCH_MODEL ?? 'examples/mnist-snn', args[3] ? { options: { weightBits: Number(args[3]) } } : {});
  log(`${program.name}: ${program.quantization.weightBits}-bit weights`);
  const batch = mnistBatch(count);
  console.log('| lanes | LUT | LUT as memory | FF | BRAM36 | DSP | cycles (mean) | cycles (max) | us at 100 MHz | bit-exact |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const lanes of lanesList) {
    const r = await lanesRow(program, lanes, batch, log);
    console.log(`| ${r.lanes} | ${r.lut} | ${r.lutMemory} | ${r.ff} | ${r.bram} | ${r.dsp} | ${Math.round(r.cyclesMean)} | ${r.cyclesMax} | ${(r.cyclesMean / REFERENCE_MHZ).toFixed(1)} | ${r.exact} |`);
  }
  // the UP5K rows do not depend on the model: only the full table prints them
  for (const lanes of args[3] ? [] : [1, 2]) {
    const small = up5kProgram();
    const dir = await emitDir(small, lanes);
    const report = hardwareReport(dir, { batch: { batch: randomBatch(196, 20), source: 'random' }, xilinx: false, log });
    const i = report.ice40!;
    const place = report.place?.fits ? `Fmax ${report.place.fmaxMHz.toFixed(1)} MHz` : report.place?.reason ?? '';
    console.log(`UP5K, ${small.name}, ${lanes} lane(s): LUT4 ${i.lut}, FF ${i.ff}, EBR ${i.ebr}, DSP ${i.dsp}; ${place}; cycles ${Math.round(report.cycles!.mean)} (${readDesign(dir).timesteps} steps)`);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
