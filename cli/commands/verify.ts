/** @fileoverview `snnc verify MODEL|DIR`: golden runtime vs every target, a table, a JSON report, exit 0 only on a match. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../base/fs-atomic.ts';
import { checkOutputFile } from '../../base/output-guard.ts';
import type { Program } from '../../ir/program.ts';
import { parseProgram } from '../../ir/validate.ts';
import { loadModelArg, nirFlags } from '../load-model-arg.ts';
import { verifyTargets, type VerifyRow } from '../../verify/verify.ts';
import { requireUnchanged, sha256Bytes, sha256File } from '../../verify/manifest.ts';
import { requireAsEmitted } from '../../verify/as-emitted.ts';
import { chooseSimulator, simulatorVersion, type Simulator } from '../../targets/verilog/run.ts';
import { targets } from '../../targets/registry.ts';
import type { Batch } from '../../runtime/batch.ts';
import { datasetOf, loadBatch } from '../sample-batch.ts';
import { DATASET_NAMES } from '../../data/datasets.ts';
import { EVENT_DATASET_NAMES } from '../../data/event-datasets.ts';
import { sampleFileFrames } from '../../runtime/program-samples.ts';
import { flagBool, flagList, flagNumber, flagString, positionals, type FlagSpecs } from '../args.ts';
import type { Command } from '../command.ts';
import { terminalProgress } from '../../base/progress.ts';
import { checkTargetOptions, compileFromArgs, LANES_FLAG, lowerFlags } from './compile.ts';

const flags: FlagSpecs = {
  targets: { kind: 'list', choices: targets.map((t) => t.name), help: 'targets to check (default: all)' },
  samples: { kind: 'int', min: 1, max: 1_000_000, help: 'images to compare (default 100)' },
  dataset: { kind: 'string', choices: [...DATASET_NAMES, ...EVENT_DATASET_NAMES, 'random'], help: "image or event source (default: the model's dataset)" },
  sample: { kind: 'string', help: 'verify on one event recording FILE.bin (N-MNIST format) instead of a dataset' },
  split: { kind: 'string', choices: ['train', 'test'], help: 'split (default test)' },
  seed: { kind: 'int', min: 0, max: 2 ** 32 - 1, help: 'jitter seed of image i is SEED + i (default 0)' },
  report: { kind: 'string', help: 'also write the table as JSON to FILE' },
  lanes: LANES_FLAG,
  simulator: { kind: 'string', choices: ['verilator', 'icarus'], help: 'verilog: the simulator (default: $SNNC_SIMULATOR if set, else verilator)' },
  golden: { kind: 'string', choices: ['fast', 'definition'], help: 'the golden runtime to compare with: fast (default; runtime/golden-fast.ts, tested equal) or definition (runtime/golden.ts)' },
  'as-is': { kind: 'boolean', help: "check a build's files as they are, even when they differ from manifest.json (runs DIR/ts/model.ts as it is)" },
  ...lowerFlags,
  ...nirFlags,
};

/** One recording as a batch of one sample. */
function fileBatch(program: Program, file: string, seed: number): Batch & { source: string } {
  const { frames, dropped, events } = sampleFileFrames(program, file);
  return { images: [frames], seeds: [seed], source: `${file} (${events} events, ${dropped} outside the window)` };
}

/** What the JSON report records beyond the table: the files checked, the tools that ran them, the images and seeds. */
function runRecord(buildDir: string | undefined, rows: readonly VerifyRow[], batch: Batch & { source: string }, simulator: Simulator | undefined): Record<string, unknown> {
  const ran = (name: string): boolean => rows.some((r) => r.target === name && (r.status === 'match' || r.status === 'mismatch'));
  const pixels = sha256Bytes(Buffer.concat(batch.images.map((image) => Buffer.from(image))));
  return {
    ...(buildDir ? { buildDir, irSha256: sha256File(join(buildDir, 'ir.json')) } : {}),
    tools: {
      node: process.version,
      ...(ran('onnx') ? { onnxruntime: `onnxruntime-node ${(createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version}` } : {}),
      ...(ran('verilog') && simulator ? { simulator, simulatorVersion: simulatorVersion(simulator) } : {}),
    },
    imageSource: batch.source,
    imagesSha256: pixels,
    seeds: batch.seeds,
  };
}

