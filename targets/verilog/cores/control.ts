/**
 * @fileoverview The timestep controller and the per-layer sequencer.
 * snn_controller: WAIT (for the first pixel) -> RUN: for t in 0..T-1, for each stage in order, start it and wait for
 * its done -> OUT (the readout streams the scores) -> WAIT. Step 0 of the first stage starts with the first pixel and
 * consumes events while the rest of the image streams in (its reader waits for `loading` to drop before it ends).
 * `clear` empties the event lists and scores in the cycle the next image may begin.
 * snn_sequencer: one step of a spiking layer: for each group of LANES units, a pass over the layer's events into
 * the accumulators, then a capture that hands them to the neuron core, which updates that group while the next one
 * accumulates.
 */
import { add, eq, if_, land, lnot, lor, ModuleBuilder, ne, num, set, switch_, type Module } from '../netlist.ts';
import { sized } from './common.ts';

const WAIT = 0;
const RUN = 1;
const OUT = 2;

export function controllerModule(): Module {
  const b = new ModuleBuilder('snn_controller', 'timestep controller');
  const timesteps = b.param('TIMESTEPS', num(1));
  const stepBits = b.param('STEP_BITS', num(1));
  const stages = b.param('STAGES', num(1));
  const stageBits = b.param('STAGE_BITS', num(1));
  const clk = b.input('clk');
  const rst = b.input('rst');
  const firstBeat = b.input('first_beat');
  const loadDone = b.input('load_done');
  const stageDone = b.input('stage_done');
  const readoutDone = b.input('readout_done');
  const loading = b.output('loading', undefined, { reg: true });
  const clear = b.output('clear');
  const start = b.output('start', undefined, { reg: true });
  const stage = b.output('stage', stageBits, { reg: true });
  const step = b.output('step', stepBits, { reg: true });
  const first = b.output('first');
  const finish = b.output('finish', undefined, { reg: true });
  const lastStage = sized(b, 'LAST_STAGE', stageBits, stages, 1);
  const lastStep = sized(b, 'LAST_STEP', stepBits, timesteps, 1);
  const state = b.reg('state', num(2));
  b.assign(first, eq(step, num(0)));
  b.comment('clear in the same cycle as the move to WAIT, so the first pixel of the next image is never lost');
  b.assign(clear, lor(rst, land(eq(state, num(OUT)), readoutDone)));
  b.always(clk, [
    set(start, num(0)),
    set(finish, num(0)),
    if_(rst, [set(state, num(WAIT)), set(loading, num(1)), set(stage, num(0)), set(step, num(0))], [
      if_(loadDone, [set(loading, num(0))]),
      switch_(state, [
        { labels: [num(WAIT)], body: [if_(firstBeat, [set(state, num(RUN)), set(stage, num(0)), set(step, num(0)), set(start, num(1))])] },
        {
          labels: [num(RUN)],
          body: [
            if_(stageDone, [
              if_(ne(stage, lastStage), [set(stage, add(stage, num(1))), set(start, num(1))], [
                if_(ne(step, lastStep), [set(step, add(step, num(1))), set(stage, num(0)), set(start, num(1))], [
                  set(state, num(OUT)), set(finish, num(1)),
                ]),
              ]),
            ]),
          ],
        },
        { labels: [num(OUT)], body: [if_(readoutDone, [set(state, num(WAIT)), set(loading, num(1))])] },
      ], [set(state, num(WAIT))]),
    ]),
  ]);
  return b.build();
}

const IDLE = 0;
const PASS = 1;
const DRAIN = 2;

export function sequencerModule(): Module {
  const b = new ModuleBuilder('snn_sequencer', 'one step of a spiking layer: a pass over the events per group of units');
  const groups = b.param('GROUPS', num(1));
  const groupBits = b.param('GROUP_BITS', num(1));
  const clk = b.input('clk');
  const rst = b.input('rst');
  const start = b.input('start');
  const passIdle = b.input('pass_idle');
  const updBusy = b.input('upd_busy');
  const passStart = b.output('pass_start');
  const passFirst = b.output('pass_first');
  const capture = b.output('capture');
  const restart = b.output('restart');
  const done = b.output('done', undefined, { reg: true });
  const lastGroup = sized(b, 'LAST_GROUP', groupBits, groups, 1);
  const state = b.reg('state', num(2));
  const group = b.reg('group', groupBits);
  const complete = b.wire('complete');
  b.comment('a pass is complete when its reader and accumulators are idle; it is captured once the neuron core is free');
  b.assign(complete, land(land(eq(state, num(PASS)), passIdle), lnot(updBusy)));
  b.assign(passStart, lor(land(eq(state, num(IDLE)), start), land(complete, ne(group, lastGroup))));
  b.assign(passFirst, eq(state, num(IDLE)));
  b.assign(capture, complete);
  b.assign(restart, eq(group, num(0)));
  b.always(clk, [
    set(done, num(0)),
    if_(rst, [set(state, num(IDLE))], [
      switch_(state, [
        { labels: [num(IDLE)], body: [if_(start, [set(state, num(PASS)), set(group, num(0))])] },
        { labels: [num(PASS)], body: [if_(complete, [if_(ne(group, lastGroup), [set(group, add(group, num(1)))], [set(state, num(DRAIN))])])] },
        { labels: [num(DRAIN)], body: [if_(lnot(updBusy), [set(state, num(IDLE)), set(done, num(1))])] },
      ], [set(state, num(IDLE))]),
    ]),
  ]);
  return b.build();
}
