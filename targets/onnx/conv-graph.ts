/**
 * @fileoverview Conv as a gather-and-MatMul (im2col), exact by exact-matmul.ts: ONNX Runtime's Conv has no integer
 * kernel, and a float Conv may use transforms (Winograd) whose rounding is not a sum of exact products. The batch goes
 * last ([C*H*W, N]) so that Gather copies rows of N values: the receptive fields [C*k*k, P, N] times the [F, C*k*k]
 * weights are one GEMM, [F, P, N], turned back to [N, F*P] (CHW) at the end.
 */
import type { ConvOp } from '../../ir/conv.ts';
import { windowOutSize } from '../../ir/window.ts';
import type { GraphBuilder } from './graph-builder.ts';
import { clamp, roundShift } from './int-math.ts';
import { exactMatMul, integerWeightsAsFloat, toFloat, type FloatType } from './exact-matmul.ts';
import type { StepLayer } from './step.ts';

/** A square window over a CHW input: kernel, stride and zero padding (docs/ir.md, conv and pool). */
export interface WindowSpec {
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
}

/** Output size along one axis (ir/window.ts) of a window given as a spec. */
export function windowOut(size: number, w: WindowSpec): number {
  return windowOutSize(size, w.kernel, w.stride, w.padding);
}

/**
 * idx[q][p] = flat CHW input index of tap q = (c, ki, kj) for output position p = (i, j); row-major [C*k*k, P]. A tap
 * in the zero padding gets index C*H*W, the zero row that gatherPatches appends when the window has padding.
 */
export function im2colIndices(inShape: readonly [number, number, number], w: WindowSpec): number[] {
  const [channels, height, width] = inShape;
  const outHeight = windowOut(height, w);
  const outWidth = windowOut(width, w);
  const zero = channels * height * width;
  const k = w.kernel;
  const idx: number[] = [];
  for (let c = 0; c < channels; c++)
    for (let ki = 0; ki < k; ki++)
      for (let kj = 0; kj < k; kj++)
        for (let i = 0; i < outHeight; i++) {
          for (let j = 0; j < outWidth; j++) {
            const y = i * w.stride + ki - w.padding;
            const x = j * w.stride + kj - w.padding;
            idx.push(y < 0 || y >= height || x < 0 || x >= width ? zero : (c * height + y) * width + x);
          }
        }
  return idx;
}

/**
 * The receptive fields of a flattened CHW input [N, C*H*W] as one matrix [C*k*k, P*N] (tap, position-major then
 * image), ready for a single GEMM with the [F, C*k*k] weights. With `padded`, a zero row is appended first for the
 * taps in the zero padding.
 */
export function gatherPatches(g: GraphBuilder, x: string, indices: string, padded = false): string {
  const transposed = g.op('Transpose', [x], { name: 'x_batch_last', attrs: { perm: { ints: [1, 0] } }, doc: '[C*H*W, N]' });
  const batchLast = padded ? appendZeroRow(g, transposed, 0, 'x_zero_padded') : transposed;
  const patches = g.op('Gather', [batchLast, indices], { name: 'patches', attrs: { axis: { int: 0 } }, doc: 'im2col: each output position\'s receptive field, [C*k*k, P, N]' });
  return g.op('Reshape', [patches, g.constant('int64', [0, -1], [2], 'shape_keep_flat')], { name: 'patch_matrix' });
}

/** `x` with one more entry of 0 at the end of `axis` (rank 2): the value the zero padding's taps gather. */
export function appendZeroRow(g: GraphBuilder, x: string, axis: 0 | 1, name: string): string {
  const pads = axis === 0 ? [0, 0, 1, 0] : [0, 0, 0, 1];
  return g.op('Pad', [x, g.constant('int64', pads, [4], `pads_end_axis${axis}`)], { name, attrs: { mode: { string: 'constant' } }, doc: 'a zero appended for the taps in the zero padding' });
}

/** [F, P*N] -> [N, F*P] (CHW per image). */
export function batchFirst(g: GraphBuilder, y: string, filters: number, positions: number, name: string): string {
  const split = g.op('Reshape', [y, g.constant('int64', [filters, positions, -1], [3], `shape_${filters}_${positions}_N`)], { name: `${name}_fpn` });
  const nfp = g.op('Transpose', [split], { name: `${name}_nfp`, attrs: { perm: { ints: [2, 0, 1] } } });
  return g.op('Reshape', [nfp, g.constant('int64', [0, -1], [2], 'shape_N_flat')], { name, doc: `flattened CHW [N, ${filters * positions}]` });
}

/** `dtype`: the float type in which the plan proved the layer's MatMul exact (plan.ts, exact-matmul.ts). */
export function convLayer(g: GraphBuilder, op: ConvOp, dtype: FloatType): StepLayer {
  const [filters, outHeight, outWidth] = op.outShape;
  const positions = outHeight * outWidth;
  const taps = op.inShape[0] * op.kernel * op.kernel;
  const indices = g.initializer(`${op.name}/im2col_indices`, 'int32', [taps, positions], im2colIndices(op.inShape, op),
    `input index of tap (c,ki,kj) for output (i,j)${op.padding > 0 ? `, ${op.inShape[0] * op.inShape[1] * op.inShape[2]} in the zero padding` : ''}; [${taps}, ${positions}]`);
  const weights = integerWeightsAsFloat(g, `${op.name}/weights`, [filters, taps], op.weights, dtype, `[F, C*k*k] = [${filters}, ${taps}], ${op.weightType.bits}-bit`);
  const bias = g.initializer(`${op.name}/bias`, 'double', [filters, 1], op.bias, 'per filter, in accumulator units');
  return {
    name: op.name,
    kind: 'conv',
    units: filters * positions,
    states: [],
    step(body, x) {
      return body.scope(op.name, () => {
        const patches = gatherPatches(body, toFloat(body, x, dtype, `x_${dtype}`), indices, op.padding > 0);
        const acc = exactMatMul(body, weights, patches, 'acc', `sum over (c,ki,kj) of weights * x, [F, P*N] in ${dtype}`);
        const biased = body.op('Add', [acc, bias], { name: 'acc_plus_bias' });
        const rounded = roundShift(body, biased, op.outShift, 'round', `${op.name}/outShift`, { rank: 2, channelAxis: 0 });
        const y = clamp(body, rounded, op.outType, 'clamp');
        return { x: batchFirst(body, y, filters, positions, 'y'), next: {} };
      });
    },
  };
}
