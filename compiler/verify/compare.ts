/** @fileoverview Exact comparison of a target against the golden runtime, down to the first differing neuron. */
import type { Program } from '../ir/program.ts';
import { traceGolden } from '../../runtime/golden.ts';
import type { BatchResult, Target, TargetTrace } from '../../targets/target.ts';

export interface ScoreMismatch {
  readonly image: number;
  readonly kind: 'score' | 'label' | 'missing';
  readonly index: number;
  readonly expected: number;
  readonly actual: number | undefined;
}

export interface NeuronMismatch {
  readonly layer: number;
  readonly layerName: string;
  readonly timestep: number;
  readonly neuron: number;
  readonly signal: 'membrane' | 'output';
  readonly expected: number;
  readonly actual: number | undefined;
}

/** Every image whose scores or label differ, and the first differing value of each. */
export function compareBatches(golden: BatchResult, actual: BatchResult): ScoreMismatch[] {
  const out: ScoreMismatch[] = [];
  golden.scores.forEach((expected, image) => {
    const got = actual.scores[image];
    if (!got) return void out.push({ image, kind: 'missing', index: 0, expected: expected[0] ?? 0, actual: undefined });
    const k = expected.findIndex((v, i) => got[i] !== v);
    if (k >= 0 || got.length !== expected.length) return void out.push({ image, kind: 'score', index: Math.max(k, 0), expected: expected[Math.max(k, 0)]!, actual: got[Math.max(k, 0)] });
    if (actual.labels[image] !== golden.labels[image]) out.push({ image, kind: 'label', index: 0, expected: golden.labels[image]!, actual: actual.labels[image] });
  });
  return out;
}

/** The first (layer, timestep, neuron) where two traces differ, scanning timestep-major as the hardware runs. */
export function firstTraceDifference(program: Program, expected: TargetTrace, actual: TargetTrace): NeuronMismatch | undefined {
  for (let t = 0; t < program.timesteps; t++) {
    for (let l = 0; l < program.layers.length; l++) {
      for (const signal of ['membrane', 'output'] as const) {
        const want = expected.layers[l]?.[signal][t] ?? [];
        const got = actual.layers[l]?.[signal][t];
        const j = want.findIndex((v, i) => got?.[i] !== v);
        if (j >= 0) return { layer: l, layerName: program.layers[l]!.name, timestep: t, neuron: j, signal, expected: want[j]!, actual: got?.[j] };
      }
    }
  }
  return undefined;
}

/** Locates a mismatch with the target's trace, when it has one. */
export async function locateMismatch(program: Program, target: Target, dir: string, pixels: Uint8Array, seed: number): Promise<NeuronMismatch | undefined> {
  if (!target.trace) return undefined;
  const actual = await target.trace(dir, program, pixels, seed);
  return firstTraceDifference(program, traceGolden(program, pixels, seed), actual);
}

export function describeMismatch(m: ScoreMismatch, where?: NeuronMismatch): string {
  const first = where
    ? `layer ${where.layer} (${where.layerName}), t=${where.timestep}, neuron ${where.neuron} ${where.signal}: golden ${where.expected}, target ${where.actual ?? 'nothing'}`
    : `${m.kind} ${m.index}: golden ${m.expected}, target ${m.actual ?? 'nothing'}`;
  return `image ${m.image}: ${first}`;
}
