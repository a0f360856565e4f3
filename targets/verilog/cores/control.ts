/**
 * @fileoverview Control: the image controller, one step scheduler per stage, and the spiking layer's sequencer.
 * snn_controller: WAIT (for the first pixel) -> RUN (stages run their steps) -> OUT (the readout streams the scores)
 * -> WAIT. `clear` empties the event lists and scores in the cycle the next image may begin; stage 0 starts step 0
 * with the first pixel and consumes events while the image streams in (its reader waits for `loading` to drop).
 * snn_scheduler: stages run their timesteps as a pipeline. A stage starts step t once it is idle, its producer has
 * finished step t - delay (its input), and its consumer has finished reading step t - 2 from the bank step t will
 * overwrite (every list between stages has two banks, by step parity).
 * snn_sequencer: one step of a spiking layer: for each group of LANES units, a pass over the layer's events into
 * the accumulators, then a capture that hands them to the neuron core, which updates that group while the next
 * group (or the next step) accumulates.
 */
import { add, eq, gt, if_, index, land, lnot, lor, minus1, ModuleBuilder, ne, num, range, set, switch_, type Module } from '../netlist.ts';
import { sized } from './common.ts';

const WAIT = 0;
const RUN = 1;
const OUT = 2;

export function controllerModule(): Module {
  const b = new ModuleBuilder('snn_controller', 'image controller: load, run the stages, stream the scores');
  const clk = b.input('clk');
  const rst = b.input('rst');
  const firstBeat = b.input('first_beat');
  const loadDone = b.input('load_done');
  const allDone = b.input('all_done');
  const readoutDone = b.input('readout_done');
  const loading = b.output('loading', undefined, { reg: true });
  const clear = b.output('clear');
  const go = b.output('go');
  const finish = b.output('finish', undefined, { reg: true });
  const state = b.reg('state', num(2));
  b.comment('clear in the same cycle as the move to WAIT, so the first pixel of the next image is never lost');
  b.assign(clear, lor(rst, land(eq(state, num(OUT)), readoutDone)));
  b.assign(go, land(eq(state, num(WAIT)), firstBeat));
  b.always(clk, [
    set(finish, num(0)),
    if_(rst, [set(state, num(WAIT)), set(loading, num(1))], [
      if_(loadDone, [set(loading, num(0))]),
      switch_(state, [
        { labels: [num(WAIT)], body: [if_(firstBeat, [set(state, num(RUN))])] },
        { labels: [num(RUN)], body: [if_(allDone, [set(state, num(OUT)), set(finish, num(1))])] },
        { labels: [num(OUT)], body: [if_(readoutDone, [set(state, num(WAIT)), set(loading, num(1))])] },
      ], [set(state, num(WAIT))]),
    ]),
  ]);
  return b.build();
}

export function schedulerModule(): Module {
  const b = new ModuleBuilder('snn_scheduler', 'starts a stage\'s timesteps when its input is ready and its output bank is free');
  const timesteps = b.param('TIMESTEPS', num(1));
  const stepBits = b.param('STEP_BITS', num(1));
  const countBits = b.param('COUNT_BITS', num(3), 'STEP_BITS + 2: counts 0..T with room for the comparisons');
  const inDelay = b.param('IN_DELAY', num(0), 'the producer\'s delay (0 for the first stage)');
  const hasProducer = b.param('HAS_PRODUCER', num(0));
  const outDelay = b.param('OUT_DELAY', num(0), 'this stage\'s delay, as its consumer sees it');
  const hasConsumer = b.param('HAS_CONSUMER', num(0));
  const clk = b.input('clk');
  const clear = b.input('clear');
  const go = b.input('go');
  const idle = b.input('idle');
  const passesDone = b.input('passes_done');
  const outDone = b.input('out_done');
  const producerDone = b.input('producer_done', countBits);
  const consumerRead = b.input('consumer_read', countBits);
  const start = b.output('start');
  const startBank = b.output('start_bank');
  const step = b.output('step', stepBits, { reg: true });
  const read = b.output('read', countBits, { reg: true });
  const done = b.output('done', countBits, { reg: true });
  const lastDone = b.output('all_done');
  const total = sized(b, 'STEPS', countBits, timesteps);
  const inD = sized(b, 'IN_D', countBits, inDelay);
  const outD = sized(b, 'OUT_D', countBits, outDelay);
  const active = b.reg('active');
  const started = b.reg('started', countBits);
  const inputReady = b.wire('input_ready');
  const outputFree = b.wire('output_free');
  b.comment('step t may start when the producer finished step t - IN_DELAY: done + IN_DELAY > t');
  b.assign(inputReady, lor(eq(hasProducer, num(0)), gt(add(producerDone, inD), started)));
  b.comment('bank t%2 held step t-2, which the consumer read at its step t-2+OUT_DELAY: read + 2 > t + OUT_DELAY');
  b.assign(outputFree, lor(eq(hasConsumer, num(0)), gt(add(consumerRead, num(2)), add(started, outD))));
  const ready = b.wire('ready');
  const startQ = b.reg('start_q');
  b.comment('start is registered (timing): every term of `ready` stays true until a start, so one cycle late is exact');
  b.assign(ready, land(land(land(active, idle), ne(started, total)), land(inputReady, outputFree)));
  b.assign(start, startQ);
  b.assign(lastDone, eq(done, total));
  b.assign(startBank, index(started, num(0)));
  b.always(clk, [
    set(startQ, land(land(ready, lnot(startQ)), lnot(clear))),
    if_(clear, [set(active, num(0)), set(started, num(0)), set(read, num(0)), set(done, num(0))], [
      if_(go, [set(active, num(1))]),
      if_(start, [set(started, add(started, num(1)))]),
      if_(passesDone, [set(read, add(read, num(1)))]),
      if_(outDone, [set(done, add(done, num(1)))]),
    ]),
    if_(start, [set(step, range(started, minus1(stepBits), num(0)))]),
  ]);
  return b.build();
}

