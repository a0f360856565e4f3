/** @fileoverview Reads and validates a model directory (`model.json` + `weights.bin`); every defect is one SnncError line. */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import { array, finite, integer, object, oneOf, onlyKeys, optional, string, type JsonObject } from '../base/json-check.ts';
import { checkModelShapes } from './shapes.ts';
import { checkModelSchema } from './schema.ts';
import { formatBytes, MAX_MODEL_JSON_BYTES, MAX_TENSOR_ELEMENTS, MAX_WEIGHTS_BYTES, openRegularFile } from '../base/input-limits.ts';
import { checkWorkBudget } from './work.ts';
import { checkModelName, declaredTensorBytes } from './pre-read-checks.ts';
import {
  MODEL_DATASETS, MODEL_FORMAT_VERSION, MODEL_JSON,
  type ConvLayer, type DenseLayer, type Encoder, type InputSpec, type Layer, type Model, type ModelMetadata,
  type PoolLayer, type Readout, type ResetMode, type SpikingLayer, type Tensor,
} from './format.ts';
import { windowOutput, type ImageShape } from './shapes.ts';

const MAX_DIM = 1 << 20;
const MAX_TIMESTEPS = 4096;

/** Resolves MODEL (a directory or its model.json) to the model.json path. */
export function modelJsonPath(model: string): string {
  if (!existsSync(model)) throw new SnncError('io', `${model}: no such file or directory`);
  return statSync(model).isDirectory() ? join(model, MODEL_JSON) : model;
}

export function readModel(model: string): Model {
  const jsonPath = modelJsonPath(model);
  if (!existsSync(jsonPath)) throw new SnncError('model', `${model}: no ${MODEL_JSON} in this directory`);
  const text = openRegularFile(jsonPath, { what: MODEL_JSON, maxBytes: MAX_MODEL_JSON_BYTES }).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SnncError('model', `${jsonPath}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const root = object(parsed, basename(jsonPath));
  checkModelName(root);
  const weights = readWeightsBlob(root, dirname(jsonPath));
  const result = parseModel(root, weights);
  // One timestep here (a flag may shorten the model's run); the lowering checks the whole run against the budget.
  checkWorkBudget(result, 1, jsonPath);
  return result;
}

function readWeightsBlob(root: JsonObject, dir: string): Buffer {
  const ref = object(root.weightsFile, 'weightsFile');
  onlyKeys(ref, 'weightsFile', ['path', 'bytes', 'sha256']);
  const name = string(ref.path, 'weightsFile.path');
  if (name === '' || name !== basename(name) || name === '..' || name === '.' || name.includes('\0')) {
    throw new SnncError('model', `weightsFile.path: "${name}" must be a plain file name beside model.json`);
  }
  const bytes = integer(ref.bytes, 'weightsFile.bytes', 0, MAX_WEIGHTS_BYTES);
  const sha256 = string(ref.sha256, 'weightsFile.sha256');
  const tensorBytes = declaredTensorBytes(root);
  if (tensorBytes !== undefined && bytes > tensorBytes) {
    throw new SnncError('model', `weightsFile.bytes: ${formatBytes(bytes)}, but the layers' tensors declare ${formatBytes(tensorBytes)}`);
  }
  const file = join(dir, name);
  if (!existsSync(file)) throw new SnncError('model', `${file}: weights file is missing`);
  const blob = openRegularFile(file, { what: 'weights file', maxBytes: MAX_WEIGHTS_BYTES, expectedBytes: bytes, expectedNote: `model.json says ${bytes}` });
  const actual = createHash('sha256').update(blob).digest('hex');
  if (actual !== sha256) throw new SnncError('model', `${file}: sha256 ${actual.slice(0, 12)}… does not match model.json (corrupt file)`);
  return blob;
}

