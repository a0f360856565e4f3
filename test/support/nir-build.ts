/**
 * @fileoverview Builds NIR files for tests straight with h5wasm, independently of snnc's exporter, in the layout
 * the NIR package's `nir.write` produces (a "version" string, "node" = NIRGraph with "nodes/<name>/{type, params}"
 * and "edges" [E, 2] strings), with the parameters snnTorch's and Sinabs's exporters put there (float32 arrays,
 * snnTorch's 0-d scalars, tau = dt/(1-beta), r = tau/dt, dt = 1e-4).
 */
import h5wasm, { type Group } from 'h5wasm/node';

/** A dataset: float32 / float64 / int64 array (shape [] is a scalar) or a utf-8 string. */
export type RawValue =
  | { readonly f32: readonly number[]; readonly shape: readonly number[] }
  | { readonly f64: readonly number[]; readonly shape: readonly number[] }
  | { readonly i64: readonly number[]; readonly shape: readonly number[] }
  | string;

export type RawNode = Record<string, RawValue | Record<string, RawValue>>;

export interface RawGraph {
  version?: string;
  nodes: Record<string, RawNode>;
  edges: [string, string][];
}

export const f32 = (v: readonly number[], shape: readonly number[] = [v.length]): RawValue => ({ f32: v.map(Math.fround), shape });
export const i64 = (v: readonly number[], shape: readonly number[] = [v.length]): RawValue => ({ i64: v, shape });
export const scalar32 = (v: number): RawValue => ({ f32: [Math.fround(v)], shape: [] });
export const int = (v: number): RawValue => ({ i64: [v], shape: [] });

function writeValue(group: Group, name: string, v: RawValue): void {
  if (typeof v === 'string') group.create_dataset({ name, data: v, shape: [], dtype: 'S' });
  else if ('f32' in v) group.create_dataset({ name, data: Float32Array.from(v.f32), shape: [...v.shape], dtype: '<f' });
  else if ('f64' in v) group.create_dataset({ name, data: Float64Array.from(v.f64), shape: [...v.shape], dtype: '<d' });
  else group.create_dataset({ name, data: BigInt64Array.from(v.i64, (x) => BigInt(x)), shape: [...v.shape], dtype: '<q' });
}

export async function writeRawNir(path: string, graph: RawGraph): Promise<void> {
  await h5wasm.ready;
  const file = new h5wasm.File(path, 'w');
  try {
    file.create_dataset({ name: 'version', data: graph.version ?? '1.0.6', shape: [], dtype: 'S' });
    const node = file.create_group('node');
    node.create_dataset({ name: 'type', data: 'NIRGraph', shape: [], dtype: 'S' });
    const nodes = node.create_group('nodes');
    for (const [name, fields] of Object.entries(graph.nodes)) {
      const g = nodes.create_group(name);
      for (const [key, v] of Object.entries(fields)) {
        if (typeof v === 'object' && !('f32' in v) && !('f64' in v) && !('i64' in v)) {
          const sub = g.create_group(key);
          for (const [k2, v2] of Object.entries(v)) writeValue(sub, k2, v2);
        } else writeValue(g, key, v as RawValue);
      }
    }
    node.create_dataset({ name: 'edges', data: graph.edges.flat(), shape: [graph.edges.length, 2], dtype: 'S' });
  } finally {
    file.close();
  }
}

/** Deterministic uniform numbers in [-a, a) (a 32-bit LCG), so the nets are the same on every run. */
export function uniform(seed: number, count: number, a: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * a;
  });
}

/** The chain edges of node names in order. */
export const chain = (...names: string[]): [string, string][] => names.slice(1).map((n, i) => [names[i]!, n]);

export const SNNTORCH_DT = 1e-4;

/** snnTorch Leaky(beta, threshold) as export_to_nir writes it: 0-d float32 tau = dt/(1-beta), r = tau/dt, v_leak 0. */
export function snntorchLif(beta: number, threshold: number): RawNode {
  const tau = Math.fround(SNNTORCH_DT / (1 - Math.fround(beta)));
  return { type: 'LIF', tau: scalar32(tau), r: scalar32(tau / SNNTORCH_DT), v_leak: scalar32(0), v_threshold: scalar32(threshold), v_reset: scalar32(0) };
}

/** snnTorch Synaptic(alpha, beta) as export_to_nir writes it: tau_syn = dt/(1-alpha), w_in = tau_syn/dt. */
export function snntorchCubaLif(alpha: number, beta: number, threshold: number): RawNode {
  const tauSyn = Math.fround(SNNTORCH_DT / (1 - Math.fround(alpha)));
  const tauMem = Math.fround(SNNTORCH_DT / (1 - Math.fround(beta)));
  return {
    type: 'CubaLIF', tau_syn: scalar32(tauSyn), tau_mem: scalar32(tauMem), r: scalar32(tauMem / SNNTORCH_DT), v_leak: scalar32(0),
    v_threshold: scalar32(threshold), v_reset: scalar32(0), w_in: scalar32(tauSyn / SNNTORCH_DT),
  };
}

export const affine = (out: number, inputs: number, seed: number, a: number): RawNode => ({
  type: 'Affine', weight: f32(uniform(seed, out * inputs, a), [out, inputs]), bias: f32(uniform(seed + 1, out, a / 4)),
});

