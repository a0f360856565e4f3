/**
 * @fileoverview NIR through the CLI: snnTorch-, Sinabs- and CubaLIF-style files compile and verify on every target
 * on MNIST test images; bad files and graphs fail with one line and exit 2.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProgram } from '../ir/validate.ts';
import { runGolden } from '../runtime/golden.ts';
import { loadDataset } from '../data/load.ts';
import { cli, cliProcess } from './support/cli.ts';
import { chain, cubaLifNet, sinabsConvNet, snntorchMlp, writeRawNir, type RawGraph } from './support/nir-build.ts';

const dir = mkdtempSync(join(tmpdir(), 'snnc-nir-cli-'));

async function nirFile(name: string, graph: RawGraph): Promise<string> {
  const file = join(dir, `${name}.nir`);
  await writeRawNir(file, graph);
  return file;
}

/** Each net with the --dt its exporter used (snnTorch: 1e-4, Sinabs: 1). */
const nets: [string, () => RawGraph, string][] = [
  ['snntorch-lif-mlp', () => snntorchMlp(24), '1e-4'],
  ['sinabs-if-conv', sinabsConvNet, '1'],
  ['snntorch-cubalif', cubaLifNet, '1e-4'],
];

for (const [name, build, dt] of nets) {
  test.serial(`${name}: snnc compile X.nir, then snnc verify matches golden on every target`, async (t) => {
    // Three simulator builds (verilator, onnxruntime, ts) per net: far longer than ava's idle timeout on a busy machine.
    t.timeout(20 * 60_000, 'compile and verify on every target');
    const file = await nirFile(name, build());
    const out = join(dir, `build-${name}`);
    // 8 timesteps and 16 calibration images keep the three simulator builds and runs inside ava's timeout.
    const compiled = await cli('compile', file, '--out', out, '--dt', dt, '--timesteps', '8', '--calibration-images', '16');
    t.is(compiled.code, 0, compiled.err.join('\n'));
    const program = parseProgram(readFileSync(join(out, 'ir.json'), 'utf8'), 'ir.json');
    // The nets must do something, or an all-zero target would pass: golden scores differ across images.
    const images = loadDataset('mnist', 'test', { limit: 5 });
    const scores = Array.from({ length: images.count }, (_, i) => runGolden(program, images.image(i), i).scores.join(','));
    t.true(new Set(scores).size > 1, `golden scores are all ${scores[0]}`);
    t.true(scores.some((s) => s.split(',').some((v) => v !== '0')));
    const verified = await cli('verify', out, '--samples', '5', '--dataset', 'mnist');
    t.is(verified.code, 0, [...verified.out, ...verified.err].join('\n'));
    for (const target of ['onnx', 'verilog', 'ts', 'wasm']) t.regex(verified.out.join('\n'), new RegExp(`^${target}\\s+5\\s+0\\s`, 'm'), `${target} did not match golden on 5 images`);
  });
}

test('snnc verify and snnc ir take a .nir file directly', async (t) => {
  t.timeout(10 * 60_000, 'compile and verify on ts');
  const file = await nirFile('direct', snntorchMlp(8));
  const ir = await cli('ir', file, '--dt', '1e-4', '--calibration-images', '16', '--timesteps', '4');
  t.is(ir.code, 0, ir.err.join('\n'));
  t.regex(ir.out.join('\n'), /n2/);
  const verified = await cli('verify', file, '--dt', '1e-4', '--calibration-images', '16', '--timesteps', '4', '--samples', '3', '--targets', 'ts', '--dataset', 'mnist');
  t.is(verified.code, 0, [...verified.out, ...verified.err].join('\n'));
});

test('snnc import writes a model directory that snnc reads back', async (t) => {
  const file = await nirFile('imp', sinabsConvNet());
  const out = join(dir, 'imported');
  const r = await cli('import', file, '--out', out, '--reset', 'subtract', '--timesteps', '12');
  t.is(r.code, 0, r.err.join('\n'));
  t.regex(r.out[0]!, /imported .* 4 layers n0\(conv\) -> n1\(identity binary\) -> n2\(pool\) -> n5\(dense binary\), 10 classes, T=12/);
  const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  t.deepEqual(json.layers[1].reset, { kind: 'subtract' });
  t.is(json.timesteps, 12);
});

