/**
 * @fileoverview The UART board layer (targets/verilog/board/): the Arty A7 top lints clean and yosys synth_xilinx
 * finds one driver for every net; in Verilator, driven only through its UART pins behind a pseudo-terminal by the
 * same host code as `snnc board run`, it returns the golden runtime's scores and labels (image and events designs,
 * whole and split requests); every NAK, a stopped board and a missing port give one-line errors; and the CLI.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomic } from '../../../base/fs-atomic.ts';
import { SnncError } from '../../../base/errors.ts';
import { programSha256 } from '../../../ir/fingerprint.ts';
import type { Program } from '../../../ir/program.ts';
import { runGolden } from '../../../runtime/golden.ts';
import { writeModel } from '../../../model/write-model.ts';
import { testBatch } from '../../../test/support/batches.ts';
import { cli } from '../../../test/support/cli.ts';
import { sharedCase } from '../../../test/support/conformance-set.ts';
import { tempDir } from '../../../test/support/emit-to.ts';
import { TINY } from '../../../test/support/fixed-programs.ts';
import { tinyModel } from '../../../test/support/tiny-model.ts';
import { buildBoardSim, startBoardSim, type RunningBoard } from '../board/board-sim.ts';
import { emitBoard, readBoardInfo } from '../board/emit-board.ts';
import { CMD_DATA, CMD_LAST, requestFrame } from '../board/protocol.ts';
import { queryInfo, runSample, sampleBeats, SerialLink } from '../board/serial-host.ts';

const EVENTS = sharedCase('binary-subtract-delay0-events').program;

/** One board folder per program (2 lanes), its simulator built once. */
const folders = new Map<Program, Promise<string>>();
function boardFolder(program: Program): Promise<string> {
  let dir = folders.get(program);
  if (!dir) {
    dir = (async () => {
      const out = tempDir(`board-${program.name}`);
      writeDirAtomic(out, emitBoard(program, 'arty-a7', 2).map((f) => [f.path, f.contents] as const));
      buildBoardSim(out);
      return out;
    })();
    folders.set(program, dir);
  }
  return dir;
}

/** A fresh simulation of the board (its own pseudo-terminal), stopped after `use`. */
async function withBoard<T>(program: Program, use: (board: RunningBoard, link: SerialLink) => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const board = await startBoardSim(await boardFolder(program));
  const link = SerialLink.open(board.port, 1_000_000, timeoutMs);
  try {
    return await use(board, link);
  } finally {
    link.close();
    await board.stop();
  }
}

const text = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');

test.serial('lint: verilator -Wall is clean on the board top, and synth_xilinx check -assert finds no multiple or missing drivers', async (t) => {
  for (const program of [TINY, EVENTS]) {
    const dir = await boardFolder(program);
    const lint = spawnSync('sh', ['-c', 'verilator --lint-only -Wall --top-module snn_arty_a7 rtl/*.v'], { cwd: dir, encoding: 'utf8' });
    t.is(`${lint.stdout}${lint.stderr}`.trim(), '', program.name);
  }
  const dir = await boardFolder(TINY);
  const synth = spawnSync('sh', ['-c', 'yosys -q -p "read_verilog -defer $(ls rtl/*.v | tr \'\\n\' \' \'); synth_xilinx -top snn_arty_a7 -flatten; check -assert"'], { cwd: dir, encoding: 'utf8' });
  t.is(synth.status, 0, `${synth.stdout}${synth.stderr}`.split('\n').slice(-5).join('\n'));
});

for (const program of [TINY, EVENTS]) {
  test.serial(`${program.name}: bit-exact through the UART pins, in whole and in split requests`, async (t) => {
    const dir = await boardFolder(program);
    const layout = readBoardInfo(dir);
    const batch = testBatch(program, 4);
    await withBoard(program, async (_, link) => {
      const info = await queryInfo(link);
      t.is(info.fingerprint, programSha256(program).slice(0, 8));
      t.is(info.version, 1);
      t.is(info.classes, program.classes);
      for (const maxBeats of [info.maxBeats, 2]) {
        for (let i = 0; i < batch.images.length; i++) {
          const golden = runGolden(program, batch.images[i]!, batch.seeds[i]!);
          const got = await runSample(link, sampleBeats(batch.images[i]!, batch.seeds[i]!, layout), { ...info, maxBeats }, `sample ${i}`);
          t.deepEqual(got.scores, [...golden.scores], `${program.name} sample ${i}, ${maxBeats} beats a request`);
          t.is(got.label, golden.label);
          t.false(got.error);
          t.true(got.cycles > 0);
        }
      }
    });
  });
}

