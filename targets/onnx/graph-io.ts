/** @fileoverview The graph's interface, shared by the integer and float graphs: the image and seed inputs, the readout. */
import type { GraphBuilder } from './graph-builder.ts';
import { BATCH } from './step.ts';

export const IMAGE_INPUT = 'image';
/** An events program's input: T frames of event counts per sample. */
export const FRAMES_INPUT = 'frames';
export const SEED_INPUT = 'seed';
export const SCORES_OUTPUT = 'scores';
export const LABEL_OUTPUT = 'label';

/** The name of a trace output, e.g. `trace/layer0/membrane`. */
export function traceOutputName(layer: string, what: 'membrane' | 'output' | 'x'): string {
  return `trace/${layer}/${what}`;
}

export interface GraphInputs {
  /** int64 [N, C*H*W], CHW order. */
  readonly pixels: string;
  /** int64 [N]. */
  readonly seed: string;
  /** int64 [1]: N, for shaping zero states. */
  readonly batch: string;
  /** uint8 [N, P]: the pixels as fed, flat in CHW order. */
  readonly bytes: string;
}

export function graphInputs(g: GraphBuilder, shape: readonly [number, number, number]): GraphInputs {
  const [c, h, w] = shape;
  const image = g.input(IMAGE_INPUT, 'uint8', [BATCH, c, h, w], `pixels 0..255, N images of [C, H, W] = [${c}, ${h}, ${w}]`);
  const seed = g.input(SEED_INPUT, 'int64', [BATCH], 'jitter seed per image: its low 32 bits are the uint32 seed (unused by the direct encoder)');
  const flat = g.op('Reshape', [image, g.constant('int64', [0, -1], [2], 'shape_N_flat')], { name: 'image_flat', doc: 'CHW order' });
  const pixels = g.op('Cast', [flat], { name: 'pixels', attrs: { to: { int: 7 } }, dtype: 'int64' });
  const batch = g.op('Shape', [pixels], { name: 'batch_size', attrs: { start: { int: 0 }, end: { int: 1 } } });
  return { pixels, seed, batch, bytes: flat };
}

export interface EventInputs {
  /** uint8 [N, T, C, H, W], as fed. */
  readonly frames: string;
  /** int64 [N] (unused: events draw no random numbers; kept so every model takes the same seed input). */
  readonly seed: string;
  /** int64 [1]: N. */
  readonly batch: string;
}

/** An events program's inputs: `frames` uint8 [N, T, C, H, W] (x_t of sample n is frames[n, t]) and `seed`. */
export function eventInputs(g: GraphBuilder, shape: readonly [number, number, number], timesteps: number): EventInputs {
  const [c, h, w] = shape;
  const frames = g.input(FRAMES_INPUT, 'uint8', [BATCH, timesteps, c, h, w], `event counts, N samples of ${timesteps} frames of [C, H, W] = [${c}, ${h}, ${w}]; x_t = frame t`);
  const seed = g.input(SEED_INPUT, 'int64', [BATCH], 'unused by the events encoder (no random draws); kept so every snnc model takes the same inputs');
  const batch = g.op('Shape', [frames], { name: 'batch_size', attrs: { start: { int: 0 }, end: { int: 1 } } });
  return { frames, seed, batch };
}

/**
 * scores[n, k] = sum over t in [begin, T) of the stacked membrane [T, N, K]; label = the first k with the largest
 * score (ArgMax keeps the first maximum when select_last_index = 0). `finish` may rescale the scores (float mean).
 */
export function addReadout(g: GraphBuilder, stacked: string, begin: number, timesteps: number, classes: number, finish: (scores: string) => string): void {
  g.scope('readout', () => {
    const window = g.op('Slice', [stacked, g.constant('int64', [begin], [1], `begin_${begin}`), g.constant('int64', [timesteps], [1], `T_${timesteps}_1`), g.constant('int64', [0], [1], 'axes_0')], {
      name: 'window', doc: `timesteps ${begin}..${timesteps - 1}`,
    });
    const sum = g.op('ReduceSum', [window, g.constant('int64', [0], [1], 'axes_0')], { name: 'sum', attrs: { keepdims: { int: 0 } }, doc: 'sum over the readout window' });
    const scores = finish(sum);
    g.output(scores, SCORES_OUTPUT, [BATCH, classes], 'class scores [N, K]');
    const label = g.op('ArgMax', [scores], { name: 'argmax', attrs: { axis: { int: 1 }, keepdims: { int: 0 }, select_last_index: { int: 0 } } });
    g.output(label, LABEL_OUTPUT, [BATCH], 'predicted class: the smallest k with the largest score');
  });
}
