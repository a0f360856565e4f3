/** @fileoverview A compiled program: the whole fixed-point IR of one model, as plain readonly data. */
import type { ConvOp } from './conv.ts';
import type { IrEncoder } from './encoder.ts';
import type { IntType } from './int-type.ts';
import type { PoolOp } from './pool.ts';
import type { IrReadout } from './readout.ts';
import type { SpikingOp } from './spiking.ts';

export type IrLayer = ConvOp | SpikingOp | PoolOp;

export const IR_FORMAT_VERSION = 1;

export interface QuantizationInfo {
  readonly weightBits: number;
  readonly granularity: 'layer' | 'channel';
  readonly activationBits: number;
  readonly calibration: { readonly dataset: string; readonly images: number; readonly seed: number };
  /** True when range analysis proves no membrane clamp can ever trigger on any input. */
  readonly provenNoSaturation: boolean;
}

export interface Program {
  readonly format: 'snnc-ir';
  readonly version: 1;
  readonly name: string;
  /** sha256 of the source model's model.json and weights.bin, for provenance. */
  readonly sourceSha256: string;
  readonly timesteps: number;
  readonly classes: number;
  readonly input: {
    readonly shape: readonly [channels: number, height: number, width: number];
    readonly type: IntType;
    /** Real value of one pixel unit in the float model (e.g. 1/255). */
    readonly realPerLsb: number;
  };
  readonly encoder: IrEncoder;
  readonly layers: readonly IrLayer[];
  readonly readout: IrReadout;
  readonly quantization: QuantizationInfo;
}
