/**
 * @fileoverview Robustness fuzzing of model files: every mutant must be read and lowered to a valid program, or be
 * refused with one SnncError line. Any other exception, or an invalid program from the lowering, is a crash.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import { validateProgram } from '../ir/validate.ts';
import { compileModel } from '../compiler/compile-model-dir.ts';
import { randomBatch } from '../runtime/batch.ts';
import { readModel } from '../model/read-model.ts';
import { mutateModel, MUTATION_KINDS } from './mutate-model.ts';

export interface ModelFuzzStats {
  tried: number;
  accepted: number;
  lowered: number;
  loweringRefused: number;
  refused: number;
  multiline: number;
  crashes: number;
  readonly crashReports: string[];
  readonly refusalSamples: string[];
  readonly perKind: Map<string, number>;
}

export async function fuzzModels(models: readonly string[], count: number, seed: number): Promise<ModelFuzzStats> {
  const stats: ModelFuzzStats = { tried: 0, accepted: 0, lowered: 0, loweringRefused: 0, refused: 0, multiline: 0, crashes: 0, crashReports: [], refusalSamples: [], perKind: new Map(MUTATION_KINDS.map((k) => [k, 0])) };
  const originals = models.map((m) => ({ json: readFileSync(join(m, 'model.json'), 'utf8'), weights: readFileSync(join(m, 'weights.bin')) }));
  const scratch = mkdtempSync(join(tmpdir(), 'snnc-fuzz-models-'));
  try {
    for (let i = 0; i < count; i++) {
      const { kind, files } = mutateModel(originals[i % originals.length]!, seed * 1_000_003 + i);
      stats.perKind.set(kind, (stats.perKind.get(kind) ?? 0) + 1);
      const dir = join(scratch, 'm');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      writeFileSync(join(dir, 'model.json'), files.json);
      writeFileSync(join(dir, 'weights.bin'), files.weights);
      stats.tried++;
      let stage: 'read' | 'lower' = 'read';
      try {
        const model = readModel(dir);
        stats.accepted++;
        stage = 'lower';
        if (model.kind === 'snn') {
          const size = model.input.shape.reduce((a, b) => a * b, 1);
          // Three random images (pixels from seeds 3i..3i+2, jitter seeds 0..2) instead of a dataset.
          const calibration = { dataset: 'fuzz', ...randomBatch(size, 3, 0, i * 3) };
          const { program } = await compileModel(model, dir, 'fuzz', { calibration, options: { timesteps: Math.min(model.timesteps, 4) } });
          validateProgram(program);
          stats.lowered++;
        }
      } catch (e) {
        if (e instanceof SnncError && e.code !== 'ir') {
          stats.refused++;
          if (e.message.includes('\n')) stats.multiline++;
          if (stage === 'lower') {
            stats.loweringRefused++;
            if (stats.refusalSamples.length < 5) stats.refusalSamples.push(e.message);
          }
        } else {
          // An invalid program from the lowering is a bug of ours, as is any non-SnncError.
          stats.crashes++;
          if (stats.crashReports.length < 10) stats.crashReports.push(`mutation ${i} (${kind}, seed ${seed}): ${(e as Error).stack ?? String(e)}`);
        }
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return stats;
}
