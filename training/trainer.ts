/**
 * @fileoverview The training loop behind `snnc train`: seeded init, Adam with a cosine learning-rate schedule,
 * softmax cross-entropy on the readout, a checkpoint per epoch, and a final score from the float reference.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SnncError } from '../base/errors.ts';
import { MODEL_JSON, TRAINING_JSON, WEIGHTS_BIN, type Dataset, type EventsEncoderSpec, type Model, type ModelMetadata, type SnnModel } from '../model/format.ts';
import { serializeModel } from '../model/write-model.ts';
import { writeFileAtomic } from '../base/fs-atomic.ts';
import { markerFor, OUTPUT_MARKER } from '../base/output-guard.ts';
import { DATASETS } from '../data/datasets.ts';
import { loadDataset } from '../data/load.ts';
import { EVENT_DATASETS, isEventDatasetName, type EventDatasetName } from '../data/event-datasets.ts';
import { loadFrameSet } from '../data/event-frames.ts';
import { eventEncoderFor, frameOptions, type SampleSet } from './sample-set.ts';
import { Adam } from './adam.ts';
import { ARCHS, checkArchDataset, initialModel, SeededRandom, type ArchName, type ConvMode } from './arch.ts';
import { initBackend, type BackendInfo } from './backend.ts';
import { epochDir, latestCheckpoint, loadCheckpoint, saveCheckpoint, type EpochRecord, type TrainState } from './checkpoint.ts';
import { evaluateFloat, type FloatScore } from './evaluate.ts';
import { clockTime, progressBar, type ProgressSink } from '../base/progress.ts';
import { forwardScores, shardGradients, type Net, type Shard, type ShardGradients } from './step.ts';
import { computeCentering, centeringVector, foldCentering, type CenteringMode } from './centering.ts';
import { disposeParams, fromParams, paramVariables, toParams } from './tf-params.ts';
import { combineShards, GradWorkers, shardSizes } from './worker-pool.ts';
import { augmentBatch, augmentName, NO_AUGMENT, type Augment } from './augment.ts';
import { fineTuneStart, QatSession } from './qat-session.ts';
import { qatAccuracy } from './qat-evaluate.ts';

export interface TrainConfig {
  readonly arch: ArchName;
  readonly dataset: Dataset | EventDatasetName;
  /** Event datasets: microseconds per timestep (default: the recording length / T). */
  readonly binUs?: number;
  /** Event datasets: bits of one count per pixel and bin (default 4; 8 for smnist). */
  readonly countBits?: number;
  readonly epochs: number;
  readonly timesteps: number;
  readonly batch: number;
  readonly lr: number;
  readonly seed: number;
  readonly out: string;
  readonly checkpoints: string;
  readonly resume: boolean;
  /** Use only the first N training / test images (CI and quick trials); all of them when undefined. */
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** The command line recorded as metadata.trainCommand. */
  readonly command: string;
  readonly backend?: 'tensorflow' | 'wasm' | 'wasm-threaded' | 'cpu';
  /**
   * Threads for data parallelism: each batch is split into this many shards, one per thread, and their gradients
   * averaged. Part of a run's definition (shard s has its own jitter seed), so results depend on it, not on the machine.
   */
  readonly threads: number;
  /** Input centering folded into the first trained op's bias (centering.ts); 'feature' unless asked otherwise. */
  readonly center: CenteringMode;
  /** What a conv arch's conv feeds (arch.ts); 'linear' when absent. */
  readonly conv?: ConvMode;
  /** Training-image augmentation (augment.ts); none when absent. */
  readonly augment?: Augment;
  /** Quantization-aware training at this many weight bits (qat-session.ts); float training when absent. */
  readonly qatBits?: number;
  /** A trained float model to start from (fine-tuning) instead of the seeded initial one. */
  readonly from?: string;
}

export interface TrainResult {
  readonly model: Model;
  readonly history: readonly EpochRecord[];
  readonly score: FloatScore;
  readonly backend: BackendInfo;
  readonly seconds: number;
}

export interface TrainIO {
  readonly log: (line: string) => void;
  readonly progress: ProgressSink;
}

