/**
 * @fileoverview The ts target's plan of a spiking layer's recurrent synapse and synaptic current (docs/ir.md
 * "Recurrence and the synaptic current"): the transposed, pre-shifted recurrent weights and the ranges of rec, of the
 * current before and after its clamp, and of u before its clamp, from the layer's bounds (ir/bounds.ts).
 */
import type { SpikingBounds } from '../../ir/bounds.ts';
import { dotInterval, factorInterval, foldFactor, hull, type FoldedFactor } from '../../ir/interval.ts';
import type { SpikingOp } from '../../ir/spiking.ts';
import { arrayKindFor, clampRange, rangeOf, type ArrayKind, type Range } from './ranges.ts';

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
  /** c before its clamp: scaleBy(c, decay) + in, in = drive (bias excluded) + rec. */
  readonly preClamp: Range;
}

/** What the membrane update adds, and the ranges it goes through. */
export interface SpikingTerms {
  readonly recurrent: RecurrentPlan | undefined;
  readonly current: CurrentPlan | undefined;
  /**
   * Per unit, what the synapse's drive buffer holds: (acc_j << accShift_j) + bias_j and every partial sum; without
   * bias when a synaptic current is present (the bias joins the membrane after the current).
   */
  readonly drive: readonly Range[];
  /** The bias the drive starts from: op.bias, or zeros with a synaptic current. */
  readonly driveBias: readonly number[];
  /** scaleBy(v, decay) over the state's values. */
  readonly decayed: Range;
  /** u before its clamp, and every partial sum of the update's additions (left to right). */
  readonly preClamp: Range;
  /** The largest |partial sum| of the update: decayed + drive + rec, or decayed + c + bias. */
  readonly updateMagnitude: number;
}

const add = (a: Range, b: Range): Range => ({ min: a.min + b.min, max: a.max + b.max });
const size = (r: Range): number => Math.max(-r.min, r.max);

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

/** The recurrent and synaptic terms of a spiking layer and the ranges of its update, from its bounds. */
export function spikingTerms(op: SpikingOp, bounds: SpikingBounds): SpikingTerms {
  const state = bounds.state;
  const decayed = factorInterval(state, foldFactor(op.decay));
  // The recurrent synapse reads this layer's own outputs of the previous step: the values of its visible output.
  const recurrent = recurrentPlan(op, bounds.output);
  const rec = recurrent?.range ?? { min: 0, max: 0 };
  const syn = op.synaptic;
  const noBias = (r: Range, j: number): Range => ({ min: r.min - op.bias[j]!, max: r.max - op.bias[j]! });
  const drive = syn ? bounds.drive.map(noBias) : bounds.drive;
  if (!syn) {
    const partial = add(decayed, hull(drive));
    const preClamp = add(partial, rec);
    return {
      recurrent, current: undefined, drive, driveBias: op.bias, decayed, preClamp,
      updateMagnitude: Math.max(size(partial), size(preClamp), size(decayed)),
    };
  }
  const decay = foldFactor(syn.decay);
  const range = rangeOf(syn.type);
  const inRange = add(hull(drive), rec);
  const currentDecayed = factorInterval(range, decay);
  const current: CurrentPlan = { decay, range, kind: arrayKindFor(range), preClamp: add(add(currentDecayed, hull(drive)), rec) };
  const c = clampRange(current.preClamp, range);
  const partial = add(decayed, c);
  const preClamp = add(partial, hull(op.bias.map((b) => ({ min: b, max: b }))));
  return {
    recurrent, current, drive, driveBias: op.bias.map(() => 0), decayed, preClamp,
    updateMagnitude: Math.max(size(partial), size(preClamp), size(decayed), size(inRange), size(add(currentDecayed, hull(drive))), size(current.preClamp)),
  };
}

