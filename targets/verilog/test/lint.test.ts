/** @fileoverview `verilator --lint-only -Wall` is clean on everything emitted, test bench included, with and without traces. */
import test from 'ava';
import { randomProgram } from '../../../ir/random-program.ts';
import { sharedCase } from '../../../test/support/conformance-set.ts';
import { emitTo } from '../../../test/support/emit-to.ts';
import { exampleProgram } from '../../../test/support/example.ts';
import { target } from '../index.ts';
import { lint } from './support.ts';

const DESIGNS = [
  ...['conv-excess-refractory-delay1-jitter', 'binary-subtract-delay0-direct', 'excess-zero-delay1-jitter', 'conv-binary-zero-delay0-direct', 'mixed-three-layers'].map(sharedCase),
  ...['features', 'identity-delay-pool', 'strided-identity-conv', 'tiny'].map(sharedCase),
  ...['conv-excess-refractory-delay1-events', 'binary-subtract-delay0-events', 'extended-events-pool-identity'].map(sharedCase),
];

for (const { name, program, lanes } of DESIGNS) {
  for (const traces of [false, true]) {
    test(`${name}, ${lanes} lane(s)${traces ? ', traced' : ''}: lint clean`, async (t) => {
      t.is(lint(await emitTo(target, program, { lanes, traces })), '');
    });
  }
}

test('lint is clean across lane counts and random programs', async (t) => {
  for (let seed = 20; seed < 32; seed++) {
    const lanes = [1, 2, 3, 5, 8, 64][seed % 6]!;
    t.is(lint(await emitTo(target, randomProgram(seed), { lanes })), '', `seed ${seed}, ${lanes} lanes`);
  }
});

test('lint is clean on extended random programs (pools, strides, identity layers, membrane outputs)', async (t) => {
  for (let seed = 40; seed < 52; seed++) {
    const lanes = [1, 2, 3, 5, 8, 64][seed % 6]!;
    t.is(lint(await emitTo(target, randomProgram(seed, { extended: true }), { lanes })), '', `extended seed ${seed}, ${lanes} lanes`);
  }
});

test('lint is clean on random events programs (AER input, conv and dense first layers)', async (t) => {
  for (let seed = 60; seed < 66; seed++) {
    const lanes = [1, 2, 3, 5, 8, 64][seed % 6]!;
    t.is(lint(await emitTo(target, randomProgram(seed, { encoder: 'events', extended: seed % 2 === 0 }), { lanes })), '', `events seed ${seed}, ${lanes} lanes`);
  }
});

test('the shipped example at the default lanes is lint clean', async (t) => {
  t.is(lint(await emitTo(target, (await exampleProgram()).program)), '');
});
