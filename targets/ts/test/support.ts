/** @fileoverview Test helpers for the ts target: emitting programs into temporary directories and loading them. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intType } from '../../../ir/int-type.ts';
import type { IrLayer, Program } from '../../../ir/program.ts';
import type { SpikingOp } from '../../../ir/spiking.ts';
import { target } from '../index.ts';
import { loadModel, type GeneratedModel } from '../run.ts';

/** A scratch directory, removed when the test process exits. */
export function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'snnc-ts-test-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Emits `program` into `dir/name` (the target's own folder, as `snnc compile` would) and returns that folder. */
export async function emitTo(dir: string, name: string, program: Program): Promise<string> {
  const out = join(dir, name);
  mkdirSync(out, { recursive: true });
  for (const file of await target.emit(program, {})) writeFileSync(join(out, file.path), file.contents);
  return out;
}

export async function emitAndLoad(dir: string, name: string, program: Program): Promise<GeneratedModel> {
  return loadModel(await emitTo(dir, name, program), program);
}

export function pixelsOf(program: Program): number {
  return program.input.shape.reduce((a, b) => a * b, 1);
}

/**
 * A program whose values leave 32 bits everywhere it can, to drive the emitter's double-precision paths: conv
 * accumulators near 2^34 with shifts of 29..31, accumulator shifts of 12..14, and unsigned 32-bit membranes.
 */
export function widen(program: Program): Program {
  const wide = intType(true, 48, 0);
  const layers = program.layers.map((op): IrLayer => {
    if (op.kind === 'conv') {
      return { ...op, bias: op.bias.map((b, f) => (f % 2 === 0 ? 1 : -1) * (2 ** 34 + b)), outShift: op.outShift.map((_, f) => 29 + (f % 3)), accType: wide };
    }
    if (op.kind === 'pool') return op;
    return { ...op, accShift: op.accShift.map((s, j) => s + 12 + (j % 3)), accType: wide, membraneType: intType(false, 32, op.membraneType.frac) };
  });
  const last = layers[layers.length - 1] as SpikingOp;
  return { ...program, name: `${program.name}-wide`, layers, readout: { ...program.readout, scoreType: intType(true, 48, last.membraneType.frac) } };
}
