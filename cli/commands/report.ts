/**
 * @fileoverview `snnc report MODEL|DIR`: the activity and energy estimate of the program on real data (always), and the
 * FPGA estimates and measured cycles of an emitted verilog design (when DIR holds one).
 */
import { EVENT_DATASET_NAMES, isEventDatasetName } from '../../data/event-datasets.ts';
import { programSamples } from '../../runtime/program-samples.ts';
import { SnncError } from '../../base/errors.ts';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DATASET_NAMES, DATASETS, isDatasetName, type DatasetName } from '../../data/datasets.ts';
import { loadDataset } from '../../data/load.ts';
import { PNG_SIGNATURE } from '../../data/png.ts';
import { checkOutputFile, modelInput } from '../../base/output-guard.ts';
import { terminalProgress } from '../../base/progress.ts';
import { datasetBatch, randomBatch, randomProgramBatch, type Batch } from '../../runtime/batch.ts';
import { measureActivity } from '../../runtime/activity.ts';
import { estimateEnergy } from '../../runtime/energy.ts';
import { formatEnergy } from '../../runtime/energy-format.ts';
import { activityFigure } from '../../training/plot/activity-figure.ts';
import { formatReport, hardwareReport, type HardwareReport } from '../../targets/verilog/report.ts';
import { readDesign } from '../../targets/verilog/emit.ts';
import { chooseSimulator, type Simulator } from '../../targets/verilog/run.ts';
import { manifestRoot, requireUnchanged } from '../../verify/manifest.ts';
import { requireAsEmitted } from '../../verify/as-emitted.ts';
import { parseProgram } from '../../ir/validate.ts';
import type { Program } from '../../ir/program.ts';
import { target as verilog } from '../../targets/verilog/index.ts';
import { flagBool, flagNumber, flagString, positionals, type FlagSpecs, type ParsedArgs } from '../args.ts';
import type { Command, CommandIO } from '../command.ts';
import { isNirPath, nirFlags } from '../load-model-arg.ts';
import { compileCached } from '../lowering-cache.ts';
import { lowerFlags } from './compile.ts';

const DEFAULT_IMAGES = 100;

/** Flags that only shape the lowering of a model; a build folder's program is already lowered. */
const modelOnlyFlags: FlagSpecs = { ...lowerFlags, ...nirFlags };

const flags: FlagSpecs = {
  images: { kind: 'int', min: 0, max: 10000, help: `images counted for the activity and energy and simulated for the cycle count (default ${DEFAULT_IMAGES}; 0 skips both)` },
  dataset: { kind: 'string', choices: [...DATASET_NAMES, ...EVENT_DATASET_NAMES, 'random'], help: "where the images come from (default: the program's calibration dataset, else mnist for 1x28x28, else random)" },
  plot: { kind: 'string', help: 'write a PNG of the activity per layer and timestep' },
  'no-hardware': { kind: 'boolean', help: 'skip the verilog design (synthesis, place and route, simulation)' },
  'no-pnr': { kind: 'boolean', help: 'skip nextpnr place and route' },
  'no-synth': { kind: 'boolean', help: 'skip yosys (cycles only)' },
  json: { kind: 'boolean', help: 'print the report as JSON' },
  simulator: { kind: 'string', choices: ['verilator', 'icarus'], help: 'the simulator for the cycle count (default: $SNNC_SIMULATOR if set, else verilator)' },
  'as-is': { kind: 'boolean', help: 'use the build as it is, even when its files differ from manifest.json' },
  ...modelOnlyFlags,
};

/** What MODEL|DIR names: a model to lower, or a build (its ir.json) and, when there is one, its verilog design. */
interface Source {
  readonly model?: string;
  readonly buildRoot?: string;
  readonly designDir?: string;
}

function isModel(path: string): boolean {
  return isNirPath(path) || basename(path) === 'model.json' || existsSync(join(path, 'model.json'));
}

