/**
 * @fileoverview The ts target plug-in: emits `model.ts`, a standalone bit-exact TypeScript model of one program
 * (weights embedded, no imports), and runs it on batches for verification.
 */
import { SnncError } from '../../base/errors.ts';
import type { Program } from '../../ir/program.ts';
import type { Batch, BatchResult, EmitOptions, EmittedFile, Target, TargetTrace } from '../target.ts';
import { readme } from './emit-header.ts';
import { programSha256 } from '../../ir/fingerprint.ts';
import { planModel } from './plan.ts';
import { loadModel } from './load.ts';

export const target: Target = {
  name: 'ts',
  summary: 'standalone bit-exact TypeScript model (model.ts), specialized to the program',
  check(program: Program): void {
    planModel(program);
  },
  async emit(program: Program, options: EmitOptions): Promise<readonly EmittedFile[]> {
    const plan = planModel(program);
    // ts-morph (about a second to load) only when this target emits.
    const { emitModelSource } = await import('./emit-module.ts');
    const source = emitModelSource(plan, programSha256(program));
    options.log?.(`ts: model.ts, ${Math.round(source.length / 1024)} KiB`);
    return [
      { path: 'model.ts', contents: source },
      { path: 'README.md', contents: readme(program) },
    ];
  },
  async reemit(_dir: string, program: Program): Promise<readonly EmittedFile[]> {
    return this.emit(program, {});
  },
  async run(dir: string, program: Program, batch: Batch): Promise<BatchResult> {
    if (batch.seeds.length !== batch.images.length) {
      throw new SnncError('usage', `batch has ${batch.images.length} images but ${batch.seeds.length} seeds`);
    }
    const model = await loadModel(dir, program);
    const scores: number[][] = [];
    const labels: number[] = [];
    batch.images.forEach((image, n) => {
      const result = model.infer(image, batch.seeds[n]!);
      scores.push(result.scores);
      labels.push(result.label);
    });
    return { scores, labels };
  },
  async trace(dir: string, program: Program, pixels: Uint8Array, seed: number): Promise<TargetTrace> {
    const model = await loadModel(dir, program);
    return model.trace(pixels, seed);
  },
};
