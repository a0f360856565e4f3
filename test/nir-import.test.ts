/** @fileoverview NIR import: files laid out as snnTorch / Sinabs write them map to the exact float layers docs/nir.md states. */
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nirToModel } from '../compiler/frontends/nir/import.ts';
import { readNirFile } from '../compiler/frontends/nir/read-nir.ts';
import type { NirImportOptions } from '../compiler/frontends/nir/model-head.ts';
import type { ConvLayer, PoolLayer, SnnModel, SpikingLayer } from '../model/format.ts';
import { cubaLifNet, sinabsConvNet, snntorchMlp, SNNTORCH_DT, uniform, writeRawNir, type RawGraph } from './support/nir-build.ts';

const dir = mkdtempSync(join(tmpdir(), 'snnc-nir-import-'));
let counter = 0;

async function load(graph: RawGraph, options: NirImportOptions = {}): Promise<SnnModel> {
  const file = join(dir, `g${counter++}.nir`);
  await writeRawNir(file, graph);
  return nirToModel(await readNirFile(file), file, options);
}

const f = Math.fround;

test('snnTorch Leaky MLP: Affine + LIF -> dense binary layers, decay 1 - dt/tau, gain dt*r/tau folded into W and b', async (t) => {
  const model = await load(snntorchMlp(24), { dt: SNNTORCH_DT });
  t.is(model.layers.length, 2);
  const [l1, l2] = model.layers as SpikingLayer[];
  const tau = f(SNNTORCH_DT / (1 - f(0.9)));
  const r = f(tau / SNNTORCH_DT);
  const decay = 1 - SNNTORCH_DT / tau;
  const gain = (SNNTORCH_DT * r) / tau;
  t.true(Math.abs(decay - 0.9) < 1e-6);
  for (const l of [l1!, l2!]) {
    t.is(l.kind, 'spiking');
    t.is(l.decay, decay);
    t.is(l.threshold, 1);
    t.is(l.output, 'binary');
    t.deepEqual(l.reset, { kind: 'zero' });
    t.is(l.delay, 0);
  }
  t.is(l1!.name, 'n2'); // nirtorch's module index "2", made an identifier
  t.deepEqual(l1!.weights!.shape, [24, 784]);
  const w = uniform(11, 24 * 784, 0.12).map(f);
  const b = uniform(12, 24, 0.03).map(f);
  for (const i of [0, 1, 783, 784, 24 * 784 - 1]) t.is(l1!.weights!.data[i], f(gain * w[i]!));
  for (let i = 0; i < 24; i++) t.is(l1!.bias.data[i], f(gain * b[i]!));
  t.deepEqual(model.input, { shape: [1, 28, 28], scale: 1 / 255 });
  t.deepEqual(model.encoder, { kind: 'direct' });
  t.is(model.timesteps, 25);
  t.deepEqual(model.readout, { kind: 'sum', source: 'output', begin: 0 });
  t.is(model.classes, 10);
});

test('--reset subtract gives the snnTorch/Sinabs subtract reset; the file default is reset to v_reset', async (t) => {
  const model = await load(snntorchMlp(8), { dt: SNNTORCH_DT, reset: 'subtract' });
  t.deepEqual((model.layers[0] as SpikingLayer).reset, { kind: 'subtract' });
  const g = snntorchMlp(8);
  g.nodes['2']!.v_reset = { f32: [0.25], shape: [] };
  const valued = await load(g, { dt: SNNTORCH_DT });
  t.deepEqual((valued.layers[0] as SpikingLayer).reset, { kind: 'value', value: 0.25 });
  const err = await t.throwsAsync(load(g, { dt: SNNTORCH_DT, reset: 'subtract' }));
  t.regex(err!.message, /node '2' \(LIF\): v_reset = 0\.25 conflicts with a subtract reset/);
});

