/**
 * @fileoverview The generated AXI4-Stream bench snn_axis_tb: reads the same +in=FILE as snn_tb (testbench.ts), streams
 * each sample through snn_axis as docs/axi-stream.md states, and writes one line per sample to +out=FILE:
 * `label cycles error score0 score1 ...` (cycles: the core's cycles_last; error: its sticky flag after the sample),
 * then `fingerprint HEX`. +gap=PERCENT: gaps on s_axis_tvalid (between beats only) and stalls on m_axis_tready
 * (testbench-gaps.ts). +cut=N ends sample 0 with TLAST on its beat N (1-based, early);
 * +extra=N sends N zero beats after sample 0's last beat before TLAST (late). A TLAST anywhere but on the label beat,
 * or a missing one, writes `protocol` and stops (values narrower than a register are zero-extended by assignment). Inputs change and outputs are sampled on the falling edge.
 */
import {
  add, call, cat, eq, gt, if_, index, land, let_, lit, lnot, lt, ModuleBuilder, mul, ne, num, range, set, str, sub, task,
  type Expr, type Module, type Stmt,
} from './netlist.ts';
import type { DesignPlan } from './plan.ts';
import { axisWidths } from './top-axis.ts';
import { clockGenerator, loop, NAME_CHARS, negedge, plusarg, RESET_CYCLES, whileLoop } from './testbench-common.ts';
import { benchGaps } from './testbench-gaps.ts';

