/**
 * @fileoverview mnist-dvs-sim: a seeded DVS camera emulator that turns one MNIST digit into an event sample.
 * NOT N-MNIST: no camera, no monitor, no sensor noise; it only imitates how N-MNIST was recorded (Orchard et al. 2015:
 * an ATIS camera making three ~100 ms saccades in front of a still digit), so event networks can be trained here.
 *
 * Geometry: the 28x28 digit sits in a 34x34 field with its top-left corner at o(tau) = (ox, oy) pixels, moved at
 * constant speed along the triangle V0 -> V1 -> V2 -> V0 (one saccade per side, SACCADE_US each, 3 saccades).
 *   field intensity  I(u, v, tau) = D(u - ox, v - oy) / 255, D the digit sampled bilinearly (or nearest), 0 outside
 *   log intensity    L = ln(I + EPS)
 * Each pixel keeps a reference log intensity R (R = L at tau = 0, so a still digit emits nothing). Every STEP_US the
 * camera is sampled; while |L - R| >= C_i the pixel emits one event, polarity 1 (ON) if L > R else 0 (OFF), and R moves
 * by C_i toward L. The event's time is where the linear path from the previous sample's L to the new L crosses
 * R +- C_i (clamped to the step), rounded to whole microseconds, so several events of one step are spread over it.
 *   C_i = THRESHOLD * max(0.5, 1 + MISMATCH * n_i),  n_i ~ N(0, 1) per pixel, seeded by (seed, pixel)
 * Events come out sorted by time (ties in emission order: step, pixel u + 34 v, then crossing); times 0 .. 300000 us.
 */
import type { DvsEvents } from './events.ts';

/** The emulator's parameters; MNIST_DVS_SIM holds the ones the dataset is made with. */
export interface DvsEmulatorParams {
  /** Contrast threshold C in ln units. */
  readonly threshold: number;
  /** Added to intensity (0..1) before the log, so black pixels have a finite log. */
  readonly eps: number;
  /** Relative standard deviation of the per-pixel threshold. */
  readonly mismatch: number;
  /** Camera sampling period, microseconds. */
  readonly stepUs: number;
  /** Duration of one saccade, microseconds. */
  readonly saccadeUs: number;
  readonly sampling: 'bilinear' | 'nearest';
}

export const MNIST_DVS_SIM: DvsEmulatorParams = { threshold: 0.5, eps: 0.1, mismatch: 0.05, stepUs: 1000, saccadeUs: 100_000, sampling: 'bilinear' };

export const FIELD = 34;
export const DIGIT = 28;
/** Triangle corners: digit top-left offsets in field pixels (0..6 keeps the digit inside the 34x34 field). */
export const SACCADE_VERTICES: readonly (readonly [number, number])[] = [
  [0, 0],
  [6, 3],
  [0, 6],
];

/** Murmur3's 32-bit finaliser: a stateless hash, so pixel i's mismatch does not depend on any other draw. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in (0, 1) from (seed, i, stream). */
function uniform(seed: number, i: number, stream: number): number {
  return (mix32(mix32(seed ^ Math.imul(i + 1, 0x9e3779b1)) ^ Math.imul(stream + 1, 0x7feb352d)) + 0.5) / 4294967296;
}

/** Per-pixel thresholds C_i (Box-Muller normal from two seeded uniforms). */
export function pixelThresholds(params: DvsEmulatorParams, seed: number): Float64Array {
  const c = new Float64Array(FIELD * FIELD);
  for (let i = 0; i < c.length; i++) {
    const n = Math.sqrt(-2 * Math.log(uniform(seed, i, 0))) * Math.cos(2 * Math.PI * uniform(seed, i, 1));
    c[i] = params.threshold * Math.max(0.5, 1 + params.mismatch * n);
  }
  return c;
}

/** Digit offset at time tau (linear along the current triangle side). */
export function saccadeOffset(tau: number, saccadeUs: number): [number, number] {
  const n = SACCADE_VERTICES.length;
  const side = Math.min(Math.floor(tau / saccadeUs), n - 1);
  const f = Math.min(1, (tau - side * saccadeUs) / saccadeUs);
  const [ax, ay] = SACCADE_VERTICES[side]!;
  const [bx, by] = SACCADE_VERTICES[(side + 1) % n]!;
  return [ax + (bx - ax) * f, ay + (by - ay) * f];
}

/** Zero border around the digit, wide enough for every offset in 0..6 and both bilinear neighbours. */
const PAD = 8;
const PADDED = DIGIT + 2 * PAD;

