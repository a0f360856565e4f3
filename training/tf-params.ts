/**
 * @fileoverview Moves weights between the spine's `Model` and tfjs variables. Dense and spiking weights are stored
 * [units, inputs] in the format and held transposed, [inputs, units], for `x.matMul(W)`; conv weights
 * [filters, channels, k, k] are held as an im2col matrix [channels*k*k, filters] (row (c*k + ki)*k + kj). Recurrent
 * weights [units, units] are held transposed too.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model, Tensor } from '../model/format.ts';
import { isIdentitySpiking, weighted, type WeightedLayer } from './weighted-layer.ts';

export { isIdentitySpiking, weighted, type WeightedLayer };

export interface LayerParams {
  readonly w: tf.Variable<tf.Rank.R2>;
  readonly b: tf.Variable<tf.Rank.R1>;
  /** A recurrent spiking layer's R held transposed, [units (from), units (to)], for `o_{t-1}.matMul(R^T)`. */
  readonly r?: tf.Variable<tf.Rank.R2>;
}

/**
 * One entry per model layer, same order. Fixed layers (a Gabor bank) get non-trainable variables; an identity
 * spiking layer gets none (null): its bias stays as initialised, zero.
 */
export type ModelParams = readonly (LayerParams | null)[];

/** Every variable of `params`, trainable or not. */
export function paramVariables(params: ModelParams): tf.Variable[] {
  return params.flatMap((p) => (p ? [p.w, p.b, ...(p.r ? [p.r] : [])] : []));
}

function transposed(t: Tensor, rows: number, cols: number): Float32Array {
  // t is [rows, cols] row-major; returns [cols, rows]
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c]!;
  return out;
}

function layerRows(layer: WeightedLayer): number {
  return layer.kind === 'conv' ? layer.filters : layer.units;
}

export function toParams(model: Model): ModelParams {
  return model.layers.map((l) => {
    if (isIdentitySpiking(l)) return null;
    const layer = weighted(l);
    const rows = layerRows(layer);
    const cols = layer.weights.data.length / rows;
    const trainable = layer.kind !== 'conv' || layer.learned;
    const recurrent = layer.kind === 'spiking' ? layer.recurrent : undefined;
    return {
      w: tf.variable(tf.tensor2d(transposed(layer.weights, rows, cols), [cols, rows]), trainable),
      b: tf.variable(tf.tensor1d(layer.bias.data), trainable),
      ...(recurrent ? { r: tf.variable(tf.tensor2d(transposed(recurrent, rows, rows), [rows, rows]), trainable) } : {}),
    };
  });
}

/** The model with its weights replaced by the current values of `params`. */
export function fromParams<M extends Model>(model: M, params: ModelParams): M {
  const layers = model.layers.map((l, i) => {
    const p = params[i];
    if (!p) return l;
    const layer = weighted(l);
    const rows = layerRows(layer);
    const cols = layer.weights.data.length / rows;
    const w = p.w.dataSync() as Float32Array;
    return {
      ...layer,
      weights: { shape: layer.weights.shape, data: transposed({ shape: [cols, rows], data: w }, cols, rows) },
      bias: { shape: layer.bias.shape, data: Float32Array.from(p.b.dataSync()) },
      ...(p.r ? { recurrent: { shape: [rows, rows], data: transposed({ shape: [rows, rows], data: p.r.dataSync() as Float32Array }, rows, rows) } } : {}),
    };
  });
  return { ...model, layers } as M;
}

export function disposeParams(params: ModelParams): void {
  tf.dispose(paramVariables(params));
}
