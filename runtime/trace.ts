/**
 * @fileoverview The one trace type: what one inference makes visible, layer by layer and timestep by timestep. The
 * golden runtime returns it, every target's trace has its shape, verify compares two of them, and the ts target prints
 * the declarations below (from the first `export interface` on) into every model.ts it emits, so they must stay
 * standalone: no imports, plain types.
 */

/** Class scores (integers, the sum of the last layer's visible membrane) and the winning class. */
export interface InferResult {
  readonly scores: number[];
  /** The smallest class index with the largest score. */
  readonly label: number;
}

/** One layer's visible values at every timestep (the shape of the snnc golden runtime's trace). */
export interface LayerTrace {
  readonly name: string;
  readonly kind: 'conv' | 'spiking' | 'pool';
  /** membrane[t][j]: visible membrane u of unit j at timestep t (spiking layers; empty for conv and pool). */
  readonly membrane: number[][];
  /** output[t][j]: visible output o (spiking) or y (conv and pool, CHW). */
  readonly output: number[][];
}

/** Every value of one inference, to locate a mismatch by layer, timestep and neuron. */
export interface ModelTrace extends InferResult {
  /** inputs[t][i]: the encoded input x_t (CHW). */
  readonly inputs: number[][];
  readonly layers: LayerTrace[];
}

/** What firstDifference reads: a ModelTrace, or a read-only dump of the design under test in the same shape. */
export interface TraceLike {
  readonly scores: readonly number[];
  readonly label: number;
  readonly inputs: readonly (readonly number[])[];
  readonly layers: readonly {
    readonly name: string;
    readonly kind: string;
    readonly membrane: readonly (readonly number[])[];
    readonly output: readonly (readonly number[])[];
  }[];
}
