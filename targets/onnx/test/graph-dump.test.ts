/**
 * @fileoverview Text dumps of tiny emitted models kept as golden files (review the diff after UPDATE_GOLDEN=1): the
 * graph a reader sees in Netron, node by node, with names, types, attributes and doc strings.
 */
import test from 'ava';
import { randomProgram } from '../../../ir/random-program.ts';
import { assertGolden } from '../../../test/support/golden.ts';
import { BOTH } from '../../../test/support/recurrence-program.ts';
import { cubaLif, sinabsConvNet } from '../../../test/support/target-feature-programs.ts';
import { emitOnnxModels } from '../emit.ts';
import { programSha256 } from '../../../ir/fingerprint.ts';
import { modelText } from '../print-graph.ts';

const GOLDEN = new URL('./golden/', import.meta.url).pathname;

test('a tiny jitter + conv + delay-1 program in a Loop', (t) => {
  const program = randomProgram(3, { conv: true, encoder: 'jitter', timesteps: 2, delay: 1, output: 'excess', reset: 'refractory' });
  const [model] = emitOnnxModels(program, {});
  const text = modelText(model!.contents as Uint8Array);
  t.true(text.includes(`snnc.program_sha256 = ${programSha256(program)}`));
  assertGolden(t, `${GOLDEN}tiny-jitter-conv-loop.txt`, text);
});

test('a tiny direct program, unrolled, with trace outputs', (t) => {
  const program = randomProgram(5, { conv: false, encoder: 'direct', timesteps: 2, delay: 0, output: 'binary', reset: 'subtract' });
  const [model] = emitOnnxModels(program, { unroll: true, traces: true });
  assertGolden(t, `${GOLDEN}tiny-direct-unrolled-traces.txt`, modelText(model!.contents as Uint8Array));
});

test('the NIR features: padded conv, identity spiking, sum pool on spikes, spike-count readout (Loop); membrane output, value reset (unrolled)', (t) => {
  const [sinabs] = emitOnnxModels(sinabsConvNet(), {});
  assertGolden(t, `${GOLDEN}feature-sinabs-conv-net-loop.txt`, modelText(sinabs!.contents as Uint8Array));
  const [cuba] = emitOnnxModels(cubaLif(), { unroll: true });
  assertGolden(t, `${GOLDEN}feature-cuba-lif-unrolled.txt`, modelText(cuba!.contents as Uint8Array));
});

test('a tiny events program (frames [N, T, C, H, W]) in a Loop of 17 blocks of one timestep', (t) => {
  const program = randomProgram(6, { conv: false, encoder: 'events', timesteps: 17, delay: 0, output: 'binary', reset: 'subtract' });
  const [model] = emitOnnxModels(program, {});
  assertGolden(t, `${GOLDEN}tiny-events-loop.txt`, modelText(model!.contents as Uint8Array));
});

test('recurrent and synaptic: the Loop carries c and the previous output r, and W_rec r is a MatMulInteger (Loop, delay 0)', (t) => {
  const [model] = emitOnnxModels(BOTH, {});
  const text = modelText(model!.contents as Uint8Array);
  t.regex(text, /MatMulInteger\(t0\/h1\/rec_x_uint8, h1\/recurrent_weights_T, <none>, const\/weight_zero_point\)/);
  assertGolden(t, `${GOLDEN}recurrence-both-loop.txt`, text);
});
