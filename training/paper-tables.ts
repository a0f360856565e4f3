/**
 * @fileoverview Builds results/paper-tables.md from the trained models in examples/ (never from hand-copied numbers):
 * the paper's figure, our float accuracy and cross-entropy (from metadata), the 8-bit fixed-point accuracy (lowered
 * by compiler/lower.ts, run on the golden runtime; cached in results/fixed-point.json), and the reproduce commands.
 * Run: nice -n 15 npx tsx training/paper-tables.ts [--cached-only | --fresh]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, Model } from '../model/format.ts';
import { readModel } from '../model/read-model.ts';
import type { ArchName } from './arch.ts';
import type { EpochRecord } from './checkpoint.ts';
import { eventTables } from './event-tables.ts';
import { fixedCell, pct, reproduceCommand, wall, type FixedMode, type TrainingLog } from './table-cells.ts';

interface PaperRow {
  readonly arch: ArchName;
  /** The examples/ folder is `DATASET-EXAMPLE` (default `DATASET-ARCH`); an `optional` row is left out without a model. */
  readonly example?: string;
  readonly optional?: boolean;
  readonly label: string;
  /** Paper's accuracy (%) and our target (%); undefined where the paper did not run it or we only report. */
  readonly paper: Readonly<Partial<Record<Dataset, number>>>;
  readonly target: Readonly<Partial<Record<Dataset, number>>>;
}

/** The table: the paper's figures (hidden width 100) and the targets set in the issue. */
export const PAPER_ROWS: readonly PaperRow[] = [
  { arch: 'ann-relu', label: 'ANN ReLU', paper: { mnist: 89.19, cifar10: 43.64 }, target: { mnist: 97.5, cifar10: 50 } },
  { arch: 'ann-leaky', label: 'ANN LeakyReLU', paper: { mnist: 89.03, cifar10: 43.75 }, target: { mnist: 97.5, cifar10: 50 } },
  { arch: 'ann-sigmoid', label: 'ANN Sigmoid', paper: { mnist: 75.57, cifar10: 34.13 }, target: { mnist: 97, cifar10: 45 } },
  { arch: 'snn', label: 'SNN', paper: { mnist: 90.68, cifar10: 48.31 }, target: { mnist: 97.5, cifar10: 52 } },
  { arch: 'snn-binary', label: 'SNN binary outputs', paper: { mnist: 71.0 }, target: { mnist: 95 } },
  { arch: 'snn-conv3', label: 'SNN + 5 3x3 conv', paper: { mnist: 90.2, cifar10: 49.47 }, target: { mnist: 98, cifar10: 55 } },
  { arch: 'snn-conv5', label: 'SNN + 5 5x5 conv', paper: { mnist: 90.5, cifar10: 50.38 }, target: { mnist: 98, cifar10: 56 } },
  { arch: 'snn-gabor', label: 'SNN + 5 5x5 Gabor (fixed)', paper: {}, target: {} },
  { arch: 'snn-conv3', example: 'snn-conv3-spiking', optional: true, label: 'SNN + 5 3x3 conv, spiking (`--conv spiking`)', paper: {}, target: { mnist: 98, cifar10: 55 } },
  { arch: 'snn-conv5', example: 'snn-conv5-spiking', optional: true, label: 'SNN + 5 5x5 conv, spiking (`--conv spiking`)', paper: {}, target: { mnist: 98, cifar10: 56 } },
];

/**
 * Why a trained row reads as it does (missed target, odd number), keyed `dataset-arch`. These are the judgement part
 * of the table; the measured part (by how much, train/test gap, last epochs) is derived from training.json.
 */
const CONV_IS_LINEAR =
  'the conv layer is linear and stateless (applied to each step\'s jittered frame, no neuron between it and the hidden ' +
  'layer), so conv followed by the hidden weights is one linear map from pixels to hidden currents, which the plain ' +
  'SNN\'s hidden layer can already represent: the conv changes the parametrisation and the optimisation path, not the ' +
  'capacity (the paper\'s own conv rows sit within 0.5 points of its plain SNN). Train accuracy near 100 % says the run ' +
  'is fitting, not starved; test still crept up over the last epochs, so a longer run than this session\'s 2-core budget ' +
  'allowed might close the gap, and regularisation (augmentation, weight decay), outside the paper\'s recipe that we ' +
  'keep, is the surer route.';
const CIFAR_LINEAR_CONV =
  'only 6 epochs fitted this session\'s 2-core budget (a CIFAR-10 conv epoch took 2.5-6 min beside other jobs), against ' +
  '15 for the MNIST rows, and test accuracy was still rising by about a point per epoch ' +
  '([curves](figures/cifar10-snn-conv5-curves.png)), so these rows are under-trained. But the conv is linear (see the ' +
  'MNIST conv notes): even fully trained it adds no capacity over the plain SNN (52 %), so it cannot be expected to ' +
  'reach 55-56 %. The spiking-conv rows below test the nonlinear alternative.';
