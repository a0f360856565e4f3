/**
 * @fileoverview The iCEBreaker board flow (`--board icebreaker`): the PLL settings, the flash image's layout, the
 * SPRAM limit, one-line errors for bad flags, yosys synth_ice40 of a small board folder, and the board simulation
 * (flash boot through snn_flash_loader, UART, core) bit-exact with the golden runtime, which a corrupted flash image
 * breaks (so the weights the core uses are the ones the loader read).
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../../../base/errors.ts';
import { writeModel } from '../../../model/write-model.ts';
import { cli } from '../../../test/support/cli.ts';
import { tempDir } from '../../../test/support/emit-to.ts';
import { tinyModel } from '../../../test/support/tiny-model.ts';
import { spramShape } from '../cores/spram.ts';
import { readBoardInfo } from '../board/emit-board.ts';
import { FLASH_OFFSET } from '../board/flash-image.ts';
import { pllSetting } from '../board/ice40-pll.ts';

test('pll: 27 MHz from 12 MHz is DIVR 0, DIVF 71, DIVQ 5, filter 1 (as icepll prints); clocks out of reach are refused', (t) => {
  t.deepEqual(pllSetting(12e6, 27e6), { divr: 0, divf: 71, divq: 5, filterRange: 1, hz: 27e6 });
  t.is(pllSetting(12e6, 48e6).hz, 48e6);
  t.throws(() => pllSetting(12e6, 12e6), { instanceOf: SnncError, message: '--clock-mhz: 12 is outside 16..100' });
});

test('spram: 19,600 words of 64 bits need 8 blocks, a one-line refusal; of 32 bits, 2 rows of 2', (t) => {
  t.deepEqual(spramShape({ layer: 0, words: 19600, width: 32, addrBits: 15 }), { rows: 2, columns: 2 });
  t.throws(() => spramShape({ layer: 0, words: 19600, width: 64, addrBits: 15 }), {
    instanceOf: SnncError, message: 'loaded weights: 19600 words of 64 bits need 8 SPRAM blocks; the UP5K has 4 (use fewer --lanes)',
  });
});

/** A 784-8-10 model compiled with --board icebreaker (2 lanes), once for the tests below. */
let built: Promise<string> | undefined;
function icebreakerBuild(): Promise<string> {
  built ??= (async () => {
    const root = tempDir('ice40');
    const model = join(root, 'model');
    writeModel(tinyModel(5, { hidden: 8, timesteps: 2 }), model);
    const build = join(root, 'build');
    const compiled = await cli('compile', model, '--out', build, '--target', 'none', '--board', 'icebreaker', '--lanes', '2', '--later-lanes', '1', '--calibration', 'none');
    if (compiled.code !== 0) throw new Error(compiled.err.join('\n'));
    return build;
  })();
  return built;
}

test.serial('the folder: pins, build script, README, and flash.bin = the first layer\'s words, most significant byte first', async (t) => {
  const build = await icebreakerBuild();
  const dir = join(build, 'board');
  for (const file of ['icebreaker.pcf', 'build.sh', 'README.md', 'flash.bin', 'rtl/snn_icebreaker.v', 'rtl/snn_flash_loader.v', 'rtl/snn_spram.v', 'sim/board_sim.cpp']) t.true(existsSync(join(dir, file)), file);
  t.false(existsSync(join(dir, 'build.tcl')));
  const pcf = readFileSync(join(dir, 'icebreaker.pcf'), 'utf8');
  for (const line of ['set_io CLK 35', 'set_io RX 6', 'set_io TX 9', 'set_io BTN_N 10', 'set_io FLASH_SCK 15', 'set_io FLASH_SSB 16', 'set_io FLASH_IO0 14', 'set_io FLASH_IO1 17', 'set_io LED_N[0] 37', 'set_io LED_N[1] 11']) {
    t.true(pcf.split('\n').includes(line), line);
  }
  t.regex(readFileSync(join(dir, 'synth.ys'), 'utf8'), /chtype -set \$__soft_mul t:\$mul r:A_WIDTH<=4 %i t:\$mul r:B_WIDTH<=4 %i\nsynth_ice40 -dsp -top snn_icebreaker /);
  t.regex(readFileSync(join(dir, 'build.sh'), 'utf8'), /yosys -q -l build\/yosys.log -s synth.ys[\s\S]*nextpnr-ice40 --up5k --package sg48 --pcf icebreaker.pcf[\s\S]*--seed "\$seed" --freq 27.00[\s\S]*icepack[\s\S]*icetime -d up5k/);
  t.regex(readFileSync(join(dir, 'README.md'), 'utf8'), /iceprog -o 1M flash.bin/);
  const info = readBoardInfo(dir);
  t.deepEqual([info.clockHz, info.clksPerBit, info.lanes, info.laterLanes], [27e6, 27, 2, 1]);
  // 784 inputs x 4 groups of 2 lanes, 16-bit words (two 8-bit weights, lane 0 low): 2 bytes each, high byte first.
  const words = readFileSync(join(dir, 'mem/s0_weights.hex'), 'utf8').trimEnd().split('\n');
  const flash = readFileSync(join(dir, 'flash.bin'));
  t.is(words.length, 784 * 4);
  t.is(flash.length, 2 * words.length);
  t.is(words.map((w) => w.padStart(4, '0')).join(''), flash.toString('hex'));
  t.is(FLASH_OFFSET, 0x100000);
});

