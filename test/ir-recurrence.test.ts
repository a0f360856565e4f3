/**
 * @fileoverview The recurrent synapse and the synaptic current in the IR floor: the validator's one-line errors (each
 * naming the JSON path), the printer, the JSON round trip, fingerprints of programs without the fields, the bound
 * analysis, and every target's one-line refusal.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import { programBounds, type SpikingBounds } from '../ir/bounds.ts';
import { programSha256 } from '../ir/fingerprint.ts';
import { intType } from '../ir/int-type.ts';
import { printProgram } from '../ir/print.ts';
import type { Program } from '../ir/program.ts';
import { randomProgram } from '../ir/random-program.ts';
import type { SpikingOp } from '../ir/spiking.ts';
import { parseProgram, validateProgram } from '../ir/validate.ts';
import { rangeAnalysis } from '../compiler/passes/range-analysis.ts';
import type { LoweringState } from '../compiler/passes/state.ts';
import { targets } from '../targets/registry.ts';
import { shrink } from '../verify/shrink.ts';
import { RECURRENCE_TARGETS } from './support/conformance-set.ts';
import { assertGolden } from './support/golden.ts';
import { BOTH, RECURRENT, recurrenceProgram } from './support/recurrence-program.ts';

const GOLDEN = new URL('./golden/', import.meta.url).pathname;

const layer = (p: Program): SpikingOp => p.layers[0] as SpikingOp;
const withLayer = (change: (op: SpikingOp) => Partial<SpikingOp>): Program => ({ ...BOTH, layers: [{ ...layer(BOTH), ...change(layer(BOTH)) }] });

test('the validator refuses each broken recurrent or synaptic field in one line naming its path', (t) => {
  const rec = layer(BOTH).recurrent!;
  const syn = layer(BOTH).synaptic!;
  const cases: [Program, string][] = [
    [withLayer(() => ({ recurrent: { ...rec, weights: [1, 2, 3] } })), 'layers[0] (h1).recurrent.weights: has 3 values, expected 4'],
    [withLayer(() => ({ recurrent: { ...rec, weights: [1, 2, 3, 300], accType: intType(true, 16, 1) } })), 'layers[0] (h1).recurrent.weights: [3] = 300 is not an integer of s8'],
    [withLayer(() => ({ recurrent: { ...rec, weightType: intType(true, 1, 0), weights: [0, 0, 0, 0] } })), 'layers[0] (h1).recurrent.weightType: 1 bits is outside [2, 16]'],
    [withLayer(() => ({ recurrent: { ...rec, accShift: [1, 0] } })), 'layers[0] (h1).recurrent.accShift[1]: weightFrac 0 + output frac 0 + accShift 0 must equal the membrane frac 1'],
    [withLayer(() => ({ recurrent: { ...rec, weightFrac: [0] } })), 'layers[0] (h1).recurrent.weightFrac: has 1 values, expected 2'],
    // Row 1: (|9| + |1|) * 15 = 150 needs 9 signed bits.
    [withLayer(() => ({ recurrent: { ...rec, accType: intType(true, 8, 1) } })), 'layers[0] (h1).recurrent.accType: does not hold the largest possible recurrent sum'],
    [withLayer(() => ({ recurrent: { ...rec, accType: intType(true, 48, 1) } })), 'layers[0] (h1).recurrent.accShift: shifted recurrent sum exceeds 48 bits'],
    [withLayer(() => ({ synaptic: { ...syn, type: intType(false, 16, 1) } })), 'layers[0] (h1).synaptic.type: must be signed'],
    [withLayer(() => ({ synaptic: { ...syn, type: intType(true, 33, 1) } })), 'layers[0] (h1).synaptic.type: 33 bits is outside [2, 32]'],
    [withLayer(() => ({ synaptic: { ...syn, type: intType(true, 16, 0) } })), "layers[0] (h1).synaptic.type: frac 0 must be the membrane's 1"],
    [withLayer(() => ({ synaptic: { ...syn, decay: { mul: 2 ** 21, shift: 1 } } })), 'layers[0].synaptic.decay.mul: expected an integer in [0, 1048576], got 2097152'],
    [withLayer(() => ({ synaptic: { ...syn, decay: { mul: 1, shift: 21 } } })), 'layers[0].synaptic.decay.shift: expected an integer in [0, 20], got 21'],
    [withLayer(() => ({ recurrent: { ...rec, accShift: [1, 32] } })), 'layers[0].recurrent.accShift[1]: expected an integer in [0, 31], got 32'],
  ];
  for (const [bad, message] of cases) {
    const err = t.throws(() => validateProgram(bad), { instanceOf: SnncError });
    t.is(err!.message, `invalid IR: ${message}`);
    t.is((err as SnncError).code, 'ir');
  }
});

test('untrusted JSON: a field the recurrent synapse does not have, or a missing one, is refused naming the path', (t) => {
  const json = JSON.parse(JSON.stringify(BOTH)) as { layers: { recurrent: Record<string, unknown>; synaptic: Record<string, unknown> }[] };
  json.layers[0]!.recurrent.weigths = [];
  t.throws(() => parseProgram(JSON.stringify(json), 'ir.json'), { message: /^ir\.json: layers\[0\]\.recurrent: unknown field "weigths"/ });
  delete json.layers[0]!.recurrent.weigths;
  delete json.layers[0]!.synaptic.type;
  t.throws(() => parseProgram(JSON.stringify(json), 'ir.json'), { message: 'ir.json: layers[0].synaptic.type: expected an object, got missing' });
});

test('the printer prints both fields, and a layer without them as before', (t) => {
  const text = printProgram(BOTH);
  assertGolden(t, `${GOLDEN}recurrence-both.ir.txt`, text);
  t.true(text.includes('  recurrent   s8.0 [2, 2] 4 values in [-3, 9], 0 zero, sha256:'));
  t.true(text.includes('  recAcc      s9.1, accShift 2 x 1\n'));
  t.true(text.includes('  current     s16.1, decay * 1 >> 1 (0.5)\n'));
  const plain = printProgram(recurrenceProgram());
  t.false(/recurrent|recAcc|current/.test(plain));
  t.is(plain.split('\n').length, text.split('\n').length - 4);
});

test('ir.json written and read back gives the identical program', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'snnc-recurrence-'));
  const programs = [BOTH, recurrenceProgram({ recurrent: RECURRENT }), ...Array.from({ length: 30 }, (_, s) => randomProgram(900 + s, { extended: s % 2 === 0, recurrence: 'both' }))];
  for (const program of programs) {
    writeFileSync(join(dir, 'ir.json'), JSON.stringify(program, null, 2));
    const back = parseProgram(readFileSync(join(dir, 'ir.json'), 'utf8'), 'ir.json');
    t.deepEqual(back, program);
    t.is(JSON.stringify(back), JSON.stringify(program));
    t.is(programSha256(back), programSha256(program));
  }
});

test('fingerprints: a program without the fields keeps its pinned sha256; adding either changes it', (t) => {
  const plain = randomProgram(3, { conv: true, encoder: 'direct', timesteps: 2, delay: 0, output: 'binary', reset: 'subtract' });
  // The value main computed before these fields existed.
  t.is(programSha256(plain), '4cc7f053c9118c80a13c134476c4d59280412e7452a96b0b4b8183aeb0ad8455');
  t.is(programSha256({ ...plain, layers: plain.layers.map((op) => (op.kind === 'spiking' ? { ...op, recurrent: undefined, synaptic: undefined } : op)) }), programSha256(plain));
  const fields = new Set([programSha256(recurrenceProgram()), programSha256(recurrenceProgram({ recurrent: RECURRENT })), programSha256(BOTH)]);
  t.is(fields.size, 3);
});

test('the generator option is off by default: seeded programs have neither field, and recurrence only adds them', (t) => {
  for (let seed = 0; seed < 40; seed++) {
    const extended = seed % 2 === 1;
    const plain = randomProgram(seed, { extended });
    t.false(plain.layers.some((op) => op.kind === 'spiking' && (op.recurrent || op.synaptic)));
    const added = randomProgram(seed, { extended, recurrence: 'both' });
    const strip = (p: Program): Program => ({ ...p, layers: p.layers.map((op) => (op.kind === 'spiking' ? { ...op, recurrent: undefined, synaptic: undefined } : op)) });
    t.is(programSha256(strip(added)), programSha256(plain));
  }
});

test('bounds with recurrence: the recurrent sum, the leaky current and the membrane, worked out by hand', (t) => {
  const b = programBounds(BOTH).layers[0] as SpikingBounds;
  // acc: 20 * 255 = 5100 (unit 0), 0 (unit 1); rec: (3 + 1) * 15 = 60, (9 + 1) * 15 = 150.
  t.deepEqual(b.accMagnitude, [5100, 0]);
  t.deepEqual(b.recurrentMagnitude, [60, 150]);
  // |in| = 5100 + 60 * 2 = 5220 and 300. Current at decay 1/2 over 4 steps: c = in, ceil(c/2) + 1 + in, ...
  // unit 0: 5220, 2611 + 5220 = 7831, 3917 + 5220 = 9137, 4570 + 5220 = 9790 (the limit is about 2 * 5220 + 2).
  // unit 1: 300, 451, 527, 565.
  t.deepEqual(b.currentMagnitude, [9790, 565]);
  t.true(b.currentClampFree);
  t.deepEqual(b.driveMagnitude, [9790, 565]);
  // r lies in 0..15: rec << 1 of unit 0 in 2 * (-3 * 15) .. 2 * 15 = -90..30; unit 1 in 0..300.
  t.deepEqual(b.drive, [{ min: -90, max: 5130 }, { min: 0, max: 300 }]);
  t.deepEqual(b.currentPreClamp, { min: -16384 - 90, max: 16384 + 5130 });
  // A current of 9 bits clamps at 255: the clamp can bite, and range-analysis no longer proves the program.
  const narrow = withLayer((op) => ({ synaptic: { ...op.synaptic!, type: intType(true, 9, 1) } }));
  const nb = programBounds(narrow).layers[0] as SpikingBounds;
  t.false(nb.currentClampFree);
  t.deepEqual(nb.currentMagnitude, [256, 256]);
  const proven = (p: Program): boolean => rangeAnalysis.run({ program: p } as unknown as LoweringState).program!.quantization.provenNoSaturation;
  t.true(proven(BOTH));
  t.false(proven(narrow));
});

test('range-analysis narrows the recurrent sum to its bound', (t) => {
  const wide = withLayer((op) => ({ recurrent: { ...op.recurrent!, accType: intType(true, 30, 1) } }));
  const narrowed = rangeAnalysis.run({ program: wide } as unknown as LoweringState).program!;
  t.deepEqual(layer(narrowed).recurrent!.accType, intType(true, 9, 1));
  t.notThrows(() => validateProgram(narrowed));
});

test('every target that does not compute them refuses a recurrent or synaptic layer in one line, from its check', (t) => {
  const synapticOnly = recurrenceProgram({ synaptic: layer(BOTH).synaptic });
  t.deepEqual(targets.map((target) => target.name).sort(), ['onnx', 'ts', 'verilog', 'wasm']);
  for (const target of targets) {
    if (RECURRENCE_TARGETS.has(target.name)) {
      t.notThrows(() => target.check(BOTH), target.name);
      continue;
    }
    t.throws(() => target.check(BOTH), { instanceOf: SnncError, message: `spiking layer h1: recurrent weights are not supported by the ${target.name} target yet` });
    t.throws(() => target.check(synapticOnly), { instanceOf: SnncError, message: `spiking layer h1: the synaptic current is not supported by the ${target.name} target yet` });
    t.notThrows(() => target.check(recurrenceProgram()), target.name);
  }
});

test("verify's shrinker drops a unit of a recurrent layer with its recurrent row and column", async (t) => {
  // The first seed whose first of two dense layers is recurrent with three units or more.
  const fits = (p: Program): boolean => p.layers.length >= 2 && layer(p).recurrent !== undefined && layer(p).units >= 3;
  const program = Array.from({ length: 200 }, (_, s) => randomProgram(s, { conv: false, recurrence: 'recurrent' })).find(fits)!;
  const before = layer(program).units;
  const small = await shrink({ program, pixels: new Uint8Array(program.input.shape.reduce((a, b) => a * b, 1)), seed: 0 }, async (c) => layer(c.program).recurrent !== undefined);
  const first = layer(small.program);
  t.true(first.units < before);
  t.is(first.recurrent!.weights.length, first.units * first.units);
  t.notThrows(() => validateProgram(small.program));
});

test('synaptic.bias: validated per unit within the current type, printed only when present, in the bounds', (t) => {
  const syn = layer(BOTH).synaptic!;
  const cases: [Program, string][] = [
    [withLayer(() => ({ synaptic: { ...syn, bias: [1] } })), 'layers[0] (h1).synaptic.bias: has 1 values, expected 2'],
    [withLayer(() => ({ synaptic: { ...syn, type: intType(true, 8, 1), bias: [0, 128] } })), 'layers[0] (h1).synaptic.bias: [1] = 128 is not an integer of s8'],
  ];
  for (const [bad, message] of cases) t.is(t.throws(() => validateProgram(bad), { instanceOf: SnncError })!.message, `invalid IR: ${message}`);
  const biased = withLayer(() => ({ synaptic: { ...syn, bias: [-40, 7] } }));
  t.notThrows(() => validateProgram(biased));
  const text = printProgram(biased);
  t.true(text.includes('  current     s16.1, decay * 1 >> 1 (0.5)\n  currentBias 2 values in [-40, 7], 0 zero, sha256:'));
  t.is(text.split('\n').length, printProgram(BOTH).split('\n').length + 1);
  t.false(printProgram(BOTH).includes('currentBias'));
  t.not(programSha256(biased), programSha256(BOTH));
  // |in + cb| = 5220 + 40 and 300 + 7; at decay 1/2 over 4 steps: unit 0 5260, 2631 + 5260 = 7891, 3947 + 5260 = 9207,
  // 4605 + 5260 = 9865; unit 1 307, 462, 539, 578. The drive's partial sums start from bias + cb (0 + cb here):
  // unit 0 -40 - 90 .. -40 + 5130, unit 1 7 .. 7 + 300.
  const b = programBounds(biased).layers[0] as SpikingBounds;
  t.deepEqual(b.currentMagnitude, [9865, 578]);
  t.deepEqual(b.drive, [{ min: -130, max: 5090 }, { min: 7, max: 307 }]);
  t.deepEqual(b.currentPreClamp, { min: -16384 - 130, max: 16384 + 5090 });
  // A bias at the type's top makes the clamp bite: provenNoSaturation drops.
  const proven = (p: Program): boolean => rangeAnalysis.run({ program: p } as unknown as LoweringState).program!.quantization.provenNoSaturation;
  t.true(proven(biased));
  t.false(proven(withLayer(() => ({ synaptic: { ...syn, type: intType(true, 12, 1), bias: [2047, 0] } }))));
});

test("verify's shrinker drops a current's bias alone, and a unit's entry of it with the unit", async (t) => {
  const fits = (p: Program): boolean => p.layers.length >= 2 && layer(p).synaptic?.bias !== undefined && layer(p).units >= 3 && layer(p).synapse === 'dense' && p.layers[1]!.kind === 'spiking' && (p.layers[1] as SpikingOp).synapse === 'dense';
  const program = Array.from({ length: 300 }, (_, s) => randomProgram(s, { conv: false, recurrence: 'synaptic' })).find(fits)!;
  const pixels = new Uint8Array(program.input.shape.reduce((a, b) => a * b, 1));
  // A pretend bug needing the bias: units go, the bias keeps one entry per unit.
  const small = await shrink({ program, pixels, seed: 0 }, async (c) => layer(c.program).synaptic?.bias !== undefined);
  t.true(layer(small.program).units < layer(program).units);
  t.is(layer(small.program).synaptic!.bias!.length, layer(small.program).units);
  t.notThrows(() => validateProgram(small.program));
  // A pretend bug needing only the current: its bias goes, the current stays.
  const noBias = await shrink({ program, pixels, seed: 0 }, async (c) => layer(c.program).synaptic !== undefined);
  t.deepEqual([layer(noBias.program).synaptic !== undefined, layer(noBias.program).synaptic?.bias], [true, undefined]);
});
