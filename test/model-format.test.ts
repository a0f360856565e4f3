/** @fileoverview The model format: exact round trip, and one clear line for every kind of broken file. */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readModel } from '../model/read-model.ts';
import { serializeModel, writeModel } from '../model/write-model.ts';
import { SnncError } from '../base/errors.ts';
import { tinyModel } from './support/tiny-model.ts';
import { avgPoolModel, cubaModel, sinabsModel } from './support/feature-models.ts';

function fresh(): string {
  return mkdtempSync(join(tmpdir(), 'snnc-model-'));
}

test('write then read gives the same model, bit for bit', (t) => {
  for (const model of [tinyModel(1), tinyModel(2, { conv: 3, output: 'binary', reset: { kind: 'subtract' }, delay: 1 })]) {
    const dir = join(fresh(), 'm');
    writeModel(model, dir);
    const back = readModel(dir);
    t.deepEqual(back, model);
    const again = serializeModel(back);
    t.is(again.json, readFileSync(join(dir, 'model.json'), 'utf8'));
    t.true(again.weights.equals(readFileSync(join(dir, 'weights.bin'))));
  }
});

/** Writes a valid model, applies `edit` to its JSON (and optionally its blob), returns the dir. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests edit arbitrary JSON
function broken(edit: (json: Record<string, any>) => void, blob?: (b: Buffer) => Buffer): string {
  const dir = join(fresh(), 'm');
  writeModel(tinyModel(3), dir);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  edit(json);
  if (blob) {
    const b = blob(readFileSync(join(dir, 'weights.bin')));
    writeFileSync(join(dir, 'weights.bin'), b);
    json.weightsFile.bytes = b.length;
    json.weightsFile.sha256 = createHash('sha256').update(b).digest('hex');
  }
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return dir;
}

const cases: [string, () => string, RegExp][] = [
  ['unknown version', () => broken((j) => (j.version = 7)), /version: this snnc reads model format 1, the file is version 7/],
  ['unknown layer kind', () => broken((j) => (j.layers[0].kind = 'lstm')), /layers\[0\]\.kind: expected one of "conv", "spiking", "dense", "pool", got "lstm"/],
  ['shape mismatch', () => broken((j) => (j.layers[1].weights.shape = [10, 17])), /layers\[1\]\.weights\.shape: \[10, 17\] does not match the expected \[10, 16\]/],
  ['missing field', () => broken((j) => delete j.layers[0].threshold), /layers\[0\]\.threshold: expected a finite number, got missing/],
  ['wrong type', () => broken((j) => (j.timesteps = '8')), /timesteps: expected a finite number, got a string/],
  ['negative dimension', () => broken((j) => (j.layers[0].units = -4)), /layers\[0\]\.units: expected an integer in \[1, 65536\], got -4/],
  ['huge dimension', () => broken((j) => (j.input.shape = [1, 1e9, 28])), /input\.shape\[1\]: expected an integer in \[1, 4096\]/],
  ['NaN weight', () => broken(() => {}, (b) => (b.writeFloatLE(NaN, 8), b)), /layers\[0\]\.weights: element 2 is NaN/],
  ['Infinity weight', () => broken(() => {}, (b) => (b.writeFloatLE(-Infinity, 0), b)), /element 0 is -Infinity/],
  ['blob of the wrong length', () => broken(() => {}, (b) => b.subarray(0, b.length - 40)), /needs bytes \d+\.\.\d+, the weights file has \d+/],
  ['unknown field', () => broken((j) => (j.layers[0].treshold = 1)), /layers\[0\]: unknown field "treshold"/],
  ['escaping weights path', () => broken((j) => (j.weightsFile.path = '../../etc/passwd')), /must be a plain file name beside model\.json/],
  ['last layer vs classes', () => broken((j) => (j.classes = 12)), /the last layer has 10 units but the model has 12 classes/],
];

for (const [name, make, message] of cases) {
  test(`a model with ${name} is refused in one line`, (t) => {
    const err = t.throws(() => readModel(make()), { instanceOf: SnncError });
    t.regex(err!.message, message);
    t.false(err!.message.includes('\n'));
  });
}

test('a truncated or corrupted file is refused', (t) => {
  const dir = join(fresh(), 'm');
  writeModel(tinyModel(4), dir);
  const blob = join(dir, 'weights.bin');
  const bytes = readFileSync(blob);
  bytes[100] = bytes[100]! ^ 1;
  writeFileSync(blob, bytes);
  t.throws(() => readModel(dir), { message: /sha256 .* does not match model\.json \(corrupt file\)/ });
  truncateSync(blob, 10);
  t.throws(() => readModel(dir), { message: /10 bytes, model\.json says \d+ \(truncated or wrong file\)/ });
  const json = join(dir, 'model.json');
  writeFileSync(json, readFileSync(json, 'utf8').slice(0, 200));
  t.throws(() => readModel(dir), { message: /model\.json: not valid JSON/ });
  t.true(existsSync(json));
});

test('an empty or non-file weights path is refused (found by fuzz-models)', (t) => {
  t.throws(() => readModel(broken((j) => (j.weightsFile.path = ''))), { message: /weightsFile\.path: "" must be a plain file name/ });
  const dir = broken(() => {});
  const json = join(dir, 'model.json');
  const edited = JSON.parse(readFileSync(json, 'utf8'));
  edited.weightsFile.path = 'sub';
  writeFileSync(json, JSON.stringify(edited));
  mkdirSync(join(dir, 'sub'));
  t.throws(() => readModel(dir), { message: /sub: the weights file is not a regular file/ });
});

test('models with strides, padding, pools, identity synapses, membrane outputs and new resets round-trip byte for byte', (t) => {
  for (const model of [sinabsModel(1), cubaModel(2), cubaModel(3, { kind: 'value', value: -0.25 }), avgPoolModel(4)]) {
    const dir = join(fresh(), 'm');
    writeModel(model, dir);
    const back = readModel(dir);
    t.deepEqual(back, model);
    t.is(serializeModel(back).json, readFileSync(join(dir, 'model.json'), 'utf8'));
  }
  const json = serializeModel(sinabsModel(1)).json;
  t.regex(json, /"kind": "conv",\n\s+"name": "conv",\n\s+"filters": 4,\n\s+"kernel": 3,\n\s+"stride": 2,\n\s+"padding": 1,/);
  t.regex(json, /"kind": "pool",\n\s+"name": "pool",\n\s+"mode": "sum",\n\s+"kernel": 2,\n\s+"stride": 2,\n\s+"padding": 0\n/);
  t.regex(json, /"readout": \{\n\s+"kind": "sum",\n\s+"source": "output",/);
  t.false(/"weights"/.test(json.slice(json.indexOf('"if1"'), json.indexOf('"pool"'))), 'an identity layer has no weights entry');
});

test('every shipped example re-writes its layers, readout and weights to the same bytes (defaults stay omitted)', (t) => {
  // From "layers" on: the examples' metadata key order differs between trainer versions (accuracy before or after epochs).
  const tail = (json: string): string => json.slice(json.indexOf('"layers"'));
  const examples = new URL('../examples/', import.meta.url).pathname;
  for (const name of readdirSync(examples)) {
    const dir = join(examples, name);
    if (!existsSync(join(dir, 'model.json'))) continue;
    const { json, weights } = serializeModel(readModel(dir));
    t.is(tail(json), tail(readFileSync(join(dir, 'model.json'), 'utf8')), name);
    t.true(weights.equals(readFileSync(join(dir, 'weights.bin'))), name);
  }
});

test('explicit defaults are accepted and written canonically (stride 1, padding 0, source membrane)', (t) => {
  const dir = broken((j) => {
    j.layers.unshift({ kind: 'pool', name: 'p', mode: 'avg', kernel: 1, stride: 1, padding: 0 });
    j.readout.source = 'membrane';
  });
  const model = readModel(dir);
  t.is(model.kind === 'snn' ? model.readout.source : 'ann', undefined);
  t.false(serializeModel(model).json.includes('"source"'));
});

/** A valid feature model written to disk, then its JSON edited. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests edit arbitrary JSON
function brokenSinabs(edit: (json: Record<string, any>) => void): string {
  const dir = join(fresh(), 'm');
  writeModel(sinabsModel(5), dir);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  edit(json);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return dir;
}

const featureCases: [string, () => string, RegExp][] = [
  ['a pool kernel larger than its input', () => brokenSinabs((j) => (j.layers[2].kernel = 30)), /layers\[2\]: a 30x30 pool kernel is larger than its 14x14 input/],
  ['padding as large as the kernel', () => brokenSinabs((j) => (j.layers[0].padding = 3)), /layers\[0\]\.padding: 3 must be smaller than the kernel \(3\)/],
  ['stride 0', () => brokenSinabs((j) => (j.layers[0].stride = 0)), /layers\[0\]\.stride: expected an integer in \[1, 64\], got 0/],
  ['a pool without a stride', () => brokenSinabs((j) => delete j.layers[2].stride), /layers\[2\]\.stride: expected a finite number, got missing/],
  ['an unknown pool mode', () => brokenSinabs((j) => (j.layers[2].mode = 'max')), /layers\[2\]\.mode: expected one of "sum", "avg", got "max"/],
  ['an identity layer whose units differ from its input', () => brokenSinabs((j) => (j.layers[1].units = 100)), /layers\[1\]\.units: a spiking layer without weights \(identity synapse\) needs units == its 784 inputs, got 100/],
  ['reset none on a firing layer', () => brokenSinabs((j) => (j.layers[1].reset = { kind: 'none' })), /layers\[1\]\.reset: reset "none" needs output "membrane"/],
  ['a membrane output with a threshold', () => brokenSinabs((j) => (j.layers[1].output = 'membrane')), /layers\[1\]\.threshold: must be 0 with output "membrane" \(the layer never fires\), got 1/],
  ['a value reset without a value', () => brokenSinabs((j) => (j.layers[1].reset = { kind: 'value' })), /layers\[1\]\.reset\.value: expected a finite number, got missing/],
  ['an unknown readout source', () => brokenSinabs((j) => (j.readout.source = 'spikes')), /readout\.source: expected one of "membrane", "output", got "spikes"/],
  ['a conv after a dense spiking layer', () => brokenSinabs((j) => j.layers.push({ ...j.layers[0], name: 'late' })), /layers\[4\]: a conv layer needs an image, but the layer before it outputs a flat vector/],
  ['a pool as the last layer', () => brokenSinabs((j) => j.layers.push({ kind: 'pool', name: 'last', mode: 'sum', kernel: 1, stride: 1, padding: 0 })), /layers\[4\]: a pool layer needs an image|the last layer must be a spiking or dense layer/],
];

for (const [name, make, message] of featureCases) {
  test(`a model with ${name} is refused in one line`, (t) => {
    const err = t.throws(() => readModel(make()), { instanceOf: SnncError });
    t.regex(err!.message, message);
    t.false(err!.message.includes('\n'));
  });
}
