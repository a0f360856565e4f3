/**
 * @fileoverview The ir.json schema: docs/ir.schema.json and docs/ir.md's field tables are printed from
 * ir/schema.ts, the validator checks it (one line naming the JSON path, defaults for old files), and the
 * example ir.json written in docs/ir.md loads with the normal reader and runs on the golden runtime.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import { randomPixels, randomProgram } from '../ir/random-program.ts';
import { lowerModel } from '../compiler/lower.ts';
import { IR_SCHEMA } from '../ir/schema.ts';
import { renderSchemaTables, spliceTables } from '../ir/schema-doc.ts';
import { parseProgram, validateProgram } from '../ir/validate.ts';
import type { Program } from '../ir/program.ts';
import { runGolden } from '../runtime/golden.ts';
import { cli } from './support/cli.ts';
import { featureProgram } from './support/feature-program.ts';
import { assertGolden } from './support/golden.ts';
import { walkSchema } from './support/schema-walk.ts';
import { tinyModel } from './support/tiny-model.ts';

const DOCS = new URL('../docs/', import.meta.url).pathname;
const IR_MD = join(DOCS, 'ir.md');

/** The one fenced json block of docs/ir.md, and the result the doc states for it. */
function docExample(): { json: string; pixels: number[]; seed: number; scores: number[]; label: number } {
  const doc = readFileSync(IR_MD, 'utf8');
  const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)];
  if (blocks.length !== 1) throw new Error(`docs/ir.md should hold exactly one json block, it holds ${blocks.length}`);
  const stated = /With pixels `(\[[\d, ]+\])` and seed `(\d+)`, the golden runtime gives the scores `(\[[\d, -]+\])` and the label `(\d+)`/.exec(doc);
  if (!stated) throw new Error('docs/ir.md does not state the result of its example');
  return { json: blocks[0]![1]!, pixels: JSON.parse(stated[1]!), seed: Number(stated[2]), scores: JSON.parse(stated[3]!), label: Number(stated[4]) };
}

test('docs/ir.schema.json is ir/schema.ts printed', (t) => {
  assertGolden(t, join(DOCS, 'ir.schema.json'), JSON.stringify(IR_SCHEMA, null, 2) + '\n');
});

test("docs/ir.md's field tables are rendered from the schema", (t) => {
  const doc = readFileSync(IR_MD, 'utf8');
  assertGolden(t, IR_MD, spliceTables(doc, 'ir/schema.ts', renderSchemaTables(IR_SCHEMA)));
  // Each table is headed by its $defs name and lists each field of it in a row.
  for (const [name, def] of Object.entries(IR_SCHEMA.$defs!)) {
    t.true(doc.includes(`#### \`${name}\``), name);
    for (const field of Object.keys(def.properties ?? {})) t.true(doc.includes(`| \`${field}\` |`), `${name}.${field}`);
  }
});

