/**
 * @fileoverview The one way to compile a float model to a Program: check it is an SNN, take its calibration set,
 * lower it. `compileModelDir` does the same from a model directory (read, hash, lower), for the bench, the training
 * reports and the tests; `snnc compile` calls `compileModel` on what its argument loaded (a directory or a NIR file).
 */
import type { Model, SnnModel } from '../model/format.ts';
import { readModel } from '../model/read-model.ts';
import type { Program } from '../ir/program.ts';
import { calibrationSet, DEFAULT_CALIBRATION_IMAGES, lowerModel, modelSha256, requireSnn } from './lower.ts';
import type { PipelineHooks } from './passes/pipeline.ts';
import type { CalibrationSet, LowerOptions } from './passes/state.ts';

export interface CompileOptions {
  /** Training images that choose the formats (default DEFAULT_CALIBRATION_IMAGES). */
  readonly calibrationImages?: number;
  readonly options?: Partial<LowerOptions>;
  readonly hooks?: PipelineHooks;
  /** Given, the program is checked against float and each finding is passed here (see lowerModel). */
  readonly warn?: (line: string) => void;
  /** Progress lines (a dataset fetch for calibration). */
  readonly log?: (line: string) => void;
  /**
   * Called with (0, total) once the calibration images are loaded, then after each image with the count done (the CLI
   * draws a bar with it, timed from the first call).
   */
  readonly onCalibrationImage?: (done: number, total: number) => void;
  /** Calibration images to use instead of the first training images of the model's dataset (the model fuzzer's). */
  readonly calibration?: CalibrationSet;
}

export interface CompiledModel {
  readonly model: SnnModel;
  readonly program: Program;
  /** sha256 of model.json and weights.bin (or of the NIR file), recorded in the program. */
  readonly sourceSha256: string;
}

/** Lowers a loaded model; `source` names it in errors. */
export async function compileModel(loaded: Model, source: string, sourceSha256: string, opts: CompileOptions = {}): Promise<CompiledModel> {
  const model = requireSnn(loaded, source);
  const images = opts.calibration ?? (await calibrationSet(model, opts.calibrationImages ?? DEFAULT_CALIBRATION_IMAGES, opts.log));
  opts.onCalibrationImage?.(0, images.images.length);
  const calibration = opts.onCalibrationImage ? { ...images, onImageDone: opts.onCalibrationImage } : images;
  const program = lowerModel({ model, sourceSha256, calibration, options: opts.options, hooks: opts.hooks, warn: opts.warn });
  return { model, program, sourceSha256 };
}

/** Reads, hashes and lowers the model in directory `dir` (or the model.json file itself). */
export async function compileModelDir(dir: string, opts: CompileOptions = {}): Promise<CompiledModel> {
  return compileModel(readModel(dir), dir, modelSha256(dir), opts);
}
