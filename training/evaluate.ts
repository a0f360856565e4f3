/**
 * @fileoverview Test-set accuracy and mean cross-entropy measured with the float reference simulator (runtime/), the
 * numbers recorded in a model's metadata. Image i of the split is run with jitter seed `offset + i`
 * (datasetBatch), so anyone can reproduce a single image's run.
 */
import type { Model } from '../model/format.ts';
import { runFloat } from '../runtime/float-reference.ts';
import type { SampleSet } from './sample-set.ts';
import { datasetBatch } from '../runtime/batch.ts';

export interface FloatScore {
  readonly accuracy: number;
  readonly crossEntropy: number;
  readonly samples: number;
}

/** Softmax cross-entropy of scores against the true class, computed stably in float64. */
export function crossEntropy(scores: ArrayLike<number>, label: number): number {
  let max = -Infinity;
  for (let k = 0; k < scores.length; k++) max = Math.max(max, scores[k]!);
  let sum = 0;
  for (let k = 0; k < scores.length; k++) sum += Math.exp(scores[k]! - max);
  return Math.log(sum) + max - scores[label]!;
}

export function evaluateFloat(model: Model, data: SampleSet, limit = data.count): FloatScore {
  const n = Math.min(limit, data.count);
  const { images, seeds } = datasetBatch(data);
  let correct = 0;
  let ce = 0;
  for (let i = 0; i < n; i++) {
    const label = data.labels[i]!;
    const result = runFloat(model, images[i]!, seeds[i]!);
    if (result.label === label) correct++;
    ce += crossEntropy(result.scores, label);
  }
  return { accuracy: correct / n, crossEntropy: ce / n, samples: n };
}
