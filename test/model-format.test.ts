/** @fileoverview The model format: exact round trip, and one clear line for every kind of broken file. */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readModel } from '../compiler/model/read-model.ts';
import { serializeModel, writeModel } from '../compiler/model/write-model.ts';
import { SnncError } from '../compiler/errors.ts';
import { tinyModel } from './support/tiny-model.ts';

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
  ['unknown layer kind', () => broken((j) => (j.layers[0].kind = 'lstm')), /layers\[0\]\.kind: expected one of "conv", "spiking", "dense", got "lstm"/],
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
