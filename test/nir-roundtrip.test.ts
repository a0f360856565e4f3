/** @fileoverview NIR export: export -> import gives the same float model byte for byte; what NIR cannot state is refused. */
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelToNir } from '../compiler/frontends/nir/export.ts';
import { nirToModel } from '../compiler/frontends/nir/import.ts';
import { readNirFile } from '../compiler/frontends/nir/read-nir.ts';
import { writeNirFile } from '../compiler/frontends/nir/write-nir.ts';
import { readModel } from '../model/read-model.ts';
import { serializeModel } from '../model/write-model.ts';
import type { ConvLayer, PoolLayer, SnnModel, SpikingLayer, Tensor } from '../model/format.ts';
import { uniform } from './support/nir-build.ts';

const dir = mkdtempSync(join(tmpdir(), 'snnc-nir-rt-'));
let counter = 0;

const tensor = (shape: number[], seed: number, a: number): Tensor => ({ shape, data: Float32Array.from(uniform(seed, shape.reduce((x, y) => x * y, 1), a)) });

function spiking(name: string, units: number, inputs: number | undefined, over: Partial<SpikingLayer> = {}): SpikingLayer {
  return {
    kind: 'spiking', name, units, ...(inputs !== undefined ? { weights: tensor([units, inputs], units * 7 + inputs, 0.3) } : {}),
    bias: inputs === undefined ? { shape: [units], data: new Float32Array(units) } : tensor([units], units + 3, 0.05), decay: 0.9, threshold: 1, output: 'binary', reset: { kind: 'zero' }, delay: 0, ...over,
  };
}

function model(layers: SnnModel['layers'], over: Partial<SnnModel> = {}): SnnModel {
  const last = layers[layers.length - 1] as SpikingLayer;
  return {
    format: 'snnc-model', version: 1, kind: 'snn',
    metadata: { name: 'rt', dataset: 'mnist', arch: 'test', seed: 3, trainCommand: 'hand-built in test/nir-roundtrip.test.ts', accuracy: { test: 0.5, samples: 10 } },
    input: { shape: [1, 28, 28], scale: 1 / 255 }, encoder: { kind: 'direct' }, timesteps: 9, layers, readout: { kind: 'sum', source: 'output', begin: 1 }, classes: last.units, ...over,
  };
}

const conv = (name: string, filters: number, cin: number, kernel: number, over: Partial<ConvLayer> = {}): ConvLayer => ({
  kind: 'conv', name, filters, kernel, weights: tensor([filters, cin, kernel, kernel], filters * 11 + kernel, 0.4), bias: tensor([filters], filters + 5, 0.1), learned: true, ...over,
});
const pool = (name: string, mode: 'sum' | 'avg', kernel: number, stride: number, padding: number): PoolLayer => ({ kind: 'pool', name, mode, kernel, stride, padding });

/** Models that use every exportable feature; each must survive export -> import unchanged. */
const models: [string, SnnModel][] = [
  ['LIF MLP', model([spiking('fc1', 20, 784), spiking('fc2', 10, 20, { decay: 0.95, threshold: 0.75 })])],
  ['IF MLP, value reset, mean membrane readout', model([spiking('h', 12, 784, { decay: 1, reset: { kind: 'value', value: -0.5 } }), spiking('o', 10, 12, { decay: 1 })], { readout: { kind: 'mean', begin: 0 } })],
  ['subtract reset, jitter encoder', model([spiking('a', 16, 784, { reset: { kind: 'subtract' } }), spiking('b', 10, 16, { reset: { kind: 'subtract' }, decay: 0.5 })], { encoder: { kind: 'jitter' } })],
  ['decays below 0.5 and 0', model([spiking('a', 16, 784, { decay: 0.1 }), spiking('b', 16, 16, { decay: 0.3 }), spiking('c', 10, 16, { decay: 0 })])],
  ['conv net with identity LIF (bias as v_leak), pools, fixed conv', model([
    conv('c1', 3, 1, 5, { stride: 2, padding: 2, learned: false }),
    spiking('s1', 3 * 14 * 14, undefined, { bias: tensor([3 * 14 * 14], 77, 0.2), decay: 0.8 }),
    pool('p1', 'avg', 3, 2, 1),
    conv('c2', 4, 3, 3),
    spiking('s2', 4 * 5 * 5, undefined, { decay: 1 }),
    pool('p2', 'sum', 2, 2, 0),
    spiking('out', 10, 16),
  ])],
  ['CubaLIF pattern and LI / I outputs', model([
    spiking('cur', 16, 784, { decay: 0.8, threshold: 0, output: 'membrane', reset: { kind: 'none' } }),
    spiking('mem', 16, undefined, { decay: 0.9 }),
    spiking('li', 10, 16, { decay: 0.6, threshold: 0, output: 'membrane', reset: { kind: 'none' } }),
    spiking('int', 10, undefined, { decay: 1, threshold: 0, output: 'membrane', reset: { kind: 'none' } }),
  ], { readout: { kind: 'sum', begin: 0 } })],
  ['recurrent LIF (a Linear loop) with delay 1 (a Delay of dt), subtract reset', model([
    spiking('h', 12, 784, { recurrent: tensor([12, 12], 91, 0.4), delay: 1, reset: { kind: 'subtract' } }),
    spiking('o', 10, 12, { delay: 1 }),
  ])],
  ['recurrent CubaLIF (synaptic current, membrane bias as v_leak) and a feed-forward CubaLIF', model([
    spiking('syn', 12, 784, { recurrent: tensor([12, 12], 93, 0.4), synapticDecay: 0.8, bias: tensor([12], 95, 0.05) }),
    spiking('o', 10, 12, { synapticDecay: 0.7, decay: 0.95, reset: { kind: 'subtract' } }),
  ])],
  ['recurrent LI (membrane output) on an identity synapse', model([
    spiking('h', 12, 784, {}),
    spiking('li', 12, undefined, { recurrent: tensor([12, 12], 99, 0.3), decay: 0.6, threshold: 0, output: 'membrane', reset: { kind: 'none' } }),
    spiking('o', 10, 12, {}),
  ])],
];