/** Cosine decay from `lr` at epoch 0 towards lr/20 at the last epoch: late epochs polish rather than jump. */
export function scheduledLr(lr: number, epoch: number, epochs: number): number {
  const floor = lr / 20;
  return floor + ((lr - floor) * (1 + Math.cos((Math.PI * epoch) / Math.max(epochs, 1)))) / 2;
}

/** The per-batch jitter seed: a pure function of run seed, epoch and batch, so a resumed run replays exactly. */
function batchSeed(seed: number, epoch: number, batch: number): number {
  return (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b) ^ Math.imul(batch + 1, 0xc2b2ae35)) >>> 0;
}

function permutation(n: number, rng: SeededRandom): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Quick tfjs accuracy on a dataset, in batches; the reported figure comes from evaluateFloat instead. */
function quickAccuracy(net: Net, data: SampleSet, batch: number): number {
  const width = data.images.length / data.count;
  let correct = 0;
  for (let start = 0; start < data.count; start += batch) {
    const n = Math.min(batch, data.count - start);
    const pixels = data.images.subarray(start * width, (start + n) * width);
    const predicted = tf.tidy(() => forwardScores(net, pixels, n, 12345 + start).argMax(1).dataSync());
    for (let i = 0; i < n; i++) if (predicted[i] === data.labels[start + i]) correct++;
  }
  return correct / data.count;
}

/** Writes the final model (model.json, weights.bin) and its training log (training.json) into `out`. */
export interface TrainingLog {
  readonly history: readonly EpochRecord[];
  /** Wall time of the whole run (training, per-epoch checks, final scoring), in seconds. */
  readonly seconds: number;
  readonly backend: string;
  readonly threads: number;
}

export function writeTrainedModel(out: string, model: Model, log: TrainingLog): void {
  mkdirSync(out, { recursive: true });
  const { json, weights } = serializeModel(model);
  // weights first: a model.json never points at a weights.bin older than itself
  writeFileAtomic(join(out, WEIGHTS_BIN), weights);
  writeFileAtomic(join(out, MODEL_JSON), json);
  writeFileAtomic(join(out, TRAINING_JSON), JSON.stringify(log, null, 2) + '\n');
  // Marks the folder as snnc's, so a later `snnc train --out` may write over these files (see checkTrainOutput).
  writeFileAtomic(join(out, OUTPUT_MARKER), JSON.stringify(markerFor(out, { kind: 'model' })) + '\n');
}

interface EpochContext {
  readonly config: TrainConfig;
  readonly net: Net;
  readonly trainable: readonly tf.Variable[];
  readonly optimizer: Adam;
  readonly workers: GradWorkers | undefined;
  readonly trainSet: SampleSet;
  readonly epoch: number;
  readonly progress: ProgressSink;
}

/** Redraw the epoch bar at most this often, so it costs nothing next to a training step. */
const EPOCH_REDRAW_MS = 200;

/** What the epoch bar shows after `batch/batches`: running loss and accuracy, samples per second, the time left. */
function epochStatus(batch: number, batches: number, samples: number, loss: number, accuracy: number): (elapsedSeconds: number) => string {
  return (elapsed) => {
    const rate = samples / Math.max(elapsed, 1e-9);
    const eta = ((batches - batch) * elapsed) / Math.max(batch, 1);
    return `loss ${loss.toFixed(4)} acc ${(100 * accuracy).toFixed(2)}% ${rate.toFixed(0)} samples/s ETA ${clockTime(eta)}`;
  };
}

/**
 * One pass over the training set. Each batch is split into `threads` shards: shard 0 runs here, the others on the
 * workers at the same weights, and the optimizer applies their size-weighted mean gradient.
 */
