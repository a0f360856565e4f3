/**
 * @fileoverview A NIR graph (github neuromorphs/NIR) as plain readonly data: the primitives snnc maps, with their
 * continuous-time equations as the NIR spec states them. The HDF5 layout is in read-nir.ts / write-nir.ts.
 */

/** A float64 array with its shape (NIR stores numpy arrays; snnc reads every numeric dtype as float64). */
export interface NdArray {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export type MetadataValue = string | readonly number[];

interface Base {
  /** The node's "metadata" group, if any (free-form per tool; snnc reads "reset" and writes it). */
  readonly metadata: ReadonlyMap<string, MetadataValue>;
}

/** Pairs are (height, width), as NIR stores them. */
export type Pair = readonly [number, number];

export type NirNode = Base &
  (
    | { readonly type: 'Input'; readonly shape: readonly number[] }
    | { readonly type: 'Output'; readonly shape: readonly number[] }
    /** y = W x + b, W [out, in]. */
    | { readonly type: 'Affine'; readonly weight: NdArray; readonly bias: NdArray }
    /** y = W x. */
    | { readonly type: 'Linear'; readonly weight: NdArray }
    /** y = x ⊙ s. */
    | { readonly type: 'Scale'; readonly scale: NdArray }
    /** PyTorch Conv2d: weight [C_out, C_in, kH, kW]; padding a pair or 'same' / 'valid'. */
    | {
        readonly type: 'Conv2d';
        readonly weight: NdArray;
        readonly bias: NdArray;
        readonly stride: Pair;
        readonly padding: Pair | 'same' | 'valid';
        readonly dilation: Pair;
        readonly groups: number;
        /** Spatial input (H, W), when the file records it. */
        readonly inputShape?: Pair;
      }
    | { readonly type: 'SumPool2d' | 'AvgPool2d'; readonly kernelSize: Pair; readonly stride: Pair; readonly padding: Pair }
    | { readonly type: 'Flatten'; readonly startDim: number; readonly endDim: number; readonly inputType?: readonly number[] }
    /** tau dv/dt = (v_leak - v) + R I;  z = v > v_threshold;  on z: v = v_reset. */
    | { readonly type: 'LIF'; readonly tau: NdArray; readonly r: NdArray; readonly vLeak: NdArray; readonly vThreshold: NdArray; readonly vReset?: NdArray }
    /** dv/dt = R I;  z = v > v_threshold;  on z: v = v_reset. */
    | { readonly type: 'IF'; readonly r: NdArray; readonly vThreshold: NdArray; readonly vReset?: NdArray }
    /** tau dv/dt = (v_leak - v) + R I  (output v, never fires). */
    | { readonly type: 'LI'; readonly tau: NdArray; readonly r: NdArray; readonly vLeak: NdArray }
    /** Integrator: dv/dt = R I  (output v). */
    | { readonly type: 'I'; readonly r: NdArray }
    /** tau_syn dI/dt = -I + w_in S;  tau_mem dv/dt = (v_leak - v) + R I;  z = v > v_threshold;  on z: v = v_reset. */
    | {
        readonly type: 'CubaLIF';
        readonly tauSyn: NdArray;
        readonly tauMem: NdArray;
        readonly r: NdArray;
        readonly vLeak: NdArray;
        readonly vThreshold: NdArray;
        readonly vReset?: NdArray;
        readonly wIn?: NdArray;
      }
    /** z = x > threshold (Heaviside), stateless. */
    | { readonly type: 'Threshold'; readonly threshold: NdArray }
    /** y(t) = x(t - delay), delay in the graph's time unit (snnc: whole steps of dt). */
    | { readonly type: 'Delay'; readonly delay: NdArray }
    /** A primitive snnc reads but does not map (Conv1d, CubaLI, a nested NIRGraph, or an unknown type). */
    | { readonly type: 'unsupported'; readonly nirType: string }
  );

export type NirNodeType = NirNode['type'];

export interface NirGraph {
  /** The file's "version" string (NIR library version that wrote it), '' when absent. */
  readonly version: string;
  readonly nodes: ReadonlyMap<string, NirNode>;
  readonly edges: readonly (readonly [string, string])[];
  readonly metadata: ReadonlyMap<string, MetadataValue>;
}

/** The NIR version our files claim; the layout is that of the NIR Python package's `nir.write` at this version. */
export const NIR_WRITE_VERSION = '1.0.6';

export function ndarray(shape: readonly number[], data: ArrayLike<number>): NdArray {
  return { shape: [...shape], data: Float64Array.from(data) };
}

/** A float64 array of `count` copies of `value`. */
export function filled(count: number, value: number): NdArray {
  return { shape: [count], data: new Float64Array(count).fill(value) };
}
