/**
 * @fileoverview The core cycles of an iCEBreaker build's design, without its UART: the design that BUILD's board/
 * holds (`snnc compile MODEL --board icebreaker --lanes P --later-lanes Q --out BUILD`: the same cores, lanes and ring readout; its weights in ROM instead of the
 * flash-loaded SPRAM, which reads with the same one-cycle latency; its LUT products split as the board's are) in Verilator's file-driven bench, no gaps, on MNIST
 * test images 0..N-1, each compared with the golden runtime. The board simulation's cycle count also holds the time
 * the scores wait for the UART; this is the core's own.
 *
 *   npx tsx scripts/icebreaker-cycles.ts BUILD [IMAGES]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDirAtomic } from '../base/fs-atomic.ts';
import { loadBatch } from '../cli/sample-batch.ts';
import { parseProgram } from '../ir/validate.ts';
import { readBoardInfo } from '../targets/verilog/board/emit-board.ts';
import { runGolden } from '../runtime/golden.ts';
import { emitDesign } from '../targets/verilog/emit.ts';
import { productsOverDsps } from '../targets/verilog/board/ice40-files.ts';
import { planDesign } from '../targets/verilog/plan.ts';
import { simulate } from '../targets/verilog/run.ts';

const [build = 'build/mnist-ice', images = '200'] = process.argv.slice(2);
const program = parseProgram(readFileSync(join(build, 'ir.json'), 'utf8'), join(build, 'ir.json'));
const info = readBoardInfo(join(build, 'board'));
const [lanes, later, mhz] = [info.lanes, info.laterLanes ?? info.lanes, info.clockHz / 1e6];
const dir = mkdtempSync(join(tmpdir(), 'snnc-ice-cycles-'));
try {
  // The board's products past its 8 DSPs are split in two stages (SPLIT_PRODUCT, SPLIT_JITTER): so here too.
  const splitLaterProducts = productsOverDsps(planDesign(program, lanes, { laterLanes: later, loaded: true }));
  const design = emitDesign(program, { lanes, laterLanes: later, ringReadout: true, traces: false, splitLaterProducts });
  writeDirAtomic(dir, design.map((f) => [f.path, f.contents] as const));
  const batch = await loadBatch(program, 'mnist', 'test', Number(images), 0);
  const result = simulate(dir, batch);
  let exact = 0;
  batch.images.forEach((image, i) => {
    const golden = runGolden(program, image, batch.seeds[i]!);
    if (result.labels[i] === golden.label && result.scores[i]!.every((s, k) => s === golden.scores[k])) exact++;
  });
  const sorted = [...result.cycles].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const mean = sorted.reduce((a, c) => a + c, 0) / sorted.length;
  const us = (c: number): string => (c / mhz).toFixed(0);
  console.log(`${program.name}, ${lanes} lanes, later ${later}: ${exact}/${batch.images.length} bit-exact; cycles min ${sorted[0]}, median ${median}, mean ${mean.toFixed(0)}, max ${sorted.at(-1)}`);
  console.log(`at ${mhz} MHz: median ${us(median)} us, mean ${us(mean)} us, max ${us(sorted.at(-1)!)} us per image`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
