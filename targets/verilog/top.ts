/**
 * @fileoverview The generated top level: instantiates the cores for one program (the image controller, the pixel or
 * address-event loader (top-input.ts), one event list per stage boundary, one step scheduler per stage, the stages'
 * cores, the readout) and wires them. Everything layer-specific is a parameter value or a memory file name. With
 * traces, every stage gets its own trace port (stages overlap in time, so their records can coincide).
 */
import { cat, type Expr, index, land, lit, lnot, ModuleBuilder, num, reduceOr, sext, type Module, zext } from './netlist.ts';
import type { DesignPlan } from './plan.ts';
import { convInstances } from './top-conv.ts';
import { listInstance, stageTrace, type StageWires, type TopContext } from './top-context.ts';
import { spikingInstances } from './top-spiking.ts';
import { loadInputs } from './load-ports.ts';
import { indexBits } from './cores/common.ts';
import { aerLoaderInstance, imageLoaderInstance } from './top-input.ts';

export interface TopOptions {
  readonly traces: boolean;
}

export function topModule(plan: DesignPlan, options: TopOptions): Module {
  const program = plan.program;
  const b = new ModuleBuilder('snn_top', `${program.name}: ${plan.stages.map((s) => s.op.name).join(' -> ')}, T=${program.timesteps}, ${plan.lanes} lane(s)`);
  const clk = b.input('clk');
  const rst = b.input('rst');
  const inValid = b.input('in_valid');
  const inReady = b.output('in_ready');
  const aer = plan.aer;
  const inPixel = aer ? undefined : b.input('in_pixel', num(plan.pixelBits * plan.beatPixels));
  const inSeed = aer ? lit(0, 32) : b.input('in_seed', num(32));
  const aerPorts = aer ? { in_addr: b.input('in_addr', num(aer.addrBits)), in_count: b.input('in_count', num(aer.countBits)), in_eot: b.input('in_eot') } : undefined;
  const outValid = b.output('out_valid');
  const outReady = b.input('out_ready');
  const ro = plan.readout;
  const outClass = b.output('out_class', num(ro.classBits));
  const outScore = b.output('out_score', num(ro.scoreBits), { signed: true });
  const outLabel = b.output('out_label', num(ro.classBits));
  const outLast = b.output('out_last');
  const load = loadInputs(b, plan.load);
  const tracePorts = options.traces
    ? plan.stages.map((_, l) => {
        const w = stageTrace(plan, l);
        return {
          valid: b.output(`trace${l}_valid`), step: b.output(`trace${l}_step`, num(plan.stepBits)), index: b.output(`trace${l}_index`, num(w.index)),
          membrane: b.output(`trace${l}_membrane`, num(w.membrane), { signed: true }), output: b.output(`trace${l}_output`, num(w.output), { signed: true }),
        };
      })
    : undefined;

  const w = (name: string, bits?: number): Expr => b.wire(name, bits === undefined ? undefined : num(bits));
  const loading = w('ctl_loading');
  const clear = w('ctl_clear');
  const go = w('ctl_go');
  const finish = w('ctl_finish');
  const allDone = w('all_done');
  const readoutDone = w('readout_done');
  const loadDone = w('load_done');
  const seedLoad = w('seed_load');
  const countBits = plan.stepBits + 2;
  const sched = plan.stages.map((_, l) => ({
    start: w(`s${l}_start`), startBank: w(`s${l}_start_bank`), step: w(`s${l}_step`, plan.stepBits), read: w(`s${l}_read`, countBits),
    done: w(`s${l}_done`, countBits), all: w(`s${l}_all_done`),
  }));
  const ports = plan.lists.map((list, l) => ({
    re: w(`l${l}_re`), raddr: w(`l${l}_raddr`, list.countBits), rdata: w(`l${l}_rdata`, list.addrBits + list.value.bits), count: w(`l${l}_count`, list.countBits),
  }));
  const ctx: TopContext = {
    b, plan, clk, rst, loading, clear, seedLoad, seed: inSeed, start: (l) => sched[l]!.start, step: (l) => sched[l]!.step, startBank: (l) => sched[l]!.startBank, listPort: (l) => ports[l]!, load,
  };

  b.instance('snn_controller', 'controller', {}, {
    clk, rst, first_beat: seedLoad, load_done: loadDone, all_done: allDone, readout_done: readoutDone, loading, clear, go, finish,
  });
  const input = aerPorts ? aerLoaderInstance(b, plan, { clk, clear, active: loading, inValid, inReady, firstBeat: seedLoad, done: loadDone, ...aerPorts }, sched[0]!.read)
    : imageLoaderInstance(b, plan, { clk, rst, active: loading, inValid, inReady, firstBeat: seedLoad, done: loadDone, inPixel: inPixel! });

  const stages: StageWires[] = plan.stages.map((s) => (s.kind === 'spiking' ? spikingInstances(ctx, s) : convInstances(ctx, s)));
  const delayOf = (l: number): 0 | 1 => {
    const op = plan.stages[l]!.op;
    return op.kind === 'spiking' ? op.delay : 0;
  };
  plan.stages.forEach((_, l) => {
    const zero = lit(0, countBits);
    b.instance('snn_scheduler', `s${l}_scheduler`, {
      TIMESTEPS: num(program.timesteps), STEP_BITS: num(plan.stepBits), COUNT_BITS: num(countBits),
      IN_DELAY: num(l > 0 ? delayOf(l - 1) : 0), HAS_PRODUCER: num(l > 0 || input.frames ? 1 : 0),
      OUT_DELAY: num(delayOf(l)), HAS_CONSUMER: num(l + 1 < plan.stages.length ? 1 : 0),
    }, {
      clk, clear, go, idle: stages[l]!.idle, passes_done: stages[l]!.passesDone, out_done: stages[l]!.outDone,
      producer_done: l > 0 ? sched[l - 1]!.done : input.frames ?? zero, consumer_read: l + 1 < plan.stages.length ? sched[l + 1]!.read : zero,
      start: sched[l]!.start, start_bank: sched[l]!.startBank, step: sched[l]!.step, read: sched[l]!.read, done: sched[l]!.done, all_done: sched[l]!.all,
    });
  });
  const lastSched = sched[sched.length - 1]!;
  // Every stage must finish all its steps (even ones nobody sees, after a delay) before the next image clears the lists.
  b.assign(allDone, sched.map((s) => s.all).reduce((a, c) => land(a, c)));
  // No producer waits on stage 0's reads and no consumer on the last stage's outputs.
  const spare = [...(input.frames ? [] : [sched[0]!.read]), lastSched.done, lastSched.startBank];
  b.assign(w('unused_schedule'), reduceOr(cat(...spare)));

  // An events sample fills bank t % 2 with frame t, which stage 0 reads at its step t; an image fills the one bank.
  const inputBank = input.frames ? index(sched[0]!.step, num(0)) : lit(0, 1);
  listInstance(b, plan.lists[0]!, 0, ports[0]!, { clear, start: input.wrStart, clrBank: input.bank, we: input.we, data: input.data, bank: input.bank }, inputBank);
  stages.forEach((wires, l) => {
    if (l + 1 >= plan.lists.length) return;
    const list = plan.lists[l + 1]!;
    const readBank = delayOf(l) === 1 ? lnot(index(sched[l + 1]!.step, num(0))) : index(sched[l + 1]!.step, num(0));
    listInstance(b, list, l + 1, ports[l + 1]!, {
      clear, start: sched[l]!.start, clrBank: sched[l]!.startBank, we: wires.evWe, data: wires.evData, bank: wires.evBank,
    }, readBank);
  });

  const lastWires = stages[stages.length - 1]!;
  b.instance(plan.ringReadout ? 'snn_readout_ring' : 'snn_readout', 'readout', {
    CLASSES: num(ro.classes), CLASS_BITS: num(ro.classBits), MEM_BITS: num(ro.memBits), SCORE_BITS: num(ro.scoreBits),
    STEP_BITS: num(plan.stepBits), ANY: num(ro.any ? 1 : 0), FIRST: num(ro.first), LAST: num(ro.last),
    ...(plan.ringReadout ? { TOTAL_ADDS: num(program.timesteps * ro.classes), ADDS_BITS: num(indexBits(program.timesteps * ro.classes + 1)) } : {}),
  }, {
    clk, rst, clear, step: lastWires.trace.step, add_valid: lastWires.trace.valid, add_index: lastWires.trace.index,
    add_u: lastWires.score ?? num(0), finish, out_valid: outValid, out_ready: outReady, out_class: outClass,
    out_score: outScore, out_label: outLabel, out_last: outLast, done: readoutDone,
  });

  if (tracePorts) {
    stages.forEach((s, l) => {
      const port = tracePorts[l]!;
      const widths = stageTrace(plan, l);
      const stage = plan.stages[l]!;
      const indexBitsOf = stage.kind === 'spiking' ? stage.unitBits : stage.flatBits;
      const outBits = stage.outBits;
      b.assign(port.valid, s.trace.valid);
      b.assign(port.step, s.trace.step);
      b.assign(port.index, zext(s.trace.index, num(indexBitsOf), num(widths.index)));
      b.assign(port.membrane, s.trace.membrane ?? lit(0, 1, true));
      b.assign(port.output, s.trace.outSigned ? sext(s.trace.output, num(outBits), num(widths.output)) : zext(s.trace.output, num(outBits), num(widths.output)));
    });
  } else {
    b.assign(w('unused_trace'), reduceOr(cat(...stages.flatMap((s) => s.quiet))));
  }
  return b.build();
}
