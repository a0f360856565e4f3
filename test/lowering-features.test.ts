/** @fileoverview Lowering of strides, padding, pools, identity synapses, membrane outputs, value resets and output readouts. */
import test from 'ava';
import { SnncError } from '../base/errors.ts';
import { calibrationSet, lowerModel } from '../compiler/lower.ts';
import { intType } from '../ir/int-type.ts';
import type { PoolOp } from '../ir/pool.ts';
import { printProgram } from '../ir/print.ts';
import type { Program } from '../ir/program.ts';
import type { SpikingOp } from '../ir/spiking.ts';
import type { SnnModel } from '../model/format.ts';
import { poolFormat } from '../compiler/passes/pool-format.ts';
import { loadDataset } from '../data/load.ts';
import { runSnnFloat } from '../runtime/float-reference.ts';
import { scaleBy } from '../runtime/fixed.ts';
import { runGolden } from '../runtime/golden.ts';
import { assertGolden } from './support/golden.ts';
import { avgPoolModel, cubaModel, sinabsModel } from './support/feature-models.ts';

const GOLDEN = new URL('./golden/', import.meta.url).pathname;

async function lower(model: SnnModel, options: Parameters<typeof lowerModel>[0]['options'] = {}): Promise<Program> {
  return lowerModel({ model, sourceSha256: '0'.repeat(64), calibration: await calibrationSet(model, 64), options, hooks: { validateBetween: true } });
}

const MODELS: [string, SnnModel][] = [
  ['sinabs-1', sinabsModel(1)],
  ['cuba-2', cubaModel(2)],
  ['cuba-value-3', cubaModel(3, { kind: 'value', value: -0.25 })],
  ['avgpool-4', avgPoolModel(4)],
];

test('the compiled IR of each feature model matches its golden text, free of membrane saturation', async (t) => {
  for (const [name, model] of MODELS) {
    const program = await lower(model);
    assertGolden(t, `${GOLDEN}${name}.ir.txt`, printProgram(program));
    t.true(program.quantization.provenNoSaturation, name);
  }
});

test('every weight width 2..16 gives a valid program for every feature model', async (t) => {
  for (const [name, model] of MODELS) {
    const calibration = await calibrationSet(model, 16);
    for (const weightBits of [2, 3, 5, 8, 12, 16]) {
      for (const granularity of ['layer', 'channel'] as const) {
        const program = lowerModel({ model, sourceSha256: 'x', calibration, options: { weightBits, granularity, activationBits: Math.max(weightBits, 2) }, hooks: { validateBetween: true } });
        t.is(program.layers.length, model.layers.length, name);
      }
    }
  }
});

test('fixed point agrees with float: labels on most images at 8 bits, on all and with equal spike counts at 16', async (t) => {
  const data = loadDataset('mnist', 'test', { limit: 200 });
  for (const [name, model] of MODELS) {
    for (const [bits, minimum] of [[8, 0.85], [16, 1]] as const) {
      const program = await lower(model, { weightBits: bits, activationBits: bits });
      let agree = 0;
      let equalCounts = 0;
      for (let i = 0; i < data.count; i++) {
        const f = runSnnFloat(model, data.image(i), i);
        const q = runGolden(program, data.image(i), i);
        if (f.label === q.label) agree++;
        if (q.scores.every((s, k) => s * program.readout.realPerLsb === f.scores[k])) equalCounts++;
      }
      t.true(agree / data.count >= minimum, `${name} ${bits} bits: ${agree}/${data.count}`);
      if (bits === 16 && model.readout.source === 'output') t.true(equalCounts >= data.count - 2, `${name}: ${equalCounts} equal spike counts`);
    }
  }
});