/** snnTorch nn.Sequential(Flatten, Linear(784, hidden), Leaky, Linear(hidden, 10), Leaky), nodes named as nirtorch does. */
export function snntorchMlp(hidden = 24): RawGraph {
  return {
    nodes: {
      input: { type: 'Input', shape: i64([1, 28, 28]) },
      '0': { type: 'Flatten', start_dim: int(0), end_dim: int(-1), input_type: i64([1, 28, 28]) },
      '1': affine(hidden, 784, 11, 0.12),
      '2': snntorchLif(0.9, 1),
      '3': affine(10, hidden, 13, 0.5),
      '4': snntorchLif(0.9, 1),
      output: { type: 'Output', shape: i64([10]) },
    },
    edges: chain('input', '0', '1', '2', '3', '4', 'output'),
  };
}

/** Sinabs IAF nets export IF with per-neuron r = 1 and v_threshold arrays in the layer's [C, H, W] shape. */
export function sinabsIf(shape: readonly number[], threshold: number): RawNode {
  const n = shape.reduce((a, b) => a * b, 1);
  return { type: 'IF', r: f32(new Array(n).fill(1), shape), v_threshold: f32(new Array(n).fill(threshold), shape), v_reset: f32(new Array(n).fill(0), shape) };
}

/** Sinabs: Conv2d(1, 4, 5, stride 2, padding 1) -> IAF -> SumPool2d(2) -> Flatten -> Linear(4*6*6, 10) -> IAF. */
export function sinabsConvNet(): RawGraph {
  const filters = 4;
  return {
    nodes: {
      input: { type: 'Input', shape: i64([1, 28, 28]) },
      '0': {
        type: 'Conv2d', input_shape: i64([28, 28]), weight: f32(uniform(21, filters * 25, 0.25), [filters, 1, 5, 5]), stride: i64([2, 2]),
        padding: i64([1, 1]), dilation: i64([1, 1]), groups: int(1), bias: f32(uniform(22, filters, 0.05)),
      },
      '1': sinabsIf([filters, 13, 13], 1),
      '2': { type: 'SumPool2d', kernel_size: i64([2, 2]), stride: i64([2, 2]), padding: i64([0, 0]) },
      '3': { type: 'Flatten', start_dim: int(0), end_dim: int(-1), input_type: i64([filters, 6, 6]) },
      '4': affine(10, filters * 36, 23, 0.3),
      '5': sinabsIf([10], 1),
      output: { type: 'Output', shape: i64([10]) },
    },
    edges: chain('input', '0', '1', '2', '3', '4', '5', 'output'),
  };
}

/** snnTorch Flatten -> Linear(784, 16) -> Synaptic(alpha 0.8, beta 0.9) -> Linear(16, 10) -> Leaky. */
export function cubaLifNet(): RawGraph {
  return {
    nodes: {
      input: { type: 'Input', shape: i64([1, 28, 28]) },
      flat: { type: 'Flatten', start_dim: int(0), end_dim: int(-1), input_type: i64([1, 28, 28]) },
      fc1: affine(16, 784, 31, 0.1),
      syn1: snntorchCubaLif(0.8, 0.9, 1),
      fc2: affine(10, 16, 33, 0.5),
      lif2: snntorchLif(0.9, 1),
      output: { type: 'Output', shape: i64([10]) },
    },
    edges: chain('input', 'flat', 'fc1', 'syn1', 'fc2', 'lif2', 'output'),
  };
}

export interface BrailleOptions {
  /** 'subtract' is recorded in the CubaLIF nodes' metadata (as snnc's export does); 'zero' is v_reset = 0. */
  readonly reset: 'subtract' | 'zero';
  readonly bias: boolean;
  readonly seed: number;
}

/**
 * The NIR paper's Braille RNN as snnTorch writes it (RSynaptic flattened to NIR's loop form, dt = 1e-4): Input [12] ->
 * Affine 12->38 -> CubaLIF(38) with a recurrent Affine 38->38 from its spikes back into it -> Affine 38->7 -> CubaLIF(7).
 */
export function brailleRnn({ reset, bias, seed }: BrailleOptions): RawGraph {
  const cuba = (): RawNode => ({ ...snntorchCubaLif(0.8, 0.9, 1), ...(reset === 'subtract' ? { metadata: { reset: 'subtract' } } : {}) });
  const synapse = (out: number, inputs: number, s: number, a: number): RawNode =>
    bias ? affine(out, inputs, s, a) : { type: 'Affine', weight: f32(uniform(s, out * inputs, a), [out, inputs]), bias: f32(new Array(out).fill(0)) };
  return {
    nodes: {
      input: { type: 'Input', shape: i64([12]) },
      fc1: synapse(38, 12, seed, 0.6),
      lif1: cuba(),
      rec1: synapse(38, 38, seed + 2, 0.3),
      fc2: synapse(7, 38, seed + 4, 0.5),
      lif2: cuba(),
      output: { type: 'Output', shape: i64([7]) },
    },
    edges: [...chain('input', 'fc1', 'lif1', 'fc2', 'lif2', 'output'), ['lif1', 'rec1'], ['rec1', 'lif1']],
  };
}
