/**
 * @fileoverview Checks of a parsed model.json made before its weights file is read: a safe model name, and the most
 * bytes its tensors can use (so an oversized weights file is refused by its declared size, never read).
 */
import { SnncError } from '../base/errors.ts';
import type { Json, JsonObject } from '../base/json-check.ts';
import { modelNameProblem } from './model-name.ts';

/** Refuses a metadata.name that is not a safe file name, before anything else of the model is read. */
export function checkModelName(root: JsonObject): void {
  const metadata = root.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return; // parseModel reports it
  const name = (metadata as JsonObject).name;
  if (typeof name !== 'string') return;
  const problem = modelNameProblem(name);
  if (problem) throw new SnncError('model', `metadata.name: ${JSON.stringify(name)} ${problem}`);
}

/**
 * Bytes the tensors of `root` can use at most (the sum of their declared sizes), or undefined when a shape is
 * malformed (parseModel then names the defect). Read before the blob, so a blob far larger than the model is refused
 * by its stat size alone.
 */
export function declaredTensorBytes(root: JsonObject): number | undefined {
  if (!Array.isArray(root.layers)) return undefined;
  let total = 0;
  for (const layer of root.layers as readonly Json[]) {
    if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) return undefined;
    for (const key of ['weights', 'recurrent', 'bias', 'synapticBias']) {
      const ref = (layer as JsonObject)[key];
      if (ref === undefined) continue;
      const shape = typeof ref === 'object' && ref !== null && !Array.isArray(ref) ? (ref as JsonObject).shape : undefined;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) > 0)) return undefined;
      total += 4 * (shape as number[]).reduce((a, b) => a * b, 1);
    }
  }
  return total;
}