test('the Sinabs-style net: conv stride/padding, exact IF on the conv grid, an exact sum pool, spike-count scores', async (t) => {
  const program = await lower(sinabsModel(1));
  const [conv, if1, pool, if2] = program.layers;
  t.like(conv, { kind: 'conv', stride: 2, padding: 1, inShape: [1, 28, 28], outShape: [4, 14, 14] });
  // IF (decay 1, subtract, threshold 1 on the conv output's grid) needs no extra membrane fraction
  t.like(if1, { kind: 'spiking', synapse: 'identity', inputs: 784, units: 784, weights: [], decay: { mul: 65536, shift: 16 } });
  const lif = if1 as SpikingOp;
  t.is(lif.membraneType.frac, conv?.kind === 'conv' ? conv.outType.frac : NaN);
  t.deepEqual(lif.accShift, new Array(784).fill(0));
  t.is(lif.threshold, 2 ** lif.membraneType.frac);
  // sum of 2x2 spikes: scale {1, 0} into u3.0 (0..4)
  t.like(pool, { kind: 'pool', mode: 'sum', scale: { mul: 1, shift: 0 }, outType: intType(false, 3, 0), outShape: [4, 7, 7] });
  t.like(if2, { kind: 'spiking', synapse: 'dense', inputs: 196 });
  // readout of spike counts: 6 steps of u1 spikes need s4.0, one count per lsb
  t.like(program.readout, { source: 'output', scoreType: intType(true, 4, 0), realPerLsb: 1 });
});

test('CubaLIF: a membrane output carries the synaptic current; value resets are rounded to the membrane grid', async (t) => {
  const program = await lower(cubaModel(3, { kind: 'value', value: -0.25 }));
  const [syn1, lif1] = program.layers as SpikingOp[];
  t.like(syn1, { synapse: 'dense', threshold: 0, reset: { kind: 'none' } });
  t.is(syn1!.output.kind, 'membrane');
  if (syn1!.output.kind !== 'membrane') return;
  // o = u >> shift in an 8-bit signed activation: shift = membrane frac - output frac
  t.true(syn1!.output.type.signed);
  t.is(syn1!.output.type.bits, 8);
  t.is(syn1!.output.shift, syn1!.membraneType.frac - syn1!.output.type.frac);
  t.is(lif1!.inType, syn1!.output.type);
  // identity LIF with decay 0.9: the membrane keeps 8 fraction bits below its input's
  t.is(lif1!.synapse, 'identity');
  t.is(lif1!.membraneType.frac, syn1!.output.type.frac + 8);
  t.deepEqual(lif1!.reset, { kind: 'value', value: -0.25 * 2 ** lif1!.membraneType.frac });
});

test('avg pools: 2x2 is an exact frac change, 3x3 a multiply-and-shift within 2^-20', async (t) => {
  const program = await lower(avgPoolModel(4));
  const [conv, lif, avg2, avg3] = program.layers as [unknown, SpikingOp, PoolOp, PoolOp];
  t.like(avg2, { mode: 'avg', kernel: 2, scale: { mul: 1, shift: 0 } });
  t.is(avg2.outType.frac, lif.output.type.frac + 2);
  t.like(avg3, { mode: 'avg', kernel: 3, stride: 2, padding: 1, outShape: [3, 6, 6] });
  t.is(avg3.outType.frac, avg2.outType.frac + 3);
  t.true(Math.abs(avg3.scale.mul / 2 ** avg3.scale.shift - 8 / 9) < 2 ** -20);
  t.true(avg3.scale.mul <= 2 ** 20 && avg3.scale.mul > 2 ** 19);
  t.truthy(conv);
  // readout of the LI membrane, mean over t = 1..5
  t.like(program.readout, { kind: 'mean', source: 'membrane', begin: 1 });
});

