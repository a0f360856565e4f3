/**
 * @fileoverview NIR recurrence (docs/nir.md "Recurrence"): the NIR paper's Braille RNN (CubaLIF with a recurrent
 * Affine) imports as one spiking layer with a recurrent synapse and a synaptic current (`recurrent`, `synapticDecay`),
 * lowers (worst-case bounds or data calibration) to the exact integers below, and survives import -> export -> import;
 * a bias into a recurrent CubaLIF's current becomes that current's bias (`synapticBias`); other cycle shapes and
 * fractional or long Delays are refused.
 */
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelToNir } from '../compiler/frontends/nir/export.ts';
import { nirToModel } from '../compiler/frontends/nir/import.ts';
import type { NirImportOptions } from '../compiler/frontends/nir/model-head.ts';
import { readNirFile } from '../compiler/frontends/nir/read-nir.ts';
import { writeNirFile } from '../compiler/frontends/nir/write-nir.ts';
import { loweringChecks, lowerModel } from '../compiler/lower.ts';
import { NO_CALIBRATION, type CalibrationSet } from '../compiler/passes/state.ts';
import { randomCounts } from '../ir/random-program.ts';
import type { Program } from '../ir/program.ts';
import type { SpikingOp } from '../ir/spiking.ts';
import type { SnnModel, SpikingLayer } from '../model/format.ts';
import { runSnnFloat } from '../runtime/float-reference.ts';
import { serializeModel } from '../model/write-model.ts';
import { BRAILLE_BIAS, BRAILLE_BIAS_EXAMPLE, BRAILLE_EXAMPLE, brailleExampleGraph } from '../scripts/braille-rnn-example.ts';
import { brailleRnn, snntorchMlp, SNNTORCH_DT, uniform, writeRawNir, type BrailleOptions, type RawGraph } from './support/nir-build.ts';

const dir = mkdtempSync(join(tmpdir(), 'snnc-nir-rec-'));
let counter = 0;
const f = Math.fround;
/** The integers both lowerings give: 8-bit weights at frac 8 fix the membrane's frac; range-analysis proves 21 bits. */
const MEMBRANE = { signed: true, bits: 21, frac: 8 };
const WEIGHTS = [-40, 36, -39, 54, 33];
const RECURRENT = [-40, 64, 17, 66, -69];
const SYNAPTIC = { decay: { mul: 52429, shift: 16 }, type: { signed: true, bits: 32, frac: 8 } };
const SNNTORCH = { dt: SNNTORCH_DT };

async function load(graph: RawGraph, options: NirImportOptions = SNNTORCH): Promise<SnnModel> {
  const file = join(dir, `g${counter++}.nir`);
  await writeRawNir(file, graph);
  return nirToModel(await readNirFile(file), file, options);
}

function lower(model: SnnModel, calibration: CalibrationSet = NO_CALIBRATION): Program {
  return lowerModel({ model, sourceSha256: 'test', calibration });
}

/** Random event-count samples (T frames of the 12 channels, counts up to 15) for data calibration: no Braille file here. */
function randomEvents(model: SnnModel, count: number): CalibrationSet {
  const images = Array.from({ length: count }, (_, i) => randomCounts(100 + i, model.timesteps * 12, 15));
  return { dataset: 'random events', images, seeds: images.map((_, i) => i) };
}

/** snnTorch's CubaLIF(alpha 0.8, beta 0.9) at dt 1e-4, as brailleRnn writes it: decays and the folded input gain. */
const tauSyn = f(SNNTORCH_DT / (1 - f(0.8)));
const tauMem = f(SNNTORCH_DT / (1 - f(0.9)));
const gain = ((SNNTORCH_DT * f(tauSyn / SNNTORCH_DT)) / tauSyn) * ((SNNTORCH_DT * f(tauMem / SNNTORCH_DT)) / tauMem);

const variants: BrailleOptions[] = [
  { reset: 'subtract', bias: false, seed: 5 },
  { reset: 'zero', bias: false, seed: 5 },
];

