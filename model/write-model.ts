/** @fileoverview Writes a model directory (`model.json` + `weights.bin`) atomically; `readModel` returns it bit for bit. */
import { unreachable } from '../ir/registry.ts';
import { createHash } from 'node:crypto';
import { writeDirAtomic } from '../base/fs-atomic.ts';
import { MODEL_JSON, WEIGHTS_BIN, type Encoder, type Layer, type Model, type ResetMode, type Tensor } from './format.ts';

type TensorRef = { shape: readonly number[]; offset: number };

/** Serializes a model: tensors go to one float32 little-endian blob, in layer order. */
export function serializeModel(model: Model): { json: string; weights: Buffer } {
  const chunks: Buffer[] = [];
  let offset = 0;
  const ref = (t: Tensor): TensorRef => {
    const bytes = Buffer.from(new Float32Array(t.data).buffer);
    chunks.push(bytes);
    const r = { shape: [...t.shape], offset };
    offset += bytes.length;
    return r;
  };
  const layers = model.layers.map((layer: Layer) => layerJson(layer, ref));
  const weights = Buffer.concat(chunks);
  // A fixed key order, so that equal models serialize to equal bytes however they were built.
  const head = model.kind === 'snn'
    ? { format: model.format, version: model.version, kind: model.kind, metadata: model.metadata, input: model.input, encoder: encoderJson(model.encoder), timesteps: model.timesteps, classes: model.classes }
    : { format: model.format, version: model.version, kind: model.kind, metadata: model.metadata, input: model.input, classes: model.classes };
  const tail = model.kind === 'snn' ? { readout: { kind: model.readout.kind, ...(model.readout.source === 'output' ? { source: 'output' } : {}), begin: model.readout.begin } } : {};
  const json = JSON.stringify(
    {
      ...head,
      layers,
      ...tail,
      weightsFile: { path: WEIGHTS_BIN, bytes: weights.length, sha256: createHash('sha256').update(weights).digest('hex') },
    },
    null,
    2,
  );
  return { json: json + '\n', weights };
}

/** The encoder with its keys in a fixed order. */
function encoderJson(encoder: Encoder): object {
  if (encoder.kind !== 'events') return { kind: encoder.kind };
  const { source, binUs, startUs } = encoder.binning;
  return { kind: encoder.kind, binning: { source, binUs, startUs }, countBits: encoder.countBits };
}

function resetJson(reset: ResetMode): object {
  switch (reset.kind) {
    case 'refractory':
      return { kind: reset.kind, penalty: reset.penalty };
    case 'value':
      return { kind: reset.kind, value: reset.value };
    case 'subtract':
    case 'zero':
    case 'none':
      return { kind: reset.kind };
    default:
      return unreachable(reset, 'reset mode');
  }
}

/**
 * One layer's JSON, keys in a fixed order per kind (the order models have always been written in), defaults left
 * out (conv stride 1 and padding 0), so that however a model was built, equal models give equal bytes. Tensors are
 * appended to the blob in the order they appear here.
 */
function layerJson(layer: Layer, ref: (t: Tensor) => TensorRef): object {
  switch (layer.kind) {
    case 'conv':
      return {
        kind: layer.kind, name: layer.name, filters: layer.filters, kernel: layer.kernel,
        ...((layer.stride ?? 1) !== 1 ? { stride: layer.stride } : {}),
        ...((layer.padding ?? 0) !== 0 ? { padding: layer.padding } : {}),
        weights: ref(layer.weights), bias: ref(layer.bias), learned: layer.learned,
      };
    case 'pool':
      return { kind: layer.kind, name: layer.name, mode: layer.mode, kernel: layer.kernel, stride: layer.stride, padding: layer.padding };
    case 'spiking':
      return {
        kind: layer.kind, name: layer.name, units: layer.units, ...(layer.weights ? { weights: ref(layer.weights) } : {}),
        ...(layer.recurrent ? { recurrent: ref(layer.recurrent) } : {}), bias: ref(layer.bias),
        ...(layer.synapticDecay !== undefined ? { synapticDecay: layer.synapticDecay } : {}), ...(layer.synapticBias ? { synapticBias: ref(layer.synapticBias) } : {}), decay: layer.decay, threshold: layer.threshold, output: layer.output, reset: resetJson(layer.reset), delay: layer.delay,
      };
    case 'dense':
      return {
        kind: layer.kind, name: layer.name, units: layer.units, weights: ref(layer.weights), bias: ref(layer.bias), activation: layer.activation,
        ...(layer.alpha !== undefined ? { alpha: layer.alpha } : {}),
      };
    default: {
      const never: never = layer;
      return never;
    }
  }
}

export function writeModel(model: Model, dir: string): void {
  const { json, weights } = serializeModel(model);
  writeDirAtomic(dir, [
    [MODEL_JSON, json],
    [WEIGHTS_BIN, weights],
  ]);
}