test('every schema integer has both bounds, every field a description, and every object a table', (t) => {
  for (const [at, s] of walkSchema(IR_SCHEMA)) {
    if (s.type === 'integer') t.true(s.minimum !== undefined && s.maximum !== undefined, at);
    if (s.type === 'object') t.regex(at, /^#\/\$defs\/\w+$/);
  }
  for (const [name, def] of Object.entries(IR_SCHEMA.$defs!)) {
    for (const [field, s] of Object.entries(def.properties ?? {})) t.truthy(s.description, `${name}.${field}`);
  }
});

test("docs/ir.md's example is complete, loads with the normal reader, and runs on the golden runtime as stated", async (t) => {
  const example = docExample();
  const dir = mkdtempSync(join(tmpdir(), 'snnc-ir-doc-'));
  const file = join(dir, 'ir.json');
  writeFileSync(file, example.json);
  const program = parseProgram(readFileSync(file, 'utf8'), file);
  t.is(validateProgram(program), program);
  // Complete: no field came from a default, so the program is the file's own text, field for field.
  t.deepEqual(program, JSON.parse(example.json) as Program);
  t.true(example.json.length < 3000 && program.layers.length <= 3, 'the example stays small');
  const result = runGolden(program, Uint8Array.from(example.pixels), example.seed);
  t.deepEqual(result, { scores: example.scores, label: example.label });
  const printed = await cli('ir', file);
  t.is(printed.code, 0);
  t.deepEqual(printed.err, []);
  t.regex(printed.out.join('\n'), /doc-example/);
  // Leave out a field the old doc never mentioned: refused in one line, exit 2, naming it.
  const partial = JSON.parse(example.json) as { encoder: Record<string, unknown> };
  delete partial.encoder.prng;
  writeFileSync(file, JSON.stringify(partial));
  const refused = await cli('ir', file);
  t.is(refused.code, 2);
  t.deepEqual(refused.err, [`snnc: ${file}: encoder.prng: expected one of "xorshift32", got nothing`]);
});

test('missing and mistyped fields are refused in one line naming the JSON path', (t) => {
  const base = JSON.parse(JSON.stringify(featureProgram())) as Record<string, unknown> & { layers: Record<string, unknown>[] };
  const broken = (change: (p: typeof base) => void): string => {
    const copy = JSON.parse(JSON.stringify(base)) as typeof base;
    change(copy);
    return JSON.stringify(copy);
  };
  const cases: [string, string][] = [
    [broken((p) => delete p.format), 'x.json: format: expected one of "snnc-ir", got nothing'],
    [broken((p) => (p.version = 2)), 'x.json: version: expected one of 1, got 2'],
    [broken((p) => delete (p.encoder as Record<string, unknown>).outType), 'x.json: encoder.outType: expected an object, got missing'],
    [broken((p) => ((p.input as Record<string, unknown>).realPerLsb = '1/255')), 'x.json: input.realPerLsb: expected a finite number, got a string'],
    [broken((p) => delete p.quantization), 'x.json: quantization: expected an object, got missing'],
    [broken((p) => ((p.layers[3]!.inType as Record<string, unknown>).frac = 2.5)), 'x.json: layers[3].inType.frac: expected an integer in [-64, 64], got 2.5'],
    [broken((p) => ((p.layers[3]!.inType as Record<string, unknown>).signed = 1)), 'x.json: layers[3].inType.signed: expected a boolean, got a number'],
    [broken((p) => (p.layers[0]!.inShape = [1, 3])), 'x.json: layers[0].inShape: expected 3 items, got 2'],
    [broken((p) => (p.layers[4]!.synapse = 'sparse')), 'x.json: layers[4].synapse: expected one of "dense", "identity", got "sparse"'],
    [broken((p) => (p.layers[4]!.synapes = 'identity')), 'x.json: layers[4]: unknown field "synapes"'],
    [broken((p) => (p.layers[4]!.reset = { kind: 'value' })), 'x.json: layers[4].reset.value: expected a finite number, got missing'],
    [broken((p) => (p.layers[5]!.output = { kind: 'spikes', type: p.layers[5]!.inType })), 'x.json: layers[5].output.kind: expected one of "excess", "binary", "membrane", got "spikes"'],
    [broken((p) => (p.extra = true)), 'x.json: program: unknown field "extra"'],
    ['[]', 'x.json: program: expected an object, got an array'],
  ];
  for (const [text, message] of cases) {
    const err = t.throws(() => parseProgram(text, 'x.json'), { instanceOf: SnncError });
    t.is(err!.message, message);
    t.is((err as SnncError).code, 'ir');
  }
});

test('a typed program gets the same schema check: validateProgram names the path', (t) => {
  const p = featureProgram();
  const withExtra = { ...p, layers: p.layers.map((l, i) => (i === 0 ? { ...l, dilation: 2 } : l)) } as unknown as Program;
  t.throws(() => validateProgram(withExtra), { message: 'invalid IR: layers[0]: unknown field "dilation"' });
  t.throws(() => validateProgram({ ...p, timesteps: 0 }), { message: 'invalid IR: timesteps: expected an integer in [1, 4096], got 0' });
});

test('left-out synapse, conv stride and padding, and readout source read as the schema defaults', (t) => {
  const p = featureProgram();
  const old = JSON.parse(JSON.stringify(p)) as { layers: Record<string, unknown>[]; readout: Record<string, unknown> };
  const conv = old.layers[0]!;
  t.is(conv.kind, 'conv');
  // A stride 1, padding 0 conv of the same input, as files before those fields wrote it.
  Object.assign(conv, { outShape: [1, 2, 2], kernel: 2 });
  delete conv.stride;
  delete conv.padding;
  delete old.layers[4]!.synapse;
  delete old.readout.source;
  // A membrane readout sums wider values than the output one this program reads.
  old.readout.scoreType = { signed: true, bits: 20, frac: 0 };
  const back = parseProgram(JSON.stringify(old), 'old.json');
  t.like(back.layers[0], { stride: 1, padding: 0 });
  t.like(back.layers[4], { synapse: 'dense' });
  t.is(back.readout.source, 'membrane');
  // The file's own field order is kept; the defaults come after.
  t.deepEqual(Object.keys(back.readout), ['kind', 'begin', 'scoreType', 'realPerLsb', 'source']);
});

test('negative fraction bits load (the compiler writes u1.-3 and s8.-22)', (t) => {
  for (let seed = 0; seed < 20; seed++) {
    const p = randomProgram(seed);
    const coarse = { ...p, readout: { ...p.readout, scoreType: { ...p.readout.scoreType, frac: -22 } } };
    t.is(parseProgram(JSON.stringify(coarse), 'ir.json').readout.scoreType.frac, -22);
  }
  t.throws(() => parseProgram(JSON.stringify({ ...featureProgram(), readout: { ...featureProgram().readout, scoreType: { signed: true, bits: 8, frac: -65 } } }), 'x.json'), {
    message: 'x.json: readout.scoreType.frac: expected an integer in [-64, 64], got -65',
  });
});

test('the schema lists fields in the order the compiler writes them, so the doc tables read like an ir.json', (t) => {
  const calibration = { dataset: 'none', images: [randomPixels(1, 784), randomPixels(2, 784)], seeds: [0, 1] };
  const program = lowerModel({ model: tinyModel(1, { conv: 3 }), sourceSha256: 'x', calibration });
  const defs = IR_SCHEMA.$defs!;
  const order = (def: string): string[] => Object.keys(defs[def]!.properties!);
  t.deepEqual(Object.keys(program), order('program'));
  t.deepEqual(Object.keys(program.input), order('input'));
  t.deepEqual(Object.keys(program.encoder), order('jitterEncoder'));
  t.deepEqual(Object.keys(program.readout), order('readout'));
  t.deepEqual(Object.keys(program.quantization), order('quantization'));
  t.deepEqual(program.layers.map((l) => l.kind), ['conv', 'spiking', 'spiking']);
  // Optional fields without a default (a spiking layer's recurrent and synaptic) are written only when present.
  const absentOptional = (def: string, value: object): string[] =>
    order(def).filter((k) => !(k in value) && !defs[def]!.required!.includes(k) && defs[def]!.properties![k]!.default === undefined);
  for (const layer of program.layers) t.deepEqual(Object.keys(layer), order(layer.kind).filter((k) => !absentOptional(layer.kind, layer).includes(k)), layer.name);
  t.deepEqual(absentOptional('spiking', program.layers[1]!), ['recurrent', 'synaptic']);
});
