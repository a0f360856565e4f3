/**
 * @fileoverview The IR's pool op as int64 ONNX nodes (docs/ir.md, "Pool op"): each output's window gathered from the
 * flattened CHW input, summed exactly in int64 (ReduceSum), then scaleBy and the output clamp. ONNX's AveragePool and
 * LpPool have no integer kernels and divide in float; a window sum of integers needs neither.
 */
import type { PoolOp } from '../../ir/pool.ts';
import { appendZeroRow, windowOut, type WindowSpec } from './conv-graph.ts';
import type { GraphBuilder } from './graph-builder.ts';
import { toDouble } from './exact-matmul.ts';
import { clamp, scaleBy } from './int-math.ts';
import type { StepLayer } from './step.ts';

/**
 * idx[o][q] = flat CHW input index of tap q = (ki, kj) of output o = (c, i, j); row-major [C*P, k*k]. A tap in the
 * zero padding gets index C*H*W, the zero appended to the input when the window has padding.
 */
export function poolIndices(inShape: readonly [number, number, number], w: WindowSpec): number[] {
  const [channels, height, width] = inShape;
  const outHeight = windowOut(height, w);
  const outWidth = windowOut(width, w);
  const zero = channels * height * width;
  const idx: number[] = [];
  for (let c = 0; c < channels; c++)
    for (let i = 0; i < outHeight; i++)
      for (let j = 0; j < outWidth; j++)
        for (let ki = 0; ki < w.kernel; ki++) {
          for (let kj = 0; kj < w.kernel; kj++) {
            const y = i * w.stride + ki - w.padding;
            const x = j * w.stride + kj - w.padding;
            idx.push(y < 0 || y >= height || x < 0 || x >= width ? zero : (c * height + y) * width + x);
          }
        }
  return idx;
}

/** Window sums of int64 values [N, C*H*W] -> [N, C*P]; the caller scales them (exact: check.ts bounds the sums). */
export function windowSums(g: GraphBuilder, x: string, indices: string, taps: number, padded: boolean): string {
  const source = padded ? appendZeroRow(g, x, 1, 'x_zero_padded') : x;
  const windows = g.op('Gather', [source, indices], { name: 'windows', attrs: { axis: { int: 1 } }, doc: `each output's window, [N, C*P, ${taps}]` });
  return g.op('ReduceSum', [windows, g.constant('int64', [2], [1], 'axes_2')], { name: 'window_sum', attrs: { keepdims: { int: 0 } }, doc: 'exact int64 sum over the window' });
}

export function poolLayer(g: GraphBuilder, op: PoolOp): StepLayer {
  const [channels, outHeight, outWidth] = op.outShape;
  const outputs = channels * outHeight * outWidth;
  const taps = op.kernel * op.kernel;
  const padded = op.padding > 0;
  const [c, h, w] = op.inShape;
  const indices = g.initializer(`${op.name}/window_indices`, 'int32', [outputs, taps], poolIndices(op.inShape, op),
    `input index of tap (ki,kj) for output (c,i,j)${padded ? `, ${c * h * w} in the zero padding` : ''}; [${outputs}, ${taps}]`);
  return {
    name: op.name,
    kind: 'pool',
    units: outputs,
    states: [],
    step(body, x) {
      return body.scope(op.name, () => {
        const sum = windowSums(body, toDouble(body, x), indices, taps, padded);
        const scaled = scaleBy(body, sum, op.scale, 'scale');
        return { x: clamp(body, scaled, op.outType, 'y'), next: {} };
      });
    },
  };
}
