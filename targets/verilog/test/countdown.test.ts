/**
 * @fileoverview board/countdown.ts in Icarus: restarted, then stepped once a cycle until it expires, a countdown of
 * CYCLES expires on exactly the CYCLES-th cycle (frame_rx's silence and frame_tx's result wait rely on it), for small
 * and large CYCLES, and again after a restart on expiry.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/emit-to.ts';
import { countdown } from '../board/countdown.ts';
import { if_, ModuleBuilder, num, set, lit } from '../netlist.ts';
import { printModule } from '../print-verilog.ts';

const CYCLES = [1, 2, 3, 7, 300, 5000];

/** probe: `start` restarts; otherwise each cycle steps, or on expiry counts a firing and restarts. */
function probeModule(): string {
  const b = new ModuleBuilder('countdown_probe', 'a countdown under test');
  const cycles = b.param('CYCLES', num(2));
  const clk = b.input('clk');
  const start = b.input('start');
  const fired = b.output('fired', undefined, { reg: true });
  const timer = countdown(b, 'left', cycles);
  b.always(clk, [set(fired, lit(0, 1)), if_(start, [timer.restart], [if_(timer.expired, [set(fired, lit(1, 1)), timer.restart], [timer.step])])]);
  return printModule(b.build());
}

/** For each CYCLES, the cycles (after the restart) on which the probe fired, up to 2 * CYCLES + 1. */
function bench(): string {
  const probes = CYCLES.map((c, i) => `  wire fired${i};\n  countdown_probe #(.CYCLES(${c})) p${i} (.clk(clk), .start(start), .fired(fired${i}));`).join('\n');
  const checks = CYCLES.map((c, i) => `      if (fired${i} && cycle <= ${2 * c + 1}) $display("%0d fired %0d", ${c}, cycle - 1);`).join('\n');
  const last = 2 * Math.max(...CYCLES) + 2;
  return `module tb;
  reg clk = 0;
  reg start = 1;
  integer cycle = 0;
${probes}
  always #1 clk = !clk;
  always @(posedge clk) begin
    cycle <= cycle + 1;
    start <= 0;
${checks}
    if (cycle == ${last}) $finish;
  end
endmodule
`;
}

test('a countdown of CYCLES expires on the CYCLES-th cycle after its restart, and again CYCLES cycles later', (t) => {
  const dir = tempDir('countdown');
  writeFileSync(join(dir, 'probe.v'), probeModule());
  writeFileSync(join(dir, 'tb.v'), bench());
  const build = spawnSync('iverilog', ['-g2012', '-o', join(dir, 'tb.vvp'), join(dir, 'tb.v'), join(dir, 'probe.v')], { encoding: 'utf8' });
  t.is(build.status, 0, build.stderr);
  const run = spawnSync('vvp', ['-n', join(dir, 'tb.vvp')], { encoding: 'utf8' });
  t.is(run.status, 0, run.stderr);
  const fired = run.stdout.split('\n').filter((l) => l.includes('fired')).sort();
  const expected = CYCLES.flatMap((c) => [`${c} fired ${c}`, `${c} fired ${2 * c}`]).sort();
  t.deepEqual(fired, expected);
});
