/**
 * @fileoverview The float model's layers as float64 ONNX nodes, in the integer graph's shape (im2col conv, MatMul,
 * loop-carried membranes), following runtime/float-reference.ts: weights are float32 values, arithmetic is float64.
 */
import type { ConvLayer, DenseLayer, PoolLayer, SpikingLayer } from '../../model/format.ts';
import { unreachable } from '../../ir/registry.ts';
import { batchFirst, gatherPatches, im2colIndices, windowOut } from './conv-graph.ts';
import type { GraphBuilder } from './graph-builder.ts';
import { poolIndices, windowSums } from './pool-graph.ts';
import { BATCH, zeros, type CarriedState, type StepLayer } from './step.ts';

const DOUBLE = 11;

/** A float32 weight tensor stored as float, widened to float64 once in the main graph. */
function floatWeights(g: GraphBuilder, name: string, dims: readonly number[], values: ArrayLike<number>, doc: string): string {
  const stored = g.initializer(name, 'float', dims, Array.from(values), doc);
  return g.op('Cast', [stored], { name: `${name}_float64`, attrs: { to: { int: DOUBLE } }, dtype: 'double' });
}

function transpose(values: ArrayLike<number>, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) out.push(values[r * cols + c]!);
  return out;
}

export function floatConvLayer(g: GraphBuilder, layer: ConvLayer, inShape: readonly [number, number, number]): StepLayer & { outShape: [number, number, number] } {
  const [channels, height, width] = inShape;
  const k = layer.kernel;
  const window = { kernel: k, stride: layer.stride ?? 1, padding: layer.padding ?? 0 };
  const outShape: [number, number, number] = [layer.filters, windowOut(height, window), windowOut(width, window)];
  const positions = outShape[1] * outShape[2];
  const taps = channels * k * k;
  const indices = g.initializer(`${layer.name}/im2col_indices`, 'int32', [taps, positions], im2colIndices(inShape, window), `input index of tap (c,ki,kj) for output (i,j); [${taps}, ${positions}]`);
  const weights = floatWeights(g, `${layer.name}/weights`, [layer.filters, taps], layer.weights.data, `[F, C*k*k] = [${layer.filters}, ${taps}]`);
  const bias = floatWeights(g, `${layer.name}/bias`, [layer.filters, 1], layer.bias.data, 'per filter');
  return {
    name: layer.name,
    kind: 'conv',
    units: layer.filters * positions,
    outShape,
    states: [],
    step(body, x) {
      return body.scope(layer.name, () => {
        const acc = body.op('MatMul', [weights, gatherPatches(body, x, indices, window.padding > 0)], { name: 'acc', doc: 'sum over (c,ki,kj) of weights * x, [F, P*N]' });
        const y = body.op('Add', [acc, bias], { name: 'acc_plus_bias' });
        return { x: batchFirst(body, y, layer.filters, positions, 'y'), next: {} };
      });
    },
  };
}

/** A sum or average pool in float64: the window sum (ReduceSum of the gathered window), divided by kernel^2 for avg. */
export function floatPoolLayer(g: GraphBuilder, layer: PoolLayer, inShape: readonly [number, number, number]): StepLayer & { outShape: [number, number, number] } {
  const [channels, height, width] = inShape;
  const outShape: [number, number, number] = [channels, windowOut(height, layer), windowOut(width, layer)];
  const units = channels * outShape[1] * outShape[2];
  const taps = layer.kernel * layer.kernel;
  const indices = g.initializer(`${layer.name}/window_indices`, 'int32', [units, taps], poolIndices(inShape, layer), `input index of tap (ki,kj) for output (c,i,j); [${units}, ${taps}]`);
  return {
    name: layer.name,
    kind: 'pool',
    units,
    outShape,
    states: [],
    step(body, x) {
      return body.scope(layer.name, () => {
        const sum = windowSums(body, x, indices, taps, layer.padding > 0);
        if (layer.mode === 'sum') return { x: sum, next: {} };
        // A vector divisor, not a scalar: ONNX Runtime's MatMulScaleFusion would fold a scalar into a following
        // MatMul's float32 alpha, rounding 1/kernel^2 to float32.
        const divisor = body.constant('double', new Array<number>(units).fill(taps), [units], `${layer.name}/kernel_area`);
        return { x: body.op('Div', [sum, divisor], { name: 'avg', doc: `window sum / ${taps}` }), next: {} };
      });
    },
  };
}