export function parseModel(root: JsonObject, blob: Buffer): Model {
  oneOf(root.format, 'format', ['snnc-model']);
  const version = finite(root.version, 'version');
  if (version !== MODEL_FORMAT_VERSION) {
    throw new SnncError('model', `version: this snnc reads model format ${MODEL_FORMAT_VERSION}, the file is version ${version}`);
  }
  checkModelSchema(root);
  const kind = oneOf(root.kind, 'kind', ['snn', 'ann'] as const);
  const tensor = (value: unknown, path: string, shape: readonly number[]): Tensor => readTensor(value, path, blob, shape);
  const metadata = readMetadata(root.metadata);
  const input = readInput(root.input);
  const classes = integer(root.classes, 'classes', 2, MAX_DIM);
  const layerList = array(root.layers, 'layers');
  if (layerList.length === 0) throw new SnncError('model', 'layers: a model needs at least one layer');
  const layers: Layer[] = [];
  // What reaches the next layer: a CHW image (input, conv, pool, identity spiking) or a flat vector (image undefined).
  let image: ImageShape | undefined = input.shape;
  let inWidth = input.shape[0] * input.shape[1] * input.shape[2];
  layerList.forEach((value, i) => {
    const layer = readLayer(value, `layers[${i}]`, tensor, image, inWidth);
    layers.push(layer);
    switch (layer.kind) {
      case 'conv':
      case 'pool':
        image = windowOutput(layer, image!, `layers[${i}]`);
        inWidth = image[0] * image[1] * image[2];
        break;
      case 'spiking':
        if (layer.weights) image = undefined;
        inWidth = layer.units;
        break;
      case 'dense':
        image = undefined;
        inWidth = layer.units;
        break;
      default: {
        const never: never = layer;
        return never;
      }
    }
  });
  if (kind === 'snn') {
    onlyKeys(root, 'model', ['format', 'version', 'kind', 'metadata', 'input', 'encoder', 'timesteps', 'classes', 'layers', 'readout', 'weightsFile']);
    const model: Model = {
      format: 'snnc-model', version: 1, kind, metadata, input, classes,
      encoder: readEncoder(root.encoder, input),
      timesteps: integer(root.timesteps, 'timesteps', 1, MAX_TIMESTEPS),
      layers: layers.map((l, i) => {
        if (l.kind === 'dense') throw new SnncError('model', `layers[${i}]: an snn model has conv, pool and spiking layers, not dense`);
        return l;
      }),
      readout: readReadout(root.readout),
    };
    checkModelShapes(model);
    return model;
  }
  onlyKeys(root, 'model', ['format', 'version', 'kind', 'metadata', 'input', 'classes', 'layers', 'weightsFile']);
  const model: Model = {
    format: 'snnc-model', version: 1, kind, metadata, input, classes,
    layers: layers.map((l, i) => {
      if (l.kind === 'spiking' || l.kind === 'pool') throw new SnncError('model', `layers[${i}]: an ann model has conv and dense layers, not ${l.kind}`);
      return l;
    }),
  };
  checkModelShapes(model);
  return model;
}

function readTensor(value: unknown, path: string, blob: Buffer, expected: readonly number[]): Tensor {
  const ref = object(value, path);
  onlyKeys(ref, path, ['shape', 'offset']);
  const shape = array(ref.shape, `${path}.shape`).map((d, i) => integer(d, `${path}.shape[${i}]`, 1, MAX_DIM));
  if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i] && !Number.isNaN(expected[i]))) {
    throw new SnncError('model', `${path}.shape: [${shape.join(', ')}] does not match the expected [${expected.map((d) => (Number.isNaN(d) ? '?' : d)).join(', ')}]`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_TENSOR_ELEMENTS) throw new SnncError('model', `${path}.shape: ${count} elements is more than snnc accepts`);
  const offset = integer(ref.offset, `${path}.offset`, 0, blob.length);
  if (offset % 4 !== 0) throw new SnncError('model', `${path}.offset: ${offset} is not a multiple of 4`);
  if (offset + count * 4 > blob.length) throw new SnncError('model', `${path}: needs bytes ${offset}..${offset + count * 4}, the weights file has ${blob.length}`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const v = blob.readFloatLE(offset + 4 * i);
    if (!Number.isFinite(v)) throw new SnncError('model', `${path}: element ${i} is ${v} (weights must be finite)`);
    data[i] = v;
  }
  return { shape, data };
}

