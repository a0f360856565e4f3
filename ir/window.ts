/**
 * @fileoverview The size of a square window's output (conv or pool) along one axis, written once for the model
 * reader, the IR, the lowering, the NIR frontend, the runtimes and the targets.
 */

/** Output positions along one axis: floor((size + 2*padding - kernel) / stride) + 1 (below 1: the window does not fit). */
export function windowOutSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}
