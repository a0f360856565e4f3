/**
 * @fileoverview Locating a mismatch: simulate a traced build of the design on one image and compare its per-update
 * records (stage, step, unit, membrane, output) with traceGolden, reporting the first differing layer, timestep and
 * neuron. Hardware records the values a layer computes at step t; the golden trace records what is visible at t,
 * which for a delay-1 layer is the value computed at t-1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDirAtomic } from '../../compiler/fs-atomic.ts';
import type { Program } from '../../compiler/ir/program.ts';
import { traceGolden } from '../../runtime/golden.ts';
import { emitDesign } from './design.ts';
import { simulate, type Simulator } from './simulate.ts';

export interface TraceRecord {
  readonly stage: number;
  readonly step: number;
  readonly index: number;
  readonly membrane: number;
  readonly output: number;
}

export interface Difference {
  readonly layer: string;
  readonly step: number;
  readonly neuron: number;
  readonly what: 'membrane' | 'output' | 'missing';
  readonly hardware?: number;
  readonly golden: number;
}

export function parseTrace(text: string): TraceRecord[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((line) => {
    const [stage, step, index, membrane, output] = line.trim().split(/\s+/).map(Number);
    return { stage: stage!, step: step!, index: index!, membrane: membrane!, output: output! };
  });
}

/** The first record (in the golden's layer, step, neuron order) where the hardware differs from traceGolden. */
export function firstDifference(program: Program, pixels: Uint8Array, seed: number, records: readonly TraceRecord[]): Difference | undefined {
  const golden = traceGolden(program, pixels, seed);
  const seen = new Map<string, TraceRecord>();
  for (const r of records) seen.set(`${r.stage}/${r.step}/${r.index}`, r);
  for (let t = 0; t < program.timesteps; t++) {
    for (let l = 0; l < program.layers.length; l++) {
      const op = program.layers[l]!;
      const layer = golden.layers[l]!;
      const delay = op.kind === 'spiking' ? op.delay : 0;
      const computed = t - delay;
      if (computed < 0) continue;
      const outputs = layer.output[t]!;
      for (let j = 0; j < outputs.length; j++) {
        const hw = seen.get(`${l}/${computed}/${j}`);
        const base = { layer: op.name, step: t, neuron: j };
        if (!hw) return { ...base, what: 'missing', golden: outputs[j]! };
        if (op.kind === 'spiking' && hw.membrane !== layer.membrane[t]![j]) return { ...base, what: 'membrane', hardware: hw.membrane, golden: layer.membrane[t]![j]! };
        if (hw.output !== outputs[j]) return { ...base, what: 'output', hardware: hw.output, golden: outputs[j]! };
      }
    }
  }
  return undefined;
}

export function describeDifference(d: Difference): string {
  if (d.what === 'missing') return `layer ${d.layer}, timestep ${d.step}, neuron ${d.neuron}: the hardware produced no value (golden ${d.golden})`;
  return `layer ${d.layer}, timestep ${d.step}, neuron ${d.neuron}: ${d.what} ${d.hardware} in hardware, ${d.golden} in the golden runtime`;
}

export interface LocateOptions {
  readonly lanes: number;
  readonly simulator?: Simulator;
  /** Keep the traced design here (with trace.txt and, if asked, wave.vcd) instead of a temporary directory. */
  readonly dir?: string;
  readonly vcd?: boolean;
}

/** Emits a traced design for `program`, runs one image and returns the first difference from the golden runtime. */
export function locateMismatch(program: Program, pixels: Uint8Array, seed: number, options: LocateOptions): Difference | undefined {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'snnc-trace-'));
  try {
    writeDirAtomic(dir, emitDesign(program, { lanes: options.lanes, traces: true }).map((f) => [f.path, f.contents] as const));
    const traceFile = join(dir, 'trace.txt');
    simulate(dir, { images: [pixels], seeds: [seed] }, { simulator: options.simulator, traceFile, vcdFile: options.vcd ? join(dir, 'wave.vcd') : undefined });
    return firstDifference(program, pixels, seed, parseTrace(readFileSync(traceFile, 'utf8')));
  } finally {
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
  }
}
