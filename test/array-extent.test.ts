/** @fileoverview largest/smallest: exact on small arrays, and no stack overflow on a layer's worth of weights. */
import test from 'ava';
import { largest, smallest } from '../base/array-extent.ts';

test('largest and smallest honour the floor and ceiling', (t) => {
  t.is(largest([3, -7, 5]), 5);
  t.is(smallest([3, -7, 5]), -7);
  t.is(largest([-3, -7], 0), 0);
  t.is(smallest([3, 7], 0), 0);
  t.is(largest([]), -Infinity);
});

test('a million values (a CIFAR hidden layer holds 392,000 weights) do not overflow the stack', (t) => {
  const weights = Int32Array.from({ length: 1_000_000 }, (_, i) => ((i * 7919) % 2001) - 1000);
  weights[654_321] = 4321;
  t.is(largest(weights), 4321);
  t.is(smallest(weights), -1000);
});
