/**
 * @fileoverview The QAT model's own quantized evaluation: its forward pass (qat-forward.ts) on test images with the
 * golden runtime's seeds (image i of a split loaded from offset 0 draws jitter seed i), scored on the exact integer
 * readout. `snnc compile` of the saved model gives a program whose golden accuracy is this one (test/qat.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { SampleSet } from './sample-set.ts';
import type { SnnModel } from '../model/format.ts';
import { argmax } from '../runtime/float-reference.ts';
import { encodedInputs, qatForward } from './qat-forward.ts';
import type { QatSpec } from './qat-quantizer.ts';
import type { ModelParams } from './tf-params.ts';

/** Integer readout scores [count * classes] of `count` images, image i with jitter seed seeds[i]. */
export function qatIntegerScores(model: SnnModel, params: ModelParams, spec: QatSpec, pixels: Uint8Array, count: number, seeds: readonly number[]): Float64Array {
  const scores = new Float64Array(count * spec.classes);
  tf.tidy(() => {
    qatForward(model, params, spec, encodedInputs(spec, pixels, count, seeds), count, scores);
  });
  return scores;
}

export interface QatScore {
  readonly correct: number;
  readonly images: number;
}

/** Accuracy on `data` in batches; seeds are the images' indices in their split (data.offset + i). */
export function qatAccuracy(model: SnnModel, params: ModelParams, spec: QatSpec, data: SampleSet, batch = 500): QatScore {
  const width = data.images.length / data.count;
  let correct = 0;
  for (let start = 0; start < data.count; start += batch) {
    const n = Math.min(batch, data.count - start);
    const seeds = Array.from({ length: n }, (_, i) => data.offset + start + i);
    const scores = qatIntegerScores(model, params, spec, data.images.subarray(start * width, (start + n) * width), n, seeds);
    for (let i = 0; i < n; i++) if (argmax(scores.subarray(i * spec.classes, (i + 1) * spec.classes)) === data.labels[start + i]) correct++;
  }
  return { correct, images: data.count };
}
