/**
 * @fileoverview Per-epoch checkpoints: the model in the spine's format plus what `--resume` needs to continue exactly
 * (epochs done, the history so far, Adam's moments). One folder per epoch, each written atomically.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../base/errors.ts';
import { writeDirAtomic } from '../base/fs-atomic.ts';
import type { Model } from '../model/format.ts';
import { readModel } from '../model/read-model.ts';
import { serializeModel } from '../model/write-model.ts';
import type { AdamState } from './adam.ts';

/** One epoch's numbers, as printed in the summary and plotted as training curves. */
export interface EpochRecord {
  readonly epoch: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** Quick per-epoch test accuracy from the tfjs forward pass (tf random jitter), not the float reference. */
  readonly testAccuracy: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

export interface TrainState {
  /** Epochs completed. */
  readonly epoch: number;
  readonly history: readonly EpochRecord[];
  /** The options the run was started with, so a resume can refuse a mismatch. */
  readonly config: Readonly<Record<string, string | number>>;
  /**
   * The centered op's bias as trained (before folding; see centering.ts). The folded bias in model.json does not
   * unfold to the same float32 bits, so an exact resume needs this one.
   */
  readonly centeredBias?: readonly number[];
}

const STATE_JSON = 'state.json';
const OPTIMIZER_BIN = 'optimizer.bin';

/** Where each moment array sits in optimizer.bin (float32 little-endian, m then v per variable). */
interface SavedMoments {
  readonly length: number;
  readonly mOffset: number;
  readonly vOffset: number;
}

export function epochDir(checkpoints: string, epoch: number): string {
  return join(checkpoints, `epoch-${String(epoch).padStart(3, '0')}`);
}

export function saveCheckpoint(dir: string, model: Model, state: TrainState, optimizer: AdamState): void {
  const { json, weights } = serializeModel(model);
  const saved: SavedMoments[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const { m, v } of optimizer.moments) {
    saved.push({ length: m.length, mOffset: offset, vOffset: offset + 4 * m.length });
    chunks.push(Buffer.from(m.buffer, m.byteOffset, m.byteLength), Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    offset += 8 * m.length;
  }
  writeDirAtomic(dir, [
    ['model.json', json],
    ['weights.bin', weights],
    [STATE_JSON, JSON.stringify({ ...state, optimizer: { step: optimizer.step, moments: saved } }, null, 2) + '\n'],
    [OPTIMIZER_BIN, Buffer.concat(chunks)],
  ]);
}

/** The newest epoch folder under `checkpoints`, or undefined when there is none. */
export function latestCheckpoint(checkpoints: string): string | undefined {
  if (!existsSync(checkpoints)) return undefined;
  const epochs = readdirSync(checkpoints).filter((d) => /^epoch-\d+$/.test(d)).sort();
  const last = epochs[epochs.length - 1];
  return last === undefined ? undefined : join(checkpoints, last);
}

export interface LoadedCheckpoint {
  readonly model: Model;
  readonly state: TrainState;
  readonly optimizer: AdamState;
}

export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const model = readModel(dir);
  const statePath = join(dir, STATE_JSON);
  if (!existsSync(statePath)) throw new SnncError('io', `${dir}: checkpoint has no ${STATE_JSON}`);
  const parsed = JSON.parse(readFileSync(statePath, 'utf8')) as TrainState & { optimizer: { step: number; moments: SavedMoments[] } };
  const blob = readFileSync(join(dir, OPTIMIZER_BIN));
  const slice = (offset: number, length: number): Float32Array => {
    if (offset + 4 * length > blob.length) throw new SnncError('io', `${dir}/${OPTIMIZER_BIN}: truncated`);
    return new Float32Array(blob.buffer.slice(blob.byteOffset + offset, blob.byteOffset + offset + 4 * length));
  };
  const moments = parsed.optimizer.moments.map(({ length, mOffset, vOffset }) => ({ m: slice(mOffset, length), v: slice(vOffset, length) }));
  const state: TrainState = { epoch: parsed.epoch, history: parsed.history, config: parsed.config, ...(parsed.centeredBias ? { centeredBias: parsed.centeredBias } : {}) };
  return { model, state, optimizer: { step: parsed.optimizer.step, moments } };
}