test('Sinabs IF conv net: Conv2d -> identity IF -> SumPool2d -> Flatten -> Affine -> IF', async (t) => {
  const model = await load(sinabsConvNet());
  t.deepEqual(model.layers.map((l) => l.kind), ['conv', 'spiking', 'pool', 'spiking']);
  const conv = model.layers[0] as ConvLayer;
  t.like(conv, { name: 'n0', filters: 4, kernel: 5, stride: 2, padding: 1, learned: true });
  t.deepEqual([...conv.weights.data], uniform(21, 100, 0.25).map(f)); // r = 1, dt = 1: gain 1, filters unchanged
  const ifLayer = model.layers[1] as SpikingLayer;
  t.is(ifLayer.weights, undefined);
  t.like(ifLayer, { units: 4 * 13 * 13, decay: 1, threshold: 1, output: 'binary', reset: { kind: 'zero' } });
  t.true(ifLayer.bias.data.every((v) => v === 0));
  t.deepEqual(model.layers[2] as PoolLayer, { kind: 'pool', name: 'n2', mode: 'sum', kernel: 2, stride: 2, padding: 0 });
  const out = model.layers[3] as SpikingLayer;
  t.deepEqual(out.weights!.shape, [10, 144]);
  t.like(out, { name: 'n5', decay: 1, units: 10 });
});

test('IF gain dt*r folds into the conv filters per channel', async (t) => {
  const g = sinabsConvNet();
  const r = new Array(4 * 13 * 13).fill(0).map((_, i) => (Math.floor(i / 169) + 1) * 0.5);
  g.nodes['1']!.r = { f32: r, shape: [4, 13, 13] };
  const model = await load(g, { dt: 2 });
  const conv = model.layers[0] as ConvLayer;
  const w = uniform(21, 100, 0.25).map(f);
  const bias = uniform(22, 4, 0.05).map(f);
  for (let i = 0; i < 100; i++) t.is(conv.weights.data[i], f(2 * (Math.floor(i / 25) + 1) * 0.5 * w[i]!));
  for (let c = 0; c < 4; c++) t.is(conv.bias.data[c], f(2 * (c + 1) * 0.5 * bias[c]!));
  r[5] = 7; // not constant within channel 0
  g.nodes['1']!.r = { f32: r, shape: [4, 13, 13] };
  const err = await t.throwsAsync(load(g));
  t.regex(err!.message, /node '1' \(IF\): input gain dt\*r differs inside channel 0/);
});

test('CubaLIF -> dense synaptic-current layer (output membrane) + identity LIF driven by this step\'s current', async (t) => {
  const model = await load(cubaLifNet(), { dt: SNNTORCH_DT });
  t.deepEqual(model.layers.map((l) => l.name), ['syn1_syn', 'syn1', 'lif2']);
  const [cur, mem] = model.layers as SpikingLayer[];
  const tauSyn = f(SNNTORCH_DT / (1 - f(0.8)));
  const tauMem = f(SNNTORCH_DT / (1 - f(0.9)));
  const gain = ((SNNTORCH_DT * f(tauSyn / SNNTORCH_DT)) / tauSyn) * ((SNNTORCH_DT * f(tauMem / SNNTORCH_DT)) / tauMem);
  t.like(cur, { units: 16, decay: 1 - SNNTORCH_DT / tauSyn, threshold: 0, output: 'membrane', reset: { kind: 'none' }, delay: 0 });
  const w = uniform(31, 16 * 784, 0.1).map(f);
  for (const i of [0, 100, 16 * 784 - 1]) t.is(cur!.weights!.data[i], f(gain * w[i]!));
  t.is(mem!.weights, undefined);
  t.like(mem, { units: 16, decay: 1 - SNNTORCH_DT / tauMem, threshold: 1, output: 'binary', reset: { kind: 'zero' } });
  t.true(mem!.bias.data.every((v) => v === 0));
});

