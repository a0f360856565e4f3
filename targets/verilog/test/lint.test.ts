/** @fileoverview `verilator --lint-only -Wall` is clean on everything emitted, test bench included, with and without traces. */
import test from 'ava';
import { randomProgram } from '../../../ir/random-program.ts';
import { emitTo, lint } from './support.ts';
import { FEATURE_DESIGNS } from './feature-programs.ts';
import { MODE_DESIGNS, TINY } from './programs.ts';

for (const { name, program, lanes } of [...MODE_DESIGNS, ...FEATURE_DESIGNS, { name: 'tiny', program: TINY, lanes: 2 }]) {
  for (const traces of [false, true]) {
    test(`${name}, ${lanes} lane(s)${traces ? ', traced' : ''}: lint clean`, (t) => {
      t.is(lint(emitTo(program, { lanes, traces })), '');
    });
  }
}

test('lint is clean across lane counts and random programs', (t) => {
  for (let seed = 20; seed < 32; seed++) {
    const lanes = [1, 2, 3, 5, 8, 64][seed % 6]!;
    t.is(lint(emitTo(randomProgram(seed), { lanes })), '', `seed ${seed}, ${lanes} lanes`);
  }
});

test('lint is clean on extended random programs (pools, strides, identity layers, membrane outputs)', (t) => {
  for (let seed = 40; seed < 52; seed++) {
    const lanes = [1, 2, 3, 5, 8, 64][seed % 6]!;
    t.is(lint(emitTo(randomProgram(seed, { extended: true }), { lanes })), '', `extended seed ${seed}, ${lanes} lanes`);
  }
});
