/**
 * @fileoverview target.check: what the hardware refuses, with one-line SnncError('unsupported', ...) messages (what
 * it accepts is in test/conformance.test.ts).
 */
import test from 'ava';
import { SnncError } from '../../../base/errors.ts';
import type { Program } from '../../../ir/program.ts';
import type { ConvOp } from '../../../ir/conv.ts';
import type { PoolOp } from '../../../ir/pool.ts';
import type { SpikingOp } from '../../../ir/spiking.ts';
import { checkProgram } from '../check.ts';
import { TINY } from '../../../test/support/fixed-programs.ts';

const hidden = TINY.layers[1] as SpikingOp;
const out = TINY.layers[2] as SpikingOp;

function refused(t: import('ava').ExecutionContext, program: Program, pattern: RegExp): void {
  const error = t.throws(() => checkProgram(program), { instanceOf: SnncError });
  t.is((error as SnncError).code, 'unsupported');
  t.regex(error!.message, pattern);
  t.false(error!.message.includes('\n'), 'one line');
}

test('a conv layer after a dense spiking layer is refused', (t) => {
  const first: SpikingOp = { ...hidden, name: 'first', inputs: 9, units: 8, weights: new Array(72).fill(1), bias: new Array(8).fill(0), accShift: new Array(8).fill(0), weightFrac: new Array(8).fill(0) };
  const conv = { ...TINY.layers[0]!, inShape: [2, 2, 2] as const, outShape: [2, 1, 1] as const };
  refused(t, { ...TINY, layers: [first, conv, out] } as Program, /conv layer conv follows a dense spiking layer/);
  const pool: PoolOp = { kind: 'pool', name: 'pool', mode: 'sum', inShape: [2, 2, 2], outShape: [2, 1, 1], kernel: 2, stride: 1, padding: 0, inType: first.output.type, scale: { mul: 1, shift: 0 }, outType: first.output.type };
  refused(t, { ...TINY, layers: [first, pool, out] } as Program, /pool layer pool follows a dense spiking layer/);
});

test('windows that do not produce their output shape, and bad identity layers, are refused', (t) => {
  const conv = TINY.layers[0] as ConvOp;
  refused(t, { ...TINY, layers: [{ ...conv, stride: 2 }, hidden, out] }, /conv layer conv: shape 2x2x2 is not the kernel 2, stride 2, padding 0 window of 1x3x3/);
  refused(t, { ...TINY, layers: [{ ...conv, padding: 2 }, hidden, out] }, /kernel 2, stride 1, padding 2/);
  const identity: SpikingOp = { ...hidden, synapse: 'identity', units: 8, weights: [], bias: new Array(8).fill(0), accShift: new Array(8).fill(0), weightFrac: new Array(8).fill(0) };
  refused(t, { ...TINY, layers: [conv, { ...identity, units: 7 }, out] }, /identity synapse needs units == inputs and no weights/);
  refused(t, { ...TINY, layers: [conv, { ...identity, reset: { kind: 'value', value: 5000 } }, out] }, /reset.value = 5000 is outside the membrane type/);
  refused(t, { ...TINY, layers: [conv, { ...identity, reset: { kind: 'none' } }, out] }, /reset none needs output membrane/);
});

test('signed pixels, a foreign generator and out-of-range jitter bits are refused', (t) => {
  refused(t, { ...TINY, input: { ...TINY.input, type: { signed: true, bits: 8, frac: 8 } } }, /input pixels of type s8/);
  refused(t, { ...TINY, encoder: { kind: 'jitter', prng: 'lfsr' as 'xorshift32', jitterBits: 8, outType: TINY.input.type } }, /jitter generator lfsr/);
  refused(t, { ...TINY, encoder: { kind: 'jitter', prng: 'xorshift32', jitterBits: 0, outType: TINY.input.type } }, /jitterBits = 0/);
});

test('negative thresholds, bad shifts, class and readout mismatches are refused', (t) => {
  refused(t, { ...TINY, layers: [TINY.layers[0]!, { ...hidden, threshold: -1 }, out] }, /hidden.threshold = -1/);
  refused(t, { ...TINY, layers: [TINY.layers[0]!, { ...hidden, accShift: [0, 40, 0] }, out] }, /hidden.accShift\[1\] = 40/);
  refused(t, { ...TINY, layers: [TINY.layers[0]!, { ...hidden, decay: { mul: 2 ** 21, shift: 16 } }, out] }, /hidden.decay.mul/);
  refused(t, { ...TINY, classes: 3 }, /classes = 3 but the last layer has 2 units/);
  refused(t, { ...TINY, readout: { ...TINY.readout, begin: 3 } }, /readout.begin = 3/);
  refused(t, { ...TINY, layers: [TINY.layers[0]!, { ...hidden, inputs: 7 }, out] }, /takes 7 inputs, gets 8/);
  refused(t, { ...TINY, layers: [TINY.layers[0]!, hidden] }, /classes = 2 but the last layer has 3 units/);
  refused(t, { ...TINY, layers: [TINY.layers[0]!] }, /last layer conv is not a spiking layer/);
});
