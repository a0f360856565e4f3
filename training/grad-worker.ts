/**
 * @fileoverview A gradient worker thread: holds its own tfjs (wasm) copy of the model, and for each message sets the
 * weights it is sent and returns the gradients of one shard of the batch. The main thread owns the optimizer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../compiler/model/format.ts';
import { initBackend } from './backend.ts';
import { shardGradients, type Shard } from './step.ts';
import { toParams } from './tf-params.ts';

export interface WorkerInit {
  readonly model: Model;
  readonly backend?: 'tensorflow' | 'wasm' | 'wasm-threaded' | 'cpu';
}

export interface WorkerRequest {
  readonly id: number;
  readonly weights: readonly Float32Array[];
  readonly shard: Shard;
}

const port = parentPort!;
const init = workerData as WorkerInit;
await initBackend(init.backend);
const params = toParams(init.model);
const trainable = params.flatMap((p) => [p.w, p.b]).filter((v) => v.trainable);
port.on('message', (request: WorkerRequest) => {
  try {
    trainable.forEach((v, i) => (v as tf.Variable).assign(tf.tensor(request.weights[i]!, v.shape)));
    const result = shardGradients(init.model, params, trainable, request.shard);
    port.postMessage({ id: request.id, result }, result.grads.map((g) => g.buffer as ArrayBuffer));
  } catch (e) {
    port.postMessage({ id: request.id, error: (e as Error).message });
  }
});
port.postMessage({ ready: true });