/** Runs `snnc import` and checks the one-line, exit-2 failure. */
async function importFails(t: import('ava').ExecutionContext, file: string, extra: string[], message: RegExp): Promise<void> {
  const r = await cli('import', file, '--out', join(dir, 'never'), ...extra);
  t.is(r.code, 2, r.err.join('\n'));
  t.is(r.err.length, 1, r.err.join('\n'));
  t.regex(r.err[0]!, /^snnc: /);
  t.regex(r.err[0]!, message);
}

test('corrupt and non-NIR files: one line, exit 2, no HDF5 diagnostics', async (t) => {
  const junk = join(dir, 'junk.nir');
  writeFileSync(junk, Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 251)));
  await importFails(t, junk, [], /junk\.nir: not an HDF5 file/);
  const good = readFileSync(await nirFile('whole', snntorchMlp(8)));
  const truncated = join(dir, 'truncated.nir');
  writeFileSync(truncated, good.subarray(0, Math.floor(good.length / 3)));
  await importFails(t, truncated, [], /truncated\.nir: corrupt HDF5 file/);
  const damaged = Buffer.from(good);
  for (let i = 600; i < damaged.length; i += 97) damaged[i] = 0xff;
  const bad = join(dir, 'damaged.nir');
  writeFileSync(bad, damaged);
  await importFails(t, bad, ['--dt', '1e-4'], /damaged\.nir: (corrupt HDF5 file|.+)/);
  await importFails(t, join(dir, 'missing.nir'), [], /missing\.nir: no such file/);
  // The real executable: stderr is exactly one line (the wasm HDF5 library's own dump is suppressed).
  const p = cliProcess(['import', truncated, '--out', join(dir, 'never')]);
  t.is(p.code, 2);
  t.is(p.stderr.trim().split('\n').length, 1, p.stderr);
  t.false(p.stderr.includes('HDF5-DIAG'));
});

test('unsupported node, ambiguous graphs and bad --dt: one line, exit 2', async (t) => {
  const delay = snntorchMlp(8);
  delay.nodes['2'] = { type: 'Delay', delay: { f32: [2e-4], shape: [] } };
  await importFails(t, await nirFile('delay', delay), ['--dt', '1e-4'], /node '2' \(Delay\): a delay must directly follow a neuron node/);
  const longDelay = snntorchMlp(8);
  longDelay.nodes['2d'] = { type: 'Delay', delay: { f32: [1], shape: [] } };
  longDelay.edges = chain('input', '0', '1', '2', '2d', '3', '4', 'output');
  await importFails(t, await nirFile('long-delay', longDelay), ['--dt', '1e-4'], /node '2d' \(Delay\): delay of 10000 steps; snnc imports a Delay of at most 64 steps/);
  const branch = snntorchMlp(8);
  branch.edges.push(['0', '3']);
  await importFails(t, await nirFile('branch', branch), ['--dt', '1e-4'], /node '0' branches to '1' and '3'/);
  const loop = snntorchMlp(8);
  loop.edges.push(['4', '1']);
  await importFails(t, await nirFile('loop', loop), ['--dt', '1e-4'], /the edges form a cycle 1 -> 2 -> 3 -> 4 -> 1/);
  const mlp = await nirFile('mlp', snntorchMlp(8));
  await importFails(t, mlp, [], /node '2' \(LIF\): tau = .* is shorter than the step dt = 1 .*--dt/);
  await importFails(t, mlp, ['--dt', '0'], /--dt: must be a positive time step, got 0/);
  await importFails(t, mlp, ['--dt', '-1e-4'], /--dt: must be a positive time step/);
  await importFails(t, mlp, ['--dt', 'soon'], /--dt: expected a number, got "soon"/);
});

test('export refuses the paper\'s refractory reset and excess output with one line, exit 2', async (t) => {
  const example = new URL('../examples/mnist-snn', import.meta.url).pathname;
  const r = await cli('export', example, '--to', 'nir', '--out', join(dir, 'example.nir'));
  t.is(r.code, 2);
  t.is(r.err.length, 1, r.err.join('\n'));
  t.regex(r.err[0]!, /^snnc: layer '.+': (the refractory reset|output 'excess').* has no NIR primitive/);
  const missingTo = await cli('export', example, '--out', join(dir, 'example.nir'));
  t.is(missingTo.code, 2);
  t.regex(missingTo.err[0]!, /--to nir is required/);
});
