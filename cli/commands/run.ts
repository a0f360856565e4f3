/** @fileoverview `snnc run MODEL`: class scores of one image, float and fixed point side by side. */
import { SnncError } from '../../base/errors.ts';
import { loadModelArg, nirFlags } from '../load-model-arg.ts';
import { requireSnn } from '../../compiler/lower.ts';
import { runSnnFloat } from '../../runtime/float-reference.ts';
import { runGolden } from '../../runtime/golden.ts';
import { DATASET_NAMES, isDatasetName } from '../../data/datasets.ts';
import { loadDataset } from '../../data/load.ts';
import { readImagePng } from '../../data/png.ts';
import { flagNumber, flagString, positionals, type FlagSpecs } from '../args.ts';
import type { Command } from '../command.ts';
import { lowerFlags } from './compile.ts';
import { compileCached } from '../lowering-cache.ts';

const flags: FlagSpecs = {
  dataset: { kind: 'string', choices: DATASET_NAMES, help: "dataset to take the image from (default: the model's)" },
  split: { kind: 'string', choices: ['train', 'test'], help: 'split (default test)' },
  index: { kind: 'int', min: 0, help: 'image index in the split' },
  image: { kind: 'string', help: 'a PNG file instead of a dataset image' },
  seed: { kind: 'int', min: 0, max: 2 ** 32 - 1, help: 'jitter seed (default: the image index, 0 for --image)' },
  ...lowerFlags,
  ...nirFlags,
};

export const runCommand: Command = {
  name: 'run',
  usage: 'MODEL (--index I [--dataset NAME] | --image FILE.png) [--seed S]',
  summary: 'print the class scores of one image, float and fixed point',
  flags,
  async run(args, io) {
    const [modelPath] = positionals(args, ['MODEL'], 'run');
    const model = requireSnn((await loadModelArg(modelPath!, args)).model, modelPath!);
    const file = flagString(args, 'image');
    const index = flagNumber(args, 'index');
    if ((file === undefined) === (index === undefined)) throw new SnncError('usage', 'snnc run: give exactly one of --index I or --image FILE.png');
    let pixels: Uint8Array;
    let what: string;
    if (file !== undefined) {
      pixels = readImagePng(file, model.input.shape);
      what = file;
    } else {
      const name = flagString(args, 'dataset') ?? model.metadata.dataset;
      if (!isDatasetName(name)) throw new SnncError('usage', `--dataset: unknown dataset "${name}"`);
      const split = (flagString(args, 'split') ?? 'test') as 'train' | 'test';
      const data = loadDataset(name, split, { offset: index!, limit: 1 });
      pixels = data.image(0);
      what = `${name} ${split} #${index} (label ${data.labels[0]})`;
    }
    const seed = flagNumber(args, 'seed') ?? index ?? 0;
    const program = await compileCached(modelPath!, args, io.log);
    const float = runSnnFloat(model, pixels, seed);
    const fixed = runGolden(program, pixels, seed);
    io.out(`image ${what}, seed ${seed}, T=${program.timesteps}`);
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
