/** @fileoverview The float reference simulator against hand-computed values. */
import test from 'ava';
import type { AnnModel, SnnModel, SpikingLayer } from '../compiler/model/format.ts';
import { runAnnFloat, runSnnFloat } from '../runtime/float-reference.ts';

const t32 = (shape: number[], values: number[]) => ({ shape, data: Float32Array.from(values) });

/** x = [1, 0]; unit 0 gets W x + b = 0.5 + 0.5 = 1 (exact in float32), unit 1 gets 0. */
function model(layer: Partial<SpikingLayer> = {}, encoder: 'direct' | 'jitter' = 'direct'): SnnModel {
  return {
    format: 'snnc-model', version: 1, kind: 'snn',
    metadata: { name: 'hand', dataset: 'mnist', arch: 'snn', seed: 0, trainCommand: 'by hand' },
    input: { shape: [1, 1, 2], scale: 1 / 255 }, encoder: { kind: encoder }, timesteps: 3, classes: 2,
    layers: [{ kind: 'spiking', name: 'l', units: 2, weights: t32([2, 2], [0.5, 0.25, 0, 0]), bias: t32([2], [0.5, 0]), decay: 0.5, threshold: 0.75, output: 'excess', reset: { kind: 'refractory', penalty: 1.5 }, delay: 0, ...layer }],
    readout: { kind: 'sum', begin: 0 },
  };
}

function membranes(m: SnnModel, seed = 0): number[] {
  const u: number[] = [];
  runSnnFloat(m, Uint8Array.from([255, 0]), seed, (_l, _t, membrane) => u.push(membrane![0]!));
  return u;
}

test('refractory: v = u - (penalty/threshold) u = -u', (t) => {
  // t0: u = 1 > 0.75, v = 1 - 2 * 1 = -1; t1: u = -0.5 + 1 = 0.5 (silent); t2: u = 0.25 + 1 = 1.25
  t.deepEqual(membranes(model()), [1, 0.5, 1.25]);
  const r = runSnnFloat(model(), Uint8Array.from([255, 0]), 0);
  t.deepEqual([...r.scores], [2.75, 0]);
  t.is(r.label, 0);
});

test('subtract and zero resets, and delay 1', (t) => {
  // subtract: v = 0.25; u = 0.125 + 1 = 1.125; v = 0.375; u = 1.1875
  t.deepEqual(membranes(model({ reset: { kind: 'subtract' } })), [1, 1.125, 1.1875]);
  t.deepEqual(membranes(model({ reset: { kind: 'zero' } })), [1, 1, 1]);
  t.deepEqual(membranes(model({ delay: 1 })), [0, 1, 0.5]);
});

test('excess and binary outputs', (t) => {
  const outputs = (m: SnnModel): number[] => {
    const o: number[] = [];
    runSnnFloat(m, Uint8Array.from([255, 0]), 0, (_l, _t, _u, out) => o.push(out[0]!));
    return o;
  };
  t.deepEqual(outputs(model()), [0.25, 0, 0.5]);
  t.deepEqual(outputs(model({ output: 'binary' })), [1, 0, 1]);
});

test('jitter multiplies each nonzero pixel by state / 2^32 of the shared xorshift32 stream', (t) => {
  // seed 1: first draw 270369 -> u = 270369 / 2^32; pixel 1 is zero and draws nothing
  const u = membranes(model({ decay: 0, threshold: 100 }, 'jitter'), 1);
  t.is(u[0], 0.5 * (270369 / 2 ** 32) + 0.5);
  t.is(u[1], 0.5 * (67634689 / 2 ** 32) + 0.5);
});

test('ANN baseline: dense relu then dense', (t) => {
  const ann: AnnModel = {
    format: 'snnc-model', version: 1, kind: 'ann',
    metadata: { name: 'ann', dataset: 'mnist', arch: 'ann-relu', seed: 0, trainCommand: 'by hand' },
    input: { shape: [1, 1, 2], scale: 1 / 255 }, classes: 2,
    layers: [
      { kind: 'dense', name: 'h', units: 2, weights: t32([2, 2], [1, 0, -1, 0]), bias: t32([2], [0, 0.5]), activation: 'relu' },
      { kind: 'dense', name: 'o', units: 2, weights: t32([2, 2], [1, 1, 0, 2]), bias: t32([2], [0, 0]), activation: 'none' },
    ],
  };
  // h = relu([1, -0.5]) = [1, 0]; o = [1, 0]
  t.deepEqual([...runAnnFloat(ann, Uint8Array.from([255, 0])).scores], [1, 0]);
});
