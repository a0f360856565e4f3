/**
 * @fileoverview The generated test bench snn_tb: reads images (a count, then per image a seed and the pixels, hex;
 * for an events design a seed, a beat count and address-event beats, testbench-aer.ts) from +in=FILE, streams each
 * through snn_top with valid/ready handshakes, and writes one line per image to +out=FILE: `label cycles score0
 * score1 ...` (cycles from the first accepted input beat to the last score beat, inclusive), or `timeout`, or
 * `error MESSAGE` when the score stream breaks its protocol (testbench-scores.ts); both end the run.
 * With +gap=PERCENT it holds in_valid and out_ready low on seeded random cycles (testbench-gaps.ts).
 * Pixels go in beatPixels at a time, lane 0 in the low bits, the last beat padded with zeros.
 * With traces it also writes `stage step index membrane output` per update to +trace=FILE (a `# image N` line before
 * each image); +vcd=FILE dumps a VCD.
 * Inputs change and outputs are sampled on the falling edge, so the bench never races the design.
 */
import {
  add, call, cat, eq, gt, if_, index, land, let_, lit, lnot, lt, ModuleBuilder, ne, num, range, ref, set, str, sub, task,
  type Expr, type Module, type Stmt,
} from './netlist.ts';
import type { DesignPlan } from './plan.ts';
import { aerDriver, type BenchContext } from './testbench-aer.ts';
import { clockGenerator, loop, NAME_CHARS, negedge, plusarg, RESET_CYCLES, whileLoop } from './testbench-common.ts';
import { benchGaps } from './testbench-gaps.ts';
import { scoreCollector } from './testbench-scores.ts';
import { stageTrace } from './top-context.ts';

