/** @fileoverview `snnc train`: trains one architecture on one dataset with tfjs and saves it in the model format. */
import { join } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { SnncError } from '../../base/errors.ts';
import { MODEL_JSON, TRAINING_JSON, WEIGHTS_BIN } from '../../model/format.ts';
import { OUTPUT_MARKER, readMarker } from '../../base/output-guard.ts';
import { DATASET_NAMES } from '../../data/datasets.ts';
import { EVENT_DATASET_NAMES, EVENT_DATASETS, isEventDatasetName, type EventDatasetName } from '../../data/event-datasets.ts';

/** smnist feeds one image row per timestep: T defaults to the row count. */
const SMNIST_ROWS = EVENT_DATASETS.smnist.shape[0];
import { ARCH_NAMES, ARCHS, CONV_MODES, isArchName, type ConvMode } from '../../training/arch.ts';
import { augmentName, parseAugment } from '../../training/augment.ts';
import { CENTERING_MODES, type CenteringMode } from '../../training/centering.ts';
import { flagBool, flagNumber, flagString, type ParsedArgs } from '../args.ts';
import type { Command, CommandIO } from '../command.ts';
import { stderrSink } from '../../base/progress.ts';

/** Defaults: T=8 keeps hardware latency low at ~98 % MNIST; the rest is the usual Adam setting for this size. */
export const TRAIN_DEFAULTS = { dataset: 'mnist', epochs: 15, timesteps: 8, batch: 100, lr: 0.002, seed: 1, threads: 2, center: 'feature' } as const;

function required(args: ParsedArgs, name: string): string {
  const v = flagString(args, name);
  if (v === undefined) throw new SnncError('usage', `snnc train: --${name} is required`);
  return v;
}