async function runEpoch(c: EpochContext): Promise<Omit<EpochRecord, 'testAccuracy'>> {
  const { config, trainSet, epoch } = c;
  const lr = scheduledLr(config.lr, epoch, config.epochs);
  const width = trainSet.images.length / trainSet.count;
  const batches = Math.ceil(trainSet.count / config.batch);
  const order = permutation(trainSet.count, new SeededRandom(config.seed + 1000 * (epoch + 1)));
  const progress = progressBar(c.progress, `epoch ${epoch + 1}/${config.epochs}`, batches, EPOCH_REDRAW_MS);
  const epochStart = performance.now();
  let [lossSum, correct, seen] = [0, 0, 0];
  const pixels = new Uint8Array(config.batch * width);
  const labels = new Int32Array(config.batch);
  for (let b = 0; b < batches; b++) {
    const n = Math.min(config.batch, trainSet.count - b * config.batch);
    for (let i = 0; i < n; i++) {
      const idx = order[b * config.batch + i]!;
      pixels.set(trainSet.images.subarray(idx * width, (idx + 1) * width), i * width);
      labels[i] = trainSet.labels[idx]!;
    }
    augmentBatch(pixels, n, trainSet.shape, config.augment ?? NO_AUGMENT, batchSeed(config.seed, epoch, b));
    const sizes = shardSizes(n, config.threads);
    let offset = 0;
    const shards: Shard[] = sizes.map((size, s) => {
      const shard = { pixels: pixels.slice(offset * width, (offset + size) * width), labels: labels.slice(offset, offset + size), n: size, seed: (batchSeed(config.seed, epoch, b) + s) >>> 0 };
      offset += size;
      return shard;
    });
    const weights = c.workers ? c.trainable.map((v) => v.dataSync() as Float32Array) : [];
    const remote = shards.slice(1).map((shard, s) => c.workers!.run(s, weights, shard, c.net.qat));
    const results: ShardGradients[] = [shardGradients(c.net, c.trainable, shards[0]!), ...(await Promise.all(remote))];
    const grads = combineShards(results, sizes).map((g, i) => tf.tensor(g, c.trainable[i]!.shape));
    c.optimizer.apply(grads, lr);
    tf.dispose(grads);
    let at = 0;
    results.forEach((r, s) => {
      for (let i = 0; i < sizes[s]!; i++, at++) if (r.predicted[i] === labels[at]) correct++;
      lossSum += r.loss * sizes[s]!;
    });
    seen += n;
    progress.tick(b + 1, epochStatus(b + 1, batches, seen, lossSum / seen, correct / seen));
  }
  progress.done();
  const seconds = (performance.now() - epochStart) / 1000;
  return { epoch: epoch + 1, lr, trainLoss: lossSum / seen, trainAccuracy: correct / seen, seconds, samplesPerSecond: seen / seconds };
}

/**
 * dataset-arch, then -spiking for a spiking conv, -qatB for QAT at B bits, or -shiftN for an augmented float run: each
 * is another model than the plain one, so its name (and build/ dir) differs.
 */
function modelName(config: TrainConfig, spikingConv: boolean): string {
  const shift = config.augment?.shift ?? 0;
  const variant = config.qatBits !== undefined ? `-qat${config.qatBits}` : shift > 0 ? `-shift${shift}` : '';
  return `${config.dataset}-${config.arch}${spikingConv ? '-spiking' : ''}${variant}`;
}

/** The events encoder of a run on an event dataset (undefined for images), after refusing what events cannot do. */
function eventsOf(config: TrainConfig): EventsEncoderSpec | undefined {
  checkArchDataset(config.arch, config.dataset);
  if (!isEventDatasetName(config.dataset)) {
    if (config.binUs !== undefined || config.countBits !== undefined) throw new SnncError('usage', `--bin-us and --count-bits are for event datasets, not ${config.dataset}`);
    return undefined;
  }
  const refuse = (what: string): never => {
    throw new SnncError('usage', `${config.dataset} is an event dataset: ${what}`);
  };
  if (ARCHS[config.arch].kind !== 'snn') refuse(`${config.arch} is an image baseline; train a spiking arch`);
  if (config.qatBits !== undefined) refuse('--qat-bits is not built for event input');
  if ((config.augment?.shift ?? 0) > 0) refuse('--augment moves images, not events');
  if (config.center !== 'none') refuse('--center must be none (frames are counts, not images)');
  if (config.from !== undefined) refuse('--from is not built for event input');
  return eventEncoderFor(config.dataset, config.timesteps, config.binUs, config.countBits);
}

function binningText(events: EventsEncoderSpec): string {
  return events.binning.source === 'frames' ? 'one frame per step' : `${events.binning.binUs} us bins from ${events.binning.startUs} us`;
}

async function samples(config: TrainConfig, split: 'train' | 'test', events: EventsEncoderSpec | undefined, limit: number | undefined): Promise<SampleSet> {
  if (events) return loadFrameSet(config.dataset as EventDatasetName, split, frameOptions(events, config.timesteps), limit === undefined ? {} : { limit });
  return loadDataset(config.dataset as Dataset, split, limit === undefined ? {} : { limit });
}

