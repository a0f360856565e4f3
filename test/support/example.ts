/** @fileoverview The shipped example, compiled once per test process with default options. */
import type { Program } from '../../ir/program.ts';
import type { SnnModel } from '../../model/format.ts';
import { readModel } from '../../model/read-model.ts';
import { calibrationSet, lowerModel, modelSha256, requireSnn } from '../../compiler/lower.ts';
import { DEFAULT_CALIBRATION_IMAGES } from '../../compiler/passes/formats-policy.ts';

export const EXAMPLE_DIR = new URL('../../examples/mnist-snn', import.meta.url).pathname;

let cached: Promise<{ model: SnnModel; program: Program }> | undefined;

export function exampleProgram(): Promise<{ model: SnnModel; program: Program }> {
  cached ??= (async () => {
    const model = requireSnn(readModel(EXAMPLE_DIR), EXAMPLE_DIR);
    const calibration = await calibrationSet(model, DEFAULT_CALIBRATION_IMAGES);
    return { model, program: lowerModel({ model, sourceSha256: modelSha256(EXAMPLE_DIR), calibration }) };
  })();
  return cached;
}
