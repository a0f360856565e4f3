/** @fileoverview `snnc run MODEL`: class scores of one image, float and fixed point side by side. */
import { SnncError } from '../../base/errors.ts';
import { loadModelArg, nirFlags } from '../load-model-arg.ts';
import { requireSnn } from '../../compiler/lower.ts';
import { runSnnFloat } from '../../runtime/float-reference.ts';
import { runGolden } from '../../runtime/golden.ts';
import { DATASET_NAMES, isDatasetName, type Split } from '../../data/datasets.ts';
import { EVENT_DATASET_NAMES } from '../../data/event-datasets.ts';
import { imageSamples, isSampleDataset, programSamples, sampleFileFrames } from '../../runtime/program-samples.ts';
import { readImagePng } from '../../data/png.ts';
import { flagNumber, flagString, positionals, type FlagSpecs } from '../args.ts';
import type { Command } from '../command.ts';
import { lowerFlags } from './compile.ts';
import { compileCached } from '../lowering-cache.ts';

const flags: FlagSpecs = {
  dataset: { kind: 'string', choices: [...DATASET_NAMES, ...EVENT_DATASET_NAMES], help: "dataset to take the image or event sample from (default: the model's)" },
  split: { kind: 'string', choices: ['train', 'test'], help: 'split (default test)' },
  index: { kind: 'int', min: 0, help: 'image index in the split' },
  image: { kind: 'string', help: 'a PNG file instead of a dataset image' },
  sample: { kind: 'string', help: 'events models: an event recording FILE.bin (N-MNIST format) instead of a dataset sample' },
  seed: { kind: 'int', min: 0, max: 2 ** 32 - 1, help: 'jitter seed (default: the image index, 0 for --image)' },
  ...lowerFlags,
  ...nirFlags,
};

export const runCommand: Command = {
  name: 'run',
  usage: 'MODEL (--index I [--dataset NAME] | --image FILE.png | --sample FILE.bin) [--seed S]',
  summary: 'print the class scores of one image, float and fixed point',
  flags,
  async run(args, io) {
    const [modelPath] = positionals(args, ['MODEL'], 'run');
    const model = requireSnn((await loadModelArg(modelPath!, args)).model, modelPath!);
    const file = flagString(args, 'image');
    const sampleFile = flagString(args, 'sample');
    const index = flagNumber(args, 'index');
    if ([file, sampleFile, index].filter((v) => v !== undefined).length !== 1) throw new SnncError('usage', 'snnc run: give exactly one of --index I, --image FILE.png or --sample FILE.bin');
    const name = flagString(args, 'dataset') ?? model.metadata.dataset;
    const split = (flagString(args, 'split') ?? 'test') as Split;
    if (index !== undefined && !isSampleDataset(name)) throw new SnncError('usage', `--dataset: unknown dataset "${name}"`);
    // An image is read before lowering (a bad file fails fast); event frames need the program's binning.
    const events = model.encoder.kind === 'events';
    if (file !== undefined && events) throw new SnncError('usage', `--image: the model takes event frames; give --sample FILE.bin or --index I`);
    const image = file !== undefined ? readImagePng(file, model.input.shape) : undefined;
    const early = index !== undefined && !events && isDatasetName(name) ? imageSamples(name, model.input.shape, split, { offset: index, limit: 1 }) : undefined;
    const program = await compileCached(modelPath!, args, io.log);
    let pixels: Uint8Array;
    let what: string;
    if (image !== undefined) {
      pixels = image;
      what = file!;
    } else if (sampleFile !== undefined) {
      const sample = sampleFileFrames(program, sampleFile);
      pixels = sample.frames;
      what = `${sampleFile} (${sample.events} events, ${sample.dropped} outside the window)`;
    } else {
      const data = early ?? await programSamples(program, name, split, { offset: index!, limit: 1 });
      pixels = data.image(0);
      what = `${name} ${split} #${index} (label ${data.labels[0]})`;
    }
    const seed = flagNumber(args, 'seed') ?? index ?? 0;
    const float = runSnnFloat(model, pixels, seed);
    const fixed = runGolden(program, pixels, seed);
    io.out(`${program.encoder.kind === 'events' ? 'sample' : 'image'} ${what}, seed ${seed}, T=${program.timesteps}`);
    io.out('class  float score  fixed score (integer)  fixed score (real)');
    for (let k = 0; k < program.classes; k++) {
      const f = float.scores[k]!;
      const q = fixed.scores[k]!;
      io.out(`${String(k).padEnd(5)}  ${f.toFixed(4).padStart(11)}  ${String(q).padStart(21)}  ${(q * program.readout.realPerLsb).toFixed(4).padStart(18)}`);
    }
    io.out(`label  float ${float.label}, fixed ${fixed.label}`);
    return 0;
  },
};

