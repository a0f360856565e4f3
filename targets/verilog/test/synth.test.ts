/** @fileoverview FPGA estimates: cell-count parsing, and `snnc report` end to end (yosys, nextpnr, cycles) on a small design. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../cli/main.ts';
import { randomBatch } from '../../../runtime/batch.ts';
import { simulate } from '../run.ts';
import { ice40Estimate, parseStat, up5kOverflow, xilinxEstimate } from '../synth.ts';
import { sharedCase } from '../../../test/support/conformance-set.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { target } from '../index.ts';

test('yosys cell counts become LUT, FF, BRAM and DSP figures', (t) => {
  const cells = parseStat(JSON.stringify({ design: { num_cells_by_type: { LUT2: 10, LUT6: 5, FDRE: 30, FDSE: 2, RAMB18E1: 3, RAMB36E1: 1, DSP48E1: 4, RAM32M: 2, SRL16E: 1, CARRY4: 7 } } }));
  const x = xilinxEstimate(cells);
  t.deepEqual([x.lut, x.lutMemory, x.ff, x.bram, x.dsp], [15, 9, 32, 2.5, 4]);
  const i = ice40Estimate({ SB_LUT4: 6000, SB_DFFE: 10, SB_DFF: 5, SB_RAM40_4K: 31, SB_MAC16: 2 });
  t.deepEqual([i.lut, i.ff, i.ebr, i.dsp, i.spram], [6000, 15, 31, 2, 0]);
  t.is(up5kOverflow(i), 'needs 6000/5280 LUT, 31/30 EBR');
  t.is(up5kOverflow({ ...i, lut: 100, ebr: 3 }), undefined);
});

test('snnc report synthesises, places and measures cycles', async (t) => {
  const { program, lanes } = sharedCase('binary-subtract-delay0-direct');
  const dir = await emitTo(target, program, { lanes });
  const out: string[] = [];
  const code = await main(['report', dir, '--images', '3', '--as-is'], { out: (l) => out.push(l), log: () => {}, tty: false });
  t.is(code, 0);
  t.regex(out.find((l) => l.startsWith('7-series')) ?? '', /^7-series +LUT [1-9]\d*, LUT as memory \d+, FF [1-9]\d*, BRAM36 [\d.]+, DSP \d+/);
  t.regex(out.find((l) => l.startsWith('iCE40')) ?? '', /^iCE40 +LUT4 [1-9]\d*, FF [1-9]\d*, EBR \d+, DSP \d+, SPRAM 0/);
  t.regex(out.find((l) => l.startsWith('UP5K')) ?? '', /^UP5K P&R +Fmax [1-9][\d.]* MHz/);
  const pixels = program.input.shape.reduce((a, b) => a * b, 1);
  const cycles = simulate(dir, randomBatch(pixels, 3)).cycles;
  const mean = cycles.reduce((a, b) => a + b, 0) / cycles.length;
  t.true(out.includes(`cycles       mean ${Math.round(mean)} (min ${Math.min(...cycles)}, max ${Math.max(...cycles)}) per inference over 3 random images`));
  t.true(existsSync(join(dir, 'report.json')));
  const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { cycles: { mean: number }; place: { fits: boolean } };
  t.is(json.cycles.mean, mean);
  t.true(json.place.fits);
});

test('every net of the emitted RTL has one driver (yosys check -assert), conv, events and AXI designs included', async (t) => {
  for (const { program, lanes } of [sharedCase('tiny'), sharedCase('conv-excess-refractory-delay1-events'), sharedCase('binary-subtract-delay0-direct')]) {
    const dir = await emitTo(target, program, { lanes });
    const rtl = (JSON.parse(readFileSync(join(dir, 'design.json'), 'utf8')) as { rtl: string[] }).rtl.join(' ');
    for (const top of ['snn_top', 'snn_axis']) {
      const run = spawnSync('yosys', ['-q', '-p', `read_verilog -defer ${rtl}; hierarchy -top ${top}; proc; flatten; check -assert`], { cwd: dir, encoding: 'utf8' });
      t.is(run.status, 0, `${program.name} ${top}: ${run.stdout}${run.stderr}`);
    }
  }
});