for (const v of variants) {
  test(`Braille RNN (${v.reset} reset): each CubaLIF is one layer with a synaptic current, the first with a recurrent synapse`, async (t) => {
    const model = await load(brailleRnn(v));
    t.deepEqual(model.layers.map((l) => l.name), ['lif1', 'lif2']);
    const [rec, out] = model.layers as SpikingLayer[];
    t.deepEqual(model.input.shape, [12, 1, 1]);
    t.is(model.classes, 7);
    // the recurrent CubaLIF: dense 12 -> 38, the loop [38, 38], current decay 1 - dt/tau_syn, membrane 1 - dt/tau_mem
    t.deepEqual(rec!.weights!.shape, [38, 12]);
    t.deepEqual(rec!.recurrent!.shape, [38, 38]);
    t.is(rec!.synapticDecay, 1 - SNNTORCH_DT / tauSyn);
    t.is(rec!.decay, 1 - SNNTORCH_DT / tauMem);
    t.is(rec!.threshold, 1);
    t.is(rec!.output, 'binary');
    t.deepEqual(rec!.reset, { kind: v.reset });
    const w = uniform(v.seed, 38 * 12, 0.6).map(f);
    const r = uniform(v.seed + 2, 38 * 38, 0.3).map(f);
    for (const i of [0, 1, 37, 38 * 12 - 1]) t.is(rec!.weights!.data[i], f(gain * w[i]!));
    // recurrent[j, k] = gain_j * w_rec[j, k]: unit k's spike of the previous step into unit j
    for (const i of [0, 1, 38, 38 * 38 - 1]) t.is(rec!.recurrent!.data[i], f(gain * r[i]!));
    // the membrane's bias is (dt/tau_mem) v_leak = 0
    t.true(rec!.bias.data.every((b) => b === 0));
    // the feed-forward CubaLIF: the same one-layer form without the loop
    t.deepEqual([out!.weights!.shape, out!.recurrent, out!.synapticDecay, out!.reset], [[7, 38], undefined, rec!.synapticDecay, { kind: v.reset }]);
  });
}

/** The integers of the recurrent CubaLIF layer (the first) and the synaptic current of the second. */
function checkBrailleIntegers(t: import('ava').ExecutionContext, program: Program, reset: 'subtract' | 'zero'): void {
  const [op, last] = program.layers as SpikingOp[];
  t.is(op!.synapse, 'dense');
  t.deepEqual(op!.reset, { kind: reset });
  t.deepEqual(op!.inType, { signed: false, bits: 4, frac: 0 });
  t.deepEqual(op!.membraneType, MEMBRANE);
  t.deepEqual(op!.decay, { mul: 58982, shift: 16 }); // round(0.9 * 2^16)
  t.is(op!.threshold, 256); // 1.0 at frac 8
  // w[0] = 0.6 * (2 * r - 1) of seed 5, times the folded unit gain, at frac 8: -40 / 256 = -0.156
  t.deepEqual(op!.weights.slice(0, 5), WEIGHTS);
  // the synaptic current: decay 0.8 at 16 bits (round(0.8 * 2^16) = 52429), on the membrane's grid
  t.deepEqual(op!.synaptic, SYNAPTIC);
  const loop = op!.recurrent!;
  t.is(loop.weights.length, 38 * 38);
  t.deepEqual(loop.weights.slice(0, 5), RECURRENT);
  t.deepEqual(loop.weightType, { signed: true, bits: 8, frac: 8 });
  // the weights' fraction + the binary output's 0 + the shift = the membrane's fraction bits
  t.true(loop.weightFrac.every((wf, j) => wf + op!.output.type.frac + loop.accShift[j]! === op!.membraneType.frac));
  t.deepEqual(loop.accType, { signed: true, bits: 12, frac: 8 });
  t.deepEqual([last!.name, last!.recurrent, last!.synaptic], ['lif2', undefined, SYNAPTIC]);
  t.true(program.quantization.provenNoSaturation);
}

