/** @fileoverview `snnc compile`: lower a model to the IR and emit every requested target into one atomic build dir. */
import { SnncError } from '../../base/errors.ts';
import { fillDirAtomic, prepareOutputDir, writeFilesInside, type OutputGuard } from '../../base/fs-atomic.ts';
import { modelInput, namedOutputPath } from '../../base/output-guard.ts';
import { programSha256 } from '../../ir/fingerprint.ts';
import { printProgram } from '../../ir/print.ts';
import type { Program } from '../../ir/program.ts';
import { compileModel } from '../../compiler/compile-model-dir.ts';
import { requireSnn } from '../../compiler/lower.ts';
import { loadModelArg, nirDatasetFlag, nirFlags } from '../load-model-arg.ts';
import { PASS_NAMES } from '../../compiler/passes/pipeline.ts';
import { DEFAULT_CALIBRATION_IMAGES } from '../../compiler/passes/formats-policy.ts';
import { NO_CALIBRATION } from '../../compiler/passes/state.ts';
import { findTarget, targets } from '../../targets/registry.ts';
import type { EmitOptions, EmittedFile, OptionsToCheck, Target } from '../../targets/target.ts';
import { flagBool, flagList, flagNumber, flagString, positionals, type FlagSpec, type FlagSpecs, type ParsedArgs } from '../args.ts';
import type { Command } from '../command.ts';
import { terminalProgress, type Progress } from '../../base/progress.ts';
import { buildSummary } from './summary.ts';
import { writeManifest } from '../../verify/manifest.ts';
import { BOARD_NAMES, findBoard } from '../../targets/verilog/board/boards.ts';
import { checkBoardOptions, emitBoard, ICE40_DEFAULT_MHZ, type BoardOptions } from '../../targets/verilog/board/emit-board.ts';
import { CLOCK_MHZ_RANGE } from '../../targets/verilog/board/ice40-pll.ts';
import { lanesOption } from '../../targets/verilog/check.ts';

export const lowerFlags: FlagSpecs = {
  'weight-bits': { kind: 'int', min: 2, max: 16, help: 'weight bits, 2..16 (default 8, or the bits a QAT model was trained for)' },
  granularity: { kind: 'string', choices: ['layer', 'channel'], help: 'weight scale per layer or per output channel (default channel)' },
  'activation-bits': { kind: 'int', min: 1, max: 16, help: 'bits of excess outputs and conv outputs (default 8)' },
  'jitter-bits': { kind: 'int', min: 1, max: 16, help: 'bits per jitter draw (default 8)' },
  timesteps: { kind: 'int', min: 1, max: 4096, help: "timesteps (default: the model's)" },
  'calibration-images': { kind: 'int', min: 1, max: 60000, help: `training images used to choose formats (default ${DEFAULT_CALIBRATION_IMAGES})` },
  calibration: { kind: 'string', choices: ['data', 'none'], help: 'data: formats from the training data (default); none: from worst-case bounds, no data needed (any graph compiles and runs bit-exactly, less precise)' },
  'dump-after': { kind: 'string', choices: PASS_NAMES, help: 'print the lowering state after this pass' },
};

/** `--lanes`: its range is the one the verilog target declares (targets/verilog/check.ts LIMITS), not a second literal. */
function lanesFlag(): FlagSpec {
  const range = findTarget('verilog')?.limits.lanes;
  if (!range) throw new Error('the verilog target declares no lanes limit');
  return { kind: 'int', min: range.min, max: range.max, help: `verilog: neurons updated in parallel, ${range.min}..${range.max}` };
}
export const LANES_FLAG = lanesFlag();

/** Every chosen target's own option limits, checked where the user gives them: before any lowering work. */
export function checkTargetOptions(chosen: readonly Target[], options: OptionsToCheck): void {
  for (const target of chosen) target.checkOptions(options);
}

