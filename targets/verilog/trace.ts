/**
 * @fileoverview Traces and mismatch location. A traced build of the design on disk (DIR itself when it has trace
 * ports, else DIR/debug: the cores and memory images of DIR as they are, with snn_top and the bench re-emitted with
 * trace ports) writes one record per update (stage, step, unit, membrane, output); these become the visible values per
 * layer and timestep, shaped like traceGolden's, and the first difference names its layer, timestep and neuron.
 * Hardware records what a layer computes at step t; a delay-1 layer makes that visible at t+1 (zeros at t = 0).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SnncError } from '../../base/errors.ts';
import { writeDirAtomic } from '../../base/fs-atomic.ts';
import type { Program } from '../../ir/program.ts';
import { traceGolden } from '../../runtime/golden.ts';
import type { RunOptions, TargetTrace } from '../target.ts';
import { emitDesign, readDesign } from './emit.ts';
import { programSha256 } from '../../ir/fingerprint.ts';
import { designInputs, simulate, type Simulator } from './run.ts';

export interface TraceRecord {
  readonly stage: number;
  readonly step: number;
  readonly index: number;
  readonly membrane: number;
  readonly output: number;
}

export function parseTrace(text: string): TraceRecord[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((line) => {
    const [stage, step, index, membrane, output] = line.trim().split(/\s+/).map(Number);
    return { stage: stage!, step: step!, index: index!, membrane: membrane!, output: output! };
  });
}

/** Records of one inference as visible values per layer and timestep; a value the hardware never wrote is NaN. */
export function recordsToTrace(program: Program, records: readonly TraceRecord[]): TargetTrace {
  return {
    layers: program.layers.map((op, l) => {
      const width = op.kind === 'spiking' ? op.units : op.outShape.reduce((a, b) => a * b, 1);
      const delay = op.kind === 'spiking' ? op.delay : 0;
      const computed = Array.from({ length: program.timesteps }, () => ({ u: new Array<number>(width).fill(NaN), o: new Array<number>(width).fill(NaN) }));
      for (const r of records) {
        const slot = r.stage === l ? computed[r.step] : undefined;
        if (slot && r.index < width) {
          slot.u[r.index] = r.membrane;
          slot.o[r.index] = r.output;
        }
      }
      const visible = (t: number): { u: number[]; o: number[] } => (t < delay ? { u: new Array<number>(width).fill(0), o: new Array<number>(width).fill(0) } : computed[t - delay]!);
      const steps = Array.from({ length: program.timesteps }, (_, t) => visible(t));
      return { name: op.name, kind: op.kind, membrane: op.kind === 'spiking' ? steps.map((s) => s.u) : [], output: steps.map((s) => s.o) };
    }),
  };
}

export interface Difference {
  readonly layer: string;
  readonly step: number;
  readonly neuron: number;
  readonly signal: 'membrane' | 'output';
  readonly hardware: number;
  readonly golden: number;
}

/** The first value, timestep-major then layer then neuron, where the hardware trace differs from traceGolden. */
export function firstDifference(program: Program, pixels: Uint8Array, seed: number, trace: TargetTrace): Difference | undefined {
  const golden = traceGolden(program, pixels, seed);
  for (let t = 0; t < program.timesteps; t++) {
    for (let l = 0; l < program.layers.length; l++) {
      for (const signal of ['membrane', 'output'] as const) {
        const want = golden.layers[l]![signal][t] ?? [];
        const got = trace.layers[l]![signal][t] ?? [];
        const j = want.findIndex((v, i) => got[i] !== v);
        if (j >= 0) return { layer: program.layers[l]!.name, step: t, neuron: j, signal, hardware: got[j]!, golden: want[j]! };
      }
    }
  }
  return undefined;
}

export function describeDifference(d: Difference): string {
  const hw = Number.isNaN(d.hardware) ? 'no value' : String(d.hardware);
  return `layer ${d.layer}, timestep ${d.step}, neuron ${d.neuron}: ${d.signal} ${hw} in hardware, ${d.golden} in the golden runtime`;
}

