/** @fileoverview Exact comparison of a target against the golden runtime, down to the first differing neuron. */
import { SnncError } from '../base/errors.ts';
import type { Program } from '../ir/program.ts';
import { traceGolden } from '../runtime/golden.ts';
import type { BatchResult } from '../runtime/batch.ts';
import type { RunOptions, Target, TargetTrace } from '../targets/target.ts';

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

/** Where a mismatch first appears, or why that cannot be said. */
export type Location = NeuronMismatch | { readonly unavailable: string };

/**
 * Locates a mismatch by tracing the files in `dir` as they are. A target that cannot trace them (no trace, a file a
 * traced build would have to regenerate, a failing tool) gives the reason instead of a location.
 */
export async function locateMismatch(program: Program, target: Target, dir: string, pixels: Uint8Array, seed: number, options: RunOptions = {}): Promise<Location> {
  if (!target.trace) return { unavailable: `the ${target.name} target cannot trace` };
  let actual: TargetTrace;
  try {
    actual = await target.trace(dir, program, pixels, seed, options);
  } catch (e) {
    if (e instanceof SnncError) return { unavailable: e.message };
    throw e;
  }
  return firstTraceDifference(program, traceGolden(program, pixels, seed), actual)
    ?? { unavailable: 'the traced run matches the golden runtime at every layer, timestep and neuron, so the difference is in the readout' };
}

export function describeMismatch(m: ScoreMismatch, where?: Location): string {
  const score = `${m.kind} ${m.index}: golden ${m.expected}, target ${m.actual ?? 'nothing'}`;
  if (!where) return `image ${m.image}: ${score}`;
  if ('unavailable' in where) return `image ${m.image}: ${score} (location unavailable: ${where.unavailable})`;
  return `image ${m.image}: layer ${where.layer} (${where.layerName}), t=${where.timestep}, neuron ${where.neuron} ${where.signal}: golden ${where.expected}, target ${where.actual ?? 'nothing'}`;
}
