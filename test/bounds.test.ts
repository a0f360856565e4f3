/**
 * @fileoverview The one bound analysis (ir/bounds.ts): exact figures for a small program worked out by hand, and
 * proof that the lowering's range-analysis and every target's plan read it rather than deriving their own.
 */
import test from 'ava';
import { largest } from '../base/array-extent.ts';
import { programBounds, type ConvBounds, type SpikingBounds } from '../ir/bounds.ts';
import { intType } from '../ir/int-type.ts';
import { hull } from '../ir/interval.ts';
import type { Program } from '../ir/program.ts';
import { validateProgram } from '../ir/validate.ts';
import { rangeAnalysis } from '../compiler/passes/range-analysis.ts';
import type { LoweringState } from '../compiler/passes/state.ts';
import { planOnnx } from '../targets/onnx/plan.ts';
import { planModel } from '../targets/ts/plan.ts';
import { planDesign, signedBits } from '../targets/verilog/plan.ts';

const s8 = intType(true, 8, 0);

/** Two pixels -> a 1x1 conv of 2 filters -> a dense spiking layer of 2 units, 2 timesteps. */
const PROGRAM: Program = validateProgram({
  format: 'snnc-ir', version: 1, name: 'bounds', sourceSha256: '0'.repeat(64), timesteps: 2, classes: 2,
  input: { shape: [1, 1, 2], type: intType(false, 8, 8), realPerLsb: 1 / 255 },
  encoder: { kind: 'direct', outType: intType(false, 8, 8) },
  layers: [
    {
      kind: 'conv', name: 'conv', inShape: [1, 1, 2], outShape: [2, 1, 2], kernel: 1, stride: 1, padding: 0, inType: intType(false, 8, 8),
      weights: [2, -3], weightType: s8, weightFrac: [0, 0], bias: [4, -5], accType: intType(true, 11, 8), outShift: [1, 2], outType: s8, learned: true,
    },
    {
      kind: 'spiking', name: 'lif', inputs: 4, units: 2, inType: s8, synapse: 'dense', weights: [1, 0, -1, 2, 0, 3, 0, 0], weightType: s8, weightFrac: [0, 0],
      accType: intType(true, 11, 0), accShift: [0, 2], bias: [7, -3], membraneType: intType(true, 12, 0), decay: { mul: 3, shift: 2 },
      threshold: 50, output: { kind: 'excess', shift: 2, type: intType(false, 4, 0) }, reset: { kind: 'zero' }, delay: 0,
    },
  ],
  readout: { kind: 'sum', source: 'membrane', begin: 0, scoreType: intType(true, 14, 0), realPerLsb: 1 },
  quantization: { weightBits: 8, granularity: 'channel', activationBits: 8, calibration: { dataset: 'none', images: 0, seed: 0 }, provenNoSaturation: true },
});

const bounds = programBounds(PROGRAM);
const conv = bounds.layers[0] as ConvBounds;
const lif = bounds.layers[1] as SpikingBounds;

test('conv: declared magnitudes and reached intervals, worked out by hand', (t) => {
  t.is(conv.inputMagnitude, 255);
  t.deepEqual(conv.input, { min: 0, max: 255 });
  // |2| * 255 and |-3| * 255, then + |bias|.
  t.deepEqual(conv.productMagnitude, [510, 765]);
  t.deepEqual(conv.accMagnitude, [514, 770]);
  // Filter 0: 4 + 2x for x in 0..255; filter 1: -5 - 3x.
  t.deepEqual(conv.acc, [{ min: 4, max: 514 }, { min: -770, max: -5 }]);
  // roundShift by 1: 2..257; by 2: floor(-768/4) = -192 .. floor(-3/4) = -1.
  t.deepEqual(conv.shifted, { min: -192, max: 257 });
  t.deepEqual(conv.output, { min: -128, max: 127 });
});