function readMetadata(value: unknown): ModelMetadata {
  const m = object(value, 'metadata');
  const acc = optional(m.accuracy, (v) => {
    const a = object(v, 'metadata.accuracy');
    return {
      test: finite(a.test, 'metadata.accuracy.test'),
      crossEntropy: optional(a.crossEntropy, (c) => finite(c, 'metadata.accuracy.crossEntropy')),
      samples: integer(a.samples, 'metadata.accuracy.samples', 0, 1e9),
    };
  });
  const qat = optional(m.qat, (v) => {
    const q = object(v, 'metadata.qat');
    const a = object(q.accuracy, 'metadata.qat.accuracy');
    return {
      weightBits: integer(q.weightBits, 'metadata.qat.weightBits', 2, 16),
      accuracy: { test: finite(a.test, 'metadata.qat.accuracy.test'), samples: integer(a.samples, 'metadata.qat.accuracy.samples', 0, 1e9) },
    };
  });
  return {
    name: string(m.name, 'metadata.name'),
    dataset: oneOf(m.dataset, 'metadata.dataset', MODEL_DATASETS),
    arch: string(m.arch, 'metadata.arch'),
    seed: integer(m.seed, 'metadata.seed', 0, 2 ** 32 - 1),
    trainCommand: string(m.trainCommand, 'metadata.trainCommand'),
    ...(acc ? { accuracy: acc } : {}),
    ...(m.epochs !== undefined ? { epochs: integer(m.epochs, 'metadata.epochs', 0, 1e6) } : {}),
    ...(qat ? { qat } : {}),
    ...(m.backend !== undefined ? { backend: string(m.backend, 'metadata.backend') } : {}),
    ...(m.createdAt !== undefined ? { createdAt: string(m.createdAt, 'metadata.createdAt') } : {}),
    ...(m.notes !== undefined ? { notes: string(m.notes, 'metadata.notes') } : {}),
  };
}

function readInput(value: unknown): InputSpec {
  const i = object(value, 'input');
  onlyKeys(i, 'input', ['shape', 'scale']);
  const shape = array(i.shape, 'input.shape');
  if (shape.length !== 3) throw new SnncError('model', `input.shape: expected [channels, height, width], got ${shape.length} dimensions`);
  const scale = finite(i.scale, 'input.scale');
  if (!(scale > 0)) throw new SnncError('model', `input.scale: must be positive, got ${scale}`);
  return {
    shape: [integer(shape[0], 'input.shape[0]', 1, 4096), integer(shape[1], 'input.shape[1]', 1, 4096), integer(shape[2], 'input.shape[2]', 1, 4096)],
    scale,
  };
}

function readEncoder(value: unknown, input: InputSpec): Encoder {
  const e = object(value, 'encoder');
  const kind = oneOf(e.kind, 'encoder.kind', ['jitter', 'direct', 'events'] as const);
  if (kind !== 'events') {
    onlyKeys(e, 'encoder', ['kind']);
    return { kind };
  }
  onlyKeys(e, 'encoder', ['kind', 'binning', 'countBits']);
  const b = object(e.binning, 'encoder.binning');
  onlyKeys(b, 'encoder.binning', ['source', 'binUs', 'startUs']);
  const source = oneOf(b.source, 'encoder.binning.source', ['dvs', 'channels', 'frames'] as const);
  const [channels, height, width] = input.shape;
  if (source === 'dvs' && channels > 2) throw new SnncError('model', `encoder.binning.source: a dvs event input has 1 or 2 (polarity) channels, the input has ${channels}`);
  if (source === 'channels' && (height !== 1 || width !== 1)) throw new SnncError('model', `encoder.binning.source: a channels event input is [N, 1, 1], the input is [${input.shape.join(', ')}]`);
  return {
    kind,
    binning: { source, binUs: integer(b.binUs, 'encoder.binning.binUs', 1, 2 ** 31 - 1), startUs: integer(b.startUs, 'encoder.binning.startUs', 0, 2 ** 31 - 1) },
    countBits: integer(e.countBits, 'encoder.countBits', 1, 8),
  };
}

