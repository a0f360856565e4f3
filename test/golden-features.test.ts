/** @fileoverview Hand-computed integers for conv stride/padding, pools, identity synapses, membrane outputs, value/none resets and output readouts. */
import test from 'ava';
import { SnncError } from '../base/errors.ts';
import { intType } from '../ir/int-type.ts';
import { printProgram } from '../ir/print.ts';
import type { IrLayer, Program } from '../ir/program.ts';
import { parseProgram, validateProgram } from '../ir/validate.ts';
import { runGolden, traceGolden } from '../runtime/golden.ts';
import { assertGolden } from './support/golden.ts';
import { FEATURE_PIXELS, featureProgram } from './support/feature-program.ts';

const GOLDEN = new URL('./golden/', import.meta.url).pathname;

function withLayer(p: Program, index: number, change: Record<string, unknown>): Program {
  return { ...p, layers: p.layers.map((l, i) => (i === index ? ({ ...l, ...change } as IrLayer) : l)) };
}

test('printed IR of the feature program matches the golden', (t) => {
  assertGolden(t, `${GOLDEN}features.ir.txt`, printProgram(featureProgram()));
});

test('conv stride 2, padding 1: windows start at 2i-1 and read zeros outside', (t) => {
  // image 1..9 (3x3), weights [[1,2],[3,4]], bias 10, >> 1:
  // (0,0): 4*1 = 4;  (0,1): 3*2 + 4*3 = 18;  (1,0): 2*4 + 4*7 = 36;  (1,1): 5 + 2*6 + 3*8 + 4*9 = 77
  // + 10 = 14, 28, 46, 87;  roundShift(., 1) = 7, 14, 23, 44
  const trace = traceGolden(featureProgram(), FEATURE_PIXELS, 0);
  t.deepEqual(trace.layers[0]!.output, [[7, 14, 23, 44], [7, 14, 23, 44], [7, 14, 23, 44]]);
  t.deepEqual(trace.layers[0]!.membrane, []);
});

test('sum pool 2x2, stride 1, padding 1 grows [2,2] to [3,3] with partial windows', (t) => {
  // [[7,14],[23,44]] padded: 7, 7+14, 14 / 7+23, 88, 14+44 / 23, 23+44, 44
  const trace = traceGolden(featureProgram(), FEATURE_PIXELS, 0);
  t.is(trace.layers[1]!.kind, 'pool');
  t.deepEqual(trace.layers[1]!.output[0], [7, 21, 14, 30, 88, 58, 23, 67, 44]);
  t.deepEqual(trace.layers[1]!.membrane, []);
});

test('avg pool 2x2, stride 2, padding 1 divides by 4 with round half up', (t) => {
  // windows: 7 / 21+14 = 35 / 30+23 = 53 / 88+58+67+44 = 257; roundShift(., 2) = 2, 9, 13, 64
  t.deepEqual(traceGolden(featureProgram(), FEATURE_PIXELS, 0).layers[2]!.output[0], [2, 9, 13, 64]);
});

test('pool scale multiplies before the shift and the result clamps to outType', (t) => {
  // sum pool with scale 3 >> 1 into s7 (max 63): 7*3 = 21 -> 11; 88*3 = 264 -> 132 -> 63; 58*3 = 174 -> 87 -> 63
  const base = featureProgram();
  const p = withLayer(base, 1, { scale: { mul: 3, shift: 1 }, outType: intType(true, 7, 0) });
  const avg = { ...(p.layers[2] as object), inType: intType(true, 7, 0) };
  const program = validateProgram({ ...p, layers: p.layers.map((l, i) => (i === 2 ? (avg as IrLayer) : l)) });
  t.deepEqual(traceGolden(program, FEATURE_PIXELS, 0).layers[1]!.output[0], [11, 32, 21, 45, 63, 63, 35, 63, 63]);
});

test('identity synapse: acc = x, value reset sets v to 3', (t) => {
  // x = [2, 9, 13, 64], accShift [0,0,1,0], bias [0,0,0,-60], decay 1/2, threshold 10, binary, reset value 3:
  // t0: u = [2, 9, 26, 4]            fires unit 2      v = [2, 9, 3, 4]
  // t1: u = [1+2, 5+9, 2+26, 2+4]    fires units 1, 2  v = [3, 3, 3, 6]
  // t2: u = [2+2, 2+9, 2+26, 3+4]    fires units 1, 2
  const lif = traceGolden(featureProgram(), FEATURE_PIXELS, 0).layers[3]!;
  t.deepEqual(lif.membrane, [[2, 9, 26, 4], [3, 14, 28, 6], [4, 11, 28, 7]]);
  t.deepEqual(lif.output, [[0, 0, 1, 0], [0, 1, 1, 0], [0, 1, 1, 0]]);
});

test('membrane output never fires: o = clamp(roundShift(u, 1), s4)', (t) => {
  // weights [[1,2,3,4],[-1,0,5,0]], bias [1,-2], decay 1: acc t0 = [3, 5], t1 = t2 = [5, 5]
  // u = [4, 3], [10, 6], [16, 9]; o = [2, 2], [5, 3], [8 -> 7, 5]
  const syn = traceGolden(featureProgram(), FEATURE_PIXELS, 0).layers[4]!;
  t.deepEqual(syn.membrane, [[4, 3], [10, 6], [16, 9]]);
  t.deepEqual(syn.output, [[2, 2], [5, 3], [7, 5]]);
});

