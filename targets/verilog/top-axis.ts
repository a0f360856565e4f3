/**
 * @fileoverview snn_axis: the design behind standard AXI4-Stream ports (aclk, aresetn, s_axis_*, m_axis_*), for a
 * Vivado block design or a LiteX SoC, around snn_top. docs/axi-stream.md states the beats:
 *   in, image design:  a seed beat (tdata[31:0]), then ceil(pixels / beatPixels) pixel beats, TLAST on the last;
 *   in, events design: address-event beats {eot, address, count} (top bit eot), TLAST on the T-th end-of-timestep;
 *   out: one beat per class (its score, sign-extended), then a label beat with TLAST.
 * Sideband: `fingerprint` (the program's sha256, first 32 bits), `cycles_last` (first input beat to the label beat of
 * the last sample, inclusive) and `error`, sticky until reset: a TLAST early (the sample is completed with zero pixels or
 * end-of-timestep markers) or late (beats after the sample's last one are dropped up to TLAST).
 */
import { programSha256 } from '../../ir/fingerprint.ts';
import {
  add, cond, eq, if_, index, land, lit, lnot, lor, ModuleBuilder, num, range, ref, set, sext, zext, type Expr, type Module, type Stmt,
} from './netlist.ts';
import { markUnused } from './cores/common.ts';
import type { DesignPlan } from './plan.ts';
import { loadInputs } from './load-ports.ts';
import { registerSlice } from './register-slice.ts';

/** Input states: the seed beat (image designs), the sample's beats, zero beats after an early TLAST, dropping to TLAST. */
const HEADER = 0;
const BEATS = 1;
const PAD = 2;
const DRAIN = 3;
/** Output states: the core's score beats, then the label beat. */
const SCORES = 0;
const LABEL = 1;

/** AXI4-Stream data widths are whole bytes. */
export const byteWidth = (bits: number): number => 8 * Math.ceil(bits / 8);

export interface AxisWidths {
  readonly inBits: number;
  readonly outBits: number;
  /** Input beats of one sample after the seed beat (image designs); 0 for events designs (counted by eot). */
  readonly pixelBeats: number;
}

export function axisWidths(plan: DesignPlan): AxisWidths {
  const ro = plan.readout;
  const aer = plan.aer;
  const inBits = aer ? byteWidth(aer.addrBits + aer.countBits + 1) : byteWidth(Math.max(32, plan.pixelBits * plan.beatPixels));
  return { inBits, outBits: byteWidth(Math.max(ro.scoreBits, ro.classBits)), pixelBeats: aer ? 0 : Math.ceil(plan.pixels / plan.beatPixels) };
}