function readReadout(value: unknown): Readout {
  const r = object(value, 'readout');
  onlyKeys(r, 'readout', ['kind', 'source', 'begin']);
  const kind = oneOf(r.kind, 'readout.kind', ['sum', 'mean'] as const);
  // 'membrane' is the default and is never written, so that a model means one thing in one spelling.
  const source = r.source === undefined ? 'membrane' : oneOf(r.source, 'readout.source', ['membrane', 'output'] as const);
  return { kind, ...(source === 'output' ? { source } : {}), begin: integer(r.begin, 'readout.begin', 0, MAX_TIMESTEPS - 1) };
}

type TensorReader = (value: unknown, path: string, shape: readonly number[]) => Tensor;

/** Largest kernel, stride and padding accepted (the IR's limits). */
const MAX_KERNEL = 64;

/** stride and padding of a conv or pool: integers, stride >= 1, 0 <= padding < kernel. */
function readWindow(l: JsonObject, path: string, kernel: number, required: boolean): { stride: number; padding: number } {
  const stride = l.stride === undefined && !required ? 1 : integer(l.stride, `${path}.stride`, 1, MAX_KERNEL);
  const padding = l.padding === undefined && !required ? 0 : integer(l.padding, `${path}.padding`, 0, MAX_KERNEL);
  if (padding >= kernel) throw new SnncError('model', `${path}.padding: ${padding} must be smaller than the kernel (${kernel})`);
  return { stride, padding };
}

