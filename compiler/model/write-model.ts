/** @fileoverview Writes a model directory (`model.json` + `weights.bin`) atomically; `readModel` returns it bit for bit. */
import { createHash } from 'node:crypto';
import { writeDirAtomic } from '../fs-atomic.ts';
import { MODEL_JSON, WEIGHTS_BIN, type Layer, type Model, type Tensor } from './format.ts';

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
  const layers = model.layers.map((layer: Layer) => ({ ...layer, weights: ref(layer.weights), bias: ref(layer.bias) }));
  const weights = Buffer.concat(chunks);
  // A fixed key order, so that equal models serialize to equal bytes however they were built.
  const head = model.kind === 'snn'
    ? { format: model.format, version: model.version, kind: model.kind, metadata: model.metadata, input: model.input, encoder: model.encoder, timesteps: model.timesteps, classes: model.classes }
    : { format: model.format, version: model.version, kind: model.kind, metadata: model.metadata, input: model.input, classes: model.classes };
  const tail = model.kind === 'snn' ? { readout: model.readout } : {};
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

export function writeModel(model: Model, dir: string): void {
  const { json, weights } = serializeModel(model);
  writeDirAtomic(dir, [
    [MODEL_JSON, json],
    [WEIGHTS_BIN, weights],
  ]);
}
