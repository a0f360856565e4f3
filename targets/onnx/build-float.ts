/**
 * @fileoverview The float model as an ONNX graph in float64 ops, the same shape as the integer graph (inputs, jitter
 * generator, Loop, im2col conv, MatMul, readout), computing what runtime/float-reference.ts computes.
 */
import type { AnnModel, Model, SnnModel } from '../../model/format.ts';
import { unreachable } from '../../ir/registry.ts';
import type { BuildOptions } from './build-int.ts';
import { JITTER_STATE } from './build-int.ts';
import { floatConvLayer, floatDense, floatPoolLayer, floatSpikingLayer } from './float-layers.ts';
import { GraphBuilder, NameTable } from './graph-builder.ts';
import { graphInputs, LABEL_OUTPUT, SCORES_OUTPUT } from './graph-io.ts';
import { jitterDraws, jitterSetup } from './jitter-graph.ts';
import type { GraphProto } from './proto.ts';
import { BATCH, type CarriedState, type StepLayer } from './step.ts';
import { addTimesteps } from './timestep-graph.ts';

const DOUBLE = 11;

export function buildFloatGraph(model: Model, options: BuildOptions): GraphProto {
  const g = new GraphBuilder(new NameTable(), model.metadata.name);
  const inputs = graphInputs(g, model.input.shape);
  // The scale is a per-pixel vector, not a scalar: ONNX Runtime's MatMulScaleFusion folds a scalar Mul feeding a
  // MatMul into the MatMul's float32 `alpha`, which would round 1/255 to float32.
  const pixelCount = model.input.shape.reduce((a, b) => a * b, 1);
  const scale = g.constant('double', new Array<number>(pixelCount).fill(model.input.scale), [pixelCount], 'pixel_scale');
  const scaled = g.op('Mul', [g.op('Cast', [inputs.pixels], { name: 'pixels_float64', attrs: { to: { int: DOUBLE } }, dtype: 'double' }), scale], {
    name: 'x', doc: `pixel * ${model.input.scale}`,
  });
  if (model.kind === 'ann') addAnn(g, model, scaled);
  else addSnn(g, model, inputs, scaled, options);
  return g.toProto(`snnc float ${model.kind.toUpperCase()} ${model.metadata.name} (${model.metadata.arch}) in float64, as runtime/float-reference.ts`);
}

function addSnn(g: GraphBuilder, model: SnnModel, inputs: ReturnType<typeof graphInputs>, scaled: string, options: BuildOptions): void {
  const pixelCount = model.input.shape.reduce((a, b) => a * b, 1);
  const jitter = model.encoder.kind === 'jitter' ? jitterSetup(g, inputs.pixels, inputs.seed, pixelCount, 32) : undefined;
  const encoderStates: CarriedState[] = jitter ? [{ key: JITTER_STATE, dtype: 'int64', dims: [BATCH, 1], initial: jitter.initialState, doc: 'xorshift32 state (a uint32) at the timestep\'s start' }] : [];
  let shape = model.input.shape as readonly [number, number, number];
  let features = pixelCount;
  const layers: StepLayer[] = model.layers.map((layer) => {
    switch (layer.kind) {
      case 'conv': {
        const conv = floatConvLayer(g, layer, shape);
        shape = conv.outShape;
        features = conv.units;
        return conv;
      }
      case 'pool': {
        const pool = floatPoolLayer(g, layer, shape);
        shape = pool.outShape;
        features = pool.units;
        return pool;
      }
      case 'spiking': {
        const spiking = floatSpikingLayer(g, layer, features, inputs.batch);
        features = layer.units;
        // An identity layer keeps its input's CHW shape; a dense one makes a flat vector.
        if (layer.weights !== undefined) shape = [layer.units, 1, 1];
        return spiking;
      }
      default:
        return unreachable(layer, 'layer kind');
    }
  });
  const window = model.timesteps - model.readout.begin;
  addTimesteps(g, {
    timesteps: model.timesteps,
    classes: model.classes,
    readoutBegin: model.readout.begin,
    readoutSource: model.readout.source ?? 'membrane',
    pixels: pixelCount,
    layers,
    encoderStates,
    dtype: 'double',
    traces: options.traces,
    unroll: options.unroll,
    encode(body, current, next) {
      if (!jitter) return scaled;
      return body.scope('encoder', () => {
        const { top: draws, next: state } = jitterDraws(body, jitter, current(JITTER_STATE));
        next[JITTER_STATE] = state;
        const uniform = body.op('Mul', [body.op('Cast', [draws], { name: 'draws_float64', attrs: { to: { int: DOUBLE } }, dtype: 'double' }), body.constant('double', 2 ** -32)], {
          name: 'uniform', doc: 'draw / 2^32, in [0, 1)',
        });
        return body.op('Mul', [scaled, uniform], { name: 'x', doc: 'x * u_t; zero pixels stay 0' });
      });
    },
    finishScores: model.readout.kind === 'mean' ? (gg, sum) => gg.op('Div', [sum, gg.constant('double', window)], { name: 'mean', doc: `mean over ${window} timesteps` }) : undefined,
  });
}

function addAnn(g: GraphBuilder, model: AnnModel, scaled: string): void {
  let shape = model.input.shape as readonly [number, number, number];
  let features = shape[0] * shape[1] * shape[2];
  let x = scaled;
  for (const layer of model.layers) {
    switch (layer.kind) {
      case 'conv': {
        const conv = floatConvLayer(g, layer, shape);
        x = conv.step(g, x, (key) => {
          throw new Error(`a conv layer has no carried state (${key})`);
        }).x;
        shape = conv.outShape;
        features = conv.units;
        break;
      }
      case 'dense':
        x = floatDense(g, layer, features, x);
        features = layer.units;
        break;
      default:
        unreachable(layer, 'layer kind');
    }
  }
  g.output(x, SCORES_OUTPUT, [BATCH, model.classes], 'class scores [N, K]');
  g.output(g.op('ArgMax', [x], { name: 'argmax', attrs: { axis: { int: 1 }, keepdims: { int: 0 }, select_last_index: { int: 0 } } }), LABEL_OUTPUT, [BATCH], 'predicted class');
}