test('LI and Integrator are non-firing membrane layers; Threshold is a decay-0 binary layer; Scale folds into W', async (t) => {
  const base = snntorchMlp(6);
  base.nodes['2'] = { type: 'Threshold', threshold: { f32: [0.5], shape: [] } };
  base.nodes['4'] = { type: 'LI', tau: { f32: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4], shape: [10] }, r: { f32: new Array(10).fill(2), shape: [10] }, v_leak: { f32: new Array(10).fill(1), shape: [10] } };
  base.nodes.scale = { type: 'Scale', scale: { f32: new Array(10).fill(0.5), shape: [10] } };
  base.edges = [['input', '0'], ['0', '1'], ['1', '2'], ['2', '3'], ['3', 'scale'], ['scale', '4'], ['4', 'output']];
  const model = await load(base);
  const [th, li] = model.layers as SpikingLayer[];
  t.like(th, { decay: 0, threshold: 0.5, output: 'binary', reset: { kind: 'zero' } });
  t.like(li, { decay: 0.75, threshold: 0, output: 'membrane', reset: { kind: 'none' } });
  const w = uniform(13, 60, 0.5).map(f);
  const b = uniform(14, 10, 0.125).map(f);
  // gain dt*r/tau = 0.5, scale 0.5, bias += dt*v_leak/tau = 0.25
  t.is(li!.weights!.data[7], f(0.25 * w[7]!));
  t.is(li!.bias.data[3], f(0.25 * b[3]! + 0.25));
  t.deepEqual(model.readout, { kind: 'sum', begin: 0 });
  base.nodes['4'] = { type: 'I', r: { f32: new Array(10).fill(1), shape: [10] } };
  const integ = await load(base);
  t.like(integ.layers[1], { decay: 1, output: 'membrane', reset: { kind: 'none' } });
});

test('flags set the input spec, encoder, timesteps and readout; the Input shape must match the dataset', async (t) => {
  const model = await load(snntorchMlp(4), { dt: SNNTORCH_DT, inputScale: 0.5, encoder: 'jitter', timesteps: 7, readout: 'membrane', name: 'mine' });
  t.deepEqual(model.input, { shape: [1, 28, 28], scale: 0.5 });
  t.deepEqual(model.encoder, { kind: 'jitter' });
  t.is(model.timesteps, 7);
  t.deepEqual(model.readout, { kind: 'sum', begin: 0 });
  t.is(model.metadata.name, 'mine');
  const flat = snntorchMlp(4);
  flat.nodes.input = { type: 'Input', shape: { i64: [784], shape: [1] } };
  t.is((await load(flat, { dt: SNNTORCH_DT })).layers.length, 2); // 784 flattened == 1x28x28
  const err = await t.throwsAsync(load(snntorchMlp(4), { dt: SNNTORCH_DT, dataset: 'cifar10' }));
  t.regex(err!.message, /Input node 'input' has shape \[1, 28, 28\], but cifar10 images are 3x32x32/);
});

