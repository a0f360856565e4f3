/** @fileoverview Lowering entry point: a float model directory in, a validated fixed-point Program out. */
import { isEventDatasetName } from '../data/event-datasets.ts';
import { loadFrameSet } from '../data/event-frames.ts';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import { checkWorkBudget } from '../model/work.ts';
import { MAX_MODEL_JSON_BYTES, MAX_WEIGHTS_BYTES, openRegularFile } from '../base/input-limits.ts';
import type { Model, SnnModel } from '../model/format.ts';
import { modelJsonPath } from '../model/read-model.ts';
import { DEFAULT_CALIBRATION_IMAGES } from './passes/formats-policy.ts';
import { maxSampleValue } from './passes/input-format.ts';
import { runPipeline, type PipelineHooks } from './passes/pipeline.ts';
import { checkLowering, type LoweringChecks } from './passes/check-lowering.ts';
import { DEFAULT_LOWER_OPTIONS, type CalibrationSet, type LowerOptions } from './passes/state.ts';
import type { Program } from '../ir/program.ts';
import { loadDataset } from '../data/load.ts';
import { fetchDataset } from '../data/fetch.ts';
import { isDatasetName } from '../data/datasets.ts';
import { datasetBatch } from '../runtime/batch.ts';

/** sha256 over model.json and weights.bin, so a program names exactly what it was compiled from. */
export function modelSha256(modelPath: string): string {
  const json = modelJsonPath(modelPath);
  const hash = createHash('sha256').update(openRegularFile(json, { what: 'model.json', maxBytes: MAX_MODEL_JSON_BYTES }));
  try {
    // Read safely: weightsFile.path may name another file, and a FIFO called weights.bin beside it must not hang us.
    hash.update(openRegularFile(join(dirname(json), 'weights.bin'), { what: 'weights file', maxBytes: MAX_WEIGHTS_BYTES }));
  } catch {
    // readModel already reported a missing blob; a hash of the JSON alone still identifies the file
  }
  return hash.digest('hex');
}

export function requireSnn(model: Model, source: string): SnnModel {
  if (model.kind !== 'snn') {
    throw new SnncError('unsupported', `${source}: an ann model is a float baseline; snnc compiles spiking models (kind "snn") to fixed point`);
  }
  return model;
}

/** The first `count` training images of the model's dataset, fetched into the cache if needed. */
export async function calibrationSet(model: Model, count: number, log?: (line: string) => void): Promise<CalibrationSet> {
  const name = model.metadata.dataset;
  if (model.kind === 'snn' && model.encoder.kind === 'events' && isEventDatasetName(name)) {
    const options = { binning: model.encoder.binning, timesteps: model.timesteps, maxCount: 2 ** model.encoder.countBits - 1 };
    let frames;
    try {
      frames = await loadFrameSet(name, 'train', options, { limit: count });
    } catch (e) {
      if (!(e instanceof SnncError) || e.code !== 'data' || !/not in the cache/.test(e.message)) throw e;
      throw new SnncError('data', `${e.message}, or compile with --calibration none (formats from worst-case bounds)`);
    }
    // The first training samples (offset 0), binned with the model's own binning.
    return { dataset: `${name} train`, ...datasetBatch(frames) };
  }
  if (!isDatasetName(name)) throw new SnncError('data', `no calibration data for dataset "${name}" (compile with --calibration none: formats from worst-case bounds)`);
  if (model.kind === 'snn' && model.encoder.kind === 'events') throw new SnncError('data', `${name} images are not event frames: an events model calibrates on event samples (or --calibration none)`);
  let data;
  try {
    data = loadDataset(name, 'train', { limit: count });
  } catch (e) {
    if (!(e instanceof SnncError) || e.code !== 'data' || !/not fetched/.test(e.message)) throw e;
    log?.(`fetching ${name} for calibration`);
    await fetchDataset(name, log);
    data = loadDataset(name, 'train', { limit: count });
  }
  const [c, h, w] = data.shape;
  const [mc, mh, mw] = model.input.shape;
  if (c !== mc || h !== mh || w !== mw) {
    throw new SnncError('data', `${name} images are ${c}x${h}x${w}, the model wants ${mc}x${mh}x${mw}`);
  }
  // The first training images (offset 0), so image i runs with jitter seed i.
  return { dataset: `${name} train`, ...datasetBatch(data) };
}

/** Every calibration sample has the length the model takes: P pixels, or T frames of P counts within countBits. */
function checkCalibrationSamples(model: SnnModel, timesteps: number, calibration: CalibrationSet): void {
  const pixels = model.input.shape[0] * model.input.shape[1] * model.input.shape[2];
  const events = model.encoder.kind === 'events';
  const length = events ? timesteps * pixels : pixels;
  const top = maxSampleValue(model);
  calibration.images.forEach((sample, i) => {
    if (sample.length !== length) {
      throw new SnncError('data', `calibration sample ${i} of ${calibration.dataset} has ${sample.length} values, the model takes ${events ? `${timesteps} frames of ${pixels} counts` : `${pixels} pixels`}`);
    }
    const at = events ? sample.findIndex((v) => v > top) : -1;
    if (at >= 0) throw new SnncError('data', `calibration sample ${i} of ${calibration.dataset}: count ${sample[at]} exceeds ${top}, the largest ${Math.log2(top + 1)}-bit count (bin with saturation)`);
  });
}

export interface LowerRequest {
  readonly model: SnnModel;
  readonly sourceSha256: string;
  readonly calibration: CalibrationSet;
  readonly options?: Partial<LowerOptions>;
  readonly hooks?: PipelineHooks;
  /** Given (the CLI gives it), the lowered program is checked against float and each finding is passed here. */
  readonly warn?: (line: string) => void;
}

/** What checkLowering found for each program lowered with `warn` in this process (summary.md reads it). */
const checksByProgram = new WeakMap<Program, LoweringChecks>();

export function loweringChecks(program: Program): LoweringChecks | undefined {
  return checksByProgram.get(program);
}

/**
 * Lowers a model after checking the whole calibration against the work budget (input-limits.ts); the caller may follow
 * the calibration image by image through `calibration.onImageDone` (the CLI draws a bar with it).
 */
export function lowerModel(request: LowerRequest): Program {
  const { model } = request;
  // a QAT model was trained for its weight bits: they are its default
  const options = { ...DEFAULT_LOWER_OPTIONS, ...(model.metadata.qat ? { weightBits: model.metadata.qat.weightBits } : {}), ...request.options };
  checkWorkBudget(model, options.timesteps ?? model.timesteps, `model ${model.metadata.name}`, request.calibration.images.length);
  checkCalibrationSamples(model, options.timesteps ?? model.timesteps, request.calibration);
  const state = runPipeline({ model, options, calibration: request.calibration, sourceSha256: request.sourceSha256 }, request.hooks);
  const program = state.program!;
  if (request.warn) {
    const checks = checkLowering(state, program);
    checksByProgram.set(program, checks);
    for (const warning of checks.warnings) request.warn(`snnc: warning: ${warning}`);
  }
  return program;
}

export { DEFAULT_CALIBRATION_IMAGES };