export interface TraceOptions {
  readonly simulator?: Simulator;
  /** Also dump a VCD of the inference to DIR/debug/wave.vcd (or DIR/wave.vcd for a traced design). */
  readonly vcd?: boolean;
}

/** Files a traced build takes from the design on disk as they are; snn_top, the bench and design.json gain trace ports. */
function carriedOver(path: string): boolean {
  return (path.startsWith('rtl/') && path !== 'rtl/snn_top.v') || path.startsWith('mem/');
}

function sameBytes(file: string, contents: string | Uint8Array): boolean {
  return existsSync(file) && Buffer.compare(readFileSync(file), Buffer.from(contents)) === 0;
}

/**
 * The traced design for the design in `dir`: `dir` itself when it has trace ports, else `dir/debug`, built from the
 * cores and memory images on disk. Throws SnncError('unsupported') when a file the traced build must re-emit (snn_top,
 * the bench, design.json) differs from what ir.json emits: tracing it would not trace what is on disk.
 */
export function tracedDesignDir(dirArg: string, program: Program): string {
  const dir = resolve(dirArg);
  const info = readDesign(dir);
  if (info.programSha256 !== programSha256(program)) throw new SnncError('io', `${dir}: the design was emitted for another program (${info.program})`);
  if (info.traces) return dir;
  const plain = new Map(emitDesign(program, { lanes: info.lanes, traces: false }).map((f) => [f.path, f.contents] as const));
  for (const path of new Set([...plain.keys(), ...designInputs(dir, info)])) {
    const expected = plain.get(path);
    const onDisk = existsSync(join(dir, path));
    if (expected !== undefined && onDisk && (carriedOver(path) || sameBytes(join(dir, path), expected))) continue;
    const why = !onDisk ? 'is missing' : expected === undefined ? 'is not part of the design ir.json emits' : 'differs from the design ir.json emits';
    throw new SnncError('unsupported', `${path} ${why}, and the traced build has to re-emit it with trace ports`);
  }
  const traced = emitDesign(program, { lanes: info.lanes, traces: true }).map((f) => [f.path, carriedOver(f.path) ? readFileSync(join(dir, f.path)) : f.contents] as const);
  const debug = join(dir, 'debug');
  // Rewritten only when a file changed, so the traced simulator build stays cached.
  if (!traced.every(([path, contents]) => sameBytes(join(debug, path), contents))) writeDirAtomic(debug, traced);
  return debug;
}

/** One inference on the traced design, as visible values per layer and timestep (writes trace.txt beside it). */
export function traceDesign(dir: string, program: Program, pixels: Uint8Array, seed: number, options: TraceOptions = {}): TargetTrace {
  const traced = tracedDesignDir(dir, program);
  const traceFile = join(traced, 'trace.txt');
  simulate(traced, { images: [pixels], seeds: [seed] }, { simulator: options.simulator, traceFile, vcdFile: options.vcd ? join(traced, 'wave.vcd') : undefined });
  return recordsToTrace(program, parseTrace(readFileSync(traceFile, 'utf8')));
}

/** Simulates one image with traces and returns where it first departs from the golden runtime, if it does. */
export function locateMismatch(dir: string, program: Program, pixels: Uint8Array, seed: number, options: TraceOptions = {}): Difference | undefined {
  return firstDifference(program, pixels, seed, traceDesign(dir, program, pixels, seed, options));
}

/** The target's `trace`: a traced build of the files on disk (DIR/debug, with a VCD there when SNNC_VCD=1), one image. */
export async function traceVerilog(dir: string, program: Program, pixels: Uint8Array, seed: number, options: RunOptions = {}): Promise<TargetTrace> {
  return traceDesign(dir, program, pixels, seed, { vcd: process.env.SNNC_VCD === '1', simulator: options.simulator });
}
