/** @fileoverview The hardware plan: exact factor normalisation, widths from the actual weights, memory word layout. */
import test from 'ava';
import { maxOf, minOf } from '../../../ir/int-type.ts';
import { makeRandom, randomProgram } from '../../../ir/random-program.ts';
import { scaleBy } from '../../../runtime/fixed.ts';
import { convStep, poolStep } from '../../../runtime/golden.ts';
import { emitDesign } from '../emit.ts';
import { packWord } from '../mem-files.ts';
import { normalizeFactor, planDesign, poolAsConv, signedBits, type SpikingPlan } from '../plan.ts';
import { IDENTITY_DELAY_POOL, TINY } from '../../../test/support/fixed-programs.ts';

test('signedBits is the smallest two\'s-complement width holding [-bound, bound]', (t) => {
  t.deepEqual([0n, 1n, 127n, 128n, 2n ** 40n].map(signedBits), [1, 2, 8, 9, 42]);
});

test('factors lose their common powers of two', (t) => {
  t.deepEqual(normalizeFactor({ mul: 58982, shift: 16 }), { mul: 29491, shift: 15, bits: 16 });
  t.deepEqual(normalizeFactor({ mul: 65536, shift: 16 }), { mul: 1, shift: 0, bits: 2 });
  t.deepEqual(normalizeFactor({ mul: 98304, shift: 16 }), { mul: 3, shift: 1, bits: 3 });
  t.deepEqual(normalizeFactor({ mul: 0, shift: 16 }), { mul: 0, shift: 0, bits: 1 });
});

test('a normalised factor rounds exactly like the original', (t) => {
  const factors = [{ mul: 58982, shift: 16 }, { mul: 98304, shift: 16 }, { mul: 65536, shift: 16 }, { mul: 12, shift: 4 }, { mul: 3, shift: 2 }];
  for (const f of factors) {
    const n = normalizeFactor(f);
    let differing = 0;
    for (let v = -5000; v <= 5000; v += 7) if (scaleBy(v, f) !== scaleBy(v, n)) differing++;
    t.is(differing, 0, `${f.mul} >> ${f.shift}`);
  }
});

test('the tiny model plans its widths from its actual weights and the producer types', (t) => {
  const plan = planDesign(TINY, 2);
  const hidden = plan.stages[1] as SpikingPlan;
  // |w| row sums 30, 27, 31 times max |x| = 32 (conv outputs are s6): 992 needs 11 bits.
  t.is(hidden.accBits, 11);
  t.deepEqual([hidden.lanes, hidden.groups, hidden.shiftBits, hidden.memBits], [2, 2, 1, 12]);
  t.deepEqual(plan.lists.map((l) => [l.name, l.addrBits, l.value.bits, l.depth, l.banks]), [
    ['input', 5, 8, 9, 1],
    ['conv', 3, 6, 8, 2],
    ['hidden', 2, 4, 3, 2],
  ]);
  t.deepEqual(plan.readout, { classes: 2, classBits: 1, memBits: 10, scoreBits: 12, any: true, first: 1, last: 2 });
});

test('weight words put lane 0 in the low bits, two\'s complement', (t) => {
  t.is(packWord([[-1, 4], [3, 4]]), '3f');
  t.is(packWord([[5, 3], [1, 1]]), 'd');
  t.throws(() => packWord([[9, 3]]), { instanceOf: RangeError });
  const files = new Map(emitDesign(TINY, { lanes: 2, traces: false }).map((f) => [f.path, f.contents]));
  const hidden = String(files.get('mem/s1_weights.hex')).trim().split('\n');
  t.is(hidden.length, 16, 'two groups of 8 inputs');
  t.is(hidden[0], 'e5', 'input 0: unit 0 weight 5 in the low nibble, unit 1 weight -2 above it');
  t.is(hidden[8], '04', 'group 1 holds unit 2 and an empty lane');
  t.deepEqual(String(files.get('mem/s1_units.hex')).trim().split('\n'), ['0c', '6c', '05'], '{accShift - min (1 bit), bias (6 bits)}');
});

test('a pool layer computed as its conv form is exactly the golden pool', (t) => {
  for (let seed = 1; seed <= 300; seed++) {
    const program = randomProgram(seed, { extended: true, pool: true });
    for (const op of program.layers) {
      if (op.kind !== 'pool') continue;
      const size = op.inShape.reduce((a, b) => a * b, 1);
      const rand = makeRandom(seed);
      const [lo, hi] = [minOf(op.inType), maxOf(op.inType)];
      const x = Array.from({ length: size }, () => lo + Math.floor(rand() * (hi - lo + 1)));
      t.deepEqual(convStep(poolAsConv(op), x), poolStep(op, x), `seed ${seed}, ${op.name}`);
    }
  }
});

test('an identity layer has one group, no weight image, and an accumulator as wide as its input', (t) => {
  const program = IDENTITY_DELAY_POOL;
  const plan = planDesign(program, 2);
  const identity = plan.stages[1] as SpikingPlan;
  t.deepEqual([identity.identity, identity.groups, identity.accBits], [true, 1, 6]);
  t.deepEqual(plan.lists.map((l) => [l.name, l.addrBits, l.coords]), [['input', 7, true], ['conv', 7, false], ['if', 8, true], ['sum', 4, false]]);
  const paths = emitDesign(program, { lanes: 2, traces: false }).map((f) => f.path);
  t.false(paths.includes('mem/s1_weights.hex'));
  t.true(paths.includes('mem/s1_units.hex') && paths.includes('mem/s2_weights.hex') && paths.includes('rtl/snn_coords.v'));
});
