/** @fileoverview The IR's printer (goldens), JSON round trip and validator. */
import test from 'ava';
import { printProgram } from '../ir/print.ts';
import type { Program } from '../ir/program.ts';
import { randomProgram } from '../ir/random-program.ts';
import type { SpikingOp } from '../ir/spiking.ts';
import { parseProgram, validateProgram } from '../ir/validate.ts';
import { SnncError } from '../base/errors.ts';
import { assertGolden } from './support/golden.ts';

const GOLDEN = new URL('./golden/', import.meta.url).pathname;

test('printed IR of generated programs matches the goldens', (t) => {
  assertGolden(t, `${GOLDEN}random-3-conv.ir.txt`, printProgram(randomProgram(3, { conv: true })));
  assertGolden(t, `${GOLDEN}random-7-binary-delay.ir.txt`, printProgram(randomProgram(7, { conv: false, output: 'binary', delay: 1, reset: 'subtract' })));
});

test('JSON round trip gives an identical program', (t) => {
  for (let seed = 0; seed < 50; seed++) {
    const program = randomProgram(seed);
    const back = parseProgram(JSON.stringify(program), 'ir.json');
    t.deepEqual(back, program);
    t.is(JSON.stringify(back), JSON.stringify(program));
  }
});

function firstSpiking(p: Program): SpikingOp {
  return p.layers.find((l): l is SpikingOp => l.kind === 'spiking')!;
}

function withSpiking(p: Program, change: Partial<SpikingOp>): Program {
  return { ...p, layers: p.layers.map((l) => (l === firstSpiking(p) ? { ...l, ...change } : l)) };
}

test('the validator rejects what would break the integer semantics', (t) => {
  const p = randomProgram(11, { conv: false, weightBits: 8 });
  const s = firstSpiking(p);
  const cases: [Program, RegExp][] = [
    [withSpiking(p, { weights: s.weights.map((w, i) => (i === 0 ? 300 : w)) }), /weights: \[0\] = 300 is not an integer of s8/],
    [withSpiking(p, { weights: s.weights.slice(1) }), /weights: has \d+ values/],
    [withSpiking(p, { accType: { signed: true, bits: 4, frac: 0 } }), /accType: does not hold the largest possible accumulator/],
    [withSpiking(p, { membraneType: { signed: true, bits: 40, frac: 0 } }), /membraneType: 40 bits is outside \[2, 32\]/],
    [withSpiking(p, { decay: { mul: 2 ** 21, shift: 16 } }), /^invalid IR: layers\[\d\]\.decay\.mul: expected an integer in \[0, 1048576\], got 2097152$/],
    [withSpiking(p, { threshold: -1 }), /^invalid IR: layers\[\d\]\.threshold: expected an integer in \[0, 2147483648\], got -1$/],
    [withSpiking(p, { inputs: s.inputs + 1 }), /inputs: \d+ does not match/],
    [{ ...p, classes: 99 }, /classes: 99 classes but the last spiking layer has/],
    [{ ...p, readout: { ...p.readout, begin: p.timesteps } }, /readout.begin/],
    [{ ...p, readout: { ...p.readout, scoreType: { signed: true, bits: 3, frac: 0 } } }, /scoreType: does not hold/],
  ];
  for (const [bad, message] of cases) {
    const err = t.throws(() => validateProgram(bad), { instanceOf: SnncError });
    t.regex(err!.message, message);
    t.is((err as SnncError).code, 'ir');
  }
});

test('parseProgram names the broken field of untrusted JSON', (t) => {
  const p = JSON.parse(JSON.stringify(randomProgram(2))) as Record<string, unknown>;
  t.throws(() => parseProgram('{"format": "snnc-ir", ', 'x.json'), { message: /^x\.json: not valid JSON/ });
  t.throws(() => parseProgram(JSON.stringify({ ...p, timesteps: 'eight' }), 'x.json'), { message: /^x\.json: timesteps: expected a finite number, got a string$/ });
  t.throws(() => parseProgram(JSON.stringify({ ...p, layers: [{ kind: 'pooling' }] }), 'x.json'), { message: /layers\[0\]\.kind: expected one of "conv", "spiking"/ });
});

test('extended random programs validate, round-trip, and cover every new feature', (t) => {
  const seen = new Set<string>();
  for (let seed = 0; seed < 400; seed++) {
    const program = randomProgram(seed, { extended: true });
    t.deepEqual(parseProgram(JSON.stringify(program), 'ir.json'), program);
    seen.add(`source ${program.readout.source}`);
    for (const l of program.layers) {
      if (l.kind === 'conv') seen.add(`conv stride ${Math.min(l.stride, 2)} padding ${Math.min(l.padding, 1)}`);
      if (l.kind === 'pool') seen.add(`pool ${l.mode}`);
      if (l.kind === 'spiking') seen.add(`synapse ${l.synapse}`).add(`output ${l.output.kind}`).add(`reset ${l.reset.kind}`);
    }
  }
  const expected = [
    'source membrane', 'source output', 'conv stride 1 padding 0', 'conv stride 2 padding 1', 'pool sum', 'pool avg', 'synapse dense', 'synapse identity',
    'output excess', 'output binary', 'output membrane', 'reset refractory', 'reset subtract', 'reset zero', 'reset value', 'reset none',
  ];
  for (const feature of expected) t.true(seen.has(feature), feature);
  t.true(randomProgram(1, { extended: true, pool: true }).layers.some((l) => l.kind === 'pool'));
  t.false(randomProgram(1, { extended: true, conv: false }).layers.some((l) => l.kind === 'conv'));
  t.is(randomProgram(2, { extended: true, source: 'output' }).readout.source, 'output');
  t.throws(() => randomProgram(3, { reset: 'none', output: 'binary' }), { instanceOf: RangeError });
  t.true(randomProgram(3, { reset: 'none' }).layers.every((l) => l.kind !== 'spiking' || l.output.kind === 'membrane'));
});
