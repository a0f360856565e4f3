/**
 * @fileoverview A gradient worker thread: holds its own tfjs (wasm) copy of the model, and for each message sets the
 * weights it is sent and returns the gradients of one shard of the batch. The main thread owns the optimizer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../model/format.ts';
import { initBackend } from './backend.ts';
import { setWeights, shardGradients, type Shard } from './step.ts';
import { paramVariables, toParams } from './tf-params.ts';
import type { QatSpec } from './qat-quantizer.ts';

export interface WorkerInit {
  readonly model: Model;
  readonly center?: { readonly layer: number; readonly vector: Float32Array };
  readonly backend?: 'tensorflow' | 'wasm' | 'wasm-threaded' | 'cpu';
}

export interface WorkerRequest {
  readonly id: number;
  readonly weights: readonly Float32Array[];
  readonly shard: Shard;
  /** Under QAT, the program the forward pass quantizes to (it changes once per epoch). */
  readonly qat?: QatSpec;
}

const port = parentPort!;
const init = workerData as WorkerInit;
await initBackend(init.backend);
const params = toParams(init.model);
const trainable = paramVariables(params).filter((v) => v.trainable);
const net = { model: init.model, params, ...(init.center ? { center: { layer: init.center.layer, vector: tf.tensor1d(init.center.vector) } } : {}) };
port.on('message', (request: WorkerRequest) => {
  try {
    setWeights(trainable, request.weights);
    const result = shardGradients(request.qat ? { ...net, qat: request.qat } : net, trainable, request.shard);
    port.postMessage({ id: request.id, result }, result.grads.map((g) => g.buffer as ArrayBuffer));
  } catch (e) {
    port.postMessage({ id: request.id, error: (e as Error).message });
  }
});
port.postMessage({ ready: true });