test('Braille RNN lowers with worst-case bounds to a recurrent synapse and synaptic currents with these integers', async (t) => {
  for (const reset of ['subtract', 'zero'] as const) {
    const program = lower(await load(brailleRnn({ reset, bias: false, seed: 5 })));
    checkBrailleIntegers(t, program, reset);
    t.deepEqual(program.quantization.calibration, { dataset: 'none', images: 0, seed: 0 });
  }
});

test('Braille RNN lowers with data calibration: the float reference runs recurrence and the synaptic current, and agrees', async (t) => {
  const model = await load(brailleRnn({ reset: 'subtract', bias: false, seed: 5 }));
  const warnings: string[] = [];
  const program = lowerModel({ model, sourceSha256: 'test', calibration: randomEvents(model, 8), warn: (line) => warnings.push(line) });
  checkBrailleIntegers(t, program, 'subtract');
  t.deepEqual(program.quantization.calibration, { dataset: 'random events', images: 8, seed: 0 });
  t.deepEqual(warnings, []);
  t.deepEqual(loweringChecks(program)!.agreement, { agree: 8, images: 8 });
});

test('a recurrent CubaLIF whose Affines have a bias: their gain-scaled sum is its synaptic current\'s bias', async (t) => {
  const model = await load(brailleRnn({ reset: 'zero', bias: true, seed: 9 }));
  // lif1 (recurrent) is one layer; lif2 (feed-forward, biased) keeps the exact two-layer form
  t.deepEqual(model.layers.map((l) => l.name), ['lif1', 'lif2_syn', 'lif2']);
  const layer = model.layers[0] as SpikingLayer;
  const bIn = uniform(9 + 1, 38, 0.15).map(f);
  const bRec = uniform(9 + 3, 38, 0.075).map(f);
  for (const j of [0, 17, 37]) t.is(layer.synapticBias!.data[j], f(gain * bIn[j]! + gain * bRec[j]!));
  t.deepEqual(layer.synapticBias!.shape, [38]);
  // the membrane's bias is still (dt/tau_mem) v_leak = 0
  t.true(layer.bias.data.every((b) => b === 0));
  // lowered: the current's bias on the membrane grid (frac 8), within the current's type; the clamp-free proof stands
  const op = lower(model).layers[0] as SpikingOp;
  t.deepEqual(op.synaptic!.bias!.slice(0, 3), Array.from(layer.synapticBias!.data.slice(0, 3), (b) => Math.round(b * 256)));
  t.true(lower(model).quantization.provenNoSaturation);
});

test('a feed-forward CubaLIF whose Affine has a bias keeps the exact two-layer form (current, then membrane)', async (t) => {
  const g = brailleRnn({ reset: 'zero', bias: true, seed: 9 });
  g.edges = g.edges.filter(([a, b]) => a !== 'rec1' && b !== 'rec1');
  delete g.nodes.rec1;
  const model = await load(g);
  t.deepEqual(model.layers.map((l) => [l.name, (l as SpikingLayer).output, (l as SpikingLayer).synapticDecay]), [
    ['lif1_syn', 'membrane', undefined], ['lif1', 'binary', undefined], ['lif2_syn', 'membrane', undefined], ['lif2', 'binary', undefined],
  ]);
  const current = model.layers[0] as SpikingLayer;
  const bIn = uniform(9 + 1, 38, 0.15).map(f);
  for (const j of [0, 17, 37]) t.is(current.bias.data[j], f(gain * bIn[j]!));
});

