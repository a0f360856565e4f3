/**
 * @fileoverview Quantization-aware training around the epoch loop (`snnc train --qat-bits N [--from DIR]`): the model to
 * start from, and the program whose formats the forward pass quantizes to, lowered again after every epoch from the
 * current weights exactly as `snnc compile` will lower the saved model (same options, same calibration images).
 */
import { SnncError } from '../base/errors.ts';
import type { Model, ModelMetadata, SnnModel } from '../model/format.ts';
import { readModel } from '../model/read-model.ts';
import { calibrationSet, DEFAULT_CALIBRATION_IMAGES, lowerModel, requireSnn } from '../compiler/lower.ts';
import type { CalibrationSet } from '../compiler/passes/state.ts';
import { qatSpec, type QatSpec } from './qat-quantizer.ts';

/** The trained float model a QAT run fine-tunes: same arch and dataset as the run, at the run's T. */
export function fineTuneStart(from: string, run: { arch: string; dataset: string; timesteps: number; classes: number }, metadata: ModelMetadata): SnnModel {
  const model = requireSnn(readModel(from), from);
  const m = model.metadata;
  if (m.arch !== run.arch || m.dataset !== run.dataset) {
    throw new SnncError('usage', `--from ${from}: a ${m.arch} model on ${m.dataset}, not ${run.arch} on ${run.dataset}`);
  }
  if (model.classes !== run.classes) throw new SnncError('usage', `--from ${from}: ${model.classes} classes, the dataset has ${run.classes}`);
  return { ...model, timesteps: run.timesteps, metadata };
}

export class QatSession {
  private constructor(
    readonly weightBits: number,
    private readonly calibration: CalibrationSet,
    /** The program of the weights at the last refresh, without its integers. */
    public spec: QatSpec,
  ) {}

  static async start(model: Model, weightBits: number, log: (line: string) => void): Promise<QatSession> {
    const snn = requireSnn(model, 'QAT');
    const calibration = await calibrationSet(snn, DEFAULT_CALIBRATION_IMAGES, log);
    return new QatSession(weightBits, calibration, lowerSpec(snn, calibration, weightBits));
  }

  /** Lowers the current weights again (formats follow the weights as they move). */
  refresh(model: Model): QatSpec {
    this.spec = lowerSpec(requireSnn(model, 'QAT'), this.calibration, this.weightBits);
    return this.spec;
  }
}

function lowerSpec(model: SnnModel, calibration: CalibrationSet, weightBits: number): QatSpec {
  return qatSpec(lowerModel({ model, sourceSha256: 'qat', calibration, options: { weightBits } }));
}
