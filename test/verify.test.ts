/**
 * @fileoverview verify's engine can fail (a target off by one integer is caught and located), and the verify and report
 * commands on a compiled build: relative paths, --simulator, the manifest check before loading, the JSON record,
 * simulator builds keyed on file bytes, and no ONNX Runtime litter in the temp folder.
 */
import test from 'ava';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { writeModel } from '../model/write-model.ts';
import { writeManifest } from '../verify/manifest.ts';
import { readDesign } from '../targets/verilog/emit.ts';
import { buildKey } from '../targets/verilog/run.ts';
import { cli, cliProcess } from './support/cli.ts';
import { tinyModel } from './support/tiny-model.ts';
import { randomPixels, randomProgram } from '../ir/random-program.ts';
import type { Program } from '../ir/program.ts';
import { verifyTargets } from '../verify/verify.ts';
import { firstTraceDifference } from '../verify/compare.ts';
import { runGolden, traceGolden } from '../runtime/golden.ts';
import type { Target } from '../targets/target.ts';
import type { ModelTrace } from '../runtime/trace.ts';

/** A target that computes with the golden runtime, optionally corrupting one trace value and the scores. */
function fakeTarget(corrupt?: { layer: number; t: number; neuron: number }): Target {
  const traceOf = (program: Program, pixels: Uint8Array, seed: number): ModelTrace => {
    const trace = traceGolden(program, pixels, seed);
    if (!corrupt) return trace;
    const layers = trace.layers.map((l, i) => (i !== corrupt.layer ? l : { ...l, membrane: l.membrane.map((row, t) => (t !== corrupt.t ? row : row.map((v, j) => (j === corrupt.neuron ? v + 1 : v)))) }));
    return { ...trace, layers };
  };
  return {
    name: corrupt ? 'broken' : 'exact',
    summary: 'test double',
    limits: {},
    checkOptions() {},
    check() {},
    async emit() {
      return [{ path: 'marker.txt', contents: 'x' }];
    },
    async run(_dir, program, batch) {
      const results = batch.images.map((image, i) => runGolden(program, image, batch.seeds[i]!));
      return {
        scores: results.map((r, i) => (corrupt && i % 2 === 1 ? r.scores.map((s, k) => (k === 0 ? s + 1 : s)) : r.scores)),
        labels: results.map((r) => r.label),
      };
    },
    async trace(_dir, program, pixels, seed) {
      return traceOf(program, pixels, seed);
    },
  };
}

test('an exact target matches; a target off by one is reported at its first differing layer, step and neuron', async (t) => {
  const program = randomProgram(21, { conv: false, timesteps: 4 });
  const size = program.input.shape.reduce((a, b) => a * b, 1);
  const images = Array.from({ length: 10 }, (_, i) => randomPixels(i, size));
  const { rows } = await verifyTargets(program, undefined, [fakeTarget(), fakeTarget({ layer: 0, t: 2, neuron: 0 })], { images, seeds: images.map((_, i) => i) }, { emit: {} });
  t.is(rows[0]!.status, 'match');
  t.is(rows[0]!.mismatches, 0);
  t.is(rows[1]!.status, 'mismatch');
  t.is(rows[1]!.mismatches, 5);
  t.regex(rows[1]!.first!, /^image 1: layer 0 \(layer0\), t=2, neuron 0 membrane: golden -?\d+, target -?\d+$/);
});

test('firstTraceDifference scans timestep-major, membrane before output', (t) => {
  const program = randomProgram(5, { conv: false, timesteps: 3 });
  const size = program.input.shape.reduce((a, b) => a * b, 1);
  const golden = traceGolden(program, randomPixels(1, size), 1);
  t.is(firstTraceDifference(program, golden, golden), undefined);
  const last = golden.layers.length - 1;
  const changed = { layers: golden.layers.map((l, i) => (i === last ? { ...l, output: l.output.map((row, s) => (s === 1 ? row.map((v, j) => (j === 1 ? v + 7 : v)) : row)) } : l)) };
  const d = firstTraceDifference(program, golden, changed);
  t.like(d, { layer: last, timestep: 1, neuron: 1, signal: 'output' });
  t.is(d!.actual, d!.expected + 7);
});

// The CLI on a compiled build: paths, the simulator flag, the manifest check and the record of what was checked.

const scratch = mkdtempSync(join(tmpdir(), 'snnc-verify-cli-'));
const modelDir = join(scratch, 'tiny');
writeModel(tinyModel(7, { timesteps: 3 }), modelDir);
const build = join(scratch, 'build', 'tiny');
const onnxOnly = join(scratch, 'build', 'onnx-only');

test.before(async () => {
  for (const [out, targets] of [[build, 'all'], [onnxOnly, 'onnx']] as const) {
    const r = await cli('compile', modelDir, '--out', out, '--target', targets, '--calibration-images', '32');
    if (r.code !== 0) throw new Error(r.err.join('\n'));
  }
});

test.serial('verify and report take a relative build path (tools run with the design folder as cwd)', async (t) => {
  t.timeout(10 * 60_000, 'a verilator build');
  const relativeBuild = relative(process.cwd(), build);
  t.false(isAbsolute(relativeBuild));
  const verified = await cli('verify', relativeBuild, '--targets', 'verilog,ts', '--samples', '3');
  t.is(verified.code, 0, verified.out.concat(verified.err).join('\n'));
  t.regex(verified.out[2]!, /^verilog +3 +0 /);
  const reported = await cli('report', relativeBuild, '--no-synth', '--images', '2', '--dataset', 'random');
  t.is(reported.code, 0, reported.err.join('\n'));
  t.regex(reported.out.find((l) => l.startsWith('cycles')) ?? '', /^cycles +mean \d+ \(min \d+, max \d+\) per inference over 2 random images$/);
});