const flags: FlagSpecs = {
  out: { kind: 'string', help: 'build directory (default build/<model name>); replaced only if snnc wrote it for this model' },
  target: { kind: 'list', choices: ['all', 'none', ...targets.map((t) => t.name)], help: 'comma-separated targets (default all)' },
  ...lowerFlags,
  lanes: LANES_FLAG,
  precision: { kind: 'string', choices: ['int', 'float'], help: 'onnx: float also exports the float model' },
  traces: { kind: 'boolean', help: 'add per-layer trace outputs (onnx) and debug dumps (verilog)' },
  unroll: { kind: 'boolean', help: 'onnx: unroll the timesteps instead of a Loop (at most 256)' },
  board: { kind: 'string', choices: BOARD_NAMES, help: 'also write board/: the verilog design behind a UART on this board, its pins and a vendor script (docs/uart-protocol.md)' },
  'later-lanes': { ...LANES_FLAG, help: 'with --board: lanes of the layers after the first (default --lanes; with neither, the board\'s own: icebreaker 4 and 1)' },
  'clock-mhz': { kind: 'number', min: CLOCK_MHZ_RANGE.min, max: CLOCK_MHZ_RANGE.max, help: `with --board icebreaker: the core clock its PLL makes (default ${ICE40_DEFAULT_MHZ})` },
  dataset: nirDatasetFlag,
  ...nirFlags,
};

/**
 * Compiles MODEL (a model directory or a .nir file, see load-model-arg.ts) to a Program with the lowering flags of
 * `args`. `beforeLowering` sees the timesteps the program will have (the flag's, else the model's) once the model is
 * read and before calibration or any pass runs.
 */
export async function compileFromArgs(modelPath: string, args: ParsedArgs, log: (line: string) => void, dump?: (text: string) => void, beforeLowering?: (timesteps: number) => void): Promise<Program> {
  const { model: loaded, sha256 } = await loadModelArg(modelPath, args);
  beforeLowering?.(flagNumber(args, 'timesteps') ?? requireSnn(loaded, modelPath).timesteps);
  const granularity = flagString(args, 'granularity') as 'layer' | 'channel' | undefined;
  const options = {
    ...(flagNumber(args, 'weight-bits') !== undefined ? { weightBits: flagNumber(args, 'weight-bits')! } : {}),
    ...(granularity ? { granularity } : {}),
    ...(flagNumber(args, 'activation-bits') !== undefined ? { activationBits: flagNumber(args, 'activation-bits')! } : {}),
    ...(flagNumber(args, 'jitter-bits') !== undefined ? { jitterBits: flagNumber(args, 'jitter-bits')! } : {}),
    ...(flagNumber(args, 'timesteps') !== undefined ? { timesteps: flagNumber(args, 'timesteps')! } : {}),
  };
  const dumpAfter = flagString(args, 'dump-after');
  const noData = flagString(args, 'calibration') === 'none';
  if (noData && flagNumber(args, 'calibration-images') !== undefined) throw new SnncError('usage', '--calibration-images: there are no calibration images with --calibration none');
  // Made when the calibration images are loaded (the (0, total) call), so the bar's rate counts from there.
  let bar: Progress | undefined;
  try {
    const { program } = await compileModel(loaded, modelPath, sha256, {
      ...(flagNumber(args, 'calibration-images') !== undefined ? { calibrationImages: flagNumber(args, 'calibration-images')! } : {}),
      ...(noData ? { calibration: NO_CALIBRATION } : {}),
      options,
      warn: log,
      log,
      hooks: { ...(dumpAfter ? { dumpAfter } : {}), ...(dump ? { dump } : {}) },
      onCalibrationImage: (done, total) => {
        bar ??= terminalProgress('calibrate', total, Boolean(process.stderr.isTTY));
        if (done > 0) bar.tick(done);
      },
    });
    return program;
  } finally {
    bar?.done();
  }
}

function selectTargets(args: ParsedArgs): { chosen: readonly Target[]; explicit: boolean } {
  const names = flagList(args, 'target') ?? ['all'];
  if (names.includes('none')) return { chosen: [], explicit: true };
  if (names.includes('all')) return { chosen: targets, explicit: false };
  return { chosen: targets.filter((t) => names.includes(t.name)), explicit: true };
}

/** The files of one output folder as summary.md lists them. */
function listed(folder: string, files: readonly EmittedFile[]): { path: string; bytes: number }[] {
  return files.map((f) => ({ path: `${folder}/${f.path}`, bytes: typeof f.contents === 'string' ? Buffer.byteLength(f.contents) : f.contents.length }));
}

