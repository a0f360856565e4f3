/**
 * @fileoverview The hand-computed recurrence programs of test/golden-recurrence.test.ts (worked on paper there), shared
 * with the IR tests of the same fields (test/ir-recurrence.test.ts).
 */
import { intType } from '../../ir/int-type.ts';
import type { Program } from '../../ir/program.ts';
import type { RecurrentSynapse, SpikingOp } from '../../ir/spiking.ts';
import { oneLayerProgram } from './one-layer.ts';

/**
 * Pixels [10, 0] (direct), two units, T = 4, membrane s16.1, decay 1/2, threshold 150, binary output, zero reset.
 * Input weights [[20, 0], [0, 0]]: acc = [200, 0] every step (accShift 0, bias 0).
 */
export function recurrenceProgram(changes: Partial<SpikingOp> = {}): Program {
  const layer: SpikingOp = {
    kind: 'spiking', name: 'h1', inputs: 2, units: 2, inType: intType(false, 8, 8), synapse: 'dense',
    weights: [20, 0, 0, 0], weightType: intType(true, 8, 0), weightFrac: [0, 0], accType: intType(true, 16, 1), accShift: [0, 0],
    bias: [0, 0], membraneType: intType(true, 16, 1), decay: { mul: 1, shift: 1 }, threshold: 150,
    output: { kind: 'binary', type: intType(false, 1, 0) }, reset: { kind: 'zero' }, delay: 0,
    ...changes,
  };
  return oneLayerProgram(layer, 4, intType(true, 24, 1));
}

/** w[j*2+k], unit k to unit j: 0 -> 0 is -30, 1 -> 0 is 10, 0 -> 1 is 90, 1 -> 1 is 5; rec << 1 onto frac 1. */
export const RECURRENT: RecurrentSynapse = {
  weights: [-30, 10, 90, 5], weightType: intType(true, 8, 0), weightFrac: [0, 0], accType: intType(true, 8, 1), accShift: [1, 1],
};

/** Recurrent and synaptic together: excess outputs u4.0 (>> 2), a subtract reset, recurrent w = [-3, 1, 9, 1], current decay 1/2. */
export const BOTH: Program = recurrenceProgram({
  output: { kind: 'excess', shift: 2, type: intType(false, 4, 0) }, reset: { kind: 'subtract' },
  recurrent: { ...RECURRENT, weights: [-3, 1, 9, 1], accType: intType(true, 9, 1) },
  synaptic: { decay: { mul: 1, shift: 1 }, type: intType(true, 16, 1) },
});

/**
 * A synaptic current with a bias: input weights [[20, 0], [-5, 0]] (in = [200, -50]), membrane bias [0, 4], current
 * decay 3/4 into s10.1 and current bias `currentBias` (test/golden-recurrence.test.ts works it on paper).
 */
export function currentBiasProgram(currentBias: readonly number[], changes: Partial<SpikingOp> = {}): Program {
  return recurrenceProgram({
    weights: [20, 0, -5, 0], bias: [0, 4], synaptic: { decay: { mul: 3, shift: 2 }, type: intType(true, 10, 1), bias: currentBias }, ...changes,
  });
}
