/**
 * @fileoverview The table of snnc commands, in the order `snnc --help` lists them. Each command module is imported
 * only when that command is named, so `snnc --help` and a mistyped command load none of the targets, tfjs or h5wasm.
 */
import type { Command } from './command.ts';

export interface CommandEntry {
  readonly name: string;
  /** The line `snnc --help` prints; test/cli-startup.test.ts checks it equals the loaded command's own summary. */
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  { name: 'compile', summary: 'lower a model to the fixed-point IR and emit targets', load: async () => (await import('./commands/compile.ts')).compileCommand },
  { name: 'ir', summary: 'print the fixed-point IR of a model', load: async () => (await import('./commands/ir.ts')).irCommand },
  { name: 'run', summary: 'print the class scores of one image, float and fixed point', load: async () => (await import('./commands/run.ts')).runCommand },
  { name: 'eval', summary: 'float vs fixed-point accuracy and agreement on a dataset', load: async () => (await import('./commands/eval.ts')).evalCommand },
  { name: 'verify', summary: 'compare every target with the golden runtime, integer for integer', load: async () => (await import('./commands/verify.ts')).verifyCommand },
  { name: 'import', summary: 'import a NIR graph (snnTorch, Sinabs, Norse, ...) as an snnc float model', load: async () => (await import('./commands/import.ts')).importCommand },
  { name: 'export', summary: 'export a float model as NIR (refuses what NIR cannot state exactly)', load: async () => (await import('./commands/export.ts')).exportCommand },
  { name: 'data', summary: 'fetch datasets into the cache, add event recordings you downloaded (checksums verified), event statistics and rasters', load: async () => (await import('./commands/data.ts')).dataCommand },
  { name: 'train', summary: 'Train a model (tfjs) and save it in the snnc model format, with a checkpoint per epoch', load: async () => (await import('./commands/train.ts')).trainCommand },
  { name: 'plot', summary: 'Draw a figure of a model as PNG: conv filters, membrane/spike raster for one test image, training curves', load: async () => (await import('./commands/plot.ts')).plotCommand },
  { name: 'board', summary: 'stream images over UART to a board (or its Verilator simulation) and compare every score with the golden runtime', load: async () => (await import('./commands/board.ts')).boardCommand },
  { name: 'report', summary: 'activity and an energy estimate per inference on real data (synaptic operations, neuron updates, spikes, memory reads); FPGA estimates and cycles of a verilog build', load: async () => (await import('./commands/report.ts')).reportCommand },
];