test.serial('every NAK is a one-line error, and the next sample is bit-exact again', async (t) => {
  const dir = await boardFolder(TINY);
  const layout = readBoardInfo(dir);
  const batch = testBatch(TINY, 1);
  const golden = runGolden(TINY, batch.images[0]!, batch.seeds[0]!);
  await withBoard(TINY, async (_, link) => {
    const info = await queryInfo(link);
    const good = requestFrame(CMD_LAST, 1, Uint8Array.from([1, 0, 0, 0]));
    const corrupt = Uint8Array.from(good, (b, i) => (i === good.length - 1 ? b ^ 0xff : b));
    const refused = async (frame: Uint8Array): Promise<string> => {
      const e = await t.throwsAsync(link.request(frame, 'the test frame'), { instanceOf: SnncError });
      return e!.message;
    };
    t.regex(await refused(corrupt), /refused the test frame: NAK 1 \(CRC mismatch\)$/);
    t.regex(await refused(requestFrame(0x5a, 0)), /NAK 2 \(unknown command\)$/);
    t.regex(await refused(requestFrame(CMD_DATA, info.maxBeats + 1)), /NAK 3 \(beat count out of range\)$/);
    t.regex(await refused(good.subarray(0, 5)), /NAK 4 \(the frame stopped before its end\)$/);
    // A sample of a seed beat alone runs nothing: the reply gives up, resets the core and says so.
    t.regex(await refused(good), /NAK 5 \(the core produced no result/);
    const again = await runSample(link, sampleBeats(batch.images[0]!, batch.seeds[0]!, layout), info, 'sample 0');
    t.deepEqual(again.scores, [...golden.scores]);
  });
});

test.serial('a board that does not answer, and a missing port, are one-line errors', async (t) => {
  await boardFolder(TINY);
  await withBoard(TINY, async (board, link) => {
    process.kill(board.pid, 'SIGSTOP');
    await t.throwsAsync(queryInfo(link), { message: `${board.port}: no reply to the INFO request within 1 s (is the board programmed with this build and the line at its baud?)` });
  }, 1000);
  t.throws(() => SerialLink.open('/dev/snnc-no-such-port', 1_000_000, 1000), { message: '--port /dev/snnc-no-such-port: no such device (is the board plugged in?)' });
});

test.serial('cli: compile --board arty-a7 writes the board folder; board simulate and board run compare with the golden runtime', async (t) => {
  const root = tempDir('board-cli');
  const model = join(root, 'model');
  writeModel(tinyModel(5, { hidden: 8, timesteps: 2 }), model);
  const build = join(root, 'build');
  const unknown = await cli('compile', model, '--out', build, '--board', 'pynq');
  t.deepEqual([unknown.code, unknown.err], [2, ['snnc: --board: "pynq" is not one of arty-a7, icebreaker']]);
  const compiled = await cli('compile', model, '--out', build, '--target', 'verilog', '--board', 'arty-a7', '--lanes', '2', '--calibration', 'none');
  t.is(compiled.code, 0, compiled.err.join('\n'));
  for (const file of ['board/arty-a7.xdc', 'board/build.tcl', 'board/README.md', 'board/rtl/snn_arty_a7.v', 'board/sim/board_sim.cpp']) t.true(existsSync(join(build, file)), file);
  t.regex(text(build, 'board/arty-a7.xdc'), /PACKAGE_PIN E3 .*CLK100MHZ[\s\S]*PACKAGE_PIN A9 .*uart_txd_in[\s\S]*PACKAGE_PIN D10 .*uart_rxd_out/);
  const noPort = await cli('board', 'run', build);
  t.deepEqual([noPort.code, noPort.err], [2, ["snnc: snnc board run: --port DEV is required (the board's serial device, e.g. /dev/ttyUSB1)"]]);
  const simulated = await cli('board', 'simulate', build, '--images', '3', '--dataset', 'random');
  t.is(simulated.code, 0, simulated.err.join('\n'));
  t.regex(simulated.out[0]!, /^board: 3 images \(random .*\), 3 bit-exact with the golden runtime, 0 mismatched$/);
  // The tiny model's build against the TINY program's board: the fingerprint check refuses it.
  await withBoard(TINY, async (board, link) => {
    link.close();
    const wrong = await cli('board', 'run', build, '--port', board.port, '--images', '1', '--dataset', 'random');
    t.is(wrong.code, 1);
    t.deepEqual(wrong.err, [`snnc: ${board.port}: the board runs program fingerprint ${programSha256(TINY).slice(0, 8)}, ${build} is tiny5 (${readBoardInfo(join(build, 'board')).fingerprint}); program the board with ${build}/board`]);
  });
});