// -noabc: the LUT mapping is not what this checks, and ABC is most of the time.
test.serial('verilator -Wall is clean on the board RTL; synth_ice40 maps the loaded weights to SPRAM and check -assert finds no multiple or missing drivers', async (t) => {
  const dir = join(await icebreakerBuild(), 'board');
  // The primitives' simulation models (sim/) only stand in for the vendor cells: blackboxes here.
  const lint = spawnSync('sh', ['-c', 'verilator --lint-only -Wall -Wno-DECLFILENAME --top-module snn_icebreaker rtl/*.v sim/SB_SPRAM256KA.v sim/SB_PLL40_PAD.v 2>&1 | grep -v "sim/SB_" | grep "^%" | grep -v "^%Error: Exiting due to" || true'], { cwd: dir, encoding: 'utf8' });
  t.is(lint.stdout.trim(), '');
  const synth = spawnSync('sh', ['-c', 'yosys -q -p "read_verilog -defer $(ls rtl/*.v | tr \'\\n\' \' \'); synth_ice40 -dsp -noabc -top snn_icebreaker; check -assert; tee -o synth-stat.txt stat"'], { cwd: dir, encoding: 'utf8' });
  t.is(synth.status, 0, `${synth.stdout}${synth.stderr}`.split('\n').slice(-5).join('\n'));
  const stat = readFileSync(join(dir, 'synth-stat.txt'), 'utf8');
  t.regex(stat, /SB_SPRAM256KA\s+1\b/);
  t.regex(stat, /SB_PLL40_PAD\s+1\b/);
});

test.serial('board simulate: booted from the flash model, bit-exact; with a corrupted flash image, not', async (t) => {
  const build = await icebreakerBuild();
  const good = await cli('board', 'simulate', build, '--images', '3', '--dataset', 'random');
  t.is(good.code, 0, good.err.join('\n'));
  t.regex(good.out[0]!, /^board: 3 images \(random .*\), 3 bit-exact with the golden runtime, 0 mismatched$/);
  const flash = join(build, 'board', 'flash.bin');
  const bytes = readFileSync(flash);
  writeFileSync(flash, Uint8Array.from(bytes, (b) => b ^ 0x5a));
  try {
    const bad = await cli('board', 'simulate', build, '--images', '3', '--dataset', 'random', '--as-is');
    t.not(bad.code, 0);
    t.regex(`${bad.out.join('\n')}\n${bad.err.join('\n')}`, /mismatch/);
  } finally {
    writeFileSync(flash, bytes);
  }
});

test.serial('cli: a bad --board, --clock-mhz or --later-lanes is a one-line error', async (t) => {
  const build = await icebreakerBuild();
  const model = join(build, '..', 'model');
  const out = join(build, '..', 'bad');
  const cases: [string[], string][] = [
    [['--board', 'pynq'], 'snnc: --board: "pynq" is not one of arty-a7, icebreaker'],
    [['--board', 'icebreaker', '--clock-mhz', '8'], 'snnc: --clock-mhz: 8 is outside [16, 100]'],
    [['--board', 'arty-a7', '--clock-mhz', '50'], 'snnc: --clock-mhz: arty-a7 runs at its own 100 MHz clock (only an ice40 board has a PLL here)'],
    [['--board', 'icebreaker', '--clock-mhz', '16.5'], 'snnc: icebreaker: 1000000 baud from 16500000 Hz is -2.94 % off (divider 17); choose a baud or clock within 1 %'],
    [['--board', 'icebreaker', '--later-lanes', '0'], 'snnc: --later-lanes: 0 is outside [1, 1024]'],
    [['--later-lanes', '2'], 'snnc: --later-lanes: only with --board'],
  ];
  for (const [flags, message] of cases) {
    const r = await cli('compile', model, '--out', out, '--target', 'none', '--calibration', 'none', ...flags);
    t.deepEqual([r.code, r.err], [2, [message]], flags.join(' '));
  }
});

test.serial('cli: --board icebreaker without --lanes takes the board\'s 4 hidden lanes and 1 output lane; --lanes alone sets every layer', async (t) => {
  const build = await icebreakerBuild();
  const model = join(build, '..', 'model');
  for (const [flags, lanes, laterLanes] of [[[], 4, 1], [['--lanes', '2'], 2, undefined]] as const) {
    const out = join(build, '..', `defaults-${lanes}`);
    const r = await cli('compile', model, '--out', out, '--target', 'none', '--calibration', 'none', '--board', 'icebreaker', ...flags);
    t.is(r.code, 0, r.err.join('\n'));
    const info = readBoardInfo(join(out, 'board'));
    t.deepEqual([info.lanes, info.laterLanes], [lanes, laterLanes], flags.join(' '));
  }
});