function readLayer(value: unknown, path: string, tensor: TensorReader, image: ImageShape | undefined, inWidth: number): Layer {
  const l = object(value, path);
  const kind = oneOf(l.kind, `${path}.kind`, ['conv', 'spiking', 'dense', 'pool'] as const);
  const name = string(l.name, `${path}.name`);
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) throw new SnncError('model', `${path}.name: "${name}" must be an identifier (letters, digits, _)`);
  if ((kind === 'conv' || kind === 'pool') && !image) {
    throw new SnncError('model', `${path}: a ${kind} layer needs an image, but the layer before it outputs a flat vector (only conv, pool and identity spiking layers keep the image shape)`);
  }
  if (kind === 'conv') {
    onlyKeys(l, path, ['kind', 'name', 'filters', 'kernel', 'stride', 'padding', 'weights', 'bias', 'learned']);
    const filters = integer(l.filters, `${path}.filters`, 1, 1024);
    const kernel = integer(l.kernel, `${path}.kernel`, 1, MAX_KERNEL);
    const { stride, padding } = readWindow(l, path, kernel, false);
    const conv: ConvLayer = {
      kind, name, filters, kernel,
      // Defaults are left out, so that models written before stride and padding existed re-write byte for byte.
      ...(stride !== 1 ? { stride } : {}),
      ...(padding !== 0 ? { padding } : {}),
      weights: tensor(l.weights, `${path}.weights`, [filters, image![0], kernel, kernel]),
      bias: tensor(l.bias, `${path}.bias`, [filters]),
      learned: l.learned === undefined ? true : l.learned === true,
    };
    return conv;
  }
  if (kind === 'pool') {
    onlyKeys(l, path, ['kind', 'name', 'mode', 'kernel', 'stride', 'padding']);
    const mode = oneOf(l.mode, `${path}.mode`, ['sum', 'avg'] as const);
    const kernel = integer(l.kernel, `${path}.kernel`, 1, MAX_KERNEL);
    const pool: PoolLayer = { kind, name, mode, kernel, ...readWindow(l, path, kernel, true) };
    return pool;
  }
  const units = integer(l.units, `${path}.units`, 1, 65536);
  if (kind === 'dense') {
    onlyKeys(l, path, ['kind', 'name', 'units', 'weights', 'bias', 'activation', 'alpha']);
    const weights = tensor(l.weights, `${path}.weights`, [units, inWidth]);
    const bias = tensor(l.bias, `${path}.bias`, [units]);
    const activation = oneOf(l.activation, `${path}.activation`, ['relu', 'leaky-relu', 'sigmoid', 'none'] as const);
    const dense: DenseLayer = {
      kind, name, units, weights, bias, activation,
      ...(activation === 'leaky-relu' ? { alpha: finite(l.alpha, `${path}.alpha`) } : {}),
    };
    return dense;
  }
  onlyKeys(l, path, ['kind', 'name', 'units', 'weights', 'recurrent', 'bias', 'synapticDecay', 'synapticBias', 'decay', 'threshold', 'output', 'reset', 'delay']);
  if (l.weights === undefined && units !== inWidth) {
    throw new SnncError('model', `${path}.units: a spiking layer without weights (identity synapse) needs units == its ${inWidth} inputs, got ${units}`);
  }
  const weights = l.weights === undefined ? undefined : tensor(l.weights, `${path}.weights`, [units, inWidth]);
  const recurrent = l.recurrent === undefined ? undefined : tensor(l.recurrent, `${path}.recurrent`, [units, units]);
  const bias = tensor(l.bias, `${path}.bias`, [units]);
  const synapticDecay = l.synapticDecay === undefined ? undefined : unitFactor(l.synapticDecay, `${path}.synapticDecay`);
  if (l.synapticBias !== undefined && synapticDecay === undefined) throw new SnncError('model', `${path}.synapticBias: needs synapticDecay (a bias of the synaptic current)`);
  const synapticBias = l.synapticBias === undefined ? undefined : tensor(l.synapticBias, `${path}.synapticBias`, [units]);
  const decay = unitFactor(l.decay, `${path}.decay`);
  const threshold = finite(l.threshold, `${path}.threshold`);
  if (threshold < 0) throw new SnncError('model', `${path}.threshold: must be >= 0, got ${threshold}`);
  const output = oneOf(l.output, `${path}.output`, ['excess', 'binary', 'membrane'] as const);
  if (output === 'membrane' && threshold !== 0) throw new SnncError('model', `${path}.threshold: must be 0 with output "membrane" (the layer never fires), got ${threshold}`);
  const reset = readReset(l.reset, `${path}.reset`, threshold);
  if (reset.kind === 'none' && output !== 'membrane') throw new SnncError('model', `${path}.reset: reset "none" needs output "membrane" (a firing layer must reset), got output "${output}"`);
  const spiking: SpikingLayer = {
    kind, name, units, ...(weights ? { weights } : {}), ...(recurrent ? { recurrent } : {}), bias,
    ...(synapticDecay !== undefined ? { synapticDecay } : {}), ...(synapticBias ? { synapticBias } : {}), decay, threshold, output, reset,
    delay: oneOf(l.delay, `${path}.delay`, [0, 1] as const),
  };
  return spiking;
}

/** A decay factor: a finite number in [0, 1]. */
function unitFactor(value: unknown, path: string): number {
  const x = finite(value, path);
  if (x < 0 || x > 1) throw new SnncError('model', `${path}: must be in [0, 1], got ${x}`);
  return x;
}

function readReset(value: unknown, path: string, threshold: number): ResetMode {
  const r = object(value, path);
  const kind = oneOf(r.kind, `${path}.kind`, ['refractory', 'subtract', 'zero', 'value', 'none'] as const);
  switch (kind) {
    case 'refractory': {
      onlyKeys(r, path, ['kind', 'penalty']);
      const penalty = finite(r.penalty, `${path}.penalty`);
      if (threshold === 0) throw new SnncError('model', `${path}: refractory reset divides by the threshold, which is 0`);
      return { kind, penalty };
    }
    case 'value':
      onlyKeys(r, path, ['kind', 'value']);
      return { kind, value: finite(r.value, `${path}.value`) };
    case 'subtract':
    case 'zero':
    case 'none':
      onlyKeys(r, path, ['kind']);
      return { kind };
    default: {
      const never: never = kind;
      return never;
    }
  }
}
