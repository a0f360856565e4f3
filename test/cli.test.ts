/** @fileoverview The CLI's contract: results on stdout, one-line errors with exit code 2, atomic build dirs. */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeModel } from '../model/write-model.ts';
import { parseProgram } from '../ir/validate.ts';
import { printProgram } from '../ir/print.ts';
import { cli, cliProcess } from './support/cli.ts';
import { tinyModel } from './support/tiny-model.ts';

const scratch = mkdtempSync(join(tmpdir(), 'snnc-cli-'));
const model = join(scratch, 'tiny');
writeModel(tinyModel(5, { conv: 3 }), model);

function oneLine(t: import('ava').ExecutionContext, err: string, pattern: RegExp): void {
  const lines = err.trimEnd().split('\n');
  t.is(lines.length, 1, err);
  t.regex(lines[0]!, pattern);
  t.false(/\bat .*\.ts:\d+/.test(err), 'no stack trace');
}

test('the real executable: unknown flag is one line and exit 2', (t) => {
  const r = cliProcess(['compile', model, '--wieght-bits', '4']);
  t.is(r.code, 2);
  t.is(r.stdout, '');
  oneLine(t, r.stderr, /^snnc: snnc compile: unknown flag --wieght-bits \(see snnc compile --help\)$/);
});

test('the real executable: a corrupt model is one line and exit 2', (t) => {
  const dir = join(scratch, 'corrupt');
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.json'), '{"format": "snnc-model", "version": 1, "kind": "snn", "metad');
  const r = cliProcess(['compile', dir, '--out', join(scratch, 'never')]);
  t.is(r.code, 2);
  oneLine(t, r.stderr, /^snnc: .*model\.json: not valid JSON/);
  t.false(existsSync(join(scratch, 'never')));
});

test('the real executable: a missing dataset says how to fetch it', (t) => {
  const r = cliProcess(['eval', model, '--limit', '5'], { SNNC_CACHE_DIR: mkdtempSync(join(tmpdir(), 'snnc-empty-')) });
  t.is(r.code, 2);
  oneLine(t, r.stderr, /^snnc: dataset mnist is not fetched; run: snnc data fetch mnist$/);
});

test('usage errors', async (t) => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['compile'], /snnc compile: expected MODEL/],
    [['compile', model, '--weight-bits', '17'], /--weight-bits: 17 is outside \[2, 16\]/],
    [['compile', model, '--weight-bits', 'eight'], /--weight-bits: expected an integer, got "eight"/],
    [['compile', model, '--target', 'fpga'], /--target: "fpga" is not one of/],
    [['compile', model, '--dump-after', 'nope'], /--dump-after: "nope" is not one of check-model, fold-input-scale/],
    [['compile', join(scratch, 'nothing-here')], /nothing-here: no such file or directory/],
    [['run', model], /give exactly one of --index I, --image FILE\.png or --sample FILE\.bin/],
    [['data', 'fetch', 'imagenet'], /unknown dataset "imagenet"/],
  ];
  for (const [argv, message] of cases) {
    const r = await cli(...argv);
    t.is(r.code, 2, argv.join(' '));
    t.is(r.err.length, 1);
    t.regex(r.err[0]!, message);
  }
});

test('compile writes ir.json, ir.txt and a summary; ir.json reads back to the printed program', async (t) => {
  const out = join(scratch, 'build');
  const r = await cli('compile', model, '--out', out, '--target', 'none', '--weight-bits', '6');
  t.is(r.code, 0, r.err.join('\n'));
  t.deepEqual(readdirSync(out).sort(), ['.snnc-output', 'ir.json', 'ir.txt', 'manifest.json', 'summary.json', 'summary.md']);
  const program = parseProgram(readFileSync(join(out, 'ir.json'), 'utf8'), 'ir.json');
  t.is(printProgram(program), readFileSync(join(out, 'ir.txt'), 'utf8'));
  t.is(program.quantization.weightBits, 6);
  const ir = await cli('ir', out);
  t.is(ir.out.join('\n') + '\n', printProgram(program));
});

test('a failed compile leaves the previous build directory untouched', async (t) => {
  const out = join(scratch, 'kept');
  t.is((await cli('compile', model, '--out', out, '--target', 'none')).code, 0);
  const before = readFileSync(join(out, 'ir.json'), 'utf8');
  const bad = join(scratch, 'bad');
  writeModel(tinyModel(6), bad);
  const json = join(bad, 'model.json');
  writeFileSync(json, readFileSync(json, 'utf8').replace('"threshold": 1', '"threshold": -1'));
  const r = await cli('compile', bad, '--out', out, '--target', 'none');
  t.is(r.code, 2);
  t.is(readFileSync(join(out, 'ir.json'), 'utf8'), before);
  t.deepEqual(readdirSync(scratch).filter((f) => f.includes('.tmp-')), []);
});

test('--dump-after prints the state after that pass', async (t) => {
  const r = await cli('ir', model, '--dump-after', 'choose-formats');
  t.is(r.code, 0);
  t.regex(r.out[0]!, /^model tiny5: 3 layers, T=4/);
  t.regex(r.out.join('\n'), /layer hidden: spiking, max \|w\| [\d.]+, max output [\d.]+, max \|membrane\| [\d.]+, in frac \d+, weight frac/);
});

test('run prints every class score, float and fixed, the same on every run', async (t) => {
  const a = await cli('run', model, '--index', '3');
  t.is(a.code, 0, a.err.join('\n'));
  t.regex(a.out[0]!, /^image mnist test #3 \(label 0\), seed 3, T=4$/);
  t.is(a.out.length, 2 + 10 + 1);
  t.regex(a.out[12]!, /^label {2}float \d, fixed \d$/);
  t.deepEqual((await cli('run', model, '--index', '3')).out, a.out);
});

test('eval reports float and fixed accuracy and their agreement', async (t) => {
  const r = await cli('eval', model, '--limit', '40');
  t.is(r.code, 0, r.err.join('\n'));
  t.regex(r.out[0]!, /^mnist test, 40 images, T=4, 8-bit weights per channel/);
  t.regex(r.out[1]!, /^float accuracy +\d+\.\d\d %$/);
  t.regex(r.out[3]!, /^agreement +\d+\.\d\d % \(same label, float vs fixed\)$/);
});

test('verify writes a JSON report and exits 0 when the target matches', async (t) => {
  const report = join(scratch, 'verify.json');
  const r = await cli('verify', model, '--targets', 'ts', '--samples', '12', '--report', report);
  t.is(r.code, 0, r.err.join('\n'));
  t.regex(r.out[2]!, /^ts +12 +0 +[\d.]+ +none$/);
  const json = JSON.parse(readFileSync(report, 'utf8'));
  t.like(json, { program: 'tiny5', images: 12, rows: [{ target: 'ts', status: 'match', mismatches: 0 }] });
});