const SPIKING_CONV_SHORT =
  'here the conv feeds a layer of the paper\'s neurons (`--conv spiking`: 4,500 identity-synapse units behind the 3x3 ' +
  'conv, 3,920 behind the 5x5), so the front end is nonlinear, unlike the linear-conv rows above. Trained 9 epochs, it ' +
  'gains 0.2 (3x3) and 0.9 (5x5) points over the linear conv, with about half its train/test gap, but stays about 5 ' +
  'points short: everything the ' +
  'hidden layer sees passes through 5 filters and sparse excess outputs, and the paper\'s recipe (no pooling, no ' +
  'augmentation, 100 hidden units) has nothing to make up for that. Test accuracy rose by at most 0.3 points in the ' +
  'last epoch (the cosine schedule at its floor), so more epochs of this recipe are unlikely to find 5 points; wider or ' +
  'more filters, pooling and augmentation are the levers, all outside the paper\'s architecture.';
const ROW_NOTES: Readonly<Record<string, string>> = {
  'mnist-snn-conv3': CONV_IS_LINEAR,
  'mnist-snn-conv5': CONV_IS_LINEAR,
  'cifar10-snn-conv3': CIFAR_LINEAR_CONV,
  'cifar10-snn-conv5': CIFAR_LINEAR_CONV,
  'cifar10-snn-conv3-spiking': SPIKING_CONV_SHORT,
  'cifar10-snn-conv5-spiking': SPIKING_CONV_SHORT,
  'cifar10-snn-gabor':
    'the fixed bank puts the same grey-level kernel on all three colour channels and keeps only 5 orientations of ' +
    'edges, so the hidden layer never sees colour or plain intensity, which carry much of CIFAR-10 (the plain SNN ' +
    'reads them and reaches 52 %); on MNIST, where edges are most of the signal, the same bank loses only half a point. ' +
    '6 epochs; train accuracy 46 % at the end, so the run was still fitting.',
  'cifar10-snn':
    'trained for 10 epochs, not the 15 of the other rows (this session\'s 2-core budget); test accuracy was still ' +
    'rising at the last epoch ([curves](figures/cifar10-snn-curves.png)), so the margin over the target is thin but not a ceiling.',
};

/** Rows without a model in examples/, keyed `dataset-arch`: why (the session's queue ran one job at a time on 2 cores). */
const UNTRAINED_NOTES: Readonly<Record<string, string>> = {};

/**
 * What training.json says about a missed target: the train/test gap and the test accuracy of the last epochs (the
 * per-epoch test figure is the trainer's quick tfjs pass, not the float reference of the table).
 */
function historyFacts(history: readonly EpochRecord[] | undefined): string {
  if (!history || history.length === 0) return '';
  const last = history[history.length - 1]!;
  const tail = history.slice(-3).map((e) => (100 * e.testAccuracy).toFixed(2));
  const gap = (100 * (last.trainAccuracy - last.testAccuracy)).toFixed(2);
  return `at the last epoch train accuracy ${pct(last.trainAccuracy)} (gap ${gap} points to test); test accuracy (trainer's quick pass) over the last ${tail.length} epochs ${tail.join(' -> ')} %.`;
}

interface Section {
  readonly table: string[];
  readonly notes: string[];
  readonly commands: string[];
  /** Notes already printed in full, so a second row with the same reason points back to the first. */
  readonly explained: Set<string>;
}