/** The digit as intensities 0..1 with a zero border, so sampling needs no bounds checks. */
export function paddedDigit(digit: Uint8Array): Float64Array {
  const out = new Float64Array(PADDED * PADDED);
  for (let y = 0; y < DIGIT; y++) for (let x = 0; x < DIGIT; x++) out[(y + PAD) * PADDED + x + PAD] = digit[y * DIGIT + x]! / 255;
  return out;
}

/** Log intensity of every field pixel with the digit (from paddedDigit) at offset (ox, oy), into `out`. */
export function logFrame(padded: Float64Array, ox: number, oy: number, params: DvsEmulatorParams, out: Float64Array): void {
  const fx = Math.floor(ox);
  const fy = Math.floor(oy);
  const ax = ox - fx;
  const ay = oy - fy;
  const logEps = Math.log(params.eps);
  const nearest = params.sampling === 'nearest';
  for (let v = 0; v < FIELD; v++) {
    for (let u = 0; u < FIELD; u++) {
      let intensity: number;
      if (nearest) {
        intensity = padded[(Math.round(v - oy) + PAD) * PADDED + Math.round(u - ox) + PAD]!;
      } else {
        // Source point (u - ox, v - oy) lies between columns x0 - 1 and x0, rows y0 - 1 and y0.
        const at = (v - fy + PAD) * PADDED + u - fx + PAD;
        const top = (1 - ax) * padded[at - PADDED]! + ax * padded[at - PADDED - 1]!;
        const bottom = (1 - ax) * padded[at]! + ax * padded[at - 1]!;
        intensity = ay * top + (1 - ay) * bottom;
      }
      out[v * FIELD + u] = intensity === 0 ? logEps : Math.log(intensity + params.eps);
    }
  }
}

/** The events of one digit (28x28 bytes, row-major); `seed` fixes the pixel thresholds. */
export function emulateDvs(digit: Uint8Array, seed: number, params: DvsEmulatorParams = MNIST_DVS_SIM): DvsEvents {
  const pixels = FIELD * FIELD;
  const thresholds = pixelThresholds(params, seed);
  const reference = new Float64Array(pixels);
  let previous = new Float64Array(pixels);
  let current = new Float64Array(pixels);
  const padded = paddedDigit(digit);
  const [x0, y0] = saccadeOffset(0, params.saccadeUs);
  logFrame(padded, x0, y0, params, previous);
  reference.set(previous);
  const times: number[] = [];
  const where: number[] = [];
  const polarity: number[] = [];
  const order: number[] = [];
  const byTime = (a: number, b: number): number => times[a]! - times[b]! || a - b;
  const totalUs = SACCADE_VERTICES.length * params.saccadeUs;
  for (let tau = params.stepUs; tau <= totalUs; tau += params.stepUs) {
    const [ox, oy] = saccadeOffset(tau, params.saccadeUs);
    logFrame(padded, ox, oy, params, current);
    const first = times.length;
    for (let i = 0; i < pixels; i++) {
      const c = thresholds[i]!;
      const from = previous[i]!;
      const to = current[i]!;
      let r = reference[i]!;
      while (Math.abs(to - r) >= c) {
        const on = to > r;
        r += on ? c : -c;
        // Crossing point of level r on the segment from -> to: in (0, 1] as from is within c of the old r; clamped
        // because a change of a few ulps (to - from ~ 1e-16) can tip |to - r| over c with a meaningless ratio.
        const f = Math.min(1, Math.max(0, (r - from) / (to - from)));
        times.push(Math.round(tau - params.stepUs + f * params.stepUs));
        where.push(i);
        polarity.push(on ? 1 : 0);
      }
      reference[i] = r;
    }
    // A step's events lie in (tau - step, tau], after every earlier step's: sorting each step sorts them all.
    const step: number[] = [];
    for (let e = first; e < times.length; e++) step.push(e);
    order.push(...step.sort(byTime));
    [previous, current] = [current, previous];
  }
  const n = order.length;
  const events: DvsEvents = { kind: 'dvs', x: new Uint16Array(n), y: new Uint16Array(n), p: new Uint8Array(n), t: new Float64Array(n) };
  order.forEach((e, k) => {
    events.x[k] = where[e]! % FIELD;
    events.y[k] = Math.floor(where[e]! / FIELD);
    events.p[k] = polarity[e]!;
    events.t[k] = times[e]!;
  });
  return events;
}