function sourceOf(arg: string): Source {
  const path = resolve(arg);
  if (!existsSync(path)) throw new SnncError('io', `${arg}: no such file or folder`);
  if (isModel(path)) return { model: arg };
  if (!statSync(path).isDirectory()) throw new SnncError('io', `${arg}: not a model (model.json or .nir), a build folder (ir.json) or a verilog design (design.json)`);
  if (existsSync(join(path, 'ir.json'))) return { buildRoot: path, designDir: existsSync(join(path, 'verilog', 'design.json')) ? join(path, 'verilog') : undefined };
  if (existsSync(join(path, 'design.json'))) return { designDir: path, buildRoot: manifestRoot(path) && existsSync(join(dirname(path), 'ir.json')) ? dirname(path) : undefined };
  throw new SnncError('io', `${arg}: not a model (model.json or .nir), a build folder (ir.json) or a verilog design (design.json)`);
}

/** The images of the report; `source` is as the cycle line prints it ("mnist test", "random"). */
interface Images {
  readonly batch: Batch;
  readonly source: string;
  readonly description: string;
}

function imagesFor(pixels: number, count: number, name: string | undefined, preferred?: string): Images {
  const fits = (d: string): boolean => isDatasetName(d) && DATASETS[d].shape.reduce((a, b) => a * b, 1) === pixels;
  const dataset = (name ?? (preferred !== undefined && fits(preferred) ? preferred : pixels === 28 * 28 ? 'mnist' : 'random')) as DatasetName | 'random';
  if (dataset === 'random') return { batch: randomBatch(pixels, count), source: 'random', description: `random images (pixel and jitter seeds 1..${count})` };
  if (!fits(dataset)) throw new SnncError('usage', `--dataset ${dataset}: its images do not have the program's ${pixels} pixels`);
  // Seed = image index, as the example model's accuracy figures use.
  return { batch: datasetBatch(loadDataset(dataset, 'test', { limit: count })), source: `${dataset} test`, description: `${dataset} test images 0..${count - 1} (jitter seed = image index)` };
}

/** An events program's samples: its event dataset's test samples binned by the program, or random frames. */
async function eventSamplesFor(program: Program, count: number, name: string | undefined): Promise<Images> {
  const calibrated = program.quantization.calibration.dataset.split(' ')[0]!;
  const dataset = name ?? (isEventDatasetName(calibrated) ? calibrated : 'random');
  if (dataset === 'random') return { batch: randomProgramBatch(program, count), source: 'random', description: `random event frames (count seeds 1..${count})` };
  const data = await programSamples(program, dataset, 'test', { limit: count });
  return { batch: datasetBatch(data), source: `${dataset} test`, description: `${dataset} test samples 0..${data.count - 1}, binned by the program` };
}

/** The program of `source`, its build checked against manifest.json (unless --as-is), or lowered from the model. */
async function programOf(source: Source, args: ParsedArgs, io: CommandIO): Promise<Program | undefined> {
  if (source.model) return compileCached(source.model, args, io.log);
  const given = Object.keys(modelOnlyFlags).find((f) => args.flags.has(f));
  if (given) throw new SnncError('usage', `--${given} shapes the lowering of a model; a build folder's program is already lowered`);
  if (!source.buildRoot) return undefined;
  requireUnchanged(source.buildRoot, ['ir.json'], flagBool(args, 'as-is'));
  const irFile = join(source.buildRoot, 'ir.json');
  return parseProgram(readFileSync(irFile, 'utf8'), irFile);
}

/** Before yosys or a simulator reads the design (and before any other work): its files must be those compile wrote, unless --as-is. */
async function checkDesign(dir: string, program: Program | undefined, args: ParsedArgs): Promise<void> {
  const asIs = flagBool(args, 'as-is');
  const recorded = manifestRoot(dir);
  if (recorded) requireUnchanged(recorded.root, ['ir.json', recorded.prefix], asIs);
  if (recorded && !asIs && recorded.prefix === verilog.name && program) await requireAsEmitted(recorded.root, verilog, program);
  if (!recorded && !asIs) throw new SnncError('io', `${dir}: no manifest.json records this design, so its files cannot be checked (compile it with snnc compile, or pass --as-is)`);
}

