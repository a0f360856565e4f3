/**
 * @fileoverview Event samples and the one definition of binning them into frames (ir/encoder.ts EventBinning, docs/ir.md
 * "Event input"). Every reader (N-MNIST, SHD, the emulator) yields EventSamples; every target sees only the frames.
 *
 *   b = floor((t - startUs) / binUs), kept when 0 <= b < T (else counted in `dropped`)
 *   dvs: c = p for a 2-channel input, 0 for 1 channel; f[b, (c * H + y) * W + x] = min(max, f + 1)
 *   channels: f[b, n] = min(max, f + 1)
 * Order does not matter to binning; an empty sample gives T zero frames. A coordinate outside the input, a polarity
 * other than 0/1 or a time that is not a whole number >= 0 is refused in one line (SnncError 'data').
 */
import { SnncError } from '../base/errors.ts';
import type { EventBinning } from '../ir/encoder.ts';

/** Events of a DVS camera: x, y, polarity (0 OFF, 1 ON), time in microseconds, one entry per event. */
export interface DvsEvents {
  readonly kind: 'dvs';
  readonly x: Uint16Array;
  readonly y: Uint16Array;
  readonly p: Uint8Array;
  readonly t: Float64Array;
}

/** Events of a multi-channel sensor (cochlea): channel index, time in microseconds. */
export interface ChannelEvents {
  readonly kind: 'channels';
  readonly channel: Uint16Array;
  readonly t: Float64Array;
}

export type EventSample = DvsEvents | ChannelEvents;

export interface Frames {
  /** T frames of C*H*W counts, frame-major. */
  readonly frames: Uint8Array;
  /** Events before the window or past its end. */
  readonly dropped: number;
}

export function eventCount(sample: EventSample): number {
  return sample.t.length;
}

/** Bins `sample` into `timesteps` frames of `shape` (CHW; [N, 1, 1] for channels), counts saturating at `maxCount`. */
export function binEvents(sample: EventSample, binning: EventBinning, shape: readonly [number, number, number], timesteps: number, maxCount: number): Frames {
  const [channels, height, width] = shape;
  const size = channels * height * width;
  if (binning.source === 'frames') throw new SnncError('data', 'this program takes frames (a sequence), not events');
  if (sample.kind !== binning.source) throw new SnncError('data', `a ${sample.kind} event sample cannot feed a ${binning.source} event input`);
  const frames = new Uint8Array(timesteps * size);
  let dropped = 0;
  for (let e = 0; e < sample.t.length; e++) {
    const t = sample.t[e]!;
    if (!Number.isInteger(t) || t < 0) throw new SnncError('data', `event ${e}: time ${t} us is not a whole number >= 0`);
    const bin = Math.floor((t - binning.startUs) / binning.binUs);
    const index = sample.kind === 'dvs' ? dvsIndex(sample, e, channels, height, width) : channelIndex(sample, e, size);
    if (bin < 0 || bin >= timesteps) {
      dropped++;
      continue;
    }
    const at = bin * size + index;
    if (frames[at]! < maxCount) frames[at]!++;
  }
  return { frames, dropped };
}

function dvsIndex(sample: DvsEvents, e: number, channels: number, height: number, width: number): number {
  const x = sample.x[e]!;
  const y = sample.y[e]!;
  const p = sample.p[e]!;
  if (x >= width || y >= height) throw new SnncError('data', `event ${e}: (x ${x}, y ${y}) is outside the ${width}x${height} input`);
  if (p > 1) throw new SnncError('data', `event ${e}: polarity ${p} is not 0 or 1`);
  const c = channels === 2 ? p : 0;
  return (c * height + y) * width + x;
}

function channelIndex(sample: ChannelEvents, e: number, size: number): number {
  const n = sample.channel[e]!;
  if (n >= size) throw new SnncError('data', `event ${e}: channel ${n} is outside the ${size} input channels`);
  return n;
}
