/** @fileoverview The lowering pipeline: one named list of passes, each a pure (state) => state rewrite. */
import { SnncError } from '../../base/errors.ts';
import { printProgram } from '../../ir/print.ts';
import { validateProgram } from '../../ir/validate.ts';
import { calibrate } from './calibrate.ts';
import { checkModel } from './check-model.ts';
import { chooseFormats } from './choose-formats.ts';
import { foldInputScale } from './fold-input-scale.ts';
import { quantize } from './quantize.ts';
import { rangeAnalysis } from './range-analysis.ts';
import { describeState } from './describe-state.ts';
import type { LoweringState, Pass } from './state.ts';

export const pipeline: readonly Pass[] = [checkModel, foldInputScale, calibrate, chooseFormats, quantize, rangeAnalysis];

export const PASS_NAMES = pipeline.map((p) => p.name);

export interface PipelineHooks {
  /** Print the state after this pass. */
  readonly dumpAfter?: string;
  readonly dump?: (text: string) => void;
  /** Validate the program after every pass that has one (tests turn this on). */
  readonly validateBetween?: boolean;
}

export function runPipeline(initial: LoweringState, hooks: PipelineHooks = {}): LoweringState {
  if (hooks.dumpAfter !== undefined && !PASS_NAMES.includes(hooks.dumpAfter)) {
    throw new SnncError('usage', `--dump-after: no pass named "${hooks.dumpAfter}" (passes: ${PASS_NAMES.join(', ')})`);
  }
  let state = initial;
  for (const pass of pipeline) {
    state = pass.run(state);
    if (hooks.validateBetween && state.program && pass.name !== 'quantize') validateProgram(state.program);
    if (pass.name === hooks.dumpAfter) hooks.dump?.(state.program ? printProgram(state.program) : describeState(state));
  }
  if (!state.program) throw new SnncError('ir', 'the pipeline ended without a program');
  return { ...state, program: validateProgram(state.program) };
}