export function axisModule(plan: DesignPlan): Module {
  const program = plan.program;
  const ro = plan.readout;
  const aer = plan.aer;
  const { inBits, outBits, pixelBeats } = axisWidths(plan);
  const b = new ModuleBuilder('snn_axis', `${program.name} behind AXI4-Stream ports (docs/axi-stream.md)`);
  const clk = b.input('aclk');
  const resetn = b.input('aresetn');
  const portValid = b.input('s_axis_tvalid');
  const portReady = b.output('s_axis_tready');
  const portData = b.input('s_axis_tdata', num(inBits));
  const portLast = b.input('s_axis_tlast');
  const mValid = b.output('m_axis_tvalid');
  const mReady = b.input('m_axis_tready');
  const mData = b.output('m_axis_tdata', num(outBits));
  const mLast = b.output('m_axis_tlast');
  const fingerprint = b.output('fingerprint', num(32));
  const cyclesLast = b.output('cycles_last', num(32), { reg: true });
  const error = b.output('error', undefined, { reg: true });
  const load = loadInputs(b, plan.load);

  const rst = b.wire('rst');
  const inState = b.reg('in_state', num(2));
  const outState = b.reg('out_state', num(1));
  const seed = aer ? lit(0, 32) : b.reg('seed', num(32));
  const label = b.reg('label', num(ro.classBits));
  const counter = b.reg('counter', num(32));
  const counting = b.reg('counting');
  const coreValid = b.wire('core_in_valid');
  const coreReady = b.wire('core_in_ready');
  const coreOutValid = b.wire('core_out_valid');
  const coreOutReady = b.wire('core_out_ready');
  const coreScore = b.wire('core_out_score', num(ro.scoreBits), true);
  const coreLabel = b.wire('core_out_label', num(ro.classBits));
  const coreLast = b.wire('core_out_last');
  const coreClass = b.wire('core_out_class', num(ro.classBits));
  const sFire = b.wire('s_fire');
  const labelFire = b.wire('label_fire');
  b.assign(rst, lnot(resetn));
  // In: the beats pass through a two-entry register slice, so s_axis_tready comes from a register.
  const inSlice = registerSlice(b, clk, rst, 'in_slice', { valid: portValid, ready: portReady }, [
    { name: 'data', value: portData, bits: inBits }, { name: 'last', value: portLast, bits: 1 },
  ]);
  const [sValid, sReady, sData, sLast] = [inSlice.valid, inSlice.ready, inSlice.fields.data!, inSlice.fields.last!];
  b.assign(fingerprint, lit(BigInt(`0x${programSha256(program).slice(0, 8)}`), 32));

  // What goes to the core in each input state: the sample's beats, zero beats while padding, nothing otherwise.
  const inBeats = eq(inState, lit(BEATS, 2));
  const padding = eq(inState, lit(PAD, 2));
  b.assign(coreValid, lor(land(inBeats, sValid), padding));
  b.assign(sReady, cond(inBeats, coreReady, cond(padding, lit(0, 1), lit(1, 1))));
  b.assign(sFire, land(sValid, sReady));
  const coreFire = land(coreValid, coreReady);
  const ports: Record<string, Expr> = {
    clk, rst, in_valid: coreValid, in_ready: coreReady,
    out_valid: coreOutValid, out_ready: coreOutReady, out_class: coreClass,
    out_score: coreScore, out_label: coreLabel, out_last: coreLast, ...load,
  };
  // An events sample ends with its T-th end-of-timestep beat; an image sample with its last pixel beat.
  // It counts to the sample's last pixel beat, or its last end-of-timestep, and no further.
  const countTo = aer ? program.timesteps : pixelBeats;
  const countBits = Math.max(1, Math.ceil(Math.log2(countTo)));
  const beatCount = b.reg('beat_count', num(countBits));
  let lastBeat: Expr;
  if (aer) {
    const beatBits = aer.addrBits + aer.countBits + 1;
    const eot = b.wire('pad_or_eot');
    b.assign(eot, lor(padding, index(sData, beatBits - 1)));
    Object.assign(ports, {
      in_addr: cond(padding, lit(0, aer.addrBits), range(sData, beatBits - 2, aer.countBits)),
      in_count: cond(padding, lit(0, aer.countBits), range(sData, aer.countBits - 1, 0)),
      in_eot: eot,
    });
    lastBeat = land(eot, eq(beatCount, lit(program.timesteps - 1, countBits)));
    if (inBits > beatBits) markUnused(b, 'tdata', range(sData, inBits - 1, beatBits));
  } else {
    const beatWidth = plan.pixelBits * plan.beatPixels;
    Object.assign(ports, { in_pixel: cond(padding, lit(0, beatWidth), range(sData, beatWidth - 1, 0)), in_seed: seed });
    lastBeat = eq(beatCount, lit(pixelBeats - 1, countBits));
  }
  b.instance('snn_top', 'core', {}, ports);
  // Image beats all count; events beats count at their end-of-timestep marker.
  const count = (): Stmt[] => { const inc = set(beatCount, add(beatCount, lit(1, countBits))); return aer ? [if_(ref('pad_or_eot'), [inc])] : [inc]; };

  const first = aer ? lit(BEATS, 2) : lit(HEADER, 2);
  b.always(clk, [
    if_(rst, [set(inState, first), set(beatCount, lit(0, countBits)), set(error, lit(0, 1)), ...(aer ? [] : [set(seed, lit(0, 32))])], [
      ...(aer ? [] : [if_(land(eq(inState, lit(HEADER, 2)), sFire), [
        set(seed, range(sData, 31, 0)),
        // A sample of one beat has no pixels: refused, and the next beat is a seed again.
        if_(sLast, [set(error, lit(1, 1))], [set(inState, lit(BEATS, 2)), set(beatCount, lit(0, countBits))]),
      ])]),
      if_(land(inBeats, coreFire), [
        ...count(),
        if_(lastBeat, [set(inState, cond(sLast, first, lit(DRAIN, 2))), set(beatCount, lit(0, countBits)), if_(lnot(sLast), [set(error, lit(1, 1))])],
          [if_(sLast, [set(inState, lit(PAD, 2)), set(error, lit(1, 1))])]),
      ]),
      if_(land(padding, coreFire), [
        ...count(),
        if_(lastBeat, [set(inState, first), set(beatCount, lit(0, countBits))]),
      ]),
      if_(land(eq(inState, lit(DRAIN, 2)), land(sFire, sLast)), [set(inState, first)]),
    ]),
  ]);

  // Out: the core's beats pass through a two-entry register slice (so m_axis_tready reaches no core register) with
  // their score; the label beat follows the core's last beat.
  const beat = registerSlice(b, clk, rst, 'out_slice', { valid: coreOutValid, ready: coreOutReady }, [
    { name: 'score', value: coreScore, bits: ro.scoreBits, signed: true }, { name: 'label', value: coreLabel, bits: ro.classBits }, { name: 'last', value: coreLast, bits: 1 },
  ]);
  const [beatScore, beatLabel, beatLast] = [beat.fields.score!, beat.fields.label!, beat.fields.last!];
  const scores = eq(outState, lit(SCORES, 1));
  b.assign(mValid, cond(scores, beat.valid, lit(1, 1)));
  b.assign(beat.ready, land(scores, mReady));
  b.assign(mData, cond(scores, sext(beatScore, num(ro.scoreBits), num(outBits)), zext(label, num(ro.classBits), num(outBits))));
  b.assign(mLast, lnot(scores));
  b.assign(labelFire, land(lnot(scores), mReady));
  b.always(clk, [
    if_(rst, [set(outState, lit(SCORES, 1)), set(label, lit(0, ro.classBits))], [
      if_(land(land(scores, beat.valid), land(mReady, beatLast)), [set(label, beatLabel), set(outState, lit(LABEL, 1))]),
      if_(labelFire, [set(outState, lit(SCORES, 1))]),
    ]),
  ]);

  // cycles_last: from the first input beat of a sample (at the port) to its label beat, both counted. The counter runs
  // one ahead (the cycles so far, the next one included), so cycles_last takes it with no adder.
  const startBeat = land(land(portValid, portReady), lnot(counting));
  b.always(clk, [
    if_(rst, [set(counting, lit(0, 1)), set(counter, lit(0, 32)), set(cyclesLast, lit(0, 32))], [
      if_(startBeat, [set(counting, lit(1, 1)), set(counter, lit(2, 32))], [if_(counting, [set(counter, add(counter, lit(1, 32)))])]),
      if_(land(labelFire, counting), [set(cyclesLast, counter), set(counting, lit(0, 1))]),
    ]),
  ]);
  markUnused(b, 'axis', coreClass);
  return b.build();
}
