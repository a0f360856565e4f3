/**
 * @fileoverview The onnx plan's operator choice (plan.ts): MatMulInteger only where the bounds prove its operands and
 * int32 sums fit, float otherwise; blocks of timesteps that divide T. Exactness of each choice against the golden
 * runtime is in test/conformance.test.ts (the lowered MNIST programs take the MatMulInteger path).
 */
import test from 'ava';
import type { Program } from '../../../ir/program.ts';
import { randomProgram } from '../../../ir/random-program.ts';
import { emitOnnxModels } from '../emit.ts';
import { integerMatMulFits } from '../exact-matmul.ts';
import { blockSize, describePlan, planOnnx } from '../plan.ts';
import { modelText } from '../print-graph.ts';

function firstDense(program: Program): number {
  return program.layers.findIndex((op) => op.kind === 'spiking' && op.synapse === 'dense');
}

test('8-bit weights on pixel bytes take MatMulInteger (u8 x u8); 12-bit weights keep the float MatMul', (t) => {
  const bytes = randomProgram(11, { conv: false, weightBits: 8, encoder: 'jitter', timesteps: 12 });
  const wide = randomProgram(11, { conv: false, weightBits: 12, encoder: 'jitter', timesteps: 12 });
  t.is(planOnnx(bytes).layers[firstDense(bytes)]!.matmul, 'uint8');
  t.is(planOnnx(wide).layers[firstDense(wide)]!.matmul, 'float');
  const text = modelText(emitOnnxModels(bytes, {})[0]!.contents as Uint8Array);
  const name = bytes.layers[firstDense(bytes)]!.name;
  t.true(text.includes(`= MatMulInteger(${name}/acc_x_uint8, ${name}/weights_T, <none>, const/weight_zero_point)`));
  t.regex(describePlan(bytes, planOnnx(bytes)), /MatMulInteger u8 x u8 -> int32.*blocks of 12 timesteps/);
  t.notRegex(modelText(emitOnnxModels(wide, {})[0]!.contents as Uint8Array), /weight_zero_point/);
});

test('MatMulInteger is refused where a byte or an int32 sum could overflow', (t) => {
  const pixels = { min: 0, max: 255 };
  t.true(integerMatMulFits([-128, 127], pixels, 33025), '33025 * 255^2 < 2^31');
  t.false(integerMatMulFits([-128, 127], pixels, 33026), '33026 * 255^2 >= 2^31');
  t.false(integerMatMulFits([128], pixels, 1), 'a weight beyond int8');
  t.false(integerMatMulFits([-129], pixels, 1), 'a weight beyond int8');
  t.false(integerMatMulFits([1], { min: 0, max: 256 }, 1), 'an input beyond a byte');
  t.false(integerMatMulFits([1], { min: -1, max: 10 }, 1), 'a negative input');
});

test('blocks of timesteps: the largest divisor of T up to 16', (t) => {
  t.deepEqual([1, 7, 8, 12, 16, 17, 32, 100, 128, 256].map(blockSize), [1, 7, 8, 12, 16, 1, 16, 10, 16, 16]);
});