function requireSnnModel(model: Model): SnnModel {
  if (model.kind !== 'snn') throw new SnncError('usage', 'QAT trains spiking models');
  return model;
}

export async function train(config: TrainConfig, io: TrainIO): Promise<TrainResult> {
  const started = performance.now();
  const backend = await initBackend(config.backend, io.log);
  const events = eventsOf(config);
  const classes = events ? EVENT_DATASETS[config.dataset as EventDatasetName].classes : DATASETS[config.dataset as Dataset].classes;
  const trainSet = await samples(config, 'train', events, config.trainLimit);
  const testSet = await samples(config, 'test', events, config.testLimit);
  if (events) io.log(`events: ${config.dataset} binned into T=${config.timesteps} frames (${binningText(events)}), counts saturate at ${2 ** events.countBits - 1}; ${trainSet.dropped ?? 0} training events fell outside the window`);
  const runConfig = {
    arch: config.arch, dataset: config.dataset, epochs: config.epochs, timesteps: config.timesteps, batch: config.batch,
    lr: config.lr, seed: config.seed, threads: config.threads, center: config.center, conv: config.conv ?? 'linear',
    augment: augmentName(config.augment ?? NO_AUGMENT), qat: config.qatBits ?? 'none', from: config.from ?? 'none',
    ...(events ? { binUs: events.binning.binUs, countBits: events.countBits } : {}),
  };
  if (config.qatBits !== undefined && config.center !== 'none') throw new SnncError('usage', 'QAT trains the weights as saved: --center must be none');
  if (config.qatBits !== undefined && ARCHS[config.arch].kind !== 'snn') throw new SnncError('usage', `--qat-bits: ${config.arch} is a float baseline; QAT trains spiking models`);
  const metadata: ModelMetadata = {
    name: modelName(config, runConfig.conv === 'spiking'), dataset: config.dataset, arch: config.arch, seed: config.seed,
    trainCommand: config.command, epochs: config.epochs, backend: backend.name,
  };

  // `model` holds the structure and, while training, the centered-space weights (centering.ts); export folds them.
  let model: Model = config.from
    ? fineTuneStart(config.from, { arch: config.arch, dataset: config.dataset, timesteps: config.timesteps, classes }, metadata)
    : initialModel({ arch: config.arch, conv: runConfig.conv, dataset: config.dataset, seed: config.seed, timesteps: config.timesteps, classes, metadata, ...(events ? { events } : {}) });
  const centering = computeCentering(model, trainSet, config.center);
  let history: EpochRecord[] = [];
  let startEpoch = 0;
  let restored: ReturnType<typeof loadCheckpoint> | undefined;
  const resumeFrom = config.resume ? latestCheckpoint(config.checkpoints) : undefined;
  if (config.resume && !resumeFrom) io.log(`resume: no checkpoint in ${config.checkpoints}, starting from scratch`);
  if (resumeFrom) {
    restored = loadCheckpoint(resumeFrom);
    // checkpoints from before --threads, --center, --conv and --augment existed were single-threaded and uncentered
    const saved: Readonly<Record<string, string | number>> = { threads: 1, center: 'none', conv: 'linear', augment: 'none', qat: 'none', from: 'none', ...restored.state.config };
    const mismatch = Object.entries(runConfig).find(([k, v]) => k !== 'epochs' && saved[k] !== v);
    if (mismatch) throw new SnncError('usage', `--resume: ${resumeFrom} was trained with --${mismatch[0]} ${saved[mismatch[0]]}, not ${mismatch[1]}`);
    model = { ...restored.model, metadata };
    history = [...restored.state.history];
    startEpoch = restored.state.epoch;
    io.log(`resume: from ${resumeFrom} (${startEpoch} epochs done)`);
  }
  const params = toParams(model);
  if (restored && centering) {
    const bias = restored.state.centeredBias;
    if (!bias || bias.length !== params[centering.layer]!.b.shape[0]) throw new SnncError('io', `--resume: ${resumeFrom}: state.json lacks the centered bias`);
    params[centering.layer]!.b.assign(tf.tensor1d(Float32Array.from(bias)));
  }
  const center = centering ? { layer: centering.layer, vector: centeringVector(model, centering) } : undefined;
  let net: Net = { model, params, ...(center ? { center: { layer: center.layer, vector: tf.tensor1d(center.vector) } } : {}) };
  const trainable = paramVariables(params).filter((v) => v.trainable);
  const optimizer = new Adam(trainable);
  if (restored) {
    try {
      optimizer.restore(restored.optimizer);
    } catch (e) {
      throw new SnncError('io', `--resume: ${resumeFrom}: ${(e as Error).message}`);
    }
  }
  const exported = (): Model => foldCentering(fromParams(model, params), centering);
  const qat = config.qatBits === undefined ? undefined : await QatSession.start(exported(), config.qatBits, io.log);
  if (qat) net = { ...net, qat: qat.spec };
  const workers = config.threads > 1 ? await GradWorkers.start(config.threads - 1, { model, ...(center ? { center } : {}), ...(config.backend ? { backend: config.backend } : {}) }) : undefined;
  io.log(`train: ${config.arch} on ${config.dataset}, ${trainSet.count} images, ${ARCHS[config.arch].kind === 'snn' ? `T=${config.timesteps}, ` : ''}batch ${config.batch}, ${config.epochs} epochs, lr ${config.lr}, seed ${config.seed}, ${config.threads} thread${config.threads > 1 ? 's' : ''}, centering ${config.center}${runConfig.conv === 'spiking' ? ', spiking conv' : ''}${runConfig.augment === 'none' ? '' : `, augment ${runConfig.augment}`}`);

  try {
    for (let epoch = startEpoch; epoch < config.epochs; epoch++) {
      const record = await runEpoch({ config, net, trainable, optimizer, workers, trainSet, epoch, progress: io.progress });
      if (qat) net = { ...net, qat: qat.refresh(exported()) };
      // under QAT the per-epoch figure is exact: the program of these weights, jitter seed = image index
      const testAccuracy = qat ? qatAccuracy(requireSnnModel(model), params, qat.spec, testSet).correct / testSet.count : quickAccuracy(net, testSet, 500);
      history.push({ ...record, testAccuracy });
      io.log(`epoch ${record.epoch}/${config.epochs}: loss ${record.trainLoss.toFixed(4)} train ${(100 * record.trainAccuracy).toFixed(2)}% test ${(100 * testAccuracy).toFixed(2)}% (tfjs) ${record.seconds.toFixed(1)} s, ${record.samplesPerSecond.toFixed(0)} samples/s`);
      const centeredBias = centering ? Array.from(params[centering.layer]!.b.dataSync()) : undefined;
      const state: TrainState = { epoch: epoch + 1, history, config: runConfig, ...(centeredBias ? { centeredBias } : {}) };
      saveCheckpoint(epochDir(config.checkpoints, epoch + 1), exported(), state, optimizer.state());
    }
  } finally {
    await workers?.close();
  }
  const trained = exported();
  const score = evaluateFloat(trained, testSet);
  const quantized = qat ? qatAccuracy(requireSnnModel(model), params, qat.refresh(trained), testSet) : undefined;
  if (qat && quantized) io.log(`QAT ${qat.weightBits}-bit: ${(100 * quantized.correct / quantized.images).toFixed(2)}% on ${quantized.images} test images (the compiled program's integers, jitter seed = image index)`);
  const seconds = (performance.now() - started) / 1000;
  const final: Model = {
    ...trained,
    metadata: {
      ...metadata,
      accuracy: { test: score.accuracy, crossEntropy: score.crossEntropy, samples: score.samples },
      ...(qat && quantized ? { qat: { weightBits: qat.weightBits, accuracy: { test: quantized.correct / quantized.images, samples: quantized.images } } } : {}),
      createdAt: new Date().toISOString(),
      notes: `accuracy measured with runtime/float-reference.ts on ${config.dataset} test images 0..${score.samples - 1}, jitter seed = image index; training took ${seconds.toFixed(0)} s`,
    },
  };
  writeTrainedModel(config.out, final, { history, seconds, backend: backend.name, threads: config.threads });
  optimizer.dispose();
  disposeParams(params);
  if (net.center) net.center.vector.dispose();
  return { model: final, history, score, backend, seconds };
}
