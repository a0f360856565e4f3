/** @fileoverview What flows through the lowering pipeline: the float model, then calibration, formats, and the program. */
import type { Batch } from '../../runtime/batch.ts';
import type { SnnModel } from '../../model/format.ts';
import type { IntType } from '../../ir/int-type.ts';
import type { Program } from '../../ir/program.ts';
import type { Factor } from '../../ir/spiking.ts';

export interface LowerOptions {
  /** 2..16 */
  readonly weightBits: number;
  readonly granularity: 'layer' | 'channel';
  /** Bits of excess outputs and conv outputs, 1..16. */
  readonly activationBits: number;
  /** Bits per jitter draw, 1..16. */
  readonly jitterBits: number;
  /** Overrides the model's timesteps. */
  readonly timesteps?: number;
}

export const DEFAULT_LOWER_OPTIONS: LowerOptions = { weightBits: 8, granularity: 'channel', activationBits: 8, jitterBits: 8 };

/**
 * Calibration samples: a batch (CHW pixels plus the jitter seed used for each; for an events model, each sample is T
 * frames of P event counts, frame-major, as the program takes them) and where it came from. NO_CALIBRATION
 * (`--calibration none`) has no samples: formats come from worst-case bounds (worst-case-ranges.ts).
 */
export interface CalibrationSet extends Batch {
  readonly dataset: string;
  /** No data: choose formats from the worst case any input can produce (the samples are empty). */
  readonly worstCase?: boolean;
  /** Called after each image is run (a progress bar: calibration can take minutes). */
  readonly onImageDone?: (done: number, total: number) => void;
}

/** Largest real values seen per layer during calibration. */
export interface LayerRanges {
  /** conv, pool: max |y|; spiking: max |visible output| (excess or membrane; 0 if it never fired). */
  readonly maxOutput: number;
  /** spiking: max |visible membrane|. */
  readonly maxMembrane: number;
}

/** Fraction bits chosen per layer. */
export interface LayerFormats {
  readonly inFrac: number;
  /** Per output channel (unit or filter); all equal for per-layer granularity; 0s for an identity synapse; [] for pools. */
  readonly weightFrac: readonly number[];
  /** conv: the output frac; spiking: the membrane frac; pool: the output frac. */
  readonly stateFrac: number;
  /** spiking excess and membrane outputs: the output frac. */
  readonly outFrac: number;
  /** spiking with recurrent weights: per unit, the recurrent weights' frac (weightFrac + outFrac <= stateFrac). */
  readonly recurrentFrac?: readonly number[];
  /** pool only: the exact output type and the scale that produces it (choose-formats decides both). */
  readonly pool?: { readonly outType: IntType; readonly scale: Factor };
}

export interface LoweringState {
  readonly model: SnnModel;
  readonly options: LowerOptions;
  readonly calibration: CalibrationSet;
  readonly sourceSha256: string;
  /** The model's pixel scale before fold-input-scale moved it into the first weighted layer. */
  readonly originalScale?: number;
  /** Fraction bits of the u8 input (INPUT_FRAC unless the input scale is a power of two read by an identity layer). */
  readonly inputFrac?: number;
  readonly ranges?: readonly LayerRanges[];
  readonly formats?: readonly LayerFormats[];
  readonly program?: Program;
}

/** A named pure rewrite of the lowering state. */
export interface Pass {
  readonly name: string;
  readonly run: (state: LoweringState) => LoweringState;
}

/** `--calibration none`: no data; formats come from the worst case any input can produce. */
export const NO_CALIBRATION: CalibrationSet = { dataset: 'none', images: [], seeds: [], worstCase: true };