export const trainCommand: Command = {
  name: 'train',
  usage: '--arch ARCH --out DIR [options]',
  summary: 'Train a model (tfjs) and save it in the snnc model format, with a checkpoint per epoch',
  flags: {
    arch: { kind: 'string', help: 'architecture', choices: ARCH_NAMES },
    dataset: { kind: 'string', help: `dataset: images or events (default ${TRAIN_DEFAULTS.dataset})`, choices: [...DATASET_NAMES, ...EVENT_DATASET_NAMES] },
    'bin-us': { kind: 'int', help: 'event datasets: microseconds per timestep (default: recording length / T)', min: 1, max: 2 ** 31 - 1 },
    'count-bits': { kind: 'int', help: 'event datasets: bits of one count per input and timestep (default 4; 8 for smnist)', min: 1, max: 8 },
    epochs: { kind: 'int', help: `epochs (default ${TRAIN_DEFAULTS.epochs})`, min: 1, max: 10000 },
    timesteps: { kind: 'int', help: `SNN timesteps T (default ${TRAIN_DEFAULTS.timesteps})`, min: 1, max: 4096 },
    batch: { kind: 'int', help: `batch size (default ${TRAIN_DEFAULTS.batch})`, min: 1, max: 100000 },
    lr: { kind: 'number', help: `Adam learning rate at epoch 1, cosine-decayed (default ${TRAIN_DEFAULTS.lr})`, min: 0 },
    seed: { kind: 'int', help: `seed of init, shuffling and jitter (default ${TRAIN_DEFAULTS.seed})`, min: 0, max: 2 ** 32 - 1 },
    out: { kind: 'string', help: 'output model directory (model.json, weights.bin, training.json)' },
    checkpoints: { kind: 'string', help: 'checkpoint directory (default OUT/checkpoints)' },
    resume: { kind: 'boolean', help: 'continue from the newest checkpoint' },
    'train-limit': { kind: 'int', help: 'use only the first N training images', min: 1 },
    'test-limit': { kind: 'int', help: 'score on only the first N test images', min: 1 },
    threads: { kind: 'int', help: `data-parallel threads; part of the run's definition, like --seed (default ${TRAIN_DEFAULTS.threads})`, min: 1, max: 64 },
    conv: { kind: 'string', help: 'conv archs: the conv feeds the hidden layer (linear) or its own spiking neurons (default linear)', choices: CONV_MODES },
    center: { kind: 'string', help: `input centering folded into the first bias, see docs/training.md (default ${TRAIN_DEFAULTS.center})`, choices: CENTERING_MODES },
    'qat-bits': { kind: 'int', help: 'quantization-aware training for N-bit weights: the forward pass computes the compiled integers (implies --center none)', min: 2, max: 16 },
    from: { kind: 'string', help: 'start from this trained model folder (same arch and dataset), e.g. to fine-tune it with --qat-bits' },
    augment: { kind: 'string', help: 'training-image augmentation: none or shift:N, a random move of up to N pixels (default none)' },
    backend: { kind: 'string', help: 'force a tfjs backend (default: fastest available)', choices: ['tensorflow', 'wasm', 'wasm-threaded', 'cpu'] },
  },
  async run(args: ParsedArgs, io: CommandIO): Promise<number> {
    if (args.positional.length > 0) throw new SnncError('usage', `snnc train: unexpected argument "${args.positional[0]}"`);
    const arch = required(args, 'arch');
    if (!isArchName(arch)) throw new SnncError('usage', `--arch: "${arch}" is not one of ${ARCH_NAMES.join(', ')}`);
    const out = required(args, 'out');
    checkTrainOutput(out);
    const dataset = (flagString(args, 'dataset') ?? TRAIN_DEFAULTS.dataset) as (typeof DATASET_NAMES)[number] | EventDatasetName;
    const binUs = flagNumber(args, 'bin-us');
    const countBits = flagNumber(args, 'count-bits');
    const events = isEventDatasetName(dataset);
    const trainLimit = flagNumber(args, 'train-limit');
    const testLimit = flagNumber(args, 'test-limit');
    const backend = flagString(args, 'backend') as 'tensorflow' | 'wasm' | 'wasm-threaded' | 'cpu' | undefined;
    const conv = flagString(args, 'conv') as ConvMode | undefined;
    const augment = parseAugment(flagString(args, 'augment') ?? 'none');
    const qatBits = flagNumber(args, 'qat-bits');
    const from = flagString(args, 'from');
    if (qatBits !== undefined && flagString(args, 'center') === 'feature') throw new SnncError('usage', '--qat-bits: QAT trains the weights as saved, so --center must be none');
    if (conv !== undefined && !ARCHS[arch].conv) throw new SnncError('usage', `--conv: ${arch} has no conv layer`);
    const settings = {
      arch, dataset,
      epochs: flagNumber(args, 'epochs') ?? TRAIN_DEFAULTS.epochs,
      timesteps: flagNumber(args, 'timesteps') ?? (dataset === 'smnist' ? SMNIST_ROWS : TRAIN_DEFAULTS.timesteps),
      batch: flagNumber(args, 'batch') ?? TRAIN_DEFAULTS.batch,
      lr: flagNumber(args, 'lr') ?? TRAIN_DEFAULTS.lr,
      seed: flagNumber(args, 'seed') ?? TRAIN_DEFAULTS.seed,
      threads: flagNumber(args, 'threads') ?? TRAIN_DEFAULTS.threads,
      center: (flagString(args, 'center') ?? (qatBits !== undefined || from !== undefined || events ? 'none' : TRAIN_DEFAULTS.center)) as CenteringMode,
      ...(binUs === undefined ? {} : { 'bin-us': binUs }),
      ...(countBits === undefined ? {} : { 'count-bits': countBits }),
      ...(conv === undefined ? {} : { conv }),
      ...(augment.shift === 0 ? {} : { augment: augmentName(augment) }),
      ...(qatBits === undefined ? {} : { 'qat-bits': qatBits }),
      ...(from === undefined ? {} : { from }),
    };
    const limits = [...(trainLimit === undefined ? [] : [`--train-limit ${trainLimit}`]), ...(testLimit === undefined ? [] : [`--test-limit ${testLimit}`])];
    // Every setting spelled out, defaults included, so the recorded command reproduces the run even if defaults change.
    const command = ['snnc train', ...Object.entries(settings).map(([k, v]) => `--${k} ${v}`), ...limits, `--out ${out}`].join(' ');
    // tfjs loads only when training runs, not for `snnc train --help`.
    const { train } = await import('../../training/trainer.ts');
    const result = await train(
      {
        ...settings, augment, out, command,
        ...(qatBits === undefined ? {} : { qatBits }),
        ...(binUs === undefined ? {} : { binUs }),
        ...(countBits === undefined ? {} : { countBits }),
        checkpoints: flagString(args, 'checkpoints') ?? join(out, 'checkpoints'),
        resume: flagBool(args, 'resume'),
        ...(trainLimit === undefined ? {} : { trainLimit }),
        ...(testLimit === undefined ? {} : { testLimit }),
        ...(backend === undefined ? {} : { backend }),
      },
      { log: io.log, progress: stderrSink(io.tty) },
    );
    const last = result.history[result.history.length - 1];
    io.out(`${out}: ${arch} on ${dataset}, test accuracy ${(100 * result.score.accuracy).toFixed(2)}% (float reference, ${result.score.samples} images), cross-entropy ${result.score.crossEntropy.toFixed(4)}`);
    io.out(`  ${result.history.length} epochs in ${result.seconds.toFixed(0)} s on ${result.backend.name}${last ? `, last epoch ${last.samplesPerSecond.toFixed(0)} samples/s` : ''}`);
    return 0;
  },
};

/**
 * Training writes model.json, weights.bin and training.json into OUT beside its checkpoints, so OUT cannot be swapped
 * whole: it may be missing, hold only checkpoints, or be a model folder snnc wrote (it carries the output marker).
 */
function checkTrainOutput(out: string): void {
  const modelFiles = [MODEL_JSON, WEIGHTS_BIN, TRAINING_JSON];
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new SnncError('io', `${out}: exists and is not a folder; snnc train writes a model folder here`);
  const found = modelFiles.filter((f) => existsSync(join(out, f)));
  if (found.length > 0 && readMarker(out) === undefined) {
    throw new SnncError('io', `${out}: holds ${found.join(', ')} that snnc did not write (no ${OUTPUT_MARKER} in it); choose another --out or remove them yourself`);
  }
}
