/**
 * @fileoverview Differential fuzzing: random programs (every mode, conv or not, decays 0 and 1, threshold 0, extreme
 * weights, every weight width; with `extended`, also strides, pools, identity synapses, membrane outputs, value and
 * none resets, output readouts; with `recurrence`, recurrent synapses and synaptic currents) through every target;
 * any disagreement with the golden runtime (its compiled form, runtime/golden-fast.ts, tested equal to the
 * definition) is shrunk and saved.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import { writeFilesInside } from '../base/fs-atomic.ts';
import { randomProgram } from '../ir/random-program.ts';
import { randomProgramBatch } from '../runtime/batch.ts';
import type { Program } from '../ir/program.ts';
import { compileGolden } from '../runtime/golden-fast.ts';
import type { Target } from '../targets/target.ts';
import { shrink, type FailingCase } from './shrink.ts';

export interface TargetFuzzStats {
  readonly target: string;
  models: number;
  images: number;
  mismatches: number;
  unsupported: number;
  crashes: number;
  readonly failures: string[];
}

/** True when the target computes the golden scores and label for this one case. */
export async function caseAgrees(target: Target, c: FailingCase, scratch: string = tmpdir()): Promise<boolean> {
  const dir = join(scratch, `${target.name}-${Math.random().toString(36).slice(2)}`);
  try {
    writeFilesInside(dir, (await target.emit(c.program, {})).map((f) => [f.path, f.contents] as const));
    const got = await target.run(dir, c.program, { images: [c.pixels], seeds: [c.seed] });
    const want = compileGolden(c.program).run(c.pixels, c.seed);
    return JSON.stringify(got.scores[0]) === JSON.stringify(want.scores) && got.labels[0] === want.label;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FuzzOptions {
  readonly models: number;
  readonly seed: number;
  readonly imagesPerModel: number;
  /** Where shrunk failing cases are saved as JSON fixtures. */
  readonly fixtures?: string;
  readonly log?: (line: string) => void;
  /** Every other model from `randomProgram(seed, { extended: true })`: strides, pools, identity synapses, ... */
  readonly extended?: boolean;
  /** Every third model (m mod 3 = 2) takes event frames (the events encoder) instead of pixels. */
  readonly events?: boolean;
  /** Every model gets recurrent synapses, synaptic currents or both, in turn (RandomProgramOptions.recurrence). */
  readonly recurrence?: boolean;
}

const RECURRENCE = ['recurrent', 'synaptic', 'both'] as const;

export async function fuzzTarget(target: Target, options: FuzzOptions): Promise<TargetFuzzStats> {
  const stats: TargetFuzzStats = { target: target.name, models: 0, images: 0, mismatches: 0, unsupported: 0, crashes: 0, failures: [] };
  const scratch = mkdtempSync(join(tmpdir(), 'snnc-fuzz-targets-'));
  try {
    for (let m = 0; m < options.models; m++) {
      const modelSeed = options.seed * 100_003 + m;
      const events = options.events === true && m % 3 === 2;
      const program: Program = randomProgram(modelSeed, {
        extended: options.extended === true && m % 2 === 1, ...(events ? { encoder: 'events' } : {}),
        ...(options.recurrence ? { recurrence: RECURRENCE[m % 3] } : {}),
      });
      try {
        target.check(program);
      } catch (e) {
        if (e instanceof SnncError && e.code === 'unsupported') {
          stats.unsupported++;
          continue;
        }
        throw e;
      }
      stats.models++;
      const { images, seeds } = randomProgramBatch(program, options.imagesPerModel, modelSeed, modelSeed * 31);
      const dir = join(scratch, `m${m}`);
      try {
        writeFilesInside(dir, (await target.emit(program, {})).map((f) => [f.path, f.contents] as const));
        const got = await target.run(dir, program, { images, seeds });
        const golden = compileGolden(program);
        for (let i = 0; i < images.length; i++) {
          stats.images++;
          const want = golden.run(images[i]!, seeds[i]!);
          if (JSON.stringify(got.scores[i]) === JSON.stringify(want.scores) && got.labels[i] === want.label) continue;
          stats.mismatches++;
          const small = await shrink({ program, pixels: images[i]!, seed: seeds[i]! }, async (c) => !(await caseAgrees(target, c, scratch)));
          const name = `${target.name}-seed${modelSeed}-image${i}.json`;
          stats.failures.push(name);
          options.log?.(`${target.name}: mismatch on model seed ${modelSeed}, image ${i}; shrunk to T=${small.program.timesteps}, ${small.program.layers.length} layers`);
          if (options.fixtures) {
            mkdirSync(options.fixtures, { recursive: true });
            writeFileSync(join(options.fixtures, name), JSON.stringify({ target: target.name, seed: small.seed, pixels: [...small.pixels], program: small.program }) + '\n');
          }
          break;
        }
      } catch (e) {
        stats.crashes++;
        options.log?.(`${target.name}: crash on model seed ${modelSeed}: ${(e as Error).message}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return stats;
}