test('spiking: accumulators, drives, the T-step membrane bound and the score, worked out by hand', (t) => {
  t.is(lif.inputMagnitude, 128);
  t.deepEqual(lif.input, { min: -128, max: 127 });
  t.deepEqual(lif.accMagnitude, [4 * 128, 3 * 128]);
  // 512 * 2^0 + 7 and 384 * 2^2 + 3.
  t.deepEqual(lif.driveMagnitude, [519, 1539]);
  // Unit 0: 7 + x0 - x2 + 2 x3 over -128..127; unit 1: -3 + 12 x1.
  t.deepEqual(lif.drive, [{ min: -504, max: 516 }, { min: -1539, max: 1521 }]);
  // Unit 1 over 2 steps at decay 3/4: u0 = 1 + 1539 = 1540, u1 = ceil(1540 * 3/4) + 1 + 1539 = 2695.
  t.is(lif.membraneMagnitude, 2695);
  t.deepEqual(lif.state, { min: -2048, max: 2047 });
  // scaleBy(v, 3/4) over -2048..2047 is -1536..1535, plus the drives' hull -1539..1521.
  t.deepEqual(lif.preClamp, { min: -3075, max: 3056 });
  t.deepEqual(lif.output, { min: 0, max: 15 });
  t.is(bounds.scoreMagnitude, 2 * 2048);
  t.deepEqual(bounds.score, { min: -4096, max: 4094 });
});

test("range-analysis narrows the types to the analysis' figures", (t) => {
  const narrowed = rangeAnalysis.run({ program: PROGRAM } as unknown as LoweringState).program!;
  const [c, s] = narrowed.layers;
  if (c?.kind !== 'conv' || s?.kind !== 'spiking') throw new Error('expected conv then spiking');
  // 770 needs 11 signed bits, 512 needs 11, the membrane bound 2695 needs 13; the score 2 * 4096 then needs 15.
  t.deepEqual([c.accType.bits, s.accType.bits, s.membraneType.bits, narrowed.readout.scoreType.bits], [11, 11, 13, 15]);
});

test("the verilog plan's accumulator widths are the analysis' bounds", (t) => {
  const plan = planDesign(PROGRAM, 2);
  const [convStage, lifStage] = plan.stages;
  t.is(convStage?.accBits, signedBits(BigInt(largest(conv.productMagnitude))));
  t.is(lifStage?.accBits, signedBits(BigInt(largest(lif.accMagnitude))));
  t.deepEqual([convStage?.accBits, lifStage?.accBits], [11, 11]);
});

test("the ts plan's ranges are the analysis' intervals", (t) => {
  const plan = planModel(PROGRAM);
  const [convPlan, lifPlan] = plan.layers;
  if (convPlan?.kind !== 'conv' || lifPlan?.kind !== 'spiking') throw new Error('expected conv then spiking');
  t.deepEqual(convPlan.acc, hull(conv.acc));
  t.deepEqual(convPlan.acc, { min: -770, max: 514 });
  t.deepEqual(convPlan.out.values, conv.output);
  t.deepEqual(lifPlan.drive, { min: -1539, max: 1521 });
  t.deepEqual(lifPlan.preClamp, lif.preClamp);
  t.deepEqual(lifPlan.out.values, lif.output);
});

test("the onnx plan carries the analysis and chooses each MatMul's float type from it", (t) => {
  const plan = planOnnx(PROGRAM);
  t.deepEqual(plan.bounds, bounds);
  // Both products stay below 2^24, so both MatMuls run exactly in float32.
  t.deepEqual(plan.layers.map((l) => l.matmul), ['float', 'float']);
  const [convOp, lifOp] = PROGRAM.layers;
  if (convOp?.kind !== 'conv' || lifOp?.kind !== 'spiking') throw new Error('expected conv then spiking');
  const s16 = intType(true, 16, 0);
  const wide: Program = { ...PROGRAM, layers: [{ ...convOp, outType: s16 }, { ...lifOp, inType: s16, weights: [1, 0, -1, 2, 0, 3, 0, 2 ** 15 - 1] }] };
  // With s16 inputs unit 1's row bounds 32770 * 32768 > 2^24: float64.
  t.deepEqual(planOnnx(wide).layers.map((l) => l.matmul), ['float', 'double']);
});
