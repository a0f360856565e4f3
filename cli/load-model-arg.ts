/**
 * @fileoverview The MODEL argument of snnc commands: a model directory (model.json + weights.bin) or a NIR file
 * (`*.nir`, imported on the fly with the NIR flags). One loader, so compile, verify, eval, run and ir agree.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SnncError } from '../base/errors.ts';
import { EVENT_DATASETS, type Dataset, type EventDataset, type Model, type SnnModel } from '../model/format.ts';
import { readModel } from '../model/read-model.ts';
import { modelSha256 } from '../compiler/lower.ts';
import { DATASET_NAMES, isDatasetName } from '../data/datasets.ts';
import { flagNumber, flagString, type FlagSpec, type FlagSpecs, type ParsedArgs } from './args.ts';
import { nirToModel } from '../compiler/frontends/nir/import.ts';
import { NIR_DEFAULTS, type NirImportOptions } from '../compiler/frontends/nir/model-head.ts';
import { readNirFile } from '../compiler/frontends/nir/read-nir.ts';

/** Flags that shape a model imported from NIR (what the file cannot say); `--timesteps` comes from the lowering flags. */
export const nirFlags: FlagSpecs = {
  dt: { kind: 'number', help: `NIR: time step for the Euler discretization of tau, r, v_leak (default: the file's snnc head, else ${NIR_DEFAULTS.dt})` },
  'input-scale': { kind: 'number', help: 'NIR: x = pixel * scale (default 1/255; events: the value of one event, default 1)' },
  encoder: { kind: 'string', choices: ['direct', 'jitter'], help: 'NIR: image input encoder (default direct)' },
  events: { kind: 'string', choices: ['dvs', 'channels', 'frames'], help: 'NIR: an event input of this source (default: any Input that is not an image; [N] channels, [C<=2, H, W] dvs)' },
  'bin-us': { kind: 'int', min: 1, max: 2 ** 31 - 1, help: 'NIR events: microseconds per timestep (default 10000)' },
  'start-us': { kind: 'int', min: 0, max: 2 ** 31 - 1, help: 'NIR events: window start in microseconds (default 0)' },
  'count-bits': { kind: 'int', min: 1, max: 8, help: 'NIR events: bits of one event count, saturating (default 4)' },
  readout: { kind: 'string', choices: ['membrane', 'output'], help: 'NIR: class scores from the last layer membrane or spike counts (default: spikes if it fires)' },
  reset: { kind: 'string', choices: ['file', 'subtract'], help: 'NIR: file = v_reset as written; subtract = snnTorch/Sinabs subtract reset' },
};

/** `--dataset` for commands that do not already have one: the NIR input image shape. */
export const nirDatasetFlag: FlagSpec = {
  kind: 'string', choices: [...new Set<string>([...DATASET_NAMES, ...EVENT_DATASETS])],
  help: 'NIR: input images of this dataset (default mnist), or the event dataset of an event input',
};

/** An event dataset name the model format knows (its data may not be readable yet). */
function isModelDataset(name: string): boolean {
  return (EVENT_DATASETS as readonly string[]).includes(name);
}

export function isNirPath(path: string): boolean {
  return /\.nir$/i.test(path);
}

export function nirOptionsFromArgs(args: ParsedArgs): NirImportOptions {
  const dataset = flagString(args, 'dataset');
  const dt = flagNumber(args, 'dt');
  const inputScale = flagNumber(args, 'input-scale');
  const encoder = flagString(args, 'encoder');
  const timesteps = flagNumber(args, 'timesteps');
  const readout = flagString(args, 'readout');
  const reset = flagString(args, 'reset');
  const events = flagString(args, 'events');
  const binUs = flagNumber(args, 'bin-us');
  const startUs = flagNumber(args, 'start-us');
  const countBits = flagNumber(args, 'count-bits');
  if (dt !== undefined && !(dt > 0)) throw new SnncError('usage', `--dt: must be a positive time step, got ${dt}`);
  if (inputScale !== undefined && !(inputScale > 0)) throw new SnncError('usage', `--input-scale: must be positive, got ${inputScale}`);
  return {
    ...(dataset !== undefined && (isDatasetName(dataset) || isModelDataset(dataset)) ? { dataset: dataset as Dataset | EventDataset } : {}),
    ...(dt !== undefined ? { dt } : {}),
    ...(inputScale !== undefined ? { inputScale } : {}),
    ...(encoder !== undefined ? { encoder: encoder as 'direct' | 'jitter' } : {}),
    ...(timesteps !== undefined ? { timesteps } : {}),
    ...(readout !== undefined ? { readout: readout as 'membrane' | 'output' } : {}),
    ...(reset !== undefined ? { reset: reset as 'file' | 'subtract' } : {}),
    ...(events !== undefined ? { events: events as 'dvs' | 'channels' | 'frames' } : {}),
    ...(binUs !== undefined ? { binUs } : {}),
    ...(startUs !== undefined ? { startUs } : {}),
    ...(countBits !== undefined ? { countBits } : {}),
  };
}

export async function importNir(path: string, args: ParsedArgs): Promise<SnnModel> {
  return nirToModel(await readNirFile(path), path, nirOptionsFromArgs(args));
}

/** Reads MODEL: a NIR file is imported (with the NIR flags of `args`), anything else is a model directory. */
export async function loadModelArg(path: string, args: ParsedArgs): Promise<{ model: Model; sha256: string }> {
  if (isNirPath(path)) {
    const model = await importNir(path, args);
    return { model, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
  }
  return { model: readModel(path), sha256: modelSha256(path) };
}