export const compileCommand: Command = {
  name: 'compile',
  usage: 'MODEL [--out DIR] [--target all|onnx,verilog,ts,wasm|none] [--board arty-a7|icebreaker [--clock-mhz N] [--later-lanes P]] [--weight-bits N] [--timesteps T] [--calibration none]',
  summary: 'lower a model to the fixed-point IR and emit targets',
  flags,
  async run(args, io) {
    const [modelPath] = positionals(args, ['MODEL'], 'compile');
    // The folder is checked before the (possibly long) lowering, and again when it is replaced.
    const guard: OutputGuard = { kind: 'build', inputs: [modelInput(modelPath!)], model: modelInput(modelPath!) };
    const explicitOut = flagString(args, 'out');
    if (explicitOut !== undefined) prepareOutputDir(explicitOut, guard);
    const { chosen, explicit } = selectTargets(args);
    const targetOptions: EmitOptions = {
      ...(flagNumber(args, 'lanes') !== undefined ? { lanes: flagNumber(args, 'lanes')! } : {}),
      ...(flagString(args, 'precision') ? { precision: flagString(args, 'precision') as 'int' | 'float' } : {}),
      traces: flagBool(args, 'traces'),
      unroll: flagBool(args, 'unroll'),
    };
    checkTargetOptions(chosen, targetOptions);
    const board = flagString(args, 'board');
    const boardOptions: BoardOptions = {
      ...(flagNumber(args, 'later-lanes') !== undefined ? { laterLanes: flagNumber(args, 'later-lanes')! } : {}),
      ...(flagNumber(args, 'clock-mhz') !== undefined ? { clockMhz: flagNumber(args, 'clock-mhz')! } : {}),
    };
    if (board === undefined && Object.keys(boardOptions).length > 0) throw new SnncError('usage', `--${boardOptions.laterLanes !== undefined ? 'later-lanes' : 'clock-mhz'}: only with --board`);
    if (board !== undefined) checkBoardOptions(board, boardOptions);
    const started = performance.now();
    const program = await compileFromArgs(modelPath!, args, io.log, io.out, (timesteps) => checkTargetOptions(chosen, { ...targetOptions, timesteps }));
    const compileMs = performance.now() - started;
    const out = explicitOut ?? namedOutputPath('build', program.name);
    const emitOptions: EmitOptions = { ...targetOptions, model: (await loadModelArg(modelPath!, args)).model, log: io.log };
    const emitted: { target: string; files: { path: string; bytes: number }[] }[] = [];
    const skipped: { target: string; reason: string }[] = [];
    await fillDirAtomic(out, async (staging) => {
      for (const target of chosen) {
        try {
          target.check(program);
        } catch (e) {
          if (explicit || !(e instanceof SnncError) || e.code !== 'unsupported') throw e;
          skipped.push({ target: target.name, reason: e.message });
          io.log(`snnc: skipped ${target.name}: ${e.message}`);
          continue;
        }
        const files = await target.emit(program, emitOptions);
        writeFilesInside(staging, files.map((f) => [`${target.name}/${f.path}`, f.contents] as const));
        emitted.push({ target: target.name, files: listed(target.name, files) });
      }
      if (board !== undefined) {
        const defaults = findBoard(board).defaultLanes;
        const lanes = targetOptions.lanes ?? defaults?.lanes ?? lanesOption(targetOptions);
        const laterLanes = boardOptions.laterLanes ?? (targetOptions.lanes === undefined ? defaults?.laterLanes : undefined);
        const files = emitBoard(program, board, lanes, { ...boardOptions, ...(laterLanes !== undefined ? { laterLanes } : {}) });
        writeFilesInside(staging, files.map((f) => [`board/${f.path}`, f.contents] as const));
        emitted.push({ target: 'board', files: listed('board', files) });
      }
      const summary = buildSummary(program, { compileMs, emitted, skipped });
      writeFilesInside(staging, [
        ['ir.json', JSON.stringify(program) + '\n'],
        ['ir.txt', printProgram(program)],
        ['summary.json', JSON.stringify(summary.json, null, 2) + '\n'],
        ['summary.md', summary.text],
      ]);
      writeManifest(staging);
    }, { ...guard, fingerprint: programSha256(program) });
    io.out(`compiled ${program.name} to ${out} in ${(compileMs / 1000).toFixed(2)} s: ir.json, ir.txt, summary.md${emitted.map((e) => `, ${e.target}/`).join('')}`);
    return 0;
  },
};