async function rowFor(dataset: Dataset, row: PaperRow, mode: FixedMode, section: Section): Promise<void> {
  const name = `${dataset}-${row.example ?? row.arch}`;
  const dir = join('examples', name);
  if (row.optional && !existsSync(join(dir, 'model.json'))) return;
  const paperValue = row.paper[dataset];
  const paper = paperValue !== undefined ? `${paperValue.toFixed(2)} %` : '(not run)';
  const target = row.target[dataset];
  const targetCell = target !== undefined ? `>= ${target} %` : 'report';
  if (!existsSync(join(dir, 'model.json'))) {
    const why = UNTRAINED_NOTES[name] ?? 'not trained this session';
    section.table.push(`| ${row.label} | ${paper} | ${why} | | | ${targetCell} | | | | | |`);
    return;
  }
  const model: Model = readModel(dir);
  const logFile = join(dir, 'training.json');
  const log = existsSync(logFile) ? (JSON.parse(readFileSync(logFile, 'utf8')) as TrainingLog) : {};
  const acc = model.metadata.accuracy;
  const missedBy = target !== undefined && acc !== undefined && acc.test * 100 < target ? target - acc.test * 100 : undefined;
  const met = target === undefined || acc === undefined ? '' : missedBy === undefined ? ' (met)' : ` (**missed** by ${missedBy.toFixed(2)})`;
  if (missedBy !== undefined) {
    const note = ROW_NOTES[name];
    const why = note === undefined ? '' : section.explained.has(note) ? ' Why: as for the row above.' : ` Why: ${note}`;
    if (note !== undefined) section.explained.add(note);
    section.notes.push(`- ${row.label}: missed by ${missedBy.toFixed(2)} points after ${model.metadata.epochs ?? '?'} epochs; ${historyFacts(log.history)}${why}`);
  } else if (ROW_NOTES[name]) {
    section.notes.push(`- ${row.label}: ${ROW_NOTES[name]}`);
  }
  let fixed = 'n/a (ANN)';
  if (model.kind === 'snn') fixed = await fixedCell(dir, mode);
  const threads = log.threads ?? 1;
  section.table.push(
    `| ${row.label} | ${paper} | ${acc ? pct(acc.test) : '?'} | ${acc?.crossEntropy?.toFixed(4) ?? '?'} | ${fixed} | ${targetCell}${met} | ` +
      `${model.kind === 'snn' ? model.timesteps : '-'} | ${model.metadata.epochs ?? '?'} | ${wall(log.seconds)} | ` +
      `${log.backend ?? model.metadata.backend ?? '?'}, ${threads} thread${threads > 1 ? 's' : ''} | ${model.metadata.seed} |`,
  );
  section.commands.push(`# ${row.label} (seed ${model.metadata.seed})`);
  if (model.metadata.trainCommand) section.commands.push(reproduceCommand(model.metadata.trainCommand, dir));
  if (model.kind === 'snn') section.commands.push(`npx snnc eval ${dir}`);
}

async function tableFor(dataset: Dataset, mode: FixedMode): Promise<string[]> {
  const section: Section = {
    table: [
      '| Model | Paper | Ours (float, test) | Mean test CE | 8-bit fixed (test) | Target | T | Epochs | Wall time | Backend | Seed |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    ],
    notes: [],
    commands: [],
    explained: new Set(),
  };
  for (const row of PAPER_ROWS) await rowFor(dataset, row, mode, section);
  return [
    ...section.table,
    ...(section.notes.length > 0 ? ['', 'Notes:', ...section.notes] : []),
    '',
    'Reproduce (the train command writes the model the row was measured on; `snnc eval` prints its float and 8-bit',
    'fixed-point accuracy on all 10,000 test images):',
    '```sh',
    ...section.commands,
    '```',
  ];
}

export async function paperTables(mode: FixedMode): Promise<string> {
  return [
    "# The paper's tables, reproduced",
    '',
    'Generated by `nice -n 15 npx tsx training/paper-tables.ts` from the models in `examples/` (do not edit by hand).',
    '- Ours (float) and mean test CE: `runtime/float-reference.ts` on the full 10,000-image test split, jitter seed =',
    '  image index (as `snnc eval`), recorded in each model\'s metadata when training ended. CE is the mean softmax',
    '  cross-entropy of the summed output scores.',
    '- 8-bit fixed: the model lowered by `compiler/lower.ts` with the defaults (8-bit weights with per-channel scales,',
    '  8-bit activations and jitter) and run on the golden runtime (`runtime/golden-batch.ts`) on the same 10,000',
    '  images and seeds. Cached by model hash in `results/fixed-point.json` (`--fresh` re-measures, `--cached-only`',
    '  never measures).',
    '- Wall time: the whole `snnc train` run (training.json `seconds`) on this shared 2-core machine, often beside',
    '  other jobs, so it varies with the load of the day. Training throughput: [training-speed.md](training-speed.md).',
    '- Every run: batch 100, Adam lr 0.002, hidden width 100, feature centering, one seed. A train command recorded with',
    '  a scratch `--out` (runs trained in /tmp and copied) is shown with `--out` pointing at its examples/ folder.',
    '- Accuracy against timesteps (T = 4..128, float and 4/6/8-bit fixed): [timesteps.md](timesteps.md).',
    '- Figures (learned conv filters as the paper\'s Figure 4, membrane/spike rasters, training curves):',
    '  [figures/](figures/).',
    '',
    '## MNIST',
    ...(await tableFor('mnist', mode)),
    '',
    '## CIFAR-10',
    ...(await tableFor('cifar10', mode)),
    '',
    ...(await eventTables(mode)),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const mode: FixedMode = args.includes('--cached-only') ? 'cached' : args.includes('--fresh') ? 'fresh' : 'measure';
  writeFileSync('results/paper-tables.md', await paperTables(mode));
  console.log('wrote results/paper-tables.md');
}