test.serial('--simulator icarus runs Icarus (on a relative path too), and --report records the simulator, its version, every file hash, the images and seeds', async (t) => {
  t.timeout(10 * 60_000, 'an icarus build');
  const report = join(scratch, 'icarus.json');
  const r = await cli('verify', relative(process.cwd(), build), '--targets', 'verilog', '--simulator', 'icarus', '--samples', '2', '--seed', '5', '--report', report);
  t.is(r.code, 0, r.out.concat(r.err).join('\n'));
  t.true(existsSync(join(build, 'verilog', 'icarus', 'snn_tb.vvp')));
  const json = JSON.parse(readFileSync(report, 'utf8')) as { tools: { simulator: string; simulatorVersion: string }; seeds: number[]; imageSource: string; irSha256: string; rows: { files: Record<string, string> }[] };
  t.is(json.tools.simulator, 'icarus');
  t.regex(json.tools.simulatorVersion, /^Icarus Verilog version \d+/);
  t.deepEqual(json.seeds, [5, 6]);
  t.is(json.imageSource, 'mnist test images #0..#1');
  const manifest = JSON.parse(readFileSync(join(build, 'manifest.json'), 'utf8')) as { files: Record<string, string> };
  t.is(json.irSha256, manifest.files['ir.json']!);
  t.deepEqual(json.rows[0]!.files, Object.fromEntries(Object.entries(manifest.files).filter(([p]) => p.startsWith('verilog/'))));
  t.regex((await cli('verify', '--help')).out.join('\n'), /--simulator <verilator\|icarus> /);
  t.regex((await cli('report', '--help')).out.join('\n'), /--simulator <verilator\|icarus> /);
});

test('a simulator build is keyed on the bytes of every file it reads, memory images included', (t) => {
  const dir = join(scratch, 'key');
  cpSync(join(build, 'verilog'), dir, { recursive: true });
  const info = readDesign(dir);
  const before = buildKey(dir, info, 'verilator', []);
  const file = join(dir, 'mem', 's0_units.hex');
  const words = readFileSync(file, 'utf8');
  writeFileSync(file, words.replace(/^(.)/, (c: string) => (c === '0' ? '1' : '0')));
  t.not(buildKey(dir, info, 'verilator', []), before);
  writeFileSync(file, words);
  t.is(buildKey(dir, info, 'verilator', []), before);
});

test('a build without manifest.json is refused in one line, exit 2', async (t) => {
  const dir = join(scratch, 'no-manifest');
  cpSync(onnxOnly, dir, { recursive: true });
  rmSync(join(dir, 'manifest.json'));
  const r = await cli('verify', dir, '--targets', 'onnx', '--samples', '2');
  t.is(r.code, 2);
  t.deepEqual(r.err, [`snnc: ${dir}: no manifest.json, so its files cannot be checked against what compile wrote (compile it again, or pass --as-is to check the files as they are)`]);
});

test('a planted ts/model.ts that compile did not write is refused before it is imported', async (t) => {
  const dir = join(scratch, 'planted');
  cpSync(onnxOnly, dir, { recursive: true });
  const marker = join(scratch, 'planted-ran');
  mkdirSync(join(dir, 'ts'));
  writeFileSync(join(dir, 'ts', 'model.ts'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\n`);
  const r = await cli('verify', dir, '--targets', 'ts', '--samples', '2');
  t.is(r.code, 2);
  t.deepEqual(r.err, [`snnc: ${join(dir, 'ts')} is not in manifest.json: compile did not write it (pass --as-is to check the files as they are)`]);
  t.false(existsSync(marker));
});

test('a verify run through ONNX Runtime leaves no new file in the temp folder', (t) => {
  const tmp = mkdtempSync(join(scratch, 'tmp-'));
  // The first run leaves tsx's own compile cache; what verify itself leaves is measured against that.
  t.is(cliProcess(['--help'], { TMPDIR: tmp }).code, 0);
  const before = readdirSync(tmp).sort();
  const r = cliProcess(['verify', onnxOnly, '--targets', 'onnx', '--samples', '2'], { TMPDIR: tmp });
  t.is(r.code, 0, r.stderr);
  t.deepEqual(readdirSync(tmp).sort(), before);
});

test('a statement planted in ts/model.ts is refused even when manifest.json was rewritten to match it', async (t) => {
  const dir = join(scratch, 'planted-with-manifest');
  cpSync(build, dir, { recursive: true, filter: (src) => !src.includes('obj_dir') && !src.includes('icarus') });
  const marker = join(scratch, 'planted-with-manifest-ran');
  const file = join(dir, 'ts', 'model.ts');
  writeFileSync(file, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\n${readFileSync(file, 'utf8')}`);
  writeManifest(dir);
  const r = await cli('verify', dir, '--targets', 'ts', '--samples', '2');
  t.is(r.code, 2);
  t.deepEqual(r.err, [`snnc: ${file} is not what ${join(dir, 'ir.json')} emits for the ts target, so it is not run (pass --as-is to run it as it is)`]);
  t.false(existsSync(marker));
});