async function roundTrip(m: SnnModel, dt: number): Promise<SnnModel> {
  const file = join(dir, `m${counter++}.nir`);
  await writeNirFile(file, modelToNir(m, dt).graph);
  return nirToModel(await readNirFile(file), file);
}

for (const [name, m] of models) {
  test(`round trip: ${name}`, async (t) => {
    const want = serializeModel(m);
    for (const dt of [1, 1e-4, 0.5]) {
      const got = serializeModel(await roundTrip(m, dt));
      t.is(got.json, want.json, `dt = ${dt}`);
      t.true(got.weights.equals(want.weights), `dt = ${dt}: weights.bin differs`);
    }
  });
}

test('round trip through the CLI: export then import rewrites model.json and weights.bin byte for byte', async (t) => {
  const { cli } = await import('./support/cli.ts');
  const { writeModel } = await import('../model/write-model.ts');
  const { readFileSync } = await import('node:fs');
  const src = join(dir, 'cli-src');
  writeModel(models[4]![1], src);
  const nir = join(dir, 'cli.nir');
  const exported = await cli('export', src, '--to', 'nir', '--out', nir, '--dt', '0.001');
  t.is(exported.code, 0, exported.err.join('\n'));
  const back = join(dir, 'cli-back');
  const imported = await cli('import', nir, '--out', back);
  t.is(imported.code, 0, imported.err.join('\n'));
  for (const f of ['model.json', 'weights.bin']) t.true(readFileSync(join(back, f)).equals(readFileSync(join(src, f))), f);
  t.deepEqual(serializeModel(readModel(back)).json, serializeModel(models[4]![1]).json);
  const sub = join(dir, 'cli-sub');
  writeModel(models[2]![1], sub);
  const noted = await cli('export', sub, '--to', 'nir', '--out', join(dir, 'sub.nir'));
  t.is(noted.code, 0);
  t.regex(noted.err.join('\n'), /layer 'a': subtract reset .* recorded in node metadata reset = "subtract"/);
});

test('export refuses what NIR cannot state, one line each', (t) => {
  const cases: [SnnModel, RegExp][] = [
    [model([spiking('h', 12, 784, { output: 'excess' }), spiking('o', 10, 12)]), /layer 'h': output 'excess' .* has no NIR primitive/],
    [model([spiking('h', 12, 784, { reset: { kind: 'refractory', penalty: 0.5 } }), spiking('o', 10, 12)]), /layer 'h': the refractory reset .* has no NIR primitive/],
    [model([spiking('h', 12, 784, { synapticDecay: 0.5, output: 'membrane', threshold: 0, reset: { kind: 'none' } }), spiking('o', 10, 12)]), /layer 'h': a synaptic current with output 'membrane' has no NIR primitive/],
    [model([spiking('h', 784, undefined, { decay: 1, bias: tensor([784], 1, 0.1) }), spiking('o', 10, 784)]), /layer 'h': a bias on an identity synapse with decay 1 has no NIR form/],
    [model([spiking('h', 784, undefined, { synapticDecay: 0.5, synapticBias: tensor([784], 2, 0.1) }), spiking('o', 10, 784)]), /layer 'h': a synaptic current bias on an identity synapse has no NIR form/],
  ];
  for (const [m, message] of cases) {
    const err = t.throws(() => modelToNir(m));
    t.regex(err!.message, message);
    t.false(err!.message.includes('\n'));
  }
});

