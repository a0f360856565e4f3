/**
 * @fileoverview The float model's layers as float64 ONNX nodes, in the integer graph's shape (im2col conv, MatMul,
 * loop-carried membranes), following runtime/float-reference.ts: weights are float32 values, arithmetic is float64.
 */
import type { ConvLayer, DenseLayer, SpikingLayer } from '../../compiler/model/format.ts';
import { unreachable } from '../../compiler/ir/registry.ts';
import { batchFirst, gatherPatches, im2colIndices } from './conv-graph.ts';
import type { GraphBuilder } from './graph-builder.ts';
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
  const outShape: [number, number, number] = [layer.filters, height - k + 1, width - k + 1];
  const positions = outShape[1] * outShape[2];
  const taps = channels * k * k;
  const indices = g.initializer(`${layer.name}/im2col_indices`, 'int32', [taps, positions], im2colIndices(inShape, k), `input index of tap (c,ki,kj) for output (i,j); [${taps}, ${positions}]`);
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
        const acc = body.op('MatMul', [weights, gatherPatches(body, x, indices)], { name: 'acc', doc: 'sum over (c,ki,kj) of weights * x, [F, P*N]' });
        const y = body.op('Add', [acc, bias], { name: 'acc_plus_bias' });
        return { x: batchFirst(body, y, layer.filters, positions, 'y'), next: {} };
      });
    },
  };
}

export function floatSpikingLayer(g: GraphBuilder, layer: SpikingLayer, inputs: number, batch: string): StepLayer {
  const weights = floatWeights(g, `${layer.name}/weights_T`, [inputs, layer.units], transpose(layer.weights.data, layer.units, inputs), `[inputs, units] = [${inputs}, ${layer.units}] (transposed)`);
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
        const input = body.op('Add', [body.op('MatMul', [x, weights], { name: 'Wx' }), bias], { name: 'current', doc: 'W x + b' });
        const decayed = body.op('Mul', [current(`${layer.name}/v`), body.constant('double', layer.decay)], { name: 'decayed', doc: `decay ${layer.decay} * v` });
        const u = body.op('Add', [decayed, input], { name: 'u' });
        const threshold = body.constant('double', layer.threshold);
        const fired = body.op('Greater', [u, threshold], { name: 'fired', doc: `u > threshold ${layer.threshold}` });
        const zero = body.constant('double', 0);
        const o = layer.output === 'excess'
          ? body.op('Where', [fired, body.op('Sub', [u, threshold], { name: 'excess' }), zero], { name: 'o', doc: 'u - threshold when fired' })
          : body.op('Cast', [fired], { name: 'o', attrs: { to: { int: DOUBLE } }, dtype: 'double', doc: 'binary spike' });
        const v = body.op('Where', [fired, floatReset(body, layer, u), u], { name: 'v_after_reset', doc: `reset: ${layer.reset.kind}` });
        if (layer.delay === 0) return { x: o, membrane: u, next: { [`${layer.name}/v`]: v } };
        const visibleU = body.op('Identity', [current(`${layer.name}/pending_u`)], { name: 'visible_u' });
        const visibleO = body.op('Identity', [current(`${layer.name}/pending_o`)], { name: 'visible_o' });
        return { x: visibleO, membrane: visibleU, next: { [`${layer.name}/v`]: v, [`${layer.name}/pending_u`]: u, [`${layer.name}/pending_o`]: o } };
      });
    },
  };
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
