/** @fileoverview The one table of targets; the CLI's --target choices and `all` come from it. */
import type { Target } from './target.ts';
import { target as onnx } from './onnx/index.ts';
import { target as verilog } from './verilog/index.ts';
import { target as ts } from './ts/index.ts';
import { target as wasm } from './wasm/index.ts';

export const targets: readonly Target[] = [onnx, verilog, ts, wasm];

export function findTarget(name: string): Target | undefined {
  return targets.find((t) => t.name === name);
}
