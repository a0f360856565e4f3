/**
 * @fileoverview Emits a design directory: rtl/ (one file per module: the cores the program uses and snn_top), tb/
 * (snn_tb), mem/ ($readmemh images) and design.json (what the runners and the report need to know).
 */
import { programSha256 } from '../../ir/fingerprint.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../../base/errors.ts';
import type { Program } from '../../ir/program.ts';
import type { EmitOptions, EmittedFile } from '../target.ts';
import { checkProgram, lanesOption } from './check.ts';
import { controllerModule, schedulerModule, sequencerModule } from './cores/control.ts';
import { eventListModule } from './cores/event-list.ts';
import { eventReaderModule } from './cores/event-reader.ts';
import { aerLoaderModule } from './cores/aer-loader.ts';
import { loaderModule } from './cores/loader.ts';
import { packedLoaderModule } from './cores/packed-loader.ts';
import { neuronModule } from './cores/neuron.ts';
import { prngModule } from './cores/prng.ts';
import { ramModule } from './cores/ram.ts';
import { readoutModule } from './cores/readout.ts';
import { synapseModule } from './cores/synapse.ts';
import { spramModule } from './cores/spram.ts';
import { convModule } from './cores/conv.ts';
import { coordsModule } from './cores/coords.ts';
import { convFilters, convWeights, memFileName, recurrentWeights, spikingUnits, spikingWeights } from './mem-files.ts';
import type { Module } from './netlist.ts';
import type { PlanExtras } from './load-plan.ts';
import { planDesign, type DesignPlan } from './plan.ts';
import { printModule } from './print-verilog.ts';
import { testbenchModule } from './testbench.ts';
import { axisTestbenchModule } from './testbench-axis.ts';
import { axisModule } from './top-axis.ts';
import { topModule } from './top.ts';

export interface DesignOptions extends PlanExtras {
  readonly lanes: number;
  readonly traces: boolean;
}

/** What design.json records; `run` and `snnc report` read it back. */
export interface DesignInfo {
  readonly format: 'snnc-verilog-design';
  readonly version: 1;
  readonly program: string;
  /** The program's fingerprint (ir/fingerprint.ts): `run` and `trace` refuse a design emitted for another program. */
  readonly programSha256: string;
  readonly top: 'snn_top';
  readonly testbench: 'snn_tb';
  readonly rtl: readonly string[];
  readonly tb: readonly string[];
  readonly lanes: number;
  readonly traces: boolean;
  readonly pixels: number;
  readonly pixelBits: number;
  /** Pixels per input beat (lane 0 in the low bits of in_pixel). */
  readonly beatPixels: number;
  /**
   * Set for an events program: the input is an address-event stream of beats {eot, address, count} (README.md), and
   * a sample is T frames of `pixels` counts. Absent for an image design.
   */
  readonly aer?: { readonly addrBits: number; readonly countBits: number };
  readonly classes: number;
  readonly classBits: number;
  readonly scoreBits: number;
  readonly timesteps: number;
  readonly maxCycles: number;
  /**
   * designFilesHash: FNV-1a of every file as emitted, not the program's fingerprint (that is programSha256); a record
   * only, since simulator builds are keyed on the bytes on disk (see run.ts).
   */
  readonly fingerprint: string;
}

/** A generous bound on one inference's cycles, for the bench's stall detector (not a performance figure). */
export function cycleBound(plan: DesignPlan): number {
  let perStep = 0;
  let inputs = plan.pixels;
  for (const s of plan.stages) {
    if (s.kind === 'spiking') {
      // An identity layer makes one pass over its inputs, then walks its units (the two do not overlap).
      // A recurrent pass replays the layer's own previous outputs beside it, and waits for the previous step's updates.
      perStep += (inputs + 8) * s.groups + s.op.units + 16 + (s.identity ? s.op.units + 16 : 0) + (s.recurrent ? (s.op.units + 8) * s.groups + s.op.units + 16 : 0);
      inputs = s.op.units;
    } else {
      const [filters, oh, ow] = s.op.outShape;
      perStep += (inputs + 8) * s.op.kernel * s.op.kernel * s.groups + filters * oh * ow + 16;
      inputs = filters * oh * ow;
    }
  }
  // An events sample is up to T * (P + 1) beats; the bench may space out any input with gaps (run.ts RUN_GAP_PERCENT).
  const beats = plan.aer ? 4 * plan.program.timesteps * (plan.pixels + 1) : 4 * plan.pixels;
  return 4 * (beats + plan.program.timesteps * perStep + 4 * plan.program.classes + 64);
}

