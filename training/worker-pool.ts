/**
 * @fileoverview Gradient workers for data-parallel training: tfjs's wasm backend runs one thread under Node, so each
 * extra core gets its own worker and its own shard of every batch (see grad-worker.ts).
 */
import { Worker } from 'node:worker_threads';
import { SnncError } from '../base/errors.ts';
import type { WorkerInit, WorkerRequest } from './grad-worker.ts';
import type { Shard, ShardGradients } from './step.ts';
import type { QatSpec } from './qat-quantizer.ts';

type Reply = { ready: true } | { id: number; result: ShardGradients } | { id: number; error: string };

export class GradWorkers {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: ShardGradients) => void; reject: (e: Error) => void }>();

  private constructor(private readonly workers: readonly Worker[]) {
    for (const worker of workers) {
      worker.on('message', (reply: Reply) => {
        if ('ready' in reply) return;
        const waiter = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if ('error' in reply) waiter?.reject(new Error(`gradient worker: ${reply.error}`));
        else waiter?.resolve(reply.result);
      });
      worker.on('error', (e) => this.failAll(e));
    }
  }

  /** Starts `count` workers (TypeScript through tsx, like bin/snnc.mjs) and waits until each has its backend up. */
  static async start(count: number, init: WorkerInit): Promise<GradWorkers> {
    const url = new URL('./grad-worker-entry.mjs', import.meta.url);
    const workers = Array.from({ length: count }, () => new Worker(url, { workerData: init }));
    try {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              w.once('message', () => resolve());
              w.once('error', reject);
              w.once('exit', (code) => reject(new Error(`exited with code ${code}`)));
            }),
        ),
      );
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw new SnncError('tool', `could not start gradient workers: ${(e as Error).message}`);
    }
    return new GradWorkers(workers);
  }

  /** Gradients of `shard` at `weights`, computed on worker `index`. */
  run(index: number, weights: readonly Float32Array[], shard: Shard, qat?: QatSpec): Promise<ShardGradients> {
    const id = this.nextId++;
    const request: WorkerRequest = { id, weights, shard, ...(qat ? { qat } : {}) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[index]!.postMessage(request);
    });
  }

  private failAll(e: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(e);
    this.pending.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Splits n images into at most `parts` contiguous shard sizes, as even as possible, larger ones first; no empty shards. */
export function shardSizes(n: number, parts: number): number[] {
  const count = Math.max(1, Math.min(parts, n));
  return Array.from({ length: count }, (_, s) => Math.floor(n / count) + (s < n % count ? 1 : 0));
}

/** The batch gradient from shard gradients: the mean loss's gradient is the size-weighted mean of the shards'. */
export function combineShards(results: readonly ShardGradients[], sizes: readonly number[]): Float32Array[] {
  if (results.length === 1) return results[0]!.grads;
  const total = sizes.reduce((a, b) => a + b, 0);
  return results[0]!.grads.map((_, i) => {
    const out = new Float32Array(results[0]!.grads[i]!.length);
    for (let k = 0; k < out.length; k++) {
      let sum = 0;
      results.forEach((r, s) => (sum += (sizes[s]! / total) * r.grads[i]![k]!));
      out[k] = sum;
    }
    return out;
  });
}
