/**
 * @fileoverview What the model reads, from the NIR `Input` shape, the file's snnc head and the flags (flags first).
 * Images: an Input of an image dataset's shape (`[1, 28, 28]`, flat `[784]`, `[3, 32, 32]`), or any Input when
 * `--dataset` or `--encoder` is given or the head names an image input. Events: any other shape, or `--events SOURCE`:
 *   [N] or [N, 1, 1]                 channels  -> input [N, 1, 1]   (a cochlea: SHD is [700])
 *   [C, H, W], C <= 2, [H, W]        dvs       -> input [C, H, W]   (polarity channels: N-MNIST is [2, 34, 34])
 *   [C, H, W], C > 2                 frames    -> input [C, H, W]   (samples arrive as frames)
 * Event defaults (docs/nir.md): scale 1 (one event is worth 1), window from 0 us, and per source
 *   dvs: T 30 bins of 10 ms (an N-MNIST recording lasts about 300 ms), channels: T 100 bins of 10 ms (SHD: about 1 s),
 *   frames: T 25; counts of 4 bits (saturating at 15), frames 8 bits.
 */
import { SnncError } from '../../../base/errors.ts';
import { DATASETS, type DatasetName } from '../../../data/datasets.ts';
import { EVENT_DATASETS, type Dataset, type Encoder, type EventDataset, type EventsEncoderSpec, type InputSpec, type ModelDataset } from '../../../model/format.ts';
import type { EventBinning } from '../../../ir/encoder.ts';

type Source = EventBinning['source'];

export const EVENT_DEFAULTS: Readonly<Record<Source, { readonly timesteps: number; readonly binUs: number; readonly countBits: number }>> = {
  dvs: { timesteps: 30, binUs: 10_000, countBits: 4 },
  channels: { timesteps: 100, binUs: 10_000, countBits: 4 },
  frames: { timesteps: 25, binUs: 1, countBits: 8 },
};

/** Image defaults, for files from other tools. */
export const IMAGE_DEFAULTS = { dataset: 'mnist' as Dataset, inputScale: 1 / 255, encoder: 'direct' as const, timesteps: 25 };

/** The flags that shape the input. */
export interface InputOptions {
  /** An image dataset (its image shape), or an event dataset (the model's metadata.dataset, an event input). */
  readonly dataset?: Dataset | EventDataset;
  readonly inputScale?: number;
  readonly encoder?: 'direct' | 'jitter';
  readonly timesteps?: number;
  readonly events?: Source;
  readonly binUs?: number;
  readonly startUs?: number;
  readonly countBits?: number;
}

/** What the snnc head of our own export says about the input. */
export interface InputHead {
  readonly metadata?: { readonly dataset?: ModelDataset };
  readonly input?: InputSpec;
  readonly encoder?: Encoder;
  readonly timesteps?: number;
}