function coreModules(plan: DesignPlan): Module[] {
  const loader = plan.aer ? aerLoaderModule() : plan.beatPixels === 1 ? loaderModule() : packedLoaderModule();
  const modules = [ramModule(), eventListModule(), eventReaderModule(), loader, controllerModule(), schedulerModule(), readoutModule({ ring: plan.ringReadout ?? false })];
  if (plan.program.encoder.kind === 'jitter') modules.push(prngModule());
  const spiking = plan.stages.filter((s) => s.kind === 'spiking');
  if (spiking.some((s) => (!s.identity && plan.load?.layer !== s.layer) || s.recurrent)) modules.push(synapseModule());
  if (plan.load) modules.push(synapseModule({ loaded: true }), spramModule(plan.load));
  if (spiking.some((s) => !s.recurrent && !s.current)) modules.push(neuronModule());
  const currentBias = spiking.some((s) => s.current && s.current.biasBits > 0);
  if (spiking.some((s) => s.recurrent || s.current)) modules.push(neuronModule({ current: true, ...(currentBias ? { currentBias } : {}) }));
  if (spiking.length > 0) modules.push(sequencerModule());
  if (spiking.some((s) => plan.lists[s.layer + 1]?.coords)) modules.push(coordsModule());
  if (plan.stages.some((s) => s.kind === 'conv')) modules.push(convModule());
  return modules;
}

function memFiles(plan: DesignPlan): EmittedFile[] {
  return plan.stages.flatMap((s) =>
    s.kind === 'spiking'
      ? [
          ...(s.identity ? [] : [{ path: memFileName(s.layer, 'weights'), contents: spikingWeights(s) }]),
          { path: memFileName(s.layer, 'units'), contents: spikingUnits(s) },
          ...(s.recurrent ? [{ path: memFileName(s.layer, 'recurrent'), contents: recurrentWeights(s) }] : []),
        ]
      : [{ path: memFileName(s.layer, 'weights'), contents: convWeights(s) }, { path: memFileName(s.layer, 'units'), contents: convFilters(s) }],
  );
}

/**
 * FNV-1a over the emitted files' paths and contents: a short hash of the design as written (design.json's
 * `fingerprint`), not of the program, so two lane counts of one program differ here and agree in programSha256.
 */
function designFilesHash(files: readonly EmittedFile[]): string {
  let h = 0x811c9dc5;
  for (const f of files) {
    const text = `${f.path}\n${typeof f.contents === 'string' ? f.contents : Buffer.from(f.contents).toString('hex')}`;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export function emitDesign(program: Program, options: DesignOptions): EmittedFile[] {
  const plan = planDesign(program, options.lanes, options);
  const maxCycles = cycleBound(plan);
  // A traced build is for locating a mismatch: its top has trace ports, and it has no AXI4-Stream core.
  const rtl = [...coreModules(plan), topModule(plan, { traces: options.traces }), ...(options.traces ? [] : [axisModule(plan)])];
  const files: EmittedFile[] = [
    ...rtl.map((m) => ({ path: `rtl/${m.name}.v`, contents: printModule(m) })),
    { path: 'tb/snn_tb.v', contents: printModule(testbenchModule(plan, { traces: options.traces, maxCycles })) },
    ...(options.traces ? [] : [{ path: 'tb/snn_axis_tb.v', contents: printModule(axisTestbenchModule(plan, { maxCycles })) }]),
    ...memFiles(plan),
  ];
  const info: DesignInfo = {
    format: 'snnc-verilog-design', version: 1, program: program.name, programSha256: programSha256(program), top: 'snn_top', testbench: 'snn_tb',
    rtl: rtl.map((m) => `rtl/${m.name}.v`), tb: ['tb/snn_tb.v', ...(options.traces ? [] : ['tb/snn_axis_tb.v'])], lanes: options.lanes, traces: options.traces,
    pixels: plan.pixels, pixelBits: plan.pixelBits, beatPixels: plan.beatPixels,
    ...(plan.aer ? { aer: { addrBits: plan.aer.addrBits, countBits: plan.aer.countBits } } : {}), classes: program.classes, classBits: plan.readout.classBits, scoreBits: plan.readout.scoreBits, timesteps: program.timesteps, maxCycles, fingerprint: designFilesHash(files),
  };
  files.push({ path: 'design.json', contents: JSON.stringify(info, null, 2) + '\n' });
  return files;
}

/** What emit wrote into `dir`: its design.json, refused in one line if missing or foreign. */
export function readDesign(dir: string): DesignInfo {
  const file = join(dir, 'design.json');
  if (!existsSync(file)) throw new SnncError('io', `${dir}: no design.json (emit the verilog target there first)`);
  let info: DesignInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as DesignInfo;
  } catch {
    throw new SnncError('io', `${file}: not valid JSON`);
  }
  if (info?.format !== 'snnc-verilog-design' || info.version !== 1) throw new SnncError('io', `${file}: not a version 1 snnc verilog design`);
  return info;
}

/** The target's `emit`: checks the program and the lanes, then the design files. */
export async function emitVerilog(program: Program, options: EmitOptions): Promise<readonly EmittedFile[]> {
  checkProgram(program);
  const lanes = lanesOption(options);
  const files = emitDesign(program, { lanes, traces: options.traces ?? false });
  options.log?.(`verilog: ${files.filter((f) => f.path.startsWith('rtl/')).length} modules, ${lanes} lane(s)${options.traces ? ', with trace ports' : ''}`);
  return files;
}

/** The design as emitted into `dir`, with the lanes and traces its design.json records. */
export async function reemitVerilog(dir: string, program: Program): Promise<readonly EmittedFile[]> {
  const info = readDesign(dir);
  return emitDesign(program, { lanes: info.lanes, traces: info.traces });
}
