/** @fileoverview The generated code of tiny fixed-seed programs, kept as reviewable golden files. */
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { randomProgram } from '../../../ir/random-program.ts';
import { assertGolden } from '../../../test/support/golden.ts';
import { target } from '../index.ts';
import { cubaLif, sinabsConvNet } from '../../../test/support/target-feature-programs.ts';

const golden = (name: string): string => fileURLToPath(new URL(`golden/${name}`, import.meta.url));

async function emitted(seed: number, encoder: 'jitter' | 'direct'): Promise<Map<string, string>> {
  const files = await target.emit(randomProgram(seed, { conv: true, timesteps: 3, encoder }), {});
  return new Map(files.map((f) => [f.path, String(f.contents)]));
}

test('jitter encoder, conv, three spiking layers (excess and binary, delay 0 and 1, packed and not): model.ts, README.md', async (t) => {
  const files = await emitted(4, 'jitter');
  t.deepEqual([...files.keys()], ['model.ts', 'README.md']);
  assertGolden(t, golden('jitter-conv.model.ts'), files.get('model.ts')!);
  assertGolden(t, golden('jitter-conv.README.md'), files.get('README.md')!);
});

test('direct encoder: the encoder and conv run once per image, outside the timestep loop', async (t) => {
  const files = await emitted(6, 'direct');
  const source = files.get('model.ts')!;
  // The conv scatter precedes the timestep loop; only its trace recording is inside.
  t.true(source.indexOf('scatters into the outputs') < source.indexOf('for (let t = 0; t < 3; t++)'));
  assertGolden(t, golden('direct-conv.model.ts'), source);
});

test('conv with padding -> identity spiking -> sum pool on spikes -> dense, read as spike counts: model.ts, README.md', async (t) => {
  const files = await target.emit(sinabsConvNet(), {});
  assertGolden(t, golden('sinabs-conv-net.model.ts'), String(files[0]!.contents));
  assertGolden(t, golden('sinabs-conv-net.README.md'), String(files[1]!.contents));
});

test('membrane output (reset none) -> identity synapse with shifts, value reset and delay 1: model.ts', async (t) => {
  const files = await target.emit(cubaLif(), {});
  const source = String(files[0]!.contents);
  // The membrane-output layer has no threshold test at all; the spiking layer after it has one.
  const syn = source.slice(source.indexOf('// syn: membrane'), source.indexOf('// lif: identity synapse'));
  t.true(syn.includes('never fires'));
  t.false(syn.includes('if (u >'));
  t.true(source.slice(source.indexOf('// lif: membrane')).includes('if (u > 700)'));
  assertGolden(t, golden('cuba-lif.model.ts'), source);
});

test('jitter encoder into a dense layer: its drive for blocks of 4 timesteps, T=6 ending in a short block', async (t) => {
  const emit = async (seed: number): Promise<string> => String((await target.emit(randomProgram(seed, { conv: false, encoder: 'jitter', timesteps: 6 }), {}))[0]!.contents);
  const [packed, plain] = [await emit(7), await emit(2)];
  for (const source of [packed, plain]) {
    t.true(source.includes('for (let t0 = 0; t0 < 6; t0 += 4)'));
    t.true(source.includes('const steps = t0 + 4 <= 6 ? 4 : 6 - t0;'));
    t.true(source.includes('if (steps < 4) xBlock.fill(0, steps * PIXELS); // the last block is short'));
    t.true(source.includes('for (let t = t0; t < t0 + steps; t++)'));
  }
  assertGolden(t, golden('jitter-dense-packed.model.ts'), packed);
  // Not packed: int32 accumulators start from the bias, one row per timestep, and are copied out each step.
  t.true(plain.includes('for (let b = 0; b < 4; b++) l0Acc.set(l0Bias, b * 4);'));
  t.true(plain.includes('l0Acc[12 + k] = (l0Acc[12 + k]! + w0 * x30 + w1 * x31 + w2 * x32 + w3 * x33) | 0;'));
  t.true(plain.includes('l0D.set(l0Acc.subarray((t - t0) * 4, (t - t0 + 1) * 4));'));
});

test('emitting is deterministic', async (t) => {
  const a = await emitted(4, 'jitter');
  const b = await emitted(4, 'jitter');
  t.is(a.get('model.ts'), b.get('model.ts'));
});

test('events encoder (dvs, 2 polarity channels) into a conv: frames per timestep, binEvents and inferEvents: model.ts, README.md', async (t) => {
  const files = await target.emit(randomProgram(5, { conv: true, encoder: 'events', timesteps: 3 }), {});
  const source = String(files[0]!.contents);
  // The frame's nonzero counts are gathered inside the timestep loop, and binning reads the polarity as the channel.
  t.true(source.indexOf('for (let t = 0; t < 3; t++)') < source.indexOf('const x = frames[at]!;'));
  t.true(source.includes('const index = (p * 3 + y) * 5 + x; // channel = polarity'));
  assertGolden(t, golden('events-conv.model.ts'), source);
  assertGolden(t, golden('events-conv.README.md'), String(files[1]!.contents));
});
