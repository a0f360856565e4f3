/** @fileoverview Reads and validates a model directory (`model.json` + `weights.bin`); every defect is one SnncError line. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SnncError } from '../errors.ts';
import { array, finite, integer, object, oneOf, onlyKeys, optional, string, type JsonObject } from './json-check.ts';
import { checkModelShapes } from './shapes.ts';
import {
  MODEL_FORMAT_VERSION, MODEL_JSON, WEIGHTS_BIN,
  type ConvLayer, type DenseLayer, type Encoder, type InputSpec, type Layer, type Model, type ModelMetadata,
  type Readout, type ResetMode, type SpikingLayer, type Tensor,
} from './format.ts';

/** Largest tensor we accept, so a hostile shape cannot make us allocate gigabytes. */
const MAX_TENSOR_ELEMENTS = 1 << 26;
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch (e) {
    throw new SnncError('model', `${jsonPath}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const root = object(parsed, basename(jsonPath));
  const weights = readWeightsBlob(root, dirname(jsonPath));
  return parseModel(root, weights);
}

function readWeightsBlob(root: JsonObject, dir: string): Buffer {
  const ref = object(root.weightsFile, 'weightsFile');
  onlyKeys(ref, 'weightsFile', ['path', 'bytes', 'sha256']);
  const name = string(ref.path, 'weightsFile.path');
  if (name === '' || name !== basename(name) || name === '..' || name === '.' || name.includes('\0')) {
    throw new SnncError('model', `weightsFile.path: "${name}" must be a plain file name beside model.json`);
  }
  const bytes = integer(ref.bytes, 'weightsFile.bytes', 0, MAX_TENSOR_ELEMENTS * 16);
  const sha256 = string(ref.sha256, 'weightsFile.sha256');
  const file = join(dir, name);
  if (!existsSync(file)) throw new SnncError('model', `${file}: weights file is missing`);
  if (!statSync(file).isFile()) throw new SnncError('model', `${file}: the weights file is not a regular file`);
  const blob = readFileSync(file);
  if (blob.length !== bytes) throw new SnncError('model', `${file}: ${blob.length} bytes, model.json says ${bytes} (truncated or wrong file)`);
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
  const kind = oneOf(root.kind, 'kind', ['snn', 'ann'] as const);
  const tensor = (value: unknown, path: string, shape: readonly number[]): Tensor => readTensor(value, path, blob, shape);
  const metadata = readMetadata(root.metadata);
  const input = readInput(root.input);
  const classes = integer(root.classes, 'classes', 2, MAX_DIM);
  const layerList = array(root.layers, 'layers');
  if (layerList.length === 0) throw new SnncError('model', 'layers: a model needs at least one layer');
  const layers: Layer[] = [];
  let [inChannels, height, width] = input.shape;
  let inWidth = inChannels * height * width;
  layerList.forEach((value, i) => {
    const layer = readLayer(value, `layers[${i}]`, tensor, inChannels, inWidth);
    layers.push(layer);
    if (layer.kind === 'conv') {
      [inChannels, height, width] = [layer.filters, height - layer.kernel + 1, width - layer.kernel + 1];
      if (height < 1 || width < 1) throw new SnncError('model', `layers[${i}]: a ${layer.kernel}x${layer.kernel} kernel does not fit the ${height + layer.kernel - 1}-pixel input`);
      inWidth = inChannels * height * width;
    } else {
      inChannels = layer.units;
      inWidth = layer.units;
    }
  });
  if (kind === 'snn') {
    onlyKeys(root, 'model', ['format', 'version', 'kind', 'metadata', 'input', 'encoder', 'timesteps', 'classes', 'layers', 'readout', 'weightsFile']);
    const model: Model = {
      format: 'snnc-model', version: 1, kind, metadata, input, classes,
      encoder: readEncoder(root.encoder),
      timesteps: integer(root.timesteps, 'timesteps', 1, MAX_TIMESTEPS),
      layers: layers.map((l, i) => {
        if (l.kind === 'dense') throw new SnncError('model', `layers[${i}]: an snn model has conv and spiking layers, not dense`);
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
      if (l.kind === 'spiking') throw new SnncError('model', `layers[${i}]: an ann model has conv and dense layers, not spiking`);
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
  return {
    name: string(m.name, 'metadata.name'),
    dataset: oneOf(m.dataset, 'metadata.dataset', ['mnist', 'fashion-mnist', 'cifar10'] as const),
    arch: string(m.arch, 'metadata.arch'),
    seed: integer(m.seed, 'metadata.seed', 0, 2 ** 32 - 1),
    trainCommand: string(m.trainCommand, 'metadata.trainCommand'),
    ...(acc ? { accuracy: acc } : {}),
    ...(m.epochs !== undefined ? { epochs: integer(m.epochs, 'metadata.epochs', 0, 1e6) } : {}),
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
    shape: [integer(shape[0], 'input.shape[0]', 1, 64), integer(shape[1], 'input.shape[1]', 1, 4096), integer(shape[2], 'input.shape[2]', 1, 4096)],
    scale,
  };
}

function readEncoder(value: unknown): Encoder {
  const e = object(value, 'encoder');
  onlyKeys(e, 'encoder', ['kind']);
  return { kind: oneOf(e.kind, 'encoder.kind', ['jitter', 'direct'] as const) };
}

function readReadout(value: unknown): Readout {
  const r = object(value, 'readout');
  onlyKeys(r, 'readout', ['kind', 'begin']);
  return { kind: oneOf(r.kind, 'readout.kind', ['sum', 'mean'] as const), begin: integer(r.begin, 'readout.begin', 0, MAX_TIMESTEPS - 1) };
}

type TensorReader = (value: unknown, path: string, shape: readonly number[]) => Tensor;

function readLayer(value: unknown, path: string, tensor: TensorReader, inChannels: number, inWidth: number): Layer {
  const l = object(value, path);
  const kind = oneOf(l.kind, `${path}.kind`, ['conv', 'spiking', 'dense'] as const);
  const name = string(l.name, `${path}.name`);
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) throw new SnncError('model', `${path}.name: "${name}" must be an identifier (letters, digits, _)`);
  if (kind === 'conv') {
    onlyKeys(l, path, ['kind', 'name', 'filters', 'kernel', 'weights', 'bias', 'learned']);
    const filters = integer(l.filters, `${path}.filters`, 1, 1024);
    const kernel = integer(l.kernel, `${path}.kernel`, 1, 64);
    const conv: ConvLayer = {
      kind, name, filters, kernel,
      weights: tensor(l.weights, `${path}.weights`, [filters, inChannels, kernel, kernel]),
      bias: tensor(l.bias, `${path}.bias`, [filters]),
      learned: l.learned === undefined ? true : l.learned === true,
    };
    return conv;
  }
  const units = integer(l.units, `${path}.units`, 1, 65536);
  const weights = tensor(l.weights, `${path}.weights`, [units, inWidth]);
  const bias = tensor(l.bias, `${path}.bias`, [units]);
  if (kind === 'dense') {
    onlyKeys(l, path, ['kind', 'name', 'units', 'weights', 'bias', 'activation', 'alpha']);
    const activation = oneOf(l.activation, `${path}.activation`, ['relu', 'leaky-relu', 'sigmoid', 'none'] as const);
    const dense: DenseLayer = {
      kind, name, units, weights, bias, activation,
      ...(activation === 'leaky-relu' ? { alpha: finite(l.alpha, `${path}.alpha`) } : {}),
    };
    return dense;
  }
  onlyKeys(l, path, ['kind', 'name', 'units', 'weights', 'bias', 'decay', 'threshold', 'output', 'reset', 'delay']);
  const decay = finite(l.decay, `${path}.decay`);
  if (decay < 0 || decay > 1) throw new SnncError('model', `${path}.decay: must be in [0, 1], got ${decay}`);
  const threshold = finite(l.threshold, `${path}.threshold`);
  if (threshold < 0) throw new SnncError('model', `${path}.threshold: must be >= 0, got ${threshold}`);
  const spiking: SpikingLayer = {
    kind, name, units, weights, bias, decay, threshold,
    output: oneOf(l.output, `${path}.output`, ['excess', 'binary'] as const),
    reset: readReset(l.reset, `${path}.reset`, threshold),
    delay: oneOf(l.delay, `${path}.delay`, [0, 1] as const),
  };
  return spiking;
}

function readReset(value: unknown, path: string, threshold: number): ResetMode {
  const r = object(value, path);
  const kind = oneOf(r.kind, `${path}.kind`, ['refractory', 'subtract', 'zero'] as const);
  if (kind !== 'refractory') {
    onlyKeys(r, path, ['kind']);
    return { kind };
  }
  onlyKeys(r, path, ['kind', 'penalty']);
  const penalty = finite(r.penalty, `${path}.penalty`);
  if (threshold === 0) throw new SnncError('model', `${path}: refractory reset divides by the threshold, which is 0`);
  return { kind, penalty };
}
