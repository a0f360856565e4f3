/**
 * @fileoverview `snnc board run BUILD --port DEV` and `snnc board simulate BUILD`: stream images over the UART
 * protocol (docs/uart-protocol.md) to a board programmed with BUILD/board, or to the Verilator simulation of that
 * board top behind a pseudo-terminal, and compare every score and label with the golden runtime; exit 1 on any mismatch.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../../base/errors.ts';
import { programSha256 } from '../../ir/fingerprint.ts';
import type { Program } from '../../ir/program.ts';
import { parseProgram } from '../../ir/validate.ts';
import { runGoldenBatch } from '../../runtime/golden-batch.ts';
import type { BatchResult } from '../../runtime/batch.ts';
import { DATASET_NAMES } from '../../data/datasets.ts';
import { EVENT_DATASET_NAMES } from '../../data/event-datasets.ts';
import { DEFAULT_BAUD } from '../../targets/verilog/board/boards.ts';
import { readBoardInfo, type BoardInfoFile } from '../../targets/verilog/board/emit-board.ts';
import { startBoardSim } from '../../targets/verilog/board/board-sim.ts';
import { queryInfo, runSample, sampleBeats, SerialLink } from '../../targets/verilog/board/serial-host.ts';
import { compareBatches } from '../../verify/compare.ts';
import { requireUnchanged } from '../../verify/manifest.ts';
import { flagBool, flagNumber, flagString, positionals, type FlagSpecs } from '../args.ts';
import type { Command, CommandIO } from '../command.ts';
import { datasetOf, loadBatch } from '../sample-batch.ts';

const VERBS = ['run', 'simulate'] as const;
const RUN_TIMEOUT_S = 10;
const SIMULATE_TIMEOUT_S = 600;

const flags: FlagSpecs = {
  port: { kind: 'string', help: 'run: the serial device of the board (e.g. /dev/ttyUSB1)' },
  images: { kind: 'int', min: 1, max: 1_000_000, help: 'images to stream (default 10)' },
  dataset: { kind: 'string', choices: [...DATASET_NAMES, ...EVENT_DATASET_NAMES, 'random'], help: "image or event source (default: the model's dataset)" },
  split: { kind: 'string', choices: ['train', 'test'], help: 'split (default test)' },
  seed: { kind: 'int', min: 0, max: 2 ** 32 - 1, help: 'jitter seed of image i is SEED + i (default 0)' },
  baud: { kind: 'int', min: 300, max: 12_000_000, help: `run: the line speed the board was built for (default ${DEFAULT_BAUD})` },
  timeout: { kind: 'int', min: 1, max: 3600, help: `seconds to wait for each reply (default ${RUN_TIMEOUT_S} for a board, ${SIMULATE_TIMEOUT_S} for the simulation, which runs far slower)` },
  'as-is': { kind: 'boolean', help: "use the build's files even when they differ from manifest.json" },
};

function readBuild(build: string, asIs: boolean): { program: Program; layout: BoardInfoFile } {
  if (!existsSync(join(build, 'ir.json'))) throw new SnncError('io', `${build}: not a build folder (no ir.json); compile it with --board NAME`);
  if (!existsSync(join(build, 'board'))) throw new SnncError('io', `${build}: no board/ folder; compile it with --board NAME`);
  requireUnchanged(build, ['ir.json', 'board'], asIs);
  const program = parseProgram(readFileSync(join(build, 'ir.json'), 'utf8'), join(build, 'ir.json'));
  const layout = readBoardInfo(join(build, 'board'));
  if (layout.fingerprint !== programSha256(program).slice(0, 8)) throw new SnncError('io', `${build}/board was built for another program (${layout.program})`);
  return { program, layout };
}

/** Streams the batch over `port`, then compares; returns the exit code. */
async function streamAndCompare(port: string, build: string, program: Program, layout: BoardInfoFile, args: Parameters<Command['run']>[0], io: CommandIO, baud: number, timeoutS: number): Promise<number> {
  const images = flagNumber(args, 'images') ?? 10;
  const batch = await loadBatch(program, flagString(args, 'dataset') ?? datasetOf(program), (flagString(args, 'split') ?? 'test') as 'train' | 'test', images, flagNumber(args, 'seed') ?? 0);
  const golden = await runGoldenBatch(program, batch, { evaluator: 'fast' });
  const link = SerialLink.open(port, baud, (flagNumber(args, 'timeout') ?? timeoutS) * 1000);
  const actual: { scores: number[][]; labels: number[] } = { scores: [], labels: [] };
  const cycles: number[] = [];
  const errors: number[] = [];
  const started = performance.now();
  try {
    const info = await queryInfo(link);
    if (info.fingerprint !== layout.fingerprint) {
      throw new SnncError('mismatch', `${port}: the board runs program fingerprint ${info.fingerprint}, ${build} is ${layout.program} (${layout.fingerprint}); program the board with ${build}/board`);
    }
    for (let i = 0; i < batch.images.length; i++) {
      const result = await runSample(link, sampleBeats(batch.images[i]!, batch.seeds[i]!, layout), info, `image ${i}`);
      actual.scores.push(result.scores);
      actual.labels.push(result.label);
      cycles.push(result.cycles);
      if (result.error) errors.push(i);
    }
  } finally {
    link.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return summarize(io, batch.source, golden, actual, cycles, errors, seconds);
}

function summarize(io: CommandIO, source: string, golden: BatchResult, actual: BatchResult, cycles: readonly number[], errors: readonly number[], seconds: number): number {
  const mismatches = compareBatches(golden, actual);
  for (const m of mismatches.slice(0, 10)) io.out(`image ${m.image}: ${m.kind} ${m.index} is ${m.actual}, golden ${m.expected}`);
  const n = golden.labels.length;
  const sorted = [...cycles].sort((a, b) => a - b);
  io.out(`board: ${n} images (${source}), ${n - mismatches.length} bit-exact with the golden runtime, ${mismatches.length} mismatched`);
  io.out(`cycles per image (core, first input beat to label): min ${sorted[0]}, median ${sorted[Math.floor(n / 2)]}, max ${sorted[n - 1]}`);
  io.out(`link: ${seconds.toFixed(1)} s, ${(n / seconds).toFixed(2)} images/s; error flag raised on ${errors.length} image(s)`);
  return mismatches.length > 0 || errors.length > 0 ? 1 : 0;
}

export const boardCommand: Command = {
  name: 'board',
  usage: 'run BUILD --port DEV [--images N] [--dataset D] [--seed S] [--timeout S] | simulate BUILD [--images N]',
  summary: 'stream images over UART to a board (or its Verilator simulation) and compare every score with the golden runtime',
  flags,
  async run(args, io) {
    const [verb, build] = positionals(args, ['run|simulate', 'BUILD'], 'board');
    if (!(VERBS as readonly string[]).includes(verb!)) throw new SnncError('usage', `snnc board: "${verb}" is not one of ${VERBS.join(', ')}`);
    const { program, layout } = readBuild(build!, flagBool(args, 'as-is'));
    if (verb === 'run') {
      const port = flagString(args, 'port');
      if (port === undefined) throw new SnncError('usage', 'snnc board run: --port DEV is required (the board\'s serial device, e.g. /dev/ttyUSB1)');
      return streamAndCompare(port, build!, program, layout, args, io, flagNumber(args, 'baud') ?? layout.baud, RUN_TIMEOUT_S);
    }
    const sim = await startBoardSim(join(build!, 'board'));
    io.log(`board simulation of ${layout.top} (pid ${sim.pid}) on ${sim.port}`);
    try {
      return await streamAndCompare(sim.port, build!, program, layout, args, io, layout.baud, SIMULATE_TIMEOUT_S);
    } finally {
      await sim.stop();
    }
  },
};