test('pool formats: exact output types, and a power-of-two shift once 16 bits are exceeded', (t) => {
  const pool = (mode: 'sum' | 'avg', kernel: number) => ({ kind: 'pool' as const, name: 'p', mode, kernel, stride: kernel, padding: 0 });
  t.deepEqual(poolFormat(pool('sum', 2), intType(false, 1, 0)), { outType: intType(false, 3, 0), scale: { mul: 1, shift: 0 } });
  t.deepEqual(poolFormat(pool('sum', 2), intType(true, 8, 5)), { outType: intType(true, 10, 5), scale: { mul: 1, shift: 0 } });
  t.deepEqual(poolFormat(pool('avg', 4), intType(true, 8, 5)), { outType: intType(true, 12, 9), scale: { mul: 1, shift: 0 } });
  // 4x4 sum of s16: [-2^19, 2^19 - 16] needs 20 bits: drop 4 fraction bits with round half up
  t.deepEqual(poolFormat(pool('sum', 4), intType(true, 16, 3)), { outType: intType(true, 16, -1), scale: { mul: 1, shift: 4 } });
  const third = poolFormat(pool('avg', 3), intType(false, 8, 0));
  t.is(third.outType.frac, 3);
  t.deepEqual(third.scale, { mul: Math.round((8 / 9) * 2 ** 20), shift: 20 });
  // the documented bound: every window sum of u8 values lands within 1/2 + A 2^-21 of the exact 8/9 of it
  let worst = 0;
  for (let acc = 0; acc <= 9 * 255; acc++) worst = Math.max(worst, Math.abs(scaleBy(acc, third.scale) - (acc * 8) / 9));
  t.true(worst <= 0.5 + (9 * 255) / 2 ** 21, `worst ${worst}`);
  t.deepEqual(poolFormat(pool('avg', 3), intType(false, 8, 0)).outType, intType(false, 11, 3)); // 2295 * 8/9 = 2040
});

test('the input scale folds through a leading pool; an identity layer on the input needs a power-of-two scale', async (t) => {
  const base = sinabsModel(1);
  // pool 2x2 on the image, then the same net with a stride-1 conv: 28 -> 14 -> 14 -> 7
  const pooled: SnnModel = { ...base, layers: [{ kind: 'pool', name: 'first', mode: 'avg', kernel: 2, stride: 2, padding: 0 }, { ...base.layers[0]!, stride: 1 } as SnnModel['layers'][number], ...base.layers.slice(1)] };
  const fixedPooled = await lower(pooled);
  t.like(fixedPooled.layers[0], { kind: 'pool', inType: intType(false, 8, 8) });
  t.is(fixedPooled.input.realPerLsb, 1 / 255);
  const identityFirst = (scale: number): SnnModel => ({
    ...base, input: { ...base.input, scale },
    layers: [
      { kind: 'spiking', name: 'lif', units: 784, bias: { shape: [784], data: new Float32Array(784) }, decay: 0.5, threshold: 64, output: 'binary', reset: { kind: 'zero' }, delay: 0 },
      { kind: 'spiking', name: 'out', units: 10, weights: { shape: [10, 784], data: new Float32Array(7840).fill(0.5) }, bias: { shape: [10], data: new Float32Array(10) }, decay: 1, threshold: 1, output: 'binary', reset: { kind: 'subtract' }, delay: 0 },
    ],
  });
  const direct = await lower(identityFirst(1));
  t.deepEqual(direct.input.type, intType(false, 8, 0));
  t.is((direct.layers[0] as SpikingOp).threshold, 64 * 2 ** (direct.layers[0] as SpikingOp).membraneType.frac);
  const err = await t.throwsAsync(lower(identityFirst(1 / 255)), { instanceOf: SnncError });
  t.regex(err!.message, /layers\[0\] \(lif\): an identity spiking layer reads the input directly, so input\.scale must be a power of two/);
});

test('a membrane-output layer is written with reset none, whatever unused reset the model names', async (t) => {
  const base = avgPoolModel(4);
  const model: SnnModel = { ...base, layers: base.layers.map((l) => (l.kind === 'spiking' && l.output === 'membrane' ? { ...l, reset: { kind: 'zero' as const } } : l)) };
  const program = await lower(model);
  t.deepEqual((program.layers[4] as SpikingOp).reset, { kind: 'none' });
  t.deepEqual(runGolden(program, new Uint8Array(784).fill(200), 0), runGolden(await lower(base), new Uint8Array(784).fill(200), 0));
});
