/**
 * @fileoverview The model.json schema: docs/model.schema.json and docs/model-format.md's field tables are printed
 * from model/schema.ts, every shipped example passes it, the reader refuses what it refuses in one line,
 * and the documented refusal of a refractory factor above 16 holds.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import { renderSchemaTables, spliceTables } from '../ir/schema-doc.ts';
import { lowerModel } from '../compiler/lower.ts';
import { checkModelSchema, MODEL_SCHEMA } from '../model/schema.ts';
import { assertGolden } from './support/golden.ts';
import { walkSchema } from './support/schema-walk.ts';
import { tinyModel } from './support/tiny-model.ts';

const DOCS = new URL('../docs/', import.meta.url).pathname;
const EXAMPLES = new URL('../examples/', import.meta.url).pathname;
const MODEL_MD = join(DOCS, 'model-format.md');

function exampleJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(EXAMPLES, name, 'model.json'), 'utf8')) as Record<string, unknown>;
}

test('docs/model.schema.json is model/schema.ts printed', (t) => {
  assertGolden(t, join(DOCS, 'model.schema.json'), JSON.stringify(MODEL_SCHEMA, null, 2) + '\n');
});

test("docs/model-format.md's field tables are rendered from the schema", (t) => {
  const doc = readFileSync(MODEL_MD, 'utf8');
  assertGolden(t, MODEL_MD, spliceTables(doc, 'model/schema.ts', renderSchemaTables(MODEL_SCHEMA)));
  for (const [name, def] of Object.entries(MODEL_SCHEMA.$defs!)) {
    t.true(doc.includes(`#### \`${name}\``), name);
    for (const field of Object.keys(def.properties ?? {})) t.true(doc.includes(`| \`${field}\` |`), `${name}.${field}`);
  }
});

test('every schema integer has both bounds and every field a description', (t) => {
  for (const [at, s] of walkSchema(MODEL_SCHEMA)) {
    if (s.type === 'integer') t.true(s.minimum !== undefined && s.maximum !== undefined, at);
    if (s.type === 'object') t.regex(at, /^#\/\$defs\/\w+$/);
  }
  for (const [name, def] of Object.entries(MODEL_SCHEMA.$defs!)) {
    for (const [field, s] of Object.entries(def.properties ?? {})) t.truthy(s.description, `${name}.${field}`);
  }
});

test('every examples/*/model.json passes the schema', (t) => {
  const names = readdirSync(EXAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  t.true(names.length >= 18, `only ${names.length} examples`);
  const kinds = new Set<unknown>();
  for (const name of names) {
    const json = exampleJson(name);
    t.notThrows(() => checkModelSchema(json), name);
    kinds.add(json.kind);
  }
  t.deepEqual([...kinds].sort(), ['ann', 'snn']);
});

test('what the schema refuses is one line naming the JSON path', (t) => {
  const snn = exampleJson('mnist-snn');
  const ann = exampleJson('mnist-ann-relu');
  const cases: [unknown, string][] = [
    [{ ...snn, kind: 'rnn' }, 'kind: expected one of "snn", "ann", got "rnn"'],
    [{ ...ann, timesteps: 8 }, 'model: unknown field "timesteps"'],
    [{ ...snn, encoder: { kind: 'jitter', seed: 1 } }, 'encoder: unknown field "seed"'],
    [{ ...snn, input: { shape: [4097, 28, 28], scale: 1 } }, 'input.shape[0]: expected an integer in [1, 4096], got 4097'],
    [{ ...snn, encoder: { kind: 'events', binning: { source: 'dvs', binUs: 1000, startUs: 0 }, countBits: 9 } }, 'encoder.countBits: expected an integer in [1, 8], got 9'],
    [{ ...snn, encoder: { kind: 'events', binning: { source: 'spikes', binUs: 1000, startUs: 0 }, countBits: 1 } }, 'encoder.binning.source: expected one of "dvs", "channels", "frames", got "spikes"'],
    [{ ...snn, encoder: { kind: 'events', countBits: 1 } }, 'encoder.binning: expected an object, got missing'],
    [{ ...snn, readout: { kind: 'sum' } }, 'readout.begin: expected a finite number, got missing'],
    [{ ...snn, layers: [{ kind: 'conv', name: 'c', filters: 2, kernel: 3, weights: { shape: [2, 1, 3, 3], offset: 0 }, bias: { shape: [2], offset: 72 }, learned: 'yes' }] }, 'layers[0].learned: expected a boolean, got a string'],
    [{ ...snn, layers: [{ kind: 'pool', name: 'p', mode: 'sum', kernel: 2, stride: 2, padding: 0, dilation: 1 }] }, 'layers[0]: unknown field "dilation"'],
  ];
  for (const [json, message] of cases) {
    const err = t.throws(() => checkModelSchema(json), { instanceOf: SnncError });
    t.is(err!.message, message);
    t.is((err as SnncError).code, 'model');
  }
});

test('a refractory factor above 16 is refused in one line, as docs/model-format.md says', (t) => {
  const model = tinyModel(1, { reset: { kind: 'refractory', penalty: 20 } });
  const calibration = { dataset: 'none', images: [new Uint8Array(784)], seeds: [0] };
  const err = t.throws(() => lowerModel({ model, sourceSha256: 'x', calibration }), { instanceOf: SnncError });
  t.is(err!.message, 'layers[0] (hidden): refractory factor penalty/threshold = 20 is above 16');
  t.is((err as SnncError).code, 'unsupported');
  t.true(readFileSync(MODEL_MD, 'utf8').includes('`layers[0] (hidden): refractory factor penalty/threshold = 20 is above 16`'));
  t.notThrows(() => lowerModel({ model: tinyModel(1, { reset: { kind: 'refractory', penalty: 16 } }), sourceSha256: 'x', calibration }));
});
