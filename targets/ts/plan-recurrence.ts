/**
 * @fileoverview The ts target's plan of a spiking layer's recurrent synapse and synaptic current (docs/ir.md
 * "Recurrence and the synaptic current"): the transposed, pre-shifted recurrent weights and the ranges of rec, of the
 * current before its clamp and of u, from the layer's bounds (ir/bounds.ts).
 */
import type { SpikingBounds } from '../../ir/bounds.ts';
import { dotInterval, factorInterval, foldFactor, hull, sumInterval, type FoldedFactor } from '../../ir/interval.ts';
import { currentBias, type SpikingOp } from '../../ir/spiking.ts';
import { arrayKindFor, clampRange, intersect, rangeOf, type ArrayKind, type Range } from './ranges.ts';

export interface RecurrentPlan {
  /** [k][j]: unit k's previous output to unit j, times 2^recurrent.accShift[j], so rec_j << shift = sum_k w' r_k. */
  readonly weights: readonly number[];
  readonly weightKind: ArrayKind;
  /** rec_j << recurrent.accShift[j] over every unit and every partial sum (each term's interval holds 0). */
  readonly range: Range;
  readonly kind: ArrayKind;
}

export interface CurrentPlan {
  readonly decay: FoldedFactor;
  /** The current state c: synaptic.type's interval. */
  readonly range: Range;
  readonly kind: ArrayKind;
  /**
   * c before its clamp, scaleBy(c, decay) + in, and its partial sums (bounds.currentPreClamp); within `range` when the
   * bounds prove the clamp never triggers within T steps (bounds.currentClampFree).
   */
  readonly preClamp: Range;
}

/** What the membrane update adds, and the ranges it goes through. */
export interface SpikingTerms {
  readonly recurrent: RecurrentPlan | undefined;
  readonly current: CurrentPlan | undefined;
  /**
   * Per unit, a range holding every value of the synapse's drive buffer, (acc_j << accShift_j) + bias_j and its partial
   * sums, and of the drive plus rec: bounds.drive; without the bias when a synaptic current takes it.
   */
  readonly drive: readonly Range[];
  /** The bias the drive starts from: op.bias, or the current's bias (synaptic.bias, else zeros) with a synaptic current. */
  readonly driveBias: readonly number[];
  /** u before its clamp (bounds.preClamp). */
  readonly preClamp: Range;
  /** Every partial sum of the update's additions, left to right: within preClamp, or decayed + c before the bias. */
  readonly partialSums: Range;
}

function recurrentPlan(op: SpikingOp, output: Range): RecurrentPlan | undefined {
  const rec = op.recurrent;
  if (!rec) return undefined;
  const units = op.units;
  const weights = new Array<number>(units * units);
  for (let j = 0; j < units; j++) {
    const factor = 2 ** rec.accShift[j]!;
    for (let k = 0; k < units; k++) weights[k * units + j] = rec.weights[j * units + k]! * factor;
  }
  const columns = Array.from({ length: units }, (_, j) => Array.from({ length: units }, (_, k) => weights[k * units + j]!));
  const range = hull(columns.map((w) => dotInterval(w, output, 0)));
  const weightRange = hull(weights.map((w) => ({ min: w, max: w })));
  return { weights, weightKind: arrayKindFor(weightRange), range, kind: arrayKindFor(range) === 'Float64Array' ? 'Float64Array' : 'Int32Array' };
}

/**
 * The recurrent and synaptic terms of a spiking layer and the ranges of its update, from its bounds. Every term's
 * range holds 0 (rec, the decayed state, a current of a signed type), so a partial sum of the drive and rec, or of the
 * decayed current, the drive and rec, lies within the bounds of the whole sum.
 */
export function spikingTerms(op: SpikingOp, bounds: SpikingBounds): SpikingTerms {
  // The recurrent synapse reads this layer's own outputs of the previous step: the values of its visible output.
  const recurrent = recurrentPlan(op, bounds.output);
  const syn = op.synaptic;
  if (!syn) return { recurrent, current: undefined, drive: bounds.drive, driveBias: op.bias, preClamp: bounds.preClamp, partialSums: bounds.preClamp };
  const range = rangeOf(syn.type);
  const preClamp = bounds.currentClampFree ? intersect(bounds.currentPreClamp!, range) : bounds.currentPreClamp!;
  const current: CurrentPlan = { decay: foldFactor(syn.decay), range, kind: arrayKindFor(range), preClamp };
  const decayed = factorInterval(bounds.state, foldFactor(op.decay));
  return {
    recurrent, current, drive: bounds.drive.map((r, j) => ({ min: r.min - op.bias[j]!, max: r.max - op.bias[j]! })),
    driveBias: op.bias.map((_, j) => currentBias(op, j)), preClamp: bounds.preClamp,
    partialSums: hull([bounds.preClamp, sumInterval(decayed, clampRange(preClamp, range))]),
  };
}