/** The hardware part: yosys, nextpnr and the simulator on a checked design; report.json is written beside it. */
function hardwarePart(dir: string, images: Images | undefined, args: ParsedArgs, io: CommandIO): HardwareReport {
  const simulator = chooseSimulator(flagString(args, 'simulator') as Simulator | undefined);
  const synth = !flagBool(args, 'no-synth');
  const report = hardwareReport(dir, { batch: images, xilinx: synth, ice40: synth, place: synth && !flagBool(args, 'no-pnr'), simulator, log: io.log });
  const json = JSON.stringify(hardwareJson(report), null, 2);
  writeFileSync(join(dir, 'report.json'), json + '\n');
  return report;
}

function hardwareJson(report: HardwareReport): object {
  return { ...report, xilinx: report.xilinx && { ...report.xilinx, cells: undefined }, ice40: report.ice40 && { ...report.ice40, cells: undefined } };
}

export const reportCommand: Command = {
  name: 'report',
  usage: 'MODEL|DIR [--images N] [--dataset NAME|random] [--plot FILE.png] [--no-hardware] [--simulator verilator|icarus] [--no-pnr] [--no-synth] [--json] [--as-is] [lowering flags]',
  summary: 'activity and an energy estimate per inference on real data (synaptic operations, neuron updates, spikes, memory reads); FPGA estimates and cycles of a verilog build',
  flags,
  async run(args, io) {
    const [arg] = positionals(args, ['MODEL|DIR'], 'report');
    const source = sourceOf(arg!);
    const count = flagNumber(args, 'images') ?? DEFAULT_IMAGES;
    const plot = flagString(args, 'plot');
    if (plot !== undefined && count === 0) throw new SnncError('usage', '--plot needs images to count: --images must be at least 1');
    // Refused before any work: a folder, a device, the input itself, or an existing file that is not a PNG.
    if (plot !== undefined) checkOutputFile(plot, { parents: 'create', inputs: [source.model ? modelInput(source.model) : resolve(arg!)], recognise: { what: 'PNG file', test: (head) => head.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE) } });
    const program = await programOf(source, args, io);
    // Resolved once: the tools run with the design folder as cwd, where a relative path means something else.
    const designDir = source.designDir && !flagBool(args, 'no-hardware') ? resolve(source.designDir) : undefined;
    if (designDir) await checkDesign(designDir, program, args);
    const pixels = program ? program.input.shape.reduce((a, b) => a * b, 1) : source.designDir ? readDesign(source.designDir).pixels : 0;
    const images = count <= 0 ? undefined
      : program?.encoder.kind === 'events' ? await eventSamplesFor(program, count, flagString(args, 'dataset'))
      : imagesFor(pixels, count, flagString(args, 'dataset'), program?.quantization.calibration.dataset);
    let energyLines: string[] = [];
    let energy;
    let activity;
    if (program && images) {
      const bar = terminalProgress('activity', images.batch.images.length, io.tty);
      activity = measureActivity(program, images.batch, (done) => bar.tick(done));
      bar.done();
      energy = estimateEnergy(program, activity);
      energyLines = formatEnergy(energy, images.description);
      if (plot !== undefined) {
        const canvas = activityFigure(activity, `${images.source} images`);
        mkdirSync(dirname(plot), { recursive: true });
        canvas.save(plot);
        io.log(`${plot}: ${canvas.width}x${canvas.height} activity of ${program.name}`);
      }
    } else if (!program) io.log(`snnc: note: ${arg}: no ir.json beside the design, so no activity or energy estimate`);
    const hardware = designDir ? hardwarePart(designDir, images, args, io) : undefined;
    if (flagBool(args, 'json')) {
      io.out(JSON.stringify({ ...(energy ? { images: images!.description, activity, energy } : {}), ...(hardware ? { hardware: hardwareJson(hardware) } : {}) }, null, 2));
    } else {
      for (const line of energyLines) io.out(line);
      if (hardware) for (const line of (energyLines.length ? [''] : []).concat(formatReport(hardware))) io.out(line);
    }
    return 0;
  },
};