test('files from other tools survive import -> export -> import unchanged', async (t) => {
  const { writeRawNir, snntorchMlp, sinabsConvNet, cubaLifNet } = await import('./support/nir-build.ts');
  for (const [graph, dt] of [[snntorchMlp(12), 1e-4], [sinabsConvNet(), 1], [cubaLifNet(), 1e-4]] as const) {
    const file = join(dir, `foreign${counter++}.nir`);
    await writeRawNir(file, graph);
    const first = nirToModel(await readNirFile(file), file, { dt, reset: 'subtract' });
    const want = serializeModel(first);
    const got = serializeModel(await roundTrip(first, 1));
    t.is(got.json, want.json);
    t.true(got.weights.equals(want.weights));
  }
});

/** The datasets NIR's reader (nir.read, NIR 1.0.x) expects per node type, besides "type" and "metadata". */
const NIR_FIELDS: Record<string, string[]> = {
  Input: ['shape'], Output: ['shape'], Affine: ['bias', 'weight'], Flatten: ['end_dim', 'input_type', 'start_dim'],
  Conv2d: ['bias', 'dilation', 'groups', 'input_shape', 'padding', 'stride', 'weight'], SumPool2d: ['kernel_size', 'padding', 'stride'],
  AvgPool2d: ['kernel_size', 'padding', 'stride'], LIF: ['r', 'tau', 'v_leak', 'v_reset', 'v_threshold'], IF: ['r', 'v_reset', 'v_threshold'],
  LI: ['r', 'tau', 'v_leak'], I: ['r'], Linear: ['weight'], Delay: ['delay'],
  CubaLIF: ['r', 'tau_mem', 'tau_syn', 'v_leak', 'v_reset', 'v_threshold', 'w_in'],
};

test('exported files have NIR\'s layout: field names, dtypes, edges as [E, 2] strings', async (t) => {
  const h5wasm = (await import('h5wasm/node')).default;
  await h5wasm.ready;
  const seen = new Set<string>();
  for (const [, m] of models) {
    const file = join(dir, `layout${counter++}.nir`);
    await writeNirFile(file, modelToNir(m).graph);
    const f = new h5wasm.File(file, 'r');
    try {
      t.is((f.get('version') as InstanceType<typeof h5wasm.Dataset>).value, '1.0.6');
      const graph = f.get('node') as InstanceType<typeof h5wasm.Group>;
      t.is((graph.get('type') as InstanceType<typeof h5wasm.Dataset>).value, 'NIRGraph');
      const edges = graph.get('edges') as InstanceType<typeof h5wasm.Dataset>;
      t.is(edges.dtype, 'S');
      t.is(edges.shape![1], 2);
      const nodes = graph.get('nodes') as InstanceType<typeof h5wasm.Group>;
      const names = new Set(nodes.keys());
      for (const name of edges.value as string[]) t.true(names.has(name), name);
      for (const name of names) {
        const node = nodes.get(name) as InstanceType<typeof h5wasm.Group>;
        const type = (node.get('type') as InstanceType<typeof h5wasm.Dataset>).value as string;
        seen.add(type);
        t.deepEqual(node.keys().filter((k) => k !== 'type' && k !== 'metadata').sort(), NIR_FIELDS[type], `${name} (${type})`);
        for (const key of NIR_FIELDS[type]!) {
          const ds = node.get(key) as InstanceType<typeof h5wasm.Dataset>;
          const integral = ['shape', 'input_type', 'start_dim', 'end_dim', 'kernel_size', 'stride', 'padding', 'dilation', 'groups', 'input_shape'].includes(key);
          t.is(ds.dtype, integral ? '<q' : '<d', `${name}/${key}`);
        }
        const params = NIR_FIELDS[type]!.filter((k) => ['tau', 'tau_syn', 'tau_mem', 'w_in', 'r', 'v_leak', 'v_reset', 'v_threshold'].includes(k));
        const shapes = new Set(params.map((k) => JSON.stringify((node.get(k) as InstanceType<typeof h5wasm.Dataset>).shape)));
        t.true(shapes.size <= 1, `${name}: NIR asserts equal parameter shapes`);
      }
    } finally {
      f.close();
    }
  }
  t.deepEqual([...seen].sort(), Object.keys(NIR_FIELDS).sort());
});
