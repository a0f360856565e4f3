/**
 * @fileoverview What is the onnx target's own in recurrent synapses and synaptic currents: the product W_rec r each
 * plan chooses, the states the Loop carries, the widest fields the IR allows computed exactly, and the one-line
 * refusal of a recurrent sum past 2^53. Equality with the golden runtime on every kind is in test/conformance.test.ts
 * (the recurrence sweep) and test/fuzz-targets.test.ts.
 */
import test from 'ava';
import { SnncError } from '../../../base/errors.ts';
import { intType } from '../../../ir/int-type.ts';
import type { Program } from '../../../ir/program.ts';
import type { SnnModel } from '../../../model/format.ts';
import type { SpikingOp } from '../../../ir/spiking.ts';
import { runGoldenBatch } from '../../../runtime/golden-batch.ts';
import { testBatch } from '../../../test/support/batches.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { oneLayerProgram } from '../../../test/support/one-layer.ts';
import { BOTH, RECURRENT, recurrenceProgram } from '../../../test/support/recurrence-program.ts';
import { emitOnnxModels } from '../emit.ts';
import { describePlan, planOnnx } from '../plan.ts';
import { modelText } from '../print-graph.ts';
import { target } from '../index.ts';

const text = (program: Program): string => modelText(emitOnnxModels(program, {})[0]!.contents as Uint8Array);

test('W_rec r: MatMulInteger on byte outputs and 8-bit weights, a float32 MatMul for 12-bit weights or signed outputs', (t) => {
  t.is(planOnnx(BOTH).layers[0]!.recurrentMatmul, 'uint8');
  t.regex(describePlan(BOTH, planOnnx(BOTH)), /^h1: MatMulInteger u8 x u8 -> int32 \(W_rec r: MatMulInteger u8 x u8 -> int32\); direct input/);
  const wide = recurrenceProgram({ recurrent: { ...RECURRENT, weights: [-2000, 10, 90, 5], weightType: intType(true, 12, 0), accType: intType(true, 12, 1) } });
  t.is(planOnnx(wide).layers[0]!.recurrentMatmul, 'float');
  t.regex(describePlan(wide, planOnnx(wide)), /^h1: MatMulInteger u8 x u8 -> int32 \(W_rec r: float32 MatMul\);/);
  t.regex(text(wide), /h1\/rec_float: float = MatMul\(t0\/h1\/r_float, h1\/recurrent_weights_T\)/);
  // A membrane output s8.0 feeds back signed values: no byte operand.
  const signed = recurrenceProgram({
    output: { kind: 'membrane', shift: 1, type: intType(true, 8, 0) }, reset: { kind: 'none' }, threshold: 0,
    recurrent: { ...RECURRENT, weightFrac: [0, 0], accType: intType(true, 16, 1), accShift: [1, 1] },
  });
  t.is(planOnnx(signed).layers[0]!.recurrentMatmul, 'float');
  t.is(planOnnx(recurrenceProgram()).layers[0]!.recurrentMatmul, undefined);
});

test('the Loop carries c and r with delay 0; with delay 1, r is the pending output it already carries', (t) => {
  t.regex(text(BOTH), /carries h1\/v, h1\/c, h1\/r;/);
  const delayed = text(recurrenceProgram({ recurrent: RECURRENT, delay: 1 }));
  t.regex(delayed, /carries h1\/v, h1\/pending_u, h1\/pending_o;/);
  t.regex(delayed, /t0\/h1\/rec_x_uint8: uint8 = Cast\(h1\/pending_o\)/);
  t.notRegex(text(recurrenceProgram()), /rec_|h1\/c\b/);
});

/** The widest fields the validator allows: 16-bit recurrent weights at their extremes shifted to 48 bits, a 32-bit current and membrane. */
function widest(): Program {
  return oneLayerProgram({
    ...(recurrenceProgram().layers[0] as SpikingOp),
    weights: [32767, -32768, -32768, 32767], weightType: intType(true, 16, 0), accType: intType(true, 25, 1), accShift: [7, 7], bias: [5, -5],
    membraneType: intType(true, 32, 1), decay: { mul: 2 ** 20 - 1, shift: 20 },
    recurrent: { weights: [32767, -32768, -32768, 32767], weightType: intType(true, 16, 0), weightFrac: [-30, -30], accType: intType(true, 17, 1), accShift: [31, 31] },
    synaptic: { decay: { mul: 2 ** 20, shift: 20 }, type: intType(true, 32, 1) },
  }, 4, intType(true, 35, 1));
}

test('the widest recurrent and synaptic fields the IR allows are accepted and computed exactly (the current and the membrane saturate)', async (t) => {
  const program = widest();
  t.notThrows(() => target.check(program));
  const batch = testBatch(program);
  const got = await target.run(await emitTo(target, program, { unroll: true }), program, batch);
  t.deepEqual(got, await runGoldenBatch(program, batch));
  const c = (program.layers[0] as SpikingOp).synaptic!.type;
  t.true(got.scores.some((s) => s.some((v) => Math.abs(v) >= 2 ** (c.bits - 1))), 'the scores reach the 32-bit types');
});

test('a recurrent sum that could reach 2^53 is refused in one line naming the layer (a program the validator would refuse)', (t) => {
  const base = BOTH.layers[0] as SpikingOp;
  const huge: Program = { ...BOTH, layers: [{ ...base, output: { kind: 'excess', shift: 0, type: intType(false, 40, 0) }, recurrent: { ...base.recurrent!, weights: [32767, 32767, 32767, 32767] } }] };
  const error = t.throws(() => target.check(huge), { instanceOf: SnncError });
  t.is(error?.code, 'unsupported');
  t.is(error?.message, 'onnx: h1 unit 0 recurrent accumulator can reach 2^56.0, beyond the 2^53 this target computes exactly');
});

test('--precision float refuses a recurrent program in one line: its float graph has no recurrence yet', (t) => {
  const model = { format: 'snnc-model' } as unknown as SnnModel; // never read: the refusal comes first
  t.throws(() => emitOnnxModels(BOTH, { precision: 'float', model }), {
    instanceOf: SnncError, message: 'onnx: --precision float does not compute h1\'s recurrent synapse or synaptic current yet (model.onnx does)',
  });
});