export function formatTable(rows: readonly VerifyRow[], goldenPerSecond: number, images: number): string[] {
  const lines = ['target   images  mismatches  images/s  first mismatch', `golden   ${String(images).padStart(6)}  ${'-'.padStart(10)}  ${goldenPerSecond.toFixed(0).padStart(8)}  -`];
  for (const r of rows) {
    const rate = r.imagesPerSecond !== undefined ? r.imagesPerSecond.toFixed(1) : '-';
    const detail = r.status === 'match' ? 'none' : r.status === 'mismatch' ? r.first ?? '' : `${r.status}: ${r.note ?? ''}`;
    lines.push(`${r.target.padEnd(8)} ${String(r.images).padStart(6)}  ${String(r.status === 'mismatch' || r.status === 'match' ? r.mismatches : '-').padStart(10)}  ${rate.padStart(8)}  ${detail}`);
  }
  return lines;
}

export const verifyCommand: Command = {
  name: 'verify',
  usage: 'MODEL|BUILD_DIR [--targets onnx,verilog,ts,wasm] [--samples N] [--dataset NAME | --sample FILE.bin] [--seed S] [--simulator verilator|icarus] [--golden fast|definition] [--as-is] [--report FILE.json]',
  summary: 'compare every target with the golden runtime, integer for integer',
  flags,
  async run(args, io) {
    const [pathArg] = positionals(args, ['MODEL|BUILD_DIR'], 'verify');
    // Resolved once here: targets run tools with their own folder as cwd, where a relative path means something else.
    const path = resolve(pathArg!);
    const isBuild = existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, 'ir.json'));
    const names = flagList(args, 'targets');
    const chosen = names ? targets.filter((t) => names.includes(t.name)) : targets;
    // SNNC_SIMULATOR is read only when the verilog target runs.
    const simulator = chosen.some((t) => t.name === 'verilog') ? chooseSimulator(flagString(args, 'simulator') as Simulator | undefined) : undefined;
    // Before anything in the build is read, loaded or built: the files must be those compile wrote, and the code that
    // runs must be what ir.json emits, unless --as-is.
    const asIs = flagBool(args, 'as-is');
    // A report path that cannot be written is refused now, not after minutes of simulation.
    const reportPath = flagString(args, 'report');
    if (reportPath !== undefined) checkOutputFile(reportPath, { parents: 'refuse', inputs: [path] });
    if (isBuild) requireUnchanged(path, ['ir.json', ...chosen.map((t) => t.name)], asIs);
    const lanes = flagNumber(args, 'lanes');
    const targetOptions = lanes !== undefined ? { lanes } : {};
    checkTargetOptions(chosen, targetOptions);
    const program = isBuild
      ? parseProgram(readFileSync(join(path, 'ir.json'), 'utf8'), join(path, 'ir.json'))
      : await compileFromArgs(pathArg!, args, io.log, undefined, (timesteps) => checkTargetOptions(chosen, { ...targetOptions, timesteps }));
    if (isBuild && !asIs) for (const target of chosen) await requireAsEmitted(path, target, program);
    const samples = flagNumber(args, 'samples') ?? 100;
    const sampleFile = flagString(args, 'sample');
    const batch = sampleFile !== undefined ? fileBatch(program, sampleFile, flagNumber(args, 'seed') ?? 0) : await loadBatch(program, flagString(args, 'dataset') ?? datasetOf(program), (flagString(args, 'split') ?? 'test') as 'train' | 'test', samples, flagNumber(args, 'seed') ?? 0);
    const golden = (flagString(args, 'golden') ?? 'fast') as 'fast' | 'definition';
    const bar = terminalProgress('verify', batch.images.length * chosen.length, io.tty);
    const offsets = new Map(chosen.map((t, i) => [t.name, i * batch.images.length]));
    const { rows, goldenPerSecond } = await verifyTargets(program, isBuild ? path : undefined, chosen, batch, {
      emit: { ...(lanes !== undefined ? { lanes } : {}), ...(isBuild ? {} : { model: (await loadModelArg(pathArg!, args)).model }), log: io.log },
      chunk: Math.max(10, Math.ceil(batch.images.length / 20)),
      onProgress: (name, done) => bar.tick((offsets.get(name) ?? 0) + done, name),
      run: simulator ? { simulator } : {},
      golden,
    });
    bar.done();
    for (const line of formatTable(rows, goldenPerSecond, batch.images.length)) io.out(line);
    const report = flagString(args, 'report');
    if (report) {
      const record = { program: program.name, sourceSha256: program.sourceSha256, images: batch.images.length, ...runRecord(isBuild ? path : undefined, rows, batch, simulator), golden, goldenPerSecond, rows };
      writeFileAtomic(report, JSON.stringify(record, null, 2) + '\n');
    }
    const failed = rows.filter((r) => r.status === 'mismatch' || r.status === 'error' || (names && r.status === 'skipped'));
    if (failed.length > 0) io.log(`snnc: verify failed for ${failed.map((r) => r.target).join(', ')}`);
    return failed.length === 0 ? 0 : 1;
  },
};
