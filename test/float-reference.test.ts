/** @fileoverview The float reference simulator against hand-computed values. */
import test from 'ava';
import type { AnnModel, SnnModel, SpikingLayer } from '../model/format.ts';
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

/** 1x3x3 image 1..9 at scale 1: conv 2x2 stride 2 padding 1 -> sum pool -> avg pool -> identity LIF -> dense LI. */
function featureModel(readoutSource?: 'output'): SnnModel {
  return {
    format: 'snnc-model', version: 1, kind: 'snn',
    metadata: { name: 'features', dataset: 'mnist', arch: 'snn', seed: 0, trainCommand: 'by hand' },
    input: { shape: [1, 3, 3], scale: 1 }, encoder: { kind: 'direct' }, timesteps: 2, classes: 2,
    layers: [
      { kind: 'conv', name: 'c', filters: 1, kernel: 2, stride: 2, padding: 1, weights: t32([1, 1, 2, 2], [1, 2, 3, 4]), bias: t32([1], [10]), learned: true },
      { kind: 'pool', name: 's', mode: 'sum', kernel: 2, stride: 1, padding: 1 },
      { kind: 'pool', name: 'a', mode: 'avg', kernel: 2, stride: 2, padding: 1 },
      { kind: 'spiking', name: 'lif', units: 4, bias: t32([4], [0, 0, 0, -120]), decay: 0.5, threshold: 10, output: 'binary', reset: { kind: 'value', value: 3 }, delay: 0 },
      { kind: 'spiking', name: 'li', units: 2, weights: t32([2, 4], [1, 2, 3, 4, -1, 0, 5, 0]), bias: t32([2], [1, -2]), decay: 1, threshold: 0, output: 'membrane', reset: { kind: 'none' }, delay: 0 },
    ],
    readout: { kind: 'sum', begin: 0, ...(readoutSource ? { source: readoutSource } : {}) },
  };
}

test('conv stride/padding, sum and avg pools, identity LIF with value reset, membrane output', (t) => {
  const seen: number[][][] = [[], [], [], [], []];
  const u: (number[] | null)[][] = [[], [], [], [], []];
  const image = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  runSnnFloat(featureModel(), image, 0, (l, _t, membrane, output) => {
    seen[l]!.push([...output]);
    u[l]!.push(membrane ? [...membrane] : null);
  });
  // conv: 4*1, 3*2 + 4*3, 2*4 + 4*7, 5 + 12 + 24 + 36, each + 10
  t.deepEqual(seen[0]![0], [14, 28, 46, 87]);
  t.deepEqual(u[0]![0], null);
  // sum pool 2x2 stride 1 padding 1 over [[14, 28], [46, 87]]
  t.deepEqual(seen[1]![0], [14, 42, 28, 60, 175, 115, 46, 133, 87]);
  // avg pool 2x2 stride 2 padding 1: windows / 4 (zeros of the padding count)
  t.deepEqual(seen[2]![0], [3.5, 17.5, 26.5, 127.5]);
  // identity LIF: t0 u = x + b = [3.5, 17.5, 26.5, 7.5], units 1, 2 fire and reset to 3
  // t1: u = [1.75 + 3.5, 1.5 + 17.5, 1.5 + 26.5, 3.75 + 7.5]
  t.deepEqual(u[3], [[3.5, 17.5, 26.5, 7.5], [5.25, 19, 28, 11.25]]);
  t.deepEqual(seen[3], [[0, 1, 1, 0], [0, 1, 1, 1]]);
  // LI (decay 1, never fires): u0 = [2 + 3 + 1, 5 - 2]; u1 = u0 + [2 + 3 + 4 + 1, 5 - 2]; o = u
  t.deepEqual(u[4], [[6, 3], [16, 6]]);
  t.deepEqual(seen[4], [[6, 3], [16, 6]]);
  t.deepEqual([...runSnnFloat(featureModel(), image, 0).scores], [22, 9]);
});

test('readout source output sums the visible outputs (spike counts), source membrane the membranes', (t) => {
  const image = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const spikes = featureModel('output');
  const counts: SnnModel = { ...spikes, classes: 4, layers: spikes.layers.slice(0, 4) };
  // the identity LIF's spikes: [0,1,1,0] + [0,1,1,1]
  t.deepEqual([...runSnnFloat(counts, image, 0).scores], [0, 2, 2, 1]);
  t.deepEqual([...runSnnFloat({ ...counts, readout: { kind: 'sum', begin: 0 } }, image, 0).scores], [8.75, 36.5, 54.5, 18.75]);
});

test('events: x_t = frame t * scale, the sample is T frames of counts', (t) => {
  const m: SnnModel = {
    ...model(), input: { shape: [2, 1, 1], scale: 0.5 }, encoder: { kind: 'events', binning: { source: 'channels', binUs: 1, startUs: 0 }, countBits: 2 },
    layers: [{ kind: 'spiking', name: 'l', units: 2, weights: t32([2, 2], [1, 0.5, 0, 0]), bias: t32([2], [0, 0]), decay: 1, threshold: 0, output: 'membrane', reset: { kind: 'none' }, delay: 0 }],
  };
  // frames [1, 0], [0, 2], [3, 1]: u = 0.5, 0.5 + 0.5, 1 + 1.5 + 0.25
  const u: number[] = [];
  const r = runSnnFloat(m, Uint8Array.from([1, 0, 0, 2, 3, 1]), 0, (_l, _t, membrane) => u.push(membrane![0]!));
  t.deepEqual(u, [0.5, 1, 2.75]);
  t.deepEqual([...r.scores], [4.25, 0]);
});
