/**
 * @fileoverview Readout: integer class scores from the last spiking layer's visible membrane.
 *
 *   score_k = sum_{t = begin}^{T-1} u_k(t)      exact; fits scoreType
 *   label   = the smallest k with the largest score_k
 * `mean` divides by (T - begin) only in meaning: the integers are the same, `realPerLsb` differs.
 */
import type { IntType } from './int-type.ts';

export interface IrReadout {
  readonly kind: 'sum' | 'mean';
  readonly begin: number;
  readonly scoreType: IntType;
  /** Real value of one score unit, for softmax and float comparison. */
  readonly realPerLsb: number;
}