test('a recurrent LIF: the loop Affine\'s bias adds to the layer bias, gains fold into both synapses', async (t) => {
  const g = snntorchMlp(8);
  g.nodes.rec = { type: 'Affine', weight: { f32: uniform(41, 64, 0.2), shape: [8, 8] }, bias: { f32: uniform(42, 8, 0.1), shape: [8] } };
  g.edges.push(['2', 'rec'], ['rec', '2']);
  const model = await load(g);
  const layer = model.layers[0] as SpikingLayer;
  const tau = f(SNNTORCH_DT / (1 - f(0.9)));
  const lifGain = (SNNTORCH_DT * f(tau / SNNTORCH_DT)) / tau;
  const bIn = uniform(12, 8, 0.03).map(f);
  const bRec = uniform(42, 8, 0.1).map(f);
  for (let j = 0; j < 8; j++) t.is(layer.bias.data[j], f(lifGain * bIn[j]! + lifGain * bRec[j]!));
  t.is(layer.recurrent!.data[9], f(lifGain * f(uniform(41, 64, 0.2)[9]!)));
  t.is(layer.synapticDecay, undefined);
  t.is((model.layers[1] as SpikingLayer).recurrent, undefined);
});

test('import -> export -> import gives the same model and the same program (Braille RNN, both resets, with and without bias)', async (t) => {
  for (const [reset, bias] of [['subtract', false], ['zero', false], ['subtract', true]] as const) {
    const first = await load(brailleRnn({ reset, bias, seed: 5 }));
    t.is((first.layers[0] as SpikingLayer).synapticBias !== undefined, bias);
    const file = join(dir, `rt${counter++}.nir`);
    const exported = modelToNir(first, SNNTORCH_DT).graph;
    t.is(exported.nodes.get('lif1')!.type, 'CubaLIF');
    t.is(exported.nodes.get('lif1_rec')!.type, 'Linear');
    t.true(exported.edges.some(([a, b]) => a === 'lif1' && b === 'lif1_rec') && exported.edges.some(([a, b]) => a === 'lif1_rec' && b === 'lif1'));
    await writeNirFile(file, exported);
    const again = nirToModel(await readNirFile(file), file);
    const [want, got] = [serializeModel(first), serializeModel(again)];
    t.is(got.json, want.json);
    t.true(got.weights.equals(want.weights));
    t.deepEqual(lower(again), lower(first));
  }
});

test('Delay: one step after a neuron is delay 1, zero steps nothing, a float32 dt counts as one step', async (t) => {
  const delayed = (seconds: number, shape: number[] = []): RawGraph => {
    const g = snntorchMlp(8);
    g.nodes.d = { type: 'Delay', delay: { f32: [seconds], shape } };
    g.edges = g.edges.filter(([a]) => a !== '2').concat([['2', 'd'], ['d', '3']]);
    return g;
  };
  t.deepEqual((await load(delayed(SNNTORCH_DT))).layers.map((l) => (l as SpikingLayer).delay), [1, 0]);
  t.deepEqual((await load(delayed(0))).layers.map((l) => (l as SpikingLayer).delay), [0, 0]);
  t.deepEqual((await load(delayed(SNNTORCH_DT, [1]))).layers.map((l) => (l as SpikingLayer).delay), [1, 0]);
});