export function floatSpikingLayer(g: GraphBuilder, layer: SpikingLayer, inputs: number, batch: string): StepLayer {
  const dense = layer.weights;
  const weights = dense === undefined ? undefined
    : floatWeights(g, `${layer.name}/weights_T`, [inputs, layer.units], transpose(dense.data, layer.units, inputs), `[inputs, units] = [${inputs}, ${layer.units}] (transposed)`);
  const bias = floatWeights(g, `${layer.name}/bias`, [layer.units], layer.bias.data, 'per unit');
  const state = (key: string, doc: string): CarriedState => ({
    key: `${layer.name}/${key}`, dtype: 'double', dims: [BATCH, layer.units], initial: zeros(g, batch, [layer.units], 'double', `${layer.name}/${key}_init`), doc,
  });
  const states = [state('v', 'membrane left by the previous timestep')];
  if (layer.delay === 1) states.push(state('pending_u', 'delay 1: membrane u computed last step'), state('pending_o', 'delay 1: output o computed last step'));
  return {
    name: layer.name,
    kind: 'spiking',
    units: layer.units,
    states,
    step(body, x, current) {
      return body.scope(layer.name, () => {
        const synapse = weights === undefined ? x : body.op('MatMul', [x, weights], { name: 'Wx' });
        const input = body.op('Add', [synapse, bias], { name: 'current', doc: weights === undefined ? 'x + b (identity synapse)' : 'W x + b' });
        const decayed = body.op('Mul', [current(`${layer.name}/v`), body.constant('double', layer.decay)], { name: 'decayed', doc: `decay ${layer.decay} * v` });
        const u = body.op('Add', [decayed, input], { name: 'u' });
        const { o, v } = floatFire(body, layer, u);
        if (layer.delay === 0) return { x: o, membrane: u, next: { [`${layer.name}/v`]: v } };
        const visibleU = body.op('Identity', [current(`${layer.name}/pending_u`)], { name: 'visible_u' });
        const visibleO = body.op('Identity', [current(`${layer.name}/pending_o`)], { name: 'visible_o' });
        return { x: visibleO, membrane: visibleU, next: { [`${layer.name}/v`]: v, [`${layer.name}/pending_u`]: u, [`${layer.name}/pending_o`]: o } };
      });
    },
  };
}

/** The output o and the state v left for the next step (a membrane output never fires: o = u, v = u). */
function floatFire(g: GraphBuilder, layer: SpikingLayer, u: string): { o: string; v: string } {
  if (layer.output === 'membrane') return { o: g.op('Identity', [u], { name: 'o', doc: 'membrane output: o = u, never fires' }), v: u };
  const threshold = g.constant('double', layer.threshold);
  const fired = g.op('Greater', [u, threshold], { name: 'fired', doc: `u > threshold ${layer.threshold}` });
  const zero = g.constant('double', 0);
  const o = layer.output === 'excess'
    ? g.op('Where', [fired, g.op('Sub', [u, threshold], { name: 'excess' }), zero], { name: 'o', doc: 'u - threshold when fired' })
    : g.op('Cast', [fired], { name: 'o', attrs: { to: { int: DOUBLE } }, dtype: 'double', doc: 'binary spike' });
  const v = g.op('Where', [fired, floatReset(g, layer, u), u], { name: 'v_after_reset', doc: `reset: ${layer.reset.kind}` });
  return { o, v };
}

function floatReset(g: GraphBuilder, layer: SpikingLayer, u: string): string {
  const reset = layer.reset;
  switch (reset.kind) {
    case 'refractory': {
      const fraction = reset.penalty / layer.threshold;
      const penalty = g.op('Mul', [u, g.constant('double', fraction)], { name: 'reset_penalty', doc: `(penalty / threshold) * u = ${fraction} * u` });
      return g.op('Sub', [u, penalty], { name: 'reset_refractory' });
    }
    case 'subtract':
      return g.op('Sub', [u, g.constant('double', layer.threshold)], { name: 'reset_subtract' });
    case 'zero':
      return g.op('Mul', [u, g.constant('double', 0)], { name: 'reset_zero' });
    case 'value':
      return g.constant('double', reset.value);
    case 'none':
      return u;
    default:
      return unreachable(reset, 'reset mode');
  }
}

/** An ANN dense layer, y = act(W x + b), on [N, inputs]. */
export function floatDense(g: GraphBuilder, layer: DenseLayer, inputs: number, x: string): string {
  const weights = floatWeights(g, `${layer.name}/weights_T`, [inputs, layer.units], transpose(layer.weights.data, layer.units, inputs), `[inputs, units] = [${inputs}, ${layer.units}] (transposed)`);
  const bias = floatWeights(g, `${layer.name}/bias`, [layer.units], layer.bias.data, 'per unit');
  return g.scope(layer.name, () => {
    const y = g.op('Add', [g.op('MatMul', [x, weights], { name: 'Wx' }), bias], { name: 'y' });
    switch (layer.activation) {
      case 'relu':
        return g.op('Max', [y, g.constant('double', 0)], { name: 'relu' });
      case 'leaky-relu': {
        // in float64 like the reference: LeakyRelu's alpha attribute is a float32
        const negative = g.op('Mul', [y, g.constant('double', layer.alpha ?? 0.01)], { name: 'leaky_slope' });
        return g.op('Where', [g.op('Less', [y, g.constant('double', 0)], { name: 'is_negative' }), negative, y], { name: 'leaky_relu' });
      }
      case 'sigmoid': {
        const exp = g.op('Exp', [g.op('Neg', [y], { name: 'minus_y' })], { name: 'exp_minus_y' });
        return g.op('Div', [g.constant('double', 1), g.op('Add', [exp, g.constant('double', 1)], { name: 'one_plus_exp' })], { name: 'sigmoid', dtype: 'double' });
      }
      case 'none':
        return y;
      default:
        return unreachable(layer.activation, 'activation');
    }
  });
}