export function axisTestbenchModule(plan: DesignPlan, options: { maxCycles: number }): Module {
  const ro = plan.readout;
  const aer = plan.aer;
  const { inBits, outBits, pixelBeats } = axisWidths(plan);
  const b = new ModuleBuilder('snn_axis_tb', 'file-driven AXI4-Stream bench: samples in with random gaps, scores and label out with random stalls');
  const clk = b.reg('aclk', undefined, false, lit(0, 1));
  const resetn = b.reg('aresetn', undefined, false, lit(0, 1));
  const sValid = b.reg('s_axis_tvalid', undefined, false, lit(0, 1));
  const sReady = b.wire('s_axis_tready');
  const sData = b.reg('s_axis_tdata', num(inBits), false, lit(0, inBits));
  const sLast = b.reg('s_axis_tlast', undefined, false, lit(0, 1));
  const mValid = b.wire('m_axis_tvalid');
  const mReady = b.reg('m_axis_tready', undefined, false, lit(0, 1));
  const mData = b.wire('m_axis_tdata', num(outBits));
  const mLast = b.wire('m_axis_tlast');
  const fingerprint = b.wire('fingerprint', num(32));
  const cyclesLast = b.wire('cycles_last', num(32));
  const error = b.wire('error');
  b.instance('snn_axis', 'dut', {}, {
    aclk: clk, aresetn: resetn, s_axis_tvalid: sValid, s_axis_tready: sReady, s_axis_tdata: sData, s_axis_tlast: sLast,
    m_axis_tvalid: mValid, m_axis_tready: mReady, m_axis_tdata: mData, m_axis_tlast: mLast, fingerprint, cycles_last: cyclesLast, error,
  });
  b.initial(clockGenerator(clk));
  const cycle = b.reg('cycle', num(32), false, lit(0, 32));
  b.always(clk, [set(cycle, add(cycle, num(1)))]);

  const beat = plan.beatPixels;
  const padded = pixelBeats * beat;
  const pixels = aer ? undefined : b.memory('pixels', num(plan.pixelBits), num(padded));
  const scores = b.memory('scores', num(outBits), num(ro.classes));
  const nameBits = num(8 * NAME_CHARS);
  const names = { in: b.reg('in_name', nameBits), out: b.reg('out_name', nameBits) };
  const fin = b.integer('fin');
  const fout = b.integer('fout');
  const got = b.integer('got');
  const samples = b.integer('samples');
  const sample = b.integer('sample');
  const i = aer ? num(0) : b.integer('i');
  const j = b.integer('j');
  const k = b.integer('k');
  const beats = b.integer('beats');
  const send = b.integer('send');
  const cut = b.integer('cut');
  const extra = b.integer('extra');
  const value = b.reg('value', num(32));
  const seed = b.reg('seed', num(32));
  const next = b.reg('next_beat', num(inBits));
  const label = b.reg('label', num(outBits));
  const gaps = benchGaps(b);
  const pending = b.reg('pending');
  const held = b.reg('held');
  const heldData = b.reg('held_data', num(outBits));
  const heldLast = b.reg('held_last');
  const startCycle = b.reg('start_cycle', num(32));
  const timedOut = b.reg('timed_out');
  const running = lnot(timedOut);
  const read = (target: Expr, format: string): Stmt => let_(got, call('$fscanf', fin, str(format), target));
  const fail = (message: string): Stmt[] => [task('$display', str(`snn_axis_tb: ${message}`)), task('$finish')];
  const checkTimeout = if_(gt(sub(cycle, startCycle), lit(options.maxCycles, 32)), [let_(timedOut, lit(1, 1))]);
  const draw = gaps.draw;
  const gapNow = gaps.now;
  const protocol = (message: string): Stmt[] => [task('$fwrite', fout, str('protocol\n')), task('$display', str(`snn_axis_tb: ${message}`)), task('$fclose', fout), task('$finish')];

  // The data of beat j (0-based) of the sample: image: the seed, then pixel beats; events: the file's beats, in order.
  const pixelBeat = (px: Expr): Expr => cat(...Array.from({ length: beat }, (_, q) => index(px, add(i, num(beat - 1 - q)))));
  const loadNext: Stmt[] = aer
    ? [if_(lt(j, beats), [read(value, '%h'), if_(ne(got, num(1)), fail('the input file ends early')), let_(next, inBits < 32 ? range(value, inBits - 1, 0) : value)], [let_(next, lit(0, inBits))])]
    : [if_(eq(j, num(0)), [let_(next, seed)], [
        if_(lt(j, num(pixelBeats + 1)), [let_(i, mul(sub(j, num(1)), num(beat))), let_(next, widen(pixelBeat(pixels!), plan.pixelBits * beat, inBits))], [let_(next, lit(0, inBits))]),
      ])];
  const stimulus: Stmt[] = [
    read(value, '%h'),
    let_(seed, value),
    ...(aer ? [read(beats, '%h')] : [
      loop('i', num(plan.pixels), [read(value, '%h'), let_(index(pixels!, i), range(value, plan.pixelBits - 1, 0))]),
      ...(padded > plan.pixels ? [whileLoop(lt(i, num(padded)), [let_(index(pixels!, i), num(0)), let_(i, add(i, num(1)))])] : []),
      let_(beats, num(pixelBeats + 1)),
    ]),
    if_(ne(got, num(1)), fail('the input file ends early')),
    ...gaps.seed(seed),
    let_(send, beats),
    if_(land(eq(sample, num(0)), gt(cut, num(0))), [let_(send, cut)]),
    if_(land(eq(sample, num(0)), gt(extra, num(0))), [let_(send, add(beats, extra))]),
    let_(startCycle, cycle),
    let_(j, num(0)),
    ...loadNext,
    let_(pending, lit(0, 1)),
    whileLoop(land(lt(j, send), running), [
      negedge(clk),
      ...draw,
      // A beat once offered stays until taken (AXI4-Stream); gaps fall between beats only.
      if_(lnot(pending), [
        if_(gapNow, [let_(sValid, lit(0, 1))], [let_(sValid, lit(1, 1)), let_(sData, next), let_(sLast, eq(j, sub(send, num(1))))]),
      ]),
      // Taken on the coming rising edge if ready is high now (the design's ready does not depend on valid).
      let_(pending, land(sValid, lnot(sReady))),
      if_(land(sValid, sReady), [let_(j, add(j, num(1))), ...loadNext]),
      checkTimeout,
    ]),
    // Lines of beats the file holds that sample 0's cut left unsent.
    // (the beat after the last one sent is already read, when there is one).
    ...(aer ? [if_(lt(j, beats), [let_(j, add(j, num(1)))]), whileLoop(lt(j, beats), [read(value, '%h'), let_(j, add(j, num(1)))])] : []),
    negedge(clk),
    let_(sValid, lit(0, 1)),
    let_(sLast, lit(0, 1)),
    loop('k', num(ro.classes), [let_(index(scores, k), lit(0, outBits))]),
    let_(k, num(0)),
    let_(held, lit(0, 1)),
    whileLoop(land(lt(k, num(ro.classes + 1)), running), [
      // A beat the design offered must stay, unchanged, until taken.
      if_(land(held, lnot(land(mValid, land(eq(mData, heldData), eq(mLast, heldLast))))), protocol('m_axis changed a beat before it was taken')),
      if_(land(mValid, mReady), [
        if_(ne(mLast, eq(k, num(ro.classes))), protocol('TLAST is not on the label beat alone')),
        if_(lt(k, num(ro.classes)), [let_(index(scores, k), mData)], [let_(label, mData)]),
        let_(k, add(k, num(1))),
        let_(held, lit(0, 1)),
      ], [let_(held, mValid), let_(heldData, mData), let_(heldLast, mLast)]),
      negedge(clk),
      ...draw,
      let_(mReady, lnot(gapNow)),
      checkTimeout,
    ]),
    let_(mReady, lit(1, 1)),
    if_(timedOut, [task('$fwrite', fout, str('timeout\n')), task('$fclose', fout), task('$finish')]),
    negedge(clk),
    task('$fwrite', fout, str('%0d %0d %0d'), label, cyclesLast, error),
    loop('k', num(ro.classes), [task('$fwrite', fout, str(' %0d'), call('$signed', index(scores, k)))]),
    task('$fwrite', fout, str('\n')),
  ];
  b.initial([
    let_(timedOut, lit(0, 1)),
    let_(cut, num(0)),
    let_(extra, num(0)),
    if_(lnot(plusarg('in=%s', names.in)), fail('+in=FILE is required')),
    if_(lnot(plusarg('out=%s', names.out)), fail('+out=FILE is required')),
    ...gaps.setup,
    if_(plusarg('cut=%d', cut), []),
    if_(plusarg('extra=%d', extra), []),
    let_(fin, call('$fopen', names.in, str('r'))),
    if_(eq(fin, num(0)), fail('cannot open the input file')),
    let_(fout, call('$fopen', names.out, str('w'))),
    read(samples, '%d'),
    loop('k', num(RESET_CYCLES), [negedge(clk)]),
    let_(resetn, lit(1, 1)),
    let_(mReady, lit(1, 1)),
    loop('sample', samples, stimulus),
    task('$fwrite', fout, str('fingerprint %h\n'), fingerprint),
    task('$fclose', fout),
    task('$finish'),
  ]);
  return b.build();
}

/** `value` (`bits` wide) zero-extended to `width` bits. */
function widen(value: Expr, bits: number, width: number): Expr {
  return width > bits ? cat(lit(0, width - bits), value) : value;
}