test('membrane output with an unsigned type clamps negatives to 0, and a huge threshold is not allowed', (t) => {
  const base = featureProgram();
  // bias [-9, -2]: u0 = -6, -6+5-9 = -10 ... all negative for unit 0 -> 0
  const p = validateProgram({ ...withLayer(base, 4, { bias: [-9, -2], output: { kind: 'membrane', shift: 1, type: intType(false, 4, 0) } }), layers: withLayer(withLayer(base, 4, { bias: [-9, -2], output: { kind: 'membrane', shift: 1, type: intType(false, 4, 0) } }), 5, { inType: intType(false, 4, 0), accType: intType(true, 6, 0) }).layers });
  const syn = traceGolden(p, FEATURE_PIXELS, 0).layers[4]!;
  t.deepEqual(syn.membrane, [[-6, 3], [-10, 6], [-14, 9]]);
  t.deepEqual(syn.output, [[0, 2], [0, 3], [0, 5]]);
  t.throws(() => validateProgram(withLayer(base, 4, { threshold: 5 })), { message: /threshold: must be 0 with output membrane/ });
});

test('readout source output sums the visible outputs; source membrane the membranes', (t) => {
  // last layer (identity, decay 0, threshold 3, excess, zero reset) sees x = [2,2], [5,3], [7,5]:
  // u = x; o = [0,0], [2,0], [4,2]; output scores [6, 2]; membrane scores [14, 10]
  const trace = traceGolden(featureProgram(), FEATURE_PIXELS, 0);
  t.deepEqual(trace.layers[5]!.output, [[0, 0], [2, 0], [4, 2]]);
  t.deepEqual(trace.scores, [6, 2]);
  t.deepEqual(runGolden(featureProgram(), FEATURE_PIXELS, 0), { scores: [6, 2], label: 0 });
  const membrane = featureProgram({ readout: { kind: 'sum', source: 'membrane', begin: 0, scoreType: intType(true, 20, 0), realPerLsb: 1 } });
  t.deepEqual(runGolden(membrane, FEATURE_PIXELS, 0).scores, [14, 10]);
});

test('the validator refuses broken uses of the new features, one line each', (t) => {
  const p = featureProgram();
  const late: IrLayer = {
    kind: 'conv', name: 'late', inShape: [2, 1, 1], outShape: [2, 1, 1], kernel: 1, stride: 1, padding: 0, inType: intType(true, 4, 0), weights: [1, 1, 1, 1],
    weightType: intType(true, 8, 0), weightFrac: [0, 0], bias: [0, 0], accType: intType(true, 8, 0), outShift: [0, 0], outType: intType(true, 4, 0), learned: true,
  };
  const cases: [Program, RegExp][] = [
    [withLayer(p, 0, { stride: 0 }), /^invalid IR: layers\[0\]\.stride: expected an integer in \[1, 64\], got 0$/],
    [withLayer(p, 0, { padding: 2 }), /padding: 2 must be an integer in \[0, kernel - 1\]/],
    [withLayer(p, 0, { outShape: [1, 3, 3] }), /outShape: \[1, 3, 3\] is not the 2x2 stride 2 padding 1 output of \[1, 3, 3\] \(expected \[1, 2, 2\]\)/],
    [withLayer(p, 1, { kernel: 5, padding: 1 }), /kernel: a 5x5 window does not fit the padded 2x2 input/],
    [withLayer(p, 1, { scale: { mul: 2 ** 21, shift: 0 } }), /^invalid IR: layers\[1\]\.scale\.mul: expected an integer in \[0, 1048576\], got 2097152$/],
    [withLayer(p, 1, { scale: { mul: 1, shift: 40 } }), /^invalid IR: layers\[1\]\.scale\.shift: expected an integer in \[0, 31\], got 40$/],
    [withLayer(p, 3, { units: 5 }), /units: an identity synapse needs units == inputs/],
    [withLayer(p, 3, { weights: [1, 1, 1, 1] }), /weights: an identity synapse has no weights/],
    [withLayer(p, 3, { accType: intType(true, 8, 0) }), /accType: does not hold the largest possible input/],
    [withLayer(p, 3, { reset: { kind: 'none' } }), /reset: reset none needs output membrane/],
    [withLayer(p, 3, { reset: { kind: 'value', value: 40000 } }), /reset\.value: 40000 is not an integer of the membrane type/],
    [{ ...p, readout: { ...p.readout, scoreType: intType(true, 6, 0) } }, /scoreType: does not hold/],
    [{ ...p, layers: p.layers.slice(0, 3) }, /layers: the last layer must be a spiking layer/],
    [{ ...p, layers: [...p.layers.slice(0, 5), late, p.layers[5]!] }, /layers\[5\] \(late\): a conv op cannot follow a dense spiking op/],
  ];
  for (const [bad, message] of cases) {
    const err = t.throws(() => validateProgram(bad), { instanceOf: SnncError });
    t.regex(err!.message, message);
  }
});

test('ir.json round trip keeps every new field; old ir.json without them reads with the old meaning', (t) => {
  const p = featureProgram();
  t.deepEqual(parseProgram(JSON.stringify(p), 'ir.json'), p);
  const old = JSON.parse(JSON.stringify(p)) as { layers: Record<string, unknown>[]; readout: Record<string, unknown> };
  delete old.readout.source;
  old.readout.scoreType = intType(true, 20, 0);
  for (const l of old.layers) if (l.synapse === 'dense') delete l.synapse;
  t.deepEqual(parseProgram(JSON.stringify(old), 'ir.json').readout.source, 'membrane');
  t.throws(() => parseProgram(JSON.stringify({ ...p, layers: [{ ...p.layers[1], mode: 'max' }] }), 'x.json'), { message: /layers\[0\]\.mode: expected one of "sum", "avg"/ });
});
