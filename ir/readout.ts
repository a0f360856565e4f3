/**
 * @fileoverview Readout: integer class scores from the last spiking layer's visible membrane (or output).
 *
 *   score_k = sum_{t = begin}^{T-1} u_k(t)      source membrane (the paper's readout)           exact; fits scoreType
 *   score_k = sum_{t = begin}^{T-1} o_k(t)      source output (spike counts, as snnTorch / Sinabs classifiers)
 *   label   = the smallest k with the largest score_k
 * `mean` divides by (T - begin) only in meaning: the integers are the same, `realPerLsb` differs.
 */
import type { IntType } from './int-type.ts';

export interface IrReadout {
  readonly kind: 'sum' | 'mean';
  readonly source: 'membrane' | 'output';
  readonly begin: number;
  readonly scoreType: IntType;
  /** Real value of one score unit, for softmax and float comparison. */
  readonly realPerLsb: number;
}