export interface ResolvedInput {
  readonly dataset: ModelDataset;
  readonly input: InputSpec;
  readonly encoder: Encoder;
  readonly timesteps: number;
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** The image dataset whose images an Input of this shape holds (CHW or flattened), if any; MNIST before Fashion-MNIST. */
function imageDatasetOf(shape: readonly number[]): DatasetName | undefined {
  return (['mnist', 'cifar10'] as const).find((d) => sameShape(shape, DATASETS[d].shape) || sameShape(shape, [numel(DATASETS[d].shape)]));
}

function isEventDataset(name: string | undefined): name is EventDataset {
  return (EVENT_DATASETS as readonly (string | undefined)[]).includes(name);
}

function resolveImage(shape: readonly number[], head: InputHead | undefined, options: InputOptions & { dataset?: Dataset }, file: string, name: string): ResolvedInput {
  const headDataset = head?.metadata?.dataset;
  const dataset = options.dataset ?? (headDataset && headDataset in DATASETS ? (headDataset as Dataset) : (imageDatasetOf(shape) ?? IMAGE_DEFAULTS.dataset));
  const image = options.dataset !== undefined || !head?.input ? DATASETS[dataset].shape : head.input.shape;
  if (numel(shape) !== numel(image) || (shape.length === 3 && !sameShape(shape, image))) {
    throw new SnncError('model', `${file}: the Input node '${name}' has shape [${shape.join(', ')}], but ${dataset} images are ${image.join('x')} (choose --dataset, or --events for an event input)`);
  }
  return {
    dataset,
    input: { shape: [image[0]!, image[1]!, image[2]!], scale: options.inputScale ?? head?.input?.scale ?? IMAGE_DEFAULTS.inputScale },
    encoder: options.encoder ? { kind: options.encoder } : (head?.encoder ?? { kind: IMAGE_DEFAULTS.encoder }),
    timesteps: options.timesteps ?? head?.timesteps ?? IMAGE_DEFAULTS.timesteps,
  };
}

/** The source an event Input of this shape takes (see the file comment), and its [C, H, W]. */
function eventShape(shape: readonly number[], forced: Source | undefined, file: string, name: string): { source: Source; chw: [number, number, number] } {
  const what = `${file}: the Input node '${name}' has shape [${shape.join(', ')}]`;
  let chw: [number, number, number];
  if (shape.length === 1) chw = [shape[0]!, 1, 1];
  else if (shape.length === 2) chw = [1, shape[0]!, shape[1]!];
  else if (shape.length === 3) chw = [shape[0]!, shape[1]!, shape[2]!];
  else throw new SnncError('model', `${what}; snnc reads [N], [H, W] or [C, H, W] inputs`);
  const flat = chw[1] === 1 && chw[2] === 1;
  const source = forced ?? (flat ? 'channels' : chw[0] <= 2 ? 'dvs' : 'frames');
  if (source === 'channels' && !flat) throw new SnncError('usage', `${what}; --events channels needs a flat [N] input`);
  if (source === 'dvs' && chw[0] > 2) throw new SnncError('usage', `${what}; --events dvs needs 1 or 2 (polarity) channels`);
  return { source, chw };
}

/** The dataset an event input of this shape most likely comes from: N-MNIST [2, 34, 34], SHD [700], else none. */
function eventDatasetOf(source: Source, chw: readonly number[]): ModelDataset {
  if (source === 'dvs' && sameShape(chw, [2, 34, 34])) return 'nmnist';
  if (source === 'channels' && chw[0] === 700) return 'shd';
  return 'none';
}

function resolveEvents(shape: readonly number[], head: InputHead | undefined, options: InputOptions, file: string, name: string): ResolvedInput {
  const fromHead = head?.encoder?.kind === 'events' ? head.encoder : undefined;
  const { source, chw } = eventShape(shape, options.events ?? fromHead?.binning.source, file, name);
  const defaults = EVENT_DEFAULTS[source];
  const same = fromHead?.binning.source === source ? fromHead : undefined;
  const encoder: EventsEncoderSpec = {
    kind: 'events',
    binning: {
      source,
      binUs: options.binUs ?? same?.binning.binUs ?? defaults.binUs,
      startUs: options.startUs ?? same?.binning.startUs ?? 0,
    },
    countBits: options.countBits ?? same?.countBits ?? defaults.countBits,
  };
  return {
    dataset: isEventDataset(options.dataset) ? options.dataset : fromHead ? (head?.metadata?.dataset ?? 'none') : eventDatasetOf(source, chw),
    input: { shape: chw, scale: options.inputScale ?? (fromHead ? head?.input?.scale : undefined) ?? 1 },
    encoder,
    timesteps: options.timesteps ?? (fromHead ? head?.timesteps : undefined) ?? defaults.timesteps,
  };
}

/** Input spec, encoder, timesteps and dataset of an import whose Input node `name` has `shape`. */
export function resolveInput(shape: readonly number[], head: InputHead | undefined, options: InputOptions, file: string, name: string): ResolvedInput {
  const { dataset } = options;
  const eventFlags = options.events !== undefined || options.binUs !== undefined || options.startUs !== undefined || options.countBits !== undefined || isEventDataset(dataset);
  const imageFlags = (dataset !== undefined && !isEventDataset(dataset)) || options.encoder !== undefined;
  if (eventFlags && imageFlags) throw new SnncError('usage', '--events, --bin-us, --start-us, --count-bits and an event --dataset describe an event input; an image --dataset and --encoder an image input: give one kind');
  const events = eventFlags || (!imageFlags && (head?.encoder?.kind === 'events' || (!head?.input && imageDatasetOf(shape) === undefined)));
  if (events) return resolveEvents(shape, head, options, file, name);
  const image: Dataset | undefined = dataset === undefined || isEventDataset(dataset) ? undefined : dataset;
  return resolveImage(shape, head, { ...options, dataset: image }, file, name);
}
