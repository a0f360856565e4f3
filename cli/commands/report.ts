/** @fileoverview `snnc report DIR`: FPGA estimates and measured cycles for an emitted verilog design. */
import { SnncError } from '../../base/errors.ts';
import { join, resolve } from 'node:path';
import { DATASET_NAMES, DATASETS, type DatasetName } from '../../data/datasets.ts';
import { loadDataset } from '../../data/load.ts';
import { datasetBatch, randomBatch, type Batch } from '../../runtime/batch.ts';
import { formatReport, hardwareReport, resolveDesignDir } from '../../targets/verilog/report.ts';
import { readDesign } from '../../targets/verilog/emit.ts';
import { chooseSimulator, type Simulator } from '../../targets/verilog/run.ts';
import { manifestRoot, requireUnchanged } from '../../verify/manifest.ts';
import { requireAsEmitted } from '../../verify/as-emitted.ts';
import { parseProgram } from '../../ir/validate.ts';
import { target as verilog } from '../../targets/verilog/index.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { flagBool, flagNumber, flagString, positionals, type FlagSpecs } from '../args.ts';
import type { Command } from '../command.ts';

const DEFAULT_IMAGES = 20;

const flags: FlagSpecs = {
  images: { kind: 'int', min: 0, max: 10000, help: `images simulated for the cycle count (default ${DEFAULT_IMAGES}; 0 skips)` },
  dataset: { kind: 'string', choices: [...DATASET_NAMES, 'random'], help: 'where the images come from (default: mnist for 1x28x28 designs, else random)' },
  'no-pnr': { kind: 'boolean', help: 'skip nextpnr place and route' },
  'no-synth': { kind: 'boolean', help: 'skip yosys (cycles only)' },
  json: { kind: 'boolean', help: 'print the report as JSON' },
  simulator: { kind: 'string', choices: ['verilator', 'icarus'], help: 'the simulator for the cycle count (default: $SNNC_SIMULATOR if set, else verilator)' },
  'as-is': { kind: 'boolean', help: 'build and run the design as it is, even when its files differ from manifest.json' },
};

function imagesFor(pixels: number, count: number, name: string | undefined): { batch: Batch; source: string } {
  const mnistShaped = pixels === 28 * 28;
  const dataset = (name ?? (mnistShaped ? 'mnist' : 'random')) as DatasetName | 'random';
  if (dataset === 'random') return { batch: randomBatch(pixels, count), source: 'random' };
  if (DATASETS[dataset].shape.reduce((a, b) => a * b, 1) !== pixels) {
    throw new SnncError('usage', `--dataset ${dataset}: its images do not have the design's ${pixels} pixels`);
  }
  // Seed = image index, as the example model's accuracy figures use.
  return { batch: datasetBatch(loadDataset(dataset, 'test', { limit: count })), source: `${dataset} test` };
}

export const reportCommand: Command = {
  name: 'report',
  usage: 'DIR [--images N] [--dataset NAME|random] [--simulator verilator|icarus] [--no-pnr] [--no-synth] [--json] [--as-is]',
  summary: 'FPGA estimates (yosys 7-series and iCE40, nextpnr UP5K Fmax) and cycles per inference of a verilog design',
  flags,
  async run(args, io) {
    const [dirArg] = positionals(args, ['DIR'], 'report');
    // Resolved once here: the tools run with the design folder as cwd, where a relative path means something else.
    const dir = resolveDesignDir(resolve(dirArg!));
    const simulator = chooseSimulator(flagString(args, 'simulator') as Simulator | undefined);
    // Before yosys or a simulator reads the design: its files must be those compile wrote, unless --as-is.
    const asIs = flagBool(args, 'as-is');
    const recorded = manifestRoot(dir);
    if (recorded) requireUnchanged(recorded.root, ['ir.json', recorded.prefix], asIs);
    if (recorded && !asIs && recorded.prefix === verilog.name) {
      const irFile = join(recorded.root, 'ir.json');
      await requireAsEmitted(recorded.root, verilog, parseProgram(readFileSync(irFile, 'utf8'), irFile));
    }
    if (!recorded && !asIs) throw new SnncError('io', `${dir}: no manifest.json records this design, so its files cannot be checked (compile it with snnc compile, or pass --as-is)`);
    const design = readDesign(dir);
    const count = flagNumber(args, 'images') ?? DEFAULT_IMAGES;
    const synth = !flagBool(args, 'no-synth');
    const report = hardwareReport(dir, {
      batch: count > 0 ? imagesFor(design.pixels, count, flagString(args, 'dataset')) : undefined,
      xilinx: synth,
      ice40: synth,
      place: synth && !flagBool(args, 'no-pnr'),
      simulator,
      log: io.log,
    });
    const json = JSON.stringify({ ...report, xilinx: report.xilinx && { ...report.xilinx, cells: undefined }, ice40: report.ice40 && { ...report.ice40, cells: undefined } }, null, 2);
    writeFileSync(join(dir, 'report.json'), json + '\n');
    if (flagBool(args, 'json')) io.out(json);
    else for (const line of formatReport(report)) io.out(line);
    return 0;
  },
};
