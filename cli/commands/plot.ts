/** @fileoverview `snnc plot`: PNG figures of a trained model (conv filters, membrane/spike rasters, training curves). */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SnncError } from '../../base/errors.ts';
import { modelJsonPath, readModel } from '../../model/read-model.ts';
import { loadDataset } from '../../data/load.ts';
import { datasetBatch } from '../../runtime/batch.ts';
import { isDatasetName } from '../../data/datasets.ts';
import { isEventDatasetName } from '../../data/event-datasets.ts';
import { loadFrameSet } from '../../data/event-frames.ts';
import { PNG_SIGNATURE } from '../../data/png.ts';
import type { EpochRecord } from '../../training/checkpoint.ts';
import { curvesFigure, filtersFigure, rasterFigure } from '../../training/plot/figures.ts';
import { checkOutputFile, modelInput } from '../../base/output-guard.ts';
import { flagNumber, flagString, positionals, type ParsedArgs } from '../args.ts';
import type { Command, CommandIO } from '../command.ts';

const FIGURES = ['filters', 'raster', 'curves'] as const;

export const plotCommand: Command = {
  name: 'plot',
  usage: 'filters|raster|curves MODEL --out FILE.png [--image N]',
  summary: 'Draw a figure of a model as PNG: conv filters, membrane/spike raster for one test image, training curves',
  flags: {
    out: { kind: 'string', help: 'PNG file to write' },
    image: { kind: 'int', help: 'raster: index of the test image (default 0); its jitter seed is the index', min: 0 },
  },
  async run(args: ParsedArgs, io: CommandIO): Promise<number> {
    const [figure, modelPath] = positionals(args, ['FIGURE', 'MODEL'], 'plot');
    if (!(FIGURES as readonly string[]).includes(figure!)) throw new SnncError('usage', `snnc plot: "${figure}" is not one of ${FIGURES.join(', ')}`);
    const out = flagString(args, 'out');
    if (out === undefined) throw new SnncError('usage', 'snnc plot: --out FILE.png is required');
    // Refused before drawing: a folder, a device, the model itself, or an existing file that is not a PNG.
    checkOutputFile(out, { parents: 'create', inputs: [modelInput(modelPath!)], recognise: { what: 'PNG file', test: (head) => head.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE) } });
    const model = readModel(modelPath!);
    let canvas;
    if (figure === 'filters') {
      canvas = filtersFigure(model);
    } else if (figure === 'raster') {
      if (model.kind !== 'snn') throw new SnncError('usage', `${modelPath}: a raster needs an snn model, this one is ${model.kind}`);
      const index = flagNumber(args, 'image') ?? 0;
      const name = model.metadata.dataset;
      if (model.encoder.kind === 'events' && isEventDatasetName(name)) {
        // sample `index` of the test split, binned by the model's own binning, with seed `index` as snnc eval runs it
        const options = { binning: model.encoder.binning, timesteps: model.timesteps, maxCount: 2 ** model.encoder.countBits - 1 };
        const frames = await loadFrameSet(name, 'test', options, { offset: index, limit: 1 });
        canvas = rasterFigure(model, frames.image(0), frames.labels[0]!, index);
      } else {
        if (!isDatasetName(name)) throw new SnncError('usage', `${modelPath}: a raster reads an image or event dataset, this model's is ${name}`);
        const data = loadDataset(name, 'test', { offset: index, limit: 1 });
        const batch = datasetBatch(data); // image `index` of the split, with jitter seed `index`
        canvas = rasterFigure(model, batch.images[0]!, data.labels[0]!, batch.seeds[0]!);
      }
    } else {
      const file = join(dirname(modelJsonPath(modelPath!)), 'training.json');
      if (!existsSync(file)) throw new SnncError('io', `${file}: no training history beside the model (snnc train writes it)`);
      const { history } = JSON.parse(readFileSync(file, 'utf8')) as { history: EpochRecord[] };
      canvas = curvesFigure(model.metadata.name, history);
    }
    mkdirSync(dirname(out), { recursive: true });
    canvas.save(out);
    io.out(`${out}: ${canvas.width}x${canvas.height} ${figure} of ${model.metadata.name}`);
    return 0;
  },
};