/** Each broken graph and the one-line error it must give. */
const refusals: [string, (g: RawGraph) => void, RegExp][] = [
  ['unsupported node', (g) => { g.nodes['2'] = { type: 'Conv1d' }; }, /node '2' is a Conv1d, which snnc does not map \(supported: Input, Output, Affine/],
  ['unknown type', (g) => { g.nodes['2'] = { type: 'Izhikevich' }; }, /node '2' is a Izhikevich \(not a NIR primitive snnc knows\)/],
  ['branch', (g) => { g.edges.push(['1', '4']); }, /node '1' branches to '2' and '4'/],
  ['recurrent edge', (g) => { g.edges.push(['4', '3']); }, /the edges form a cycle 3 -> 4 -> 3 \(a recurrent connection\)/],
  ['merge', (g) => { g.nodes.side = { type: 'Flatten', start_dim: { i64: [0], shape: [] }, end_dim: { i64: [-1], shape: [] } }; g.edges.push(['side', '2']); }, /node '2' has two inputs \('1' and 'side'\)/],
  ['self loop', (g) => { g.edges.push(['2', '2']); }, /edge \(2, 2\) is a recurrent self-connection/],
  ['stray node', (g) => { g.nodes.extra = { type: 'Flatten', start_dim: { i64: [0], shape: [] }, end_dim: { i64: [-1], shape: [] } }; }, /node 'extra' is not on the chain from 'input' to 'output'/],
  ['nested graph', (g) => { g.nodes['2'] = { type: 'NIRGraph' }; }, /node '2' is a nested NIRGraph/],
  ['two synapses', (g) => { g.edges = [['input', '0'], ['0', '1'], ['1', '3'], ['3', '4'], ['4', 'output']]; delete g.nodes['2']; }, /node '3' \(Affine\): follows the synapse '1' with no neuron between/],
  ['per-neuron tau', (g) => { g.nodes['2']!.tau = { f32: uniform(5, 24, 1).map((x) => 1e-3 + Math.abs(x) * 1e-3), shape: [24] }; g.nodes['2']!.r = { f32: new Array(24).fill(10), shape: [24] }; g.nodes['2']!.v_leak = { f32: new Array(24).fill(0), shape: [24] }; g.nodes['2']!.v_threshold = { f32: new Array(24).fill(1), shape: [24] }; g.nodes['2']!.v_reset = { f32: new Array(24).fill(0), shape: [24] }; }, /node '2' \(LIF\): per-neuron tau \(.+\) cannot be held by snnc's layer-wide decay/],
  ['per-neuron threshold', (g) => { g.nodes['2']!.v_threshold = { f32: [1, ...new Array(23).fill(2)], shape: [24] }; }, /node '2' \(LIF\): per-neuron v_threshold \(1 \.\. 2\) cannot be held by snnc's layer-wide threshold/],
  ['wrong parameter count', (g) => { g.nodes['2']!.v_threshold = { f32: [1, 1, 1], shape: [3] }; }, /node '2' \(LIF\): v_threshold has 3 values for 24 neurons/],
  ['no neuron before output', (g) => { g.edges = [['input', '0'], ['0', '1'], ['1', '2'], ['2', '3'], ['3', 'output']]; delete g.nodes['4']; }, /the synapse '3' feeds the Output with no neuron/],
];

for (const [name, breakIt, message] of refusals) {
  test(`refuses: ${name}`, async (t) => {
    const g = snntorchMlp(24);
    breakIt(g);
    const err = await t.throwsAsync(load(g, { dt: SNNTORCH_DT }));
    t.regex(err!.message, message);
    t.false(err!.message.includes('\n'));
  });
}

test('refuses non-square kernels, dilation, groups and a dt longer than tau, naming the node', async (t) => {
  const cases: [(g: RawGraph) => void, RegExp][] = [
    [(g) => { g.nodes['0']!.weight = { f32: uniform(1, 4 * 15, 0.1), shape: [4, 1, 5, 3] }; }, /node '0' \(Conv2d\): non-square kernel 5x3/],
    [(g) => { g.nodes['0']!.dilation = { i64: [2, 2], shape: [2] }; }, /node '0' \(Conv2d\): dilation 2x2; snnc supports dilation 1 only/],
    [(g) => { g.nodes['0']!.groups = { i64: [2], shape: [] }; }, /node '0' \(Conv2d\): groups = 2/],
    [(g) => { g.nodes['2']!.kernel_size = { i64: [2, 3], shape: [2] }; }, /node '2' \(SumPool2d\): non-square kernel_size 2x3/],
  ];
  for (const [breakIt, message] of cases) {
    const g = sinabsConvNet();
    breakIt(g);
    const err = await t.throwsAsync(load(g));
    t.regex(err!.message, message);
  }
  const err = await t.throwsAsync(load(snntorchMlp(4), { dt: 1 }));
  t.regex(err!.message, /node '2' \(LIF\): tau = .+ is shorter than the step dt = 1 .+ pass the exporter's step with --dt \(snnTorch writes dt = 1e-4\)/);
});