/** Each graph and the one-line error it must give. */
const refusals: [string, (g: RawGraph) => void, RegExp][] = [
  [
    'a loop through two nodes (neuron -> Affine -> Scale -> neuron)',
    (g) => {
      g.nodes.s = { type: 'Scale', scale: { f32: [0.5], shape: [1] } };
      g.edges = g.edges.filter(([a]) => a !== 'rec1').concat([['rec1', 's'], ['s', 'lif1']]);
    },
    /the edges form a cycle lif1 -> rec1 -> s -> lif1 \(a recurrent connection\); the only loop snnc imports is neuron -> Affine\/Linear -> the same neuron/,
  ],
  [
    'a loop from a later layer (lif2 -> Affine -> lif1)',
    (g) => {
      g.nodes.back = { type: 'Affine', weight: { f32: uniform(3, 38 * 7, 0.1), shape: [38, 7] }, bias: { f32: new Array(38).fill(0), shape: [38] } };
      g.edges.push(['lif2', 'back'], ['back', 'lif1']);
    },
    /the edges form a cycle lif1 -> fc2 -> lif2 -> back -> lif1 \(a recurrent connection\)/,
  ],
  [
    'a loop on a synapse (fc2 -> Affine -> fc2)',
    (g) => {
      g.nodes.loop = { type: 'Affine', weight: { f32: uniform(3, 49, 0.1), shape: [7, 7] }, bias: { f32: new Array(7).fill(0), shape: [7] } };
      g.edges.push(['fc2', 'loop'], ['loop', 'fc2']);
    },
    /the edges form a cycle fc2 -> loop -> fc2 \(a recurrent connection\)/,
  ],
  [
    'two loops on one neuron',
    (g) => {
      g.nodes.rec2 = { type: 'Linear', weight: { f32: uniform(4, 38 * 38, 0.1), shape: [38, 38] } };
      g.edges.push(['lif1', 'rec2'], ['rec2', 'lif1']);
    },
    /node 'lif1' has two recurrent synapses \('rec1' and 'rec2'\)/,
  ],
  [
    'a loop of the wrong shape',
    (g) => { g.nodes.rec1!.weight = { f32: uniform(4, 38 * 12, 0.1), shape: [38, 12] }; },
    /node 'lif1' \(CubaLIF\): its recurrent synapse 'rec1' has weight \[38, 12\], expected \[38, 38\]/,
  ],
];

for (const [name, breakIt, message] of refusals) {
  test(`refuses: ${name}`, async (t) => {
    const g = brailleRnn({ reset: 'zero', bias: false, seed: 5 });
    breakIt(g);
    const err = await t.throwsAsync(load(g));
    t.regex(err!.message, message);
    t.false(err!.message.includes('\n'));
  });
}

test('Delay of d > 1 steps: the neuron\'s delay 1 and d - 1 relay layers; the next layer sees its spikes d steps late', async (t) => {
  const g = snntorchMlp(8);
  g.nodes.d = { type: 'Delay', delay: { f32: [3 * SNNTORCH_DT], shape: [] } };
  g.edges = g.edges.filter(([a]) => a !== '2').concat([['2', 'd'], ['d', '3']]);
  const model = await load(g);
  const plain = await load(snntorchMlp(8));
  t.deepEqual(model.layers.map((l) => [l.name, (l as SpikingLayer).delay, (l as SpikingLayer).output, (l as SpikingLayer).weights === undefined]), [
    ['n2', 1, 'binary', false], ['n2_delay1', 1, 'binary', true], ['n2_delay2', 1, 'binary', true], ['n4', 0, 'binary', false],
  ]);
  // The float reference: what layer '4' reads at step t is layer '2''s output of step t - 3 (zeros before).
  const outputs = (m: SnnModel, layer: number): number[][] => {
    const seen: number[][] = [];
    runSnnFloat({ ...m, timesteps: 12 }, Uint8Array.from({ length: 784 }, (_, i) => (i * 37) % 256), 3, (l, _t, _u, o) => l === layer && seen.push(Array.from(o)));
    return seen;
  };
  const before = outputs(plain, 0);
  t.true(before.some((o) => o.some((v) => v !== 0)), 'layer 2 spikes');
  t.deepEqual(outputs(model, 2), [...Array.from({ length: 3 }, () => new Array<number>(8).fill(0)), ...before.slice(0, 9)]);
  // Lowered, the relays are exact identity layers on every target's integers (u = x, o = x).
  const program = lower(model);
  const relay = program.layers[1] as SpikingOp;
  t.like(relay, { synapse: 'identity', delay: 1, threshold: 0, decay: { mul: 0 }, output: { kind: 'binary' } });
  t.deepEqual(relay.accShift, new Array<number>(8).fill(0));
});

