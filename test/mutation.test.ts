/**
 * @fileoverview verify can fail: one flipped bit in an emitted constant (a TS constant, an ONNX initializer, a Verilog
 * memory word) must be reported as a mismatch, located and non-zero-exit.
 */
import test from 'ava';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from '../targets/onnx/proto.ts';
import { cli } from './support/cli.ts';
import { EXAMPLE_DIR } from './support/example.ts';

const scratch = mkdtempSync(join(tmpdir(), 'snnc-mutation-'));
const pristine = join(scratch, 'pristine');

/** Output-layer bias bit 12 (0.5 at the example's 13 fraction bits) moves class 0's score on every image. */
const FLIPPED_BIT = 1 << 12;

test.before(async () => {
  const r = await cli('compile', EXAMPLE_DIR, '--out', pristine, '--target', 'ts,onnx');
  if (r.code !== 0) throw new Error(r.err.join('\n'));
});

function copyBuild(name: string): string {
  const dir = join(scratch, name);
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

test('the unmodified build verifies', async (t) => {
  const r = await cli('verify', copyBuild('clean'), '--samples', '10');
  t.is(r.code, 0, r.out.concat(r.err).join('\n'));
});

test('a flipped bit in a generated TS constant fails verify', async (t) => {
  const dir = copyBuild('ts');
  const file = join(dir, 'ts', 'model.ts');
  const source = readFileSync(file, 'utf8');
  const mutated = source.replace(/(const L1_BIAS = new Int32Array\(\[\s*)(-?\d+)/, (_m, head: string, value: string) => `${head}${Number(value) ^ FLIPPED_BIT}`);
  t.not(mutated, source);
  writeFileSync(file, mutated);
  const r = await cli('verify', dir, '--targets', 'ts', '--samples', '10');
  t.is(r.code, 1);
  t.regex(r.out[2]!, /^ts +10 +10 .* image 0: layer 1 \(out\), t=0, neuron 0 membrane: golden -?\d+, target -?\d+$/);
});

test('a flipped bit in an ONNX initializer fails verify', async (t) => {
  const dir = copyBuild('onnx');
  const file = join(dir, 'onnx', 'model.onnx');
  const model = onnx.ModelProto.decode(readFileSync(file));
  const bias = model.graph!.initializer!.find((i) => i.name === 'out/bias');
  t.truthy(bias?.rawData, 'out/bias is stored as raw little-endian int64');
  const raw = Buffer.from(bias!.rawData!);
  raw.writeBigInt64LE(raw.readBigInt64LE(0) ^ BigInt(FLIPPED_BIT), 0);
  bias!.rawData = raw;
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
  const r = await cli('verify', dir, '--targets', 'onnx', '--samples', '10');
  t.is(r.code, 1);
  t.regex(r.out[2]!, /^onnx +10 +10 .* image 0: (layer 1 \(out\), t=0, neuron 0 membrane|score 0): golden -?\d+, target -?\d+$/);
});
