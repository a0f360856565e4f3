/** @fileoverview The shipped example, compiled once per test process as `snnc compile` does with default options. */
import { compileModelDir, type CompiledModel } from '../../compiler/compile-model-dir.ts';

export const EXAMPLE_DIR = new URL('../../examples/mnist-snn', import.meta.url).pathname;

let cached: Promise<CompiledModel> | undefined;

export function exampleProgram(): Promise<CompiledModel> {
  cached ??= compileModelDir(EXAMPLE_DIR);
  return cached;
}
