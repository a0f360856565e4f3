/**
 * @fileoverview One program fingerprint (ir/fingerprint.ts): every target's files carry exactly programSha256 of the
 * program they were emitted from (ONNX metadata, the verilog design.json, the ts modelInfo), key order does not change
 * it, and a target refuses to run files emitted for another program.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFilesInside } from '../base/fs-atomic.ts';
import { programSha256 } from '../ir/fingerprint.ts';
import type { Program } from '../ir/program.ts';
import { randomProgram } from '../ir/random-program.ts';
import { randomBatch } from '../runtime/batch.ts';
import { onnx } from '../targets/onnx/proto.ts';
import { targets } from '../targets/registry.ts';
import type { Target } from '../targets/target.ts';
import { readDesign } from '../targets/verilog/emit.ts';

/** A direct-encoded conv -> spiking program every target supports. */
const PROGRAM = randomProgram(3, { conv: true, encoder: 'direct', timesteps: 2, delay: 0, output: 'binary', reset: 'subtract' });

function target(name: string): Target {
  const found = targets.find((t) => t.name === name);
  if (!found) throw new Error(`no target ${name}`);
  return found;
}

/** The same value with every object's keys in reverse order (arrays keep their order). */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)])) as T;
  }
  return value;
}

/** Emits `program` with target `name` into a new temp folder (removed by the caller). */
async function emitted(name: string, program: Program): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `snnc-fingerprint-${name}-`));
  writeFilesInside(dir, (await target(name).emit(program, {})).map((f) => [f.path, f.contents] as const));
  return dir;
}

function onnxMetadata(dir: string): Map<string, string> {
  const model = onnx.ModelProto.decode(readFileSync(join(dir, 'model.onnx')));
  return new Map((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
}

test('key order does not change the fingerprint, and any changed value does', (t) => {
  const reordered = reversedKeys(PROGRAM);
  t.not(JSON.stringify(reordered), JSON.stringify(PROGRAM), 'the reordered program serializes differently');
  t.is(programSha256(reordered), programSha256(PROGRAM));
  t.regex(programSha256(PROGRAM), /^[0-9a-f]{64}$/);
  t.not(programSha256({ ...PROGRAM, timesteps: PROGRAM.timesteps + 1 }), programSha256(PROGRAM));
  t.not(programSha256({ ...PROGRAM, name: `${PROGRAM.name}x` }), programSha256(PROGRAM));
});

test('the ONNX metadata, the verilog design.json and the ts modelInfo carry exactly programSha256(program)', async (t) => {
  const expected = programSha256(PROGRAM);
  for (const each of targets) each.check(PROGRAM);
  const dirs = { onnx: await emitted('onnx', PROGRAM), verilog: await emitted('verilog', PROGRAM), ts: await emitted('ts', PROGRAM) };
  try {
    t.is(onnxMetadata(dirs.onnx).get('snnc.program_sha256'), expected);
    t.is(readDesign(dirs.verilog).programSha256, expected);
    t.true(readFileSync(join(dirs.ts, 'model.ts'), 'utf8').includes(`programSha256: '${expected}',`));
  } finally {
    for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
  }
});

test('a program with its keys reordered emits the same fingerprint into ONNX and design.json', async (t) => {
  const reordered = reversedKeys(PROGRAM);
  const dirs = { onnx: await emitted('onnx', reordered), verilog: await emitted('verilog', reordered) };
  try {
    t.is(onnxMetadata(dirs.onnx).get('snnc.program_sha256'), programSha256(PROGRAM));
    t.is(readDesign(dirs.verilog).programSha256, programSha256(PROGRAM));
  } finally {
    for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
  }
});

test('the verilog target refuses, before simulating, a design emitted for another program', async (t) => {
  const dir = await emitted('verilog', PROGRAM);
  try {
    const other: Program = { ...PROGRAM, timesteps: PROGRAM.timesteps + 1 };
    const batch = randomBatch(PROGRAM.input.shape.reduce((a, b) => a * b, 1), 1);
    const error = await t.throwsAsync(target('verilog').run(dir, other, batch));
    t.is(error?.message, `${dir}: the design was emitted for another program (${PROGRAM.name}); emit it again`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