const IDLE = 0;
const PASS = 1;

export function sequencerModule(): Module {
  const b = new ModuleBuilder('snn_sequencer', 'one step of a spiking layer: a pass over the events per group of units');
  const groups = b.param('GROUPS', num(1));
  const groupBits = b.param('GROUP_BITS', num(1));
  const stepBits = b.param('STEP_BITS', num(1));
  const clk = b.input('clk');
  const rst = b.input('rst');
  const start = b.input('start');
  const step = b.input('step', stepBits);
  const passIdle = b.input('pass_idle');
  const updBusy = b.input('upd_busy');
  const idle = b.output('idle');
  const passStart = b.output('pass_start');
  const passFirst = b.output('pass_first');
  const capture = b.output('capture');
  const restart = b.output('restart');
  const passesDone = b.output('passes_done');
  const outDone = b.output('out_done', undefined, { reg: true });
  const updStep = b.output('upd_step', stepBits, { reg: true });
  const updFirst = b.output('upd_first');
  const lastGroup = sized(b, 'LAST_GROUP', groupBits, groups, 1);
  const state = b.reg('state');
  const group = b.reg('group', groupBits);
  const draining = b.reg('draining');
  const complete = b.wire('complete');
  const completeQ = b.reg('complete_q');
  b.comment('group == LAST_GROUP and group == 0 as registers, set with group (the compare fed pass_start, which resets');
  b.comment('the reader, on nextpnr\'s critical path)');
  const atLast = b.reg('at_last_group');
  const atFirst = b.reg('at_first_group');
  const nextGroup = b.wire('next_group', groupBits);
  b.assign(nextGroup, add(group, num(1)));
  b.comment('a pass is complete when its reader and accumulators are idle; it is captured once the neuron core is free');
  b.comment('registered (timing): idle and free stay so until the capture, so one cycle late is exact');
  b.assign(complete, completeQ);
  b.assign(idle, eq(state, num(IDLE)));
  b.assign(passStart, lor(land(eq(state, num(IDLE)), start), land(complete, lnot(atLast))));
  b.assign(passFirst, eq(state, num(IDLE)));
  b.assign(capture, complete);
  b.assign(restart, atFirst);
  b.assign(passesDone, land(complete, atLast));
  b.assign(updFirst, eq(step, num(0)));
  b.comment('the step\'s outputs are complete when the neuron core goes idle after its last capture');
  b.always(clk, [
    set(completeQ, land(land(land(eq(state, num(PASS)), passIdle), lnot(updBusy)), land(lnot(completeQ), lnot(rst)))),
    set(outDone, land(draining, lnot(updBusy))),
    if_(land(capture, atFirst), [set(updStep, step)]),
    if_(rst, [set(state, num(IDLE)), set(draining, num(0))], [
      if_(passesDone, [set(draining, num(1))], [if_(lnot(updBusy), [set(draining, num(0))])]),
      switch_(state, [
        { labels: [num(IDLE)], body: [if_(start, [set(state, num(PASS)), set(group, num(0)), set(atFirst, num(1)), set(atLast, eq(groups, num(1)))])] },
        { labels: [num(PASS)], body: [if_(complete, [if_(lnot(atLast), [
          set(group, nextGroup), set(atFirst, num(0)), set(atLast, eq(nextGroup, lastGroup)),
        ], [set(state, num(IDLE))])])] },
      ], [set(state, num(IDLE))]),
    ]),
  ]);
  return b.build();
}
