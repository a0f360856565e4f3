/**
 * @fileoverview The event-input rows of results/paper-tables.md: models trained on an event dataset (examples/
 * DATASET-ARCH), their float and 8-bit fixed accuracy on the whole test split binned by the model, T and time bins.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModel } from '../model/read-model.ts';
import { fixedCell, pct, reproduceCommand, wall, type FixedMode, type TrainingLog } from './table-cells.ts';

interface EventRow {
  readonly example: string;
  readonly label: string;
}

/** One section of event-input rows: its heading and prose, its rows, and what to fetch first. */
interface EventSection {
  readonly heading: string;
  readonly intro: readonly string[];
  readonly rows: readonly EventRow[];
  readonly fetch: string;
}

const SECTIONS: readonly EventSection[] = [
  {
    heading: '## mnist-dvs-sim (emulated DVS events of MNIST; not N-MNIST)',
    intro: [
      'Events from `data/dvs-emulator.ts` ([events.md](events.md)), binned by each model into T frames of saturating counts',
      '(docs/ir.md "Event input"); the paper has no such rows. Float: `runtime/float-reference.ts` on all 10,000 test',
      'samples; 8-bit fixed: the compiled program on the golden runtime on the same frames.',
    ],
    rows: [
      { example: 'mnist-dvs-sim-snn', label: 'SNN 2312-100-10' },
      { example: 'mnist-dvs-sim-snn-conv3', label: 'SNN + 5 3x3 conv' },
      { example: 'mnist-dvs-sim-rsnn', label: 'Recurrent SNN 2312-100r-10' },
    ],
    fetch: 'snnc data fetch mnist-dvs-sim',
  },
  {
    heading: '## smnist (sequential MNIST, row by row: 28 steps of 28 pixels)',
    intro: [
      'Image row t is frame t (`data/event-datasets.ts`), so the network sees one row per step and must carry the digit',
      'through time: `--arch rsnn` has a recurrent hidden layer of 100 binary LIF neurons (docs/training.md). Float:',
      '`runtime/float-reference.ts` on all 10,000 test sequences; 8-bit fixed: the compiled program (8-bit input and',
      'recurrent weights, per unit) on the golden runtime.',
      '',
      'The published recurrent-SNN figures on sequential MNIST we could find are pixel by pixel (784 steps of one pixel, a',
      'harder task than these 28 rows), so they bound rather than match this row. Bellec, Salaj, Subramoney, Legenstein and',
      'Maass, "Long short-term memory and learning-to-learn in networks of spiking neurons" (NeurIPS 2018): the authors\'',
      'tutorial (IGITUGraz/LSNN-official, `bin/tutorial_sequential_mnist_with_LSNN.py`, a task its README calls simplified',
      'from the paper\'s) trains 220 recurrent neurons (120 LIF, 100 with adaptive thresholds, 12 % connectivity kept by',
      'DEEP R rewiring) on 80 threshold-crossing input channels, and says best runs "should achieve up to 96%" after 36k',
      'iterations. We could not read the paper itself here: a secondary summary lists 63 % for plain LIF neurons, 93 % for',
      'the LSNN (94.7 % with DEEP R) and 98.5 % for an LSTM, unchecked against it. We know of no row-wise (28-step) figure',
      'for a plain recurrent LIF network. Details: [recurrence.md](recurrence.md).',
    ],
    rows: [{ example: 'smnist-rsnn', label: 'Recurrent SNN 28-100r-10' }],
    fetch: 'snnc data fetch mnist',
  },
];

/** One section of event rows, or nothing when none of its models has been trained. */
async function eventSection(section: EventSection, mode: FixedMode): Promise<string[]> {
  const table = [
    '| Model | Ours (float, test) | Mean test CE | 8-bit fixed (test) | T | Time bins | Count bits | Epochs | Wall time | Backend | Seed |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const commands: string[] = [];
  for (const row of section.rows) {
    const dir = join('examples', row.example);
    if (!existsSync(join(dir, 'model.json'))) continue;
    const model = readModel(dir);
    if (model.kind !== 'snn' || model.encoder.kind !== 'events') continue;
    const log = existsSync(join(dir, 'training.json')) ? (JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8')) as TrainingLog) : {};
    const acc = model.metadata.accuracy;
    const { source, binUs, startUs } = model.encoder.binning;
    const threads = log.threads ?? 1;
    table.push(
      `| ${row.label} | ${acc ? pct(acc.test) : '?'} | ${acc?.crossEntropy?.toFixed(4) ?? '?'} | ${await fixedCell(dir, mode)} | ${model.timesteps} | ` +
        `${source === 'frames' ? 'one frame per step' : `${binUs / 1000} ms from ${startUs / 1000} ms`} | ${model.encoder.countBits} | ${model.metadata.epochs ?? '?'} | ${wall(log.seconds)} | ` +
        `${log.backend ?? model.metadata.backend ?? '?'}, ${threads} thread${threads > 1 ? 's' : ''} | ${model.metadata.seed} |`,
    );
    commands.push(`# ${row.label} (seed ${model.metadata.seed})`);
    if (model.metadata.trainCommand) commands.push(reproduceCommand(model.metadata.trainCommand, dir));
    commands.push(`npx snnc eval ${dir}`);
  }
  if (commands.length === 0) return [];
  return [section.heading, ...section.intro, '', ...table, '', `Reproduce (\`${section.fetch}\` first):`, '```sh', ...commands, '```', ''];
}

/** The event sections, each left out while none of its models has been trained. */
export async function eventTables(mode: FixedMode): Promise<string[]> {
  const sections: string[] = [];
  for (const section of SECTIONS) sections.push(...(await eventSection(section, mode)));
  return sections;
}