export function testbenchModule(plan: DesignPlan, options: { traces: boolean; maxCycles: number }): Module {
  const ro = plan.readout;
  const b = new ModuleBuilder('snn_tb', 'file-driven test bench: images in, scores, label and cycle counts out');
  const clk = b.reg('clk', undefined, false, lit(0, 1));
  const rst = b.reg('rst', undefined, false, lit(1, 1));
  const inValid = b.reg('in_valid', undefined, false, lit(0, 1));
  const inReady = b.wire('in_ready');
  const beat = plan.beatPixels;
  const padded = Math.ceil(plan.pixels / beat) * beat;
  const aer = plan.aer ? aerDriver(b, plan) : undefined;
  const inPixel = aer ? undefined : b.reg('in_pixel', num(plan.pixelBits * beat), false, lit(0, plan.pixelBits * beat));
  const inSeed = aer ? undefined : b.reg('in_seed', num(32), false, lit(0, 32));
  const outValid = b.wire('out_valid');
  const outReady = b.reg('out_ready', undefined, false, lit(0, 1));
  const outClass = b.wire('out_class', num(ro.classBits));
  const outScore = b.wire('out_score', num(ro.scoreBits), true);
  const outLabel = b.wire('out_label', num(ro.classBits));
  const outLast = b.wire('out_last');
  const ports: Record<string, Expr> = {
    clk, rst, in_valid: inValid, in_ready: inReady, ...(aer ? aer.ports : { in_pixel: inPixel!, in_seed: inSeed! }),
    out_valid: outValid, out_ready: outReady, out_class: outClass, out_score: outScore, out_label: outLabel, out_last: outLast,
  };
  const cycle = b.reg('cycle', num(32), false, lit(0, 32));
  const ftrace = b.integer('ftrace');
  if (options.traces) {
    plan.stages.forEach((_, l) => {
      const tw = stageTrace(plan, l);
      const t = {
        valid: b.wire(`trace${l}_valid`), step: b.wire(`trace${l}_step`, num(plan.stepBits)), index: b.wire(`trace${l}_index`, num(tw.index)),
        membrane: b.wire(`trace${l}_membrane`, num(tw.membrane), true), output: b.wire(`trace${l}_output`, num(tw.output), true),
      };
      Object.assign(ports, { [`trace${l}_valid`]: t.valid, [`trace${l}_step`]: t.step, [`trace${l}_index`]: t.index, [`trace${l}_membrane`]: t.membrane, [`trace${l}_output`]: t.output });
      b.always(clk, [
        if_(land(t.valid, ne(ftrace, num(0))), [task('$fwrite', ftrace, str(`${l} %0d %0d %0d %0d\n`), t.step, t.index, t.membrane, t.output)]),
      ]);
    });
  }
  b.instance('snn_top', 'dut', {}, ports);
  b.initial(clockGenerator(clk));
  b.always(clk, [set(cycle, add(cycle, num(1)))]);

  const pixels = aer ? undefined : b.memory('pixels', num(plan.pixelBits), num(padded));
  const scores = b.memory('scores', num(ro.scoreBits), num(ro.classes), true);
  const nameBits = num(8 * NAME_CHARS);
  const names = { in: b.reg('in_name', nameBits), out: b.reg('out_name', nameBits), trace: b.reg('trace_name', nameBits), vcd: b.reg('vcd_name', nameBits) };
  const fin = b.integer('fin');
  const fout = b.integer('fout');
  const got = b.integer('got');
  const images = b.integer('images');
  b.integer('image');
  const i = b.integer('i');
  const k = b.integer('k');
  const label = b.reg('label', num(ro.classBits));
  const value = b.reg('value', num(32));
  const startCycle = b.reg('start_cycle', num(32));
  const endCycle = b.reg('end_cycle', num(32));
  const timedOut = b.reg('timed_out');
  const checkTimeout = if_(gt(sub(cycle, startCycle), lit(options.maxCycles, 32)), [let_(timedOut, lit(1, 1))]);
  const read = (target: Expr, format: string): Stmt => let_(got, call('$fscanf', fin, str(format), target));
  const fail = (message: string): Stmt[] => [task('$display', str(`snn_tb: ${message}`)), task('$finish')];
  const reject = (message: string, ...args: Expr[]): Stmt[] => [task('$fwrite', fout, str(`error ${message}\n`), ...args), task('$fclose', fout), task('$finish')];
  const notTimedOut = lnot(timedOut);
  const gaps = benchGaps(b);
  const collector = scoreCollector(b, plan, {
    clk, cycle, outValid, outReady, outClass, outScore, outLabel, outLast, scores, label, endCycle, gaps, running: notTimedOut, checkTimeout, reject,
  });

  const imageStimulus = (pixels: Expr, inPixel: Expr, inSeed: Expr): Stmt[] => [
    read(value, '%h'),
    let_(inSeed, value),
    ...gaps.seed(value),
    loop('i', num(plan.pixels), [read(value, '%h'), let_(index(pixels, i), range(value, plan.pixelBits - 1, 0))]),
    ...(padded > plan.pixels ? [{ kind: 'while', test: lt(i, num(padded)), body: [let_(index(pixels, i), num(0)), let_(i, add(i, num(1)))] } as Stmt] : []),
    if_(ne(got, num(1)), fail('the input file ends early')),
    let_(i, num(0)),
    let_(startCycle, cycle),
    whileLoop(land(lt(i, num(plan.pixels)), notTimedOut), [
      negedge(clk),
      ...gaps.draw,
      if_(gaps.now, [let_(inValid, lit(0, 1))], [
        let_(inValid, lit(1, 1)),
        let_(inPixel, beat === 1 ? index(pixels, i) : cat(...Array.from({ length: beat }, (_, q) => index(pixels, add(i, num(beat - 1 - q)))))),
        if_(inReady, [if_(eq(i, num(0)), [let_(startCycle, cycle)]), let_(i, add(i, num(beat)))]),
      ]),
      checkTimeout,
    ]),
  ];
  const bench: BenchContext = { clk, inValid, inReady, cycle, startCycle, i, got, value, running: notTimedOut, gaps, checkTimeout, read, fail };
  const perImage: Stmt[] = [
    if_(ne(ftrace, num(0)), [task('$fwrite', ftrace, str('# image %0d\n'), ref('image'))]),
    ...(aer ? aer.stimulus(bench) : imageStimulus(pixels!, inPixel!, inSeed!)),
    negedge(clk),
    let_(inValid, lit(0, 1)),
    ...collector.take,
    if_(timedOut, [task('$fwrite', fout, str('timeout\n')), task('$fclose', fout), task('$finish')]),
    ...collector.complete,
    task('$fwrite', fout, str('%0d %0d'), label, add(sub(endCycle, startCycle), num(1))),
    loop('k', num(ro.classes), [task('$fwrite', fout, str(' %0d'), index(scores, k))]),
    task('$fwrite', fout, str('\n')),
  ];
  b.initial([
    let_(ftrace, num(0)),
    let_(timedOut, lit(0, 1)),
    if_(lnot(plusarg('in=%s', names.in)), fail('+in=FILE is required')),
    if_(lnot(plusarg('out=%s', names.out)), fail('+out=FILE is required')),
    if_(plusarg('trace=%s', names.trace), [let_(ftrace, call('$fopen', names.trace, str('w')))]),
    if_(plusarg('vcd=%s', names.vcd), [task('$dumpfile', names.vcd), task('$dumpvars', num(0), ref('snn_tb'))]),
    let_(fin, call('$fopen', names.in, str('r'))),
    if_(eq(fin, num(0)), fail('cannot open the input file')),
    let_(fout, call('$fopen', names.out, str('w'))),
    ...gaps.setup,
    read(images, '%d'),
    loop('k', num(RESET_CYCLES), [negedge(clk)]),
    let_(rst, lit(0, 1)),
    let_(outReady, lit(1, 1)),
    loop('image', images, perImage),
    task('$fclose', fout),
    if_(ne(ftrace, num(0)), [task('$fclose', ftrace)]),
    task('$finish'),
  ]);
  return b.build();
}
