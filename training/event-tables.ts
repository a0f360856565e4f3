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

const EVENT_ROWS: readonly EventRow[] = [
  { example: 'mnist-dvs-sim-snn', label: 'SNN 2312-100-10' },
  { example: 'mnist-dvs-sim-snn-conv3', label: 'SNN + 5 3x3 conv' },
];

/** The section, or nothing when no event model has been trained. */
export async function eventTables(mode: FixedMode): Promise<string[]> {
  const table = [
    '| Model | Ours (float, test) | Mean test CE | 8-bit fixed (test) | T | Time bins | Count bits | Epochs | Wall time | Backend | Seed |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const commands: string[] = [];
  for (const row of EVENT_ROWS) {
    const dir = join('examples', row.example);
    if (!existsSync(join(dir, 'model.json'))) continue;
    const model = readModel(dir);
    if (model.kind !== 'snn' || model.encoder.kind !== 'events') continue;
    const log = existsSync(join(dir, 'training.json')) ? (JSON.parse(readFileSync(join(dir, 'training.json'), 'utf8')) as TrainingLog) : {};
    const acc = model.metadata.accuracy;
    const { binUs, startUs } = model.encoder.binning;
    const threads = log.threads ?? 1;
    table.push(
      `| ${row.label} | ${acc ? pct(acc.test) : '?'} | ${acc?.crossEntropy?.toFixed(4) ?? '?'} | ${await fixedCell(dir, mode)} | ${model.timesteps} | ` +
        `${binUs / 1000} ms from ${startUs / 1000} ms | ${model.encoder.countBits} | ${model.metadata.epochs ?? '?'} | ${wall(log.seconds)} | ` +
        `${log.backend ?? model.metadata.backend ?? '?'}, ${threads} thread${threads > 1 ? 's' : ''} | ${model.metadata.seed} |`,
    );
    commands.push(`# ${row.label} (seed ${model.metadata.seed})`);
    if (model.metadata.trainCommand) commands.push(reproduceCommand(model.metadata.trainCommand, dir));
    commands.push(`npx snnc eval ${dir}`);
  }
  if (commands.length === 0) return [];
  return [
    '## mnist-dvs-sim (emulated DVS events of MNIST; not N-MNIST)',
    'Events from `data/dvs-emulator.ts` ([events.md](events.md)), binned by each model into T frames of saturating counts',
    '(docs/ir.md "Event input"); the paper has no such rows. Float: `runtime/float-reference.ts` on all 10,000 test',
    'samples; 8-bit fixed: the compiled program on the golden runtime on the same frames.',
    '',
    ...table,
    '',
    'Reproduce (`snnc data fetch mnist-dvs-sim` first):',
    '```sh',
    ...commands,
    '```',
    '',
  ];
}