test('a Delay of several steps before the Output: the readout reads the relay\'s spikes, not a membrane', async (t) => {
  const g = snntorchMlp(8);
  g.nodes.d = { type: 'Delay', delay: { f32: [2 * SNNTORCH_DT], shape: [] } };
  g.edges = g.edges.filter(([a]) => a !== '4').concat([['4', 'd'], ['d', 'output']]);
  const model = await load(g);
  t.deepEqual(model.layers.map((l) => l.name), ['n2', 'n4', 'n4_delay1']);
  t.is(model.readout.source, 'output');
  const err = await t.throwsAsync(load(g, { ...SNNTORCH, readout: 'membrane' }));
  t.regex(err!.message, /: the readout reads the membrane of 'n4_delay1', a relay of a Delay of more than one step after a spiking neuron \(its membrane is the spike\); read its output, or delay by one step$/);
});

test('refuses a Delay that is not one whole step right after a neuron, saying why', async (t) => {
  const cases: [number, string, RegExp][] = [
    [1.5 * SNNTORCH_DT, '2', /node 'd' \(Delay\): delay 0\.000150\d* is 1\.5\d* steps of dt = 0\.0001, not a whole number; snnc delays by whole steps/],
    [SNNTORCH_DT, '1', /node 'd' \(Delay\): a delay must directly follow a neuron node/],
    [3 * SNNTORCH_DT, '1', /node 'd' \(Delay\): a delay must directly follow a neuron node/],
  ];
  for (const [seconds, after, message] of cases) {
    const g = snntorchMlp(8);
    g.nodes.d = { type: 'Delay', delay: { f32: [seconds], shape: [] } };
    const next = g.edges.find(([a]) => a === after)![1];
    g.edges = g.edges.filter(([a]) => a !== after).concat([[after, 'd'], ['d', next]]);
    const err = await t.throwsAsync(load(g));
    t.regex(err!.message, message);
    t.false(err!.message.includes('\n'));
  }
});

test('examples/braille-rnn.nir is the graph scripts/braille-rnn-example.ts writes, and imports as a recurrent CubaLIF', async (t) => {
  const fresh = join(dir, 'braille-example.nir');
  await writeNirFile(fresh, brailleExampleGraph());
  const shipped = await readNirFile(BRAILLE_EXAMPLE);
  t.deepEqual(shipped, await readNirFile(fresh), 'run npx tsx scripts/braille-rnn-example.ts');
  const model = nirToModel(shipped, BRAILLE_EXAMPLE);
  const first = model.layers[0] as SpikingLayer;
  t.deepEqual([first.recurrent!.shape, first.synapticDecay, first.reset, first.decay], [[38, 38], 0.8, { kind: 'subtract' }, 0.9]);
  t.deepEqual(model.layers.map((l) => [l.name, (l as SpikingLayer).synapticDecay]), [['lif1', 0.8], ['lif2', 0.8]]);
});

test('examples/braille-rnn-bias.nir is the same graph with Affine biases: lif1 gets a current bias, lif2 the two-layer form', async (t) => {
  const fresh = join(dir, 'braille-bias-example.nir');
  await writeNirFile(fresh, brailleExampleGraph(BRAILLE_BIAS));
  const shipped = await readNirFile(BRAILLE_BIAS_EXAMPLE);
  t.deepEqual(shipped, await readNirFile(fresh), 'run npx tsx scripts/braille-rnn-example.ts');
  const plain = await readNirFile(BRAILLE_EXAMPLE);
  for (const name of ['fc1', 'rec1', 'fc2']) {
    const [a, b] = [shipped.nodes.get(name)!, plain.nodes.get(name)!];
    if (a.type !== 'Affine' || b.type !== 'Affine') throw new Error(`${name} is not an Affine`);
    t.deepEqual(a.weight, b.weight, `${name}: the same weights`);
    t.true(a.bias.data.every((x) => Math.abs(x) <= BRAILLE_BIAS) && a.bias.data.some((x) => x !== 0), `${name}: a bias`);
  }
  const model = nirToModel(shipped, BRAILLE_BIAS_EXAMPLE);
  t.deepEqual(model.layers.map((l) => [l.name, (l as SpikingLayer).synapticBias !== undefined]), [['lif1', true], ['lif2_syn', false], ['lif2', false]]);
});
