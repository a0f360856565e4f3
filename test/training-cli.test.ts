/** @fileoverview `snnc train` and `snnc plot` end to end: the recorded command, the files written, one-line errors. */
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { readModel } from '../model/read-model.ts';
import { fetchDataset } from '../data/fetch.ts';
import { cli } from './support/cli.ts';

let scratch = '';
test.before(async () => {
  await fetchDataset('mnist');
  scratch = mkdtempSync(join(tmpdir(), 'snnc-train-cli-'));
});
test.after.always(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test.serial('snnc train writes the model, its history and a checkpoint per epoch, and records every setting', async (t) => {
  const out = join(scratch, 'm');
  const r = await cli('train', '--arch', 'snn', '--epochs', '2', '--timesteps', '3', '--train-limit', '500', '--test-limit', '50', '--threads', '1', '--out', out);
  t.is(r.code, 0, r.err.join('\n'));
  t.regex(r.out[0]!, /m: snn on mnist, test accuracy \d+\.\d\d% \(float reference, 50 images\)/);
  const model = readModel(out);
  t.is(model.metadata.trainCommand, `snnc train --arch snn --dataset mnist --epochs 2 --timesteps 3 --batch 100 --lr 0.002 --seed 1 --threads 1 --center feature --train-limit 500 --test-limit 50 --out ${out}`);
  t.is(model.kind === 'snn' ? model.timesteps : 0, 3);
  t.true(existsSync(join(out, 'checkpoints', 'epoch-001', 'model.json')));
  t.true(existsSync(join(out, 'checkpoints', 'epoch-002', 'optimizer.bin')));
  const log = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8')) as { history: unknown[]; threads: number };
  t.is(log.history.length, 2);
  t.is(log.threads, 1);
  t.true(r.err.some((l) => l.startsWith('backend: ')));

  const png = join(scratch, 'curves.png');
  const p = await cli('plot', 'curves', out, '--out', png);
  t.is(p.code, 0, p.err.join('\n'));
  const image = PNG.sync.read(readFileSync(png));
  t.is(`${image.width}x${image.height}`, /(\d+x\d+)/.exec(p.out[0]!)?.[1] ?? '');
});

test('snnc train and plot refuse bad input with one line and exit code 2', async (t) => {
  const cases: [string[], RegExp][] = [
    [['train', '--out', join(scratch, 'x')], /--arch is required/],
    [['train', '--arch', 'snn'], /--out is required/],
    [['train', '--arch', 'mlp', '--out', 'x'], /"mlp" is not one of ann-relu/],
    [['train', '--arch', 'snn', '--out', 'x', '--threads', '0'], /--threads: 0 is outside/],
    [['train', '--arch', 'snn', '--conv', 'spiking', '--out', 'x'], /--conv: snn has no conv layer/],
    [['train', '--arch', 'snn-conv3', '--conv', 'relu', '--out', 'x'], /"relu" is not one of linear, spiking/],
    [['plot', 'filters', 'examples/mnist-snn', '--out', join(scratch, 'f.png')], /has no conv layer/],
    [['plot', 'bars', 'examples/mnist-snn', '--out', 'x.png'], /"bars" is not one of filters, raster, curves/],
  ];
  for (const [argv, message] of cases) {
    const r = await cli(...argv);
    t.is(r.code, 2, argv.join(' '));
    t.is(r.err.length, 1, argv.join(' '));
    t.regex(r.err[0]!, message);
  }
});
