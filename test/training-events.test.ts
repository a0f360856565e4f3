/**
 * @fileoverview `snnc train` on an event dataset end to end: smnist (a view of MNIST, so CI needs no emulated data) trains
 * an events model whose frames feed training, compile, eval and verify alike; the refusals of what events cannot do.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchDataset } from '../data/fetch.ts';
import { loadDataset } from '../data/load.ts';
import { parseProgram } from '../ir/validate.ts';
import { readModel } from '../model/read-model.ts';
import { runGolden } from '../runtime/golden.ts';
import { runSnnFloat } from '../runtime/float-reference.ts';
import { modelSamples } from '../training/sample-set.ts';
import { cli } from './support/cli.ts';

let scratch = '';
test.before(async () => {
  await fetchDataset('mnist');
  scratch = mkdtempSync(join(tmpdir(), 'snnc-train-events-'));
});
test.after.always(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test.serial('an smnist events model trains, compiles, evaluates and verifies on the same frames', async (t) => {
  const out = join(scratch, 'sm');
  const r = await cli('train', '--arch', 'snn', '--dataset', 'smnist', '--epochs', '1', '--train-limit', '300', '--test-limit', '40', '--threads', '1', '--out', out);
  t.is(r.code, 0, r.err.join('\n'));
  t.true(r.err.some((l) => l === 'events: smnist binned into T=28 frames (one frame per step), counts saturate at 255; 0 training events fell outside the window'), r.err.join('\n'));
  const model = readModel(out);
  t.is(model.metadata.trainCommand, `snnc train --arch snn --dataset smnist --epochs 1 --timesteps 28 --batch 100 --lr 0.002 --seed 1 --threads 1 --center none --train-limit 300 --test-limit 40 --out ${out}`);
  if (model.kind !== 'snn' || model.encoder.kind !== 'events') return t.fail('not an events model');
  t.deepEqual(model.encoder, { kind: 'events', binning: { source: 'frames', binUs: 1, startUs: 0 }, countBits: 8 });
  t.deepEqual(model.input.shape, [28, 1, 1]);

  // Sample i is the 28 rows of MNIST test image i, frame t = row t.
  const samples = await modelSamples(model, 'test', 3);
  t.deepEqual(Array.from(samples.image(2)), Array.from(loadDataset('mnist', 'test', { limit: 3 }).image(2)));
  // The recorded float accuracy is the float reference on those frames.
  let correct = 0;
  const test40 = await modelSamples(model, 'test', 40);
  for (let i = 0; i < 40; i++) if (runSnnFloat(model, test40.image(i), i).label === test40.labels[i]) correct++;
  t.is(model.metadata.accuracy?.test, correct / 40);

  const build = join(scratch, 'smb');
  const c = await cli('compile', out, '--out', build, '--target', 'ts,wasm', '--calibration-images', '64');
  t.is(c.code, 0, c.err.join('\n'));
  const program = parseProgram(readFileSync(join(build, 'ir.json'), 'utf8'), 'ir.json');
  t.deepEqual(program.encoder, { kind: 'events', binning: { source: 'frames', binUs: 1, startUs: 0 }, outType: { signed: false, bits: 8, frac: 0 } });
  const report = join(scratch, 'verify.json');
  const v = await cli('verify', build, '--targets', 'ts,wasm', '--samples', '25', '--report', report);
  t.is(v.code, 0, v.err.join('\n'));
  t.true(v.out.some((l) => /^ts\s+25\s+0\s/.test(l)) && v.out.some((l) => /^wasm\s+25\s+0\s/.test(l)), v.out.join('\n'));
  t.is((JSON.parse(readFileSync(report, 'utf8')) as { imageSource: string }).imageSource, 'smnist test samples #0..#24 binned by the program (0 events outside the window)');

  // snnc eval's fixed accuracy is the golden runtime on the frames (seed = index; no jitter in events programs).
  const e = await cli('eval', out, '--limit', '30', '--calibration-images', '64');
  t.is(e.code, 0, e.err.join('\n'));
  const fixed = Array.from({ length: 30 }, (_, i) => runGolden(program, test40.image(i), i).label === test40.labels[i]).filter(Boolean).length;
  t.true(e.out.includes(`fixed accuracy   ${((100 * fixed) / 30).toFixed(2)} %`), e.out.join('\n'));
});

test('what events cannot do is refused in one line', async (t) => {
  const out = join(scratch, 'refused');
  const cases: [string[], string][] = [
    [['--arch', 'ann-relu', '--dataset', 'smnist'], 'snnc: smnist is an event dataset: ann-relu is an image baseline; train a spiking arch'],
    [['--arch', 'snn', '--dataset', 'smnist', '--qat-bits', '4'], 'snnc: smnist is an event dataset: --qat-bits is not built for event input'],
    [['--arch', 'snn', '--dataset', 'smnist', '--augment', 'shift:1'], 'snnc: smnist is an event dataset: --augment moves images, not events'],
    [['--arch', 'snn', '--dataset', 'smnist', '--center', 'feature'], 'snnc: smnist is an event dataset: --center must be none (frames are counts, not images)'],
    [['--arch', 'snn', '--dataset', 'smnist', '--bin-us', '1000'], 'snnc: --bin-us: smnist is a sequence of frames, not events'],
    [['--arch', 'snn', '--dataset', 'mnist', '--count-bits', '2'], 'snnc: --bin-us and --count-bits are for event datasets, not mnist'],
    [['--arch', 'snn', '--dataset', 'smnist', '--timesteps', '20'], 'snnc: smnist has 28 rows, one per timestep: T must be at least 28, got 20'],
  ];
  for (const [args, message] of cases) {
    const r = await cli('train', ...args, '--epochs', '1', '--train-limit', '10', '--test-limit', '10', '--threads', '1', '--out', out);
    t.is(r.code, 2, args.join(' '));
    t.deepEqual(r.err.filter((l) => l.startsWith('snnc:')), [message], args.join(' '));
  }
});
