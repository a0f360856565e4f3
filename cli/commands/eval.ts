/** @fileoverview `snnc eval MODEL`: float vs fixed-point accuracy on a dataset split, and how often they agree. */
import { SnncError } from '../../base/errors.ts';
import { loadModelArg, nirFlags } from '../load-model-arg.ts';
import { requireSnn } from '../../compiler/lower.ts';
import { evaluate } from '../../verify/evaluate.ts';
import { DATASET_NAMES, isDatasetName } from '../../data/datasets.ts';
import { loadDataset } from '../../data/load.ts';
import { EVENT_DATASET_NAMES } from '../../data/event-datasets.ts';
import { isSampleDataset, programSamples } from '../../runtime/program-samples.ts';
import { flagNumber, flagString, positionals, type FlagSpecs } from '../args.ts';
import type { Command } from '../command.ts';
import { terminalProgress } from '../../base/progress.ts';
import { lowerFlags } from './compile.ts';
import { compileCached } from '../lowering-cache.ts';

const flags: FlagSpecs = {
  dataset: { kind: 'string', choices: [...DATASET_NAMES, ...EVENT_DATASET_NAMES], help: "dataset (default: the model's)" },
  split: { kind: 'string', choices: ['train', 'test'], help: 'split (default test)' },
  limit: { kind: 'int', min: 1, help: 'evaluate the first N images only' },
  ...lowerFlags,
  ...nirFlags,
};

export const evalCommand: Command = {
  name: 'eval',
  usage: 'MODEL [--dataset NAME] [--limit N] [lowering flags]',
  summary: 'float vs fixed-point accuracy and agreement on a dataset',
  flags,
  async run(args, io) {
    const [modelPath] = positionals(args, ['MODEL'], 'eval');
    const model = requireSnn((await loadModelArg(modelPath!, args)).model, modelPath!);
    const name = flagString(args, 'dataset') ?? model.metadata.dataset;
    if (!isSampleDataset(name)) throw new SnncError('usage', `--dataset: unknown dataset "${name}"`);
    const split = (flagString(args, 'split') ?? 'test') as 'train' | 'test';
    const limit = flagNumber(args, 'limit');
    const range = limit !== undefined ? { limit } : {};
    // Image datasets load before the lowering, which would fetch a missing one for calibration without being asked.
    const images = isDatasetName(name) && model.encoder.kind !== 'events' ? loadDataset(name, split, range) : undefined;
    const program = await compileCached(modelPath!, args, io.log);
    const data = images ?? (await programSamples(program, name, split, range));
    const bar = terminalProgress('eval', data.count, io.tty);
    const r = evaluate(model, program, data, (done) => bar.tick(done));
    bar.done();
    const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
    io.out(`${name} ${split}, ${r.images} images, T=${program.timesteps}, ${program.quantization.weightBits}-bit weights per ${program.quantization.granularity}, ${program.encoder.kind === 'events' ? `events binned by the program (${'dropped' in data ? data.dropped : 0} outside the window)` : 'jitter seed = image index'}`);
    io.out(`float accuracy   ${pct(r.floatCorrect / r.images)}`);
    io.out(`fixed accuracy   ${pct(r.fixedCorrect / r.images)}`);
    io.out(`agreement        ${pct(r.agree / r.images)} (same label, float vs fixed)`);
    io.out(`golden runtime   ${r.fixedImagesPerSecond.toFixed(0)} images/s`);
    return 0;
  },
};
