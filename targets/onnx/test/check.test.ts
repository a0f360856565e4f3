/**
 * @fileoverview What the onnx target refuses (SnncError 'unsupported', naming the construct); what it accepts is in
 * test/conformance.test.ts.
 */
import test from 'ava';
import { SnncError } from '../../../base/errors.ts';
import { intType } from '../../../ir/int-type.ts';
import type { Program } from '../../../ir/program.ts';
import { randomProgram } from '../../../ir/random-program.ts';
import type { SpikingOp } from '../../../ir/spiking.ts';
import { cubaLif, poolSum } from '../../../test/support/target-feature-programs.ts';
import { target } from '../index.ts';

/** A copy of a dense-only program with its first spiking layer changed. */
function withFirstSpiking(base: Program, change: (op: SpikingOp) => Partial<SpikingOp>): Program {
  const layers = base.layers.map((op, i) => (i === 0 && op.kind === 'spiking' ? { ...op, ...change(op) } : op));
  return { ...base, layers };
}

const dense = randomProgram(7, { conv: false, timesteps: 3 });

test('an accumulator shifted past 2^53 is refused, naming the layer and the construct', (t) => {
  const program = withFirstSpiking(dense, (op) => ({ accShift: op.accShift.map(() => 31), weights: op.weights.map(() => 32767) }));
  const error = t.throws(() => target.check(program), { instanceOf: SnncError });
  t.is(error?.code, 'unsupported');
  t.regex(error?.message ?? '', /^onnx: layer0 unit 0 membrane sum \(acc << accShift\) can reach 2\^\d+\.\d, beyond the 2\^53/);
});

test('a decay factor whose product passes 2^53 is refused', (t) => {
  const program = withFirstSpiking(dense, () => ({ membraneType: intType(true, 48, 0), decay: { mul: 2 ** 20 - 1, shift: 20 } }));
  t.throws(() => target.check(program), { instanceOf: SnncError, message: /layer0 v \* decay\.mul can reach 2\^67\.0/ });
});

test('an input type that a uint8 image cannot carry is refused', (t) => {
  const program: Program = { ...dense, input: { ...dense.input, type: intType(true, 8, 7) } };
  t.throws(() => target.check(program), { instanceOf: SnncError, message: 'onnx: input type s8.7 does not fit the uint8 image input' });
});

test('a program without a spiking layer, or whose classes disagree with it, is refused', (t) => {
  const convOnly = randomProgram(9, { conv: true });
  const noSpiking: Program = { ...convOnly, layers: convOnly.layers.filter((l) => l.kind === 'conv') };
  t.throws(() => target.check(noSpiking), { message: 'onnx: a program without a spiking layer has no membrane to read out' });
  const wrongClasses: Program = { ...dense, classes: dense.classes + 1 };
  t.throws(() => target.check(wrongClasses), { message: /^onnx: the readout wants \d+ classes but layer\d has \d+ units$/ });
});

test('layers whose sizes do not chain are refused', (t) => {
  const program = withFirstSpiking(dense, (op) => ({ inputs: op.inputs + 1 }));
  t.throws(() => target.check(program), { message: /^onnx: layer0 takes \d+ inputs but receives \d+$/ });
});

test('emit refuses what check refuses, and --precision float without the float model', async (t) => {
  const bad: Program = { ...dense, input: { ...dense.input, type: intType(false, 12, 8) } };
  await t.throwsAsync(target.emit(bad, {}), { instanceOf: SnncError, message: /input type u12\.8/ });
  const error = await t.throwsAsync(target.emit(dense, { precision: 'float' }), { instanceOf: SnncError });
  t.is(error?.code, 'usage');
});

test('check refuses windows, identity synapses and layer orders the graph cannot compute, naming the layer', (t) => {
  const program = poolSum();
  const pool = program.layers[0]!;
  if (pool.kind !== 'pool') throw new Error('expected a pool first');
  const wrongShape: Program = { ...program, layers: [{ ...pool, outShape: [2, 3, 3] }, ...program.layers.slice(1)] };
  t.throws(() => target.check(wrongShape), { instanceOf: SnncError, message: /^onnx: pool: output shape \[2,3,3\] is not a valid sum pool of \[2,4,4\] with kernel 2, stride 2, padding 0$/ });
  const badPadding: Program = { ...program, layers: [{ ...pool, padding: 2 }, ...program.layers.slice(1)] };
  t.throws(() => target.check(badPadding), { instanceOf: SnncError, message: /^onnx: pool: kernel 2, stride 2, padding 2 is not a window/ });
  const poolLast: Program = { ...program, layers: [...program.layers, { ...pool, name: 'tail', inShape: [2, 1, 1], outShape: [2, 1, 1], kernel: 1, stride: 1 }] };
  t.throws(() => target.check(poolLast), { instanceOf: SnncError, message: 'onnx: the readout reads the last layer, which must be spiking, not pool tail' });
  const cuba = cubaLif();
  const lif = cuba.layers[1]!;
  if (lif.kind !== 'spiking') throw new Error('expected a spiking layer');
  const uneven: Program = { ...cuba, layers: [cuba.layers[0]!, { ...lif, units: 3, bias: lif.bias.slice(0, 3), accShift: lif.accShift.slice(0, 3) }], classes: 3 };
  t.throws(() => target.check(uneven), { instanceOf: SnncError, message: 'onnx: lif: an identity synapse needs as many inputs as units, not 4 and 3' });
  const firingNone: Program = { ...cuba, layers: [cuba.layers[0]!, { ...lif, reset: { kind: 'none' } }] };
  t.throws(() => target.check(firingNone), { instanceOf: SnncError, message: 'onnx: lif: reset none needs output membrane, but output excess fires' });
});
