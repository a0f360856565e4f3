/**
 * @fileoverview The golden runtime compiled for speed, for `snnc verify` and the fuzzer. runtime/golden.ts stays the
 * definition (docs/ir.md); this computes the same integers, tested equal to it in test/golden-fast.test.ts:
 *   - a program is compiled once into typed arrays, and every inference reuses its buffers;
 *   - dense synapses are event-driven over transposed rows: W'[i][j] = weights[j,i] * 2^accShift[j], and
 *       drive_j = bias_j + sum_{i: x_i != 0} W'[i][j] * x_i   (= (acc_j << accShift[j]) + bias_j)
 *     so each nonzero input adds one contiguous row and a silent input costs nothing (conv and pool gather their
 *     windows as golden.ts does); the recurrent synapse adds rows the same way, one per unit that was nonzero at t-1,
 *     and with a synaptic current the bias waits for the membrane (drive_j = in_j + cb_j, the current's bias;
 *     u_j = decayed v + c_j + bias_j);
 *   - every value is a double holding an integer below 2^53 in magnitude (the validator bounds every intermediate), so
 *     +, * and roundShift(a, s) = floor((a + h) / 2^s), h = s > 0 ? 2^(s-1) : 0, are exact.
 */
import type { ConvOp } from '../ir/conv.ts';
import { maxOf, minOf } from '../ir/int-type.ts';
import type { PoolOp } from '../ir/pool.ts';
import type { Program } from '../ir/program.ts';
import { unreachable } from '../ir/registry.ts';
import { currentBias, type SpikingOp } from '../ir/spiking.ts';
import { seedState, xorshift32 } from './prng.ts';
import { checkSample } from './sample.ts';
import type { InferResult } from './trace.ts';

/** Values flowing between layers: dense (`values`), and the indices of the nonzero ones (`events[0..count)`). */
interface Signal {
  readonly values: Float64Array;
  readonly events: Int32Array;
  count: number;
}

function signal(length: number): Signal {
  return { values: new Float64Array(length), events: new Int32Array(length), count: 0 };
}

/** Lists the nonzero values of `s` in index order. */
function listEvents(s: Signal): void {
  let n = 0;
  for (let i = 0; i < s.values.length; i++) if (s.values[i] !== 0) s.events[n++] = i;
  s.count = n;
}

/** roundShift(a, s) as floor((a + half) / scale), with half = 2^(s-1) (0 for s = 0) and scale = 2^s. */
interface Rounding {
  readonly half: number;
  readonly scale: number;
}

const rounding = (shift: number): Rounding => ({ half: shift > 0 ? 2 ** (shift - 1) : 0, scale: 2 ** shift });
const roundShift = (a: number, r: Rounding): number => Math.floor((a + r.half) / r.scale);
const clamp = (a: number, lo: number, hi: number): number => (a < lo ? lo : a > hi ? hi : a);

/** One compiled layer: `start` at the beginning of an inference, `step` once per timestep. */
interface Layer {
  readonly out: Signal;
  /** The visible membrane (spiking layers only). */
  readonly membrane?: Float64Array;
  start(): void;
  step(x: Signal): void;
}

/** The sum over the kernel window of channel c whose corner is (top, left), weighted when `weights` is given (from `base`); padding reads 0. */
function windowSum(op: ConvOp | PoolOp, x: Float64Array, c: number, top: number, left: number, weights?: Float64Array, base = 0): number {
  const [, height, width] = op.inShape;
  const k = op.kernel;
  let acc = 0;
  for (let ki = 0; ki < k; ki++) {
    const i = top + ki;
    if (i < 0 || i >= height) continue;
    for (let kj = 0; kj < k; kj++) {
      const j = left + kj;
      if (j < 0 || j >= width) continue;
      const value = x[(c * height + i) * width + j]!;
      acc += weights ? weights[base + ki * k + kj]! * value : value;
    }
  }
  return acc;
}

/** Stateless conv or pool: y = clamp(roundShift(bias + window sum), outType) per output, as golden.ts's convStep/poolStep. */
function windowLayer(op: ConvOp | PoolOp): Layer {
  const [outChannels, outHeight, outWidth] = op.outShape;
  const [inChannels] = op.inShape;
  const out = signal(outChannels * outHeight * outWidth);
  const lo = minOf(op.outType);
  const hi = maxOf(op.outType);
  const { stride, padding } = op;
  const conv = op.kind === 'conv' ? { weights: Float64Array.from(op.weights), shifts: op.outShift.map(rounding) } : undefined;
  const poolMul = op.kind === 'pool' ? op.scale.mul : 0;
  const poolShift = op.kind === 'pool' ? rounding(op.scale.shift) : rounding(0);
  return {
    out,
    start() {},
    step(x) {
      let q = 0;
      for (let f = 0; f < outChannels; f++) {
        for (let i = 0; i < outHeight; i++) {
          for (let j = 0; j < outWidth; j++, q++) {
            const top = i * stride - padding;
            const left = j * stride - padding;
            let y: number;
            if (conv) {
              let acc = (op as ConvOp).bias[f]!;
              for (let c = 0; c < inChannels; c++) acc += windowSum(op, x.values, c, top, left, conv.weights, (f * inChannels + c) * op.kernel * op.kernel);
              y = roundShift(acc, conv.shifts[f]!);
            } else {
              y = roundShift(windowSum(op, x.values, f, top, left) * poolMul, poolShift);
            }
            out.values[q] = clamp(y, lo, hi);
          }
        }
      }
      listEvents(out);
    },
  };
}

/** The transposed, accShift-scaled rows of [units, inputs] weights (see the file comment). */
function transposedRows(weights: readonly number[], inputs: number, units: number, accShift: readonly number[]): Float64Array {
  const rows = new Float64Array(inputs * units);
  for (let j = 0; j < units; j++) {
    const factor = 2 ** accShift[j]!;
    for (let i = 0; i < inputs; i++) rows[i * units + j] = weights[j * inputs + i]! * factor;
  }
  return rows;
}

/** drive_j += sum over the events k of r: rows[k][j] * r_k (the recurrent synapse's row per unit that was nonzero). */
function addRows(rows: Float64Array, r: Signal, units: number, drive: Float64Array): void {
  for (let n = 0; n < r.count; n++) {
    const k = r.events[n]!;
    const row = k * units;
    for (let j = 0; j < units; j++) drive[j] = drive[j]! + rows[row + j]! * r.values[k]!;
  }
}

/**
 * drive_j = bias_j + (acc_j << accShift_j): each input event adds its row (dense) or its own unit (identity). Dense rows
 * are added four events per pass, which loads and stores each drive value once per four rows. Every intermediate is a
 * partial sum of the exact dot product, so |it| <= sum_i |W'[i][j]| * max|x| < 2^(accType.bits + accShift[j]) <= 2^48.
 */
function addDrive(op: SpikingOp, rows: Float64Array, identityFactor: Float64Array, x: Signal, base: Float64Array, drive: Float64Array): void {
  const units = op.units;
  const { events, values } = x;
  drive.set(base);
  if (op.synapse === 'identity') {
    for (let n = 0; n < x.count; n++) drive[events[n]!] = drive[events[n]!]! + values[events[n]!]! * identityFactor[events[n]!]!;
    return;
  }
  let n = 0;
  for (; n + 4 <= x.count; n += 4) {
    const [i0, i1, i2, i3] = [events[n]!, events[n + 1]!, events[n + 2]!, events[n + 3]!];
    const [x0, x1, x2, x3] = [values[i0]!, values[i1]!, values[i2]!, values[i3]!];
    const [r0, r1, r2, r3] = [i0 * units, i1 * units, i2 * units, i3 * units];
    for (let j = 0; j < units; j++) drive[j] = drive[j]! + rows[r0 + j]! * x0 + rows[r1 + j]! * x1 + rows[r2 + j]! * x2 + rows[r3 + j]! * x3;
  }
  for (; n < x.count; n++) {
    const i = events[n]!;
    const row = i * units;
    for (let j = 0; j < units; j++) drive[j] = drive[j]! + rows[row + j]! * values[i]!;
  }
}

/** A spiking layer: golden.ts's SpikingState.step over typed arrays. */
function spikingLayer(op: SpikingOp): Layer {
  const units = op.units;
  const rows = op.synapse === 'identity' ? new Float64Array(0) : transposedRows(op.weights, op.inputs, units, op.accShift);
  const recurrentRows = op.recurrent ? transposedRows(op.recurrent.weights, units, units, op.recurrent.accShift) : undefined;
  const identityFactor = Float64Array.from(op.accShift, (s) => 2 ** s);
  const bias = Float64Array.from(op.bias);
  // With a synaptic current the drive is in_j plus the current's bias, and the bias joins at the membrane.
  const syn = op.synaptic;
  const driveBase = syn ? Float64Array.from({ length: units }, (_, j) => currentBias(op, j)) : bias;
  const membraneBias = syn ? bias : new Float64Array(units);
  const c = new Float64Array(units);
  const synDecay = rounding(syn ? syn.decay.shift : 0);
  const [synLo, synHi] = syn ? [minOf(syn.type), maxOf(syn.type)] : [0, 0];
  const drive = new Float64Array(units);
  const v = new Float64Array(units);
  const [lo, hi] = [minOf(op.membraneType), maxOf(op.membraneType)];
  const decay = rounding(op.decay.shift);
  const out = op.output;
  const outShift = rounding(out.kind === 'binary' ? 0 : out.shift);
  const [outLo, outHi] = [minOf(out.type), maxOf(out.type)];
  const reset = op.reset;
  const resetShift = rounding(reset.kind === 'refractory' ? reset.shift : 0);
  const threshold = op.threshold;
  // The values written this step and those of the step before (delay 1 shows the latter: zeros at t = 0).
  let current = { u: new Float64Array(units), o: signal(units) };
  let previous = op.delay === 1 ? { u: new Float64Array(units), o: signal(units) } : current;
  const layer: { out: Signal; membrane: Float64Array; start(): void; step(x: Signal): void } = {
    out: current.o,
    membrane: current.u,
    start() {
      v.fill(0);
      c.fill(0);
      for (const s of [current, previous]) {
        s.u.fill(0);
        s.o.values.fill(0);
        s.o.count = 0;
      }
    },
    step(x) {
      addDrive(op, rows, identityFactor, x, driveBase, drive);
      // r, this layer's output of step t-1, is in `previous` (the same buffer as `current` for delay 0, read first).
      if (recurrentRows) addRows(recurrentRows, previous.o, units, drive);
      if (syn) for (let j = 0; j < units; j++) c[j] = clamp(roundShift(c[j]! * syn.decay.mul, synDecay) + drive[j]!, synLo, synHi);
      const input = syn ? c : drive;
      const { u, o } = current;
      for (let j = 0; j < units; j++) {
        const uj = clamp(roundShift(v[j]! * op.decay.mul, decay) + input[j]! + membraneBias[j]!, lo, hi);
        u[j] = uj;
        if (out.kind === 'membrane') {
          o.values[j] = clamp(roundShift(uj, outShift), outLo, outHi);
          v[j] = uj;
          continue;
        }
        const fired = uj > threshold;
        o.values[j] = !fired ? 0 : out.kind === 'binary' ? 1 : clamp(roundShift(uj - threshold, outShift), outLo, outHi);
        v[j] = fired ? resetValue(uj) : uj;
      }
      listEvents(o);
      const visible = op.delay === 1 ? previous : current;
      layer.out = visible.o;
      layer.membrane = visible.u;
      // Delay 1: this step's values become the previous ones; the buffers just shown are overwritten next step.
      if (op.delay === 1) [current, previous] = [previous, current];
    },
  };
  function resetValue(u: number): number {
    switch (reset.kind) {
      case 'refractory':
        return clamp(u - roundShift(u * reset.mul, resetShift), lo, hi);
      case 'subtract':
        return u - threshold;
      case 'zero':
        return 0;
      case 'value':
        return reset.value;
      case 'none':
        return u;
      default:
        return unreachable(reset, 'reset mode');
    }
  }
  return layer;
}

/** Compiled inference of one program: `run(pixels, seed)` gives golden.ts's runGolden(program, pixels, seed). */
export interface FastGolden {
  run(pixels: Uint8Array, seed: number): InferResult;
}

export function compileGolden(program: Program): FastGolden {
  const [channels, height, width] = program.input.shape;
  const size = channels * height * width;
  const encoder = program.encoder;
  const jitterBits = encoder.kind === 'jitter' ? encoder.jitterBits : 0;
  const input = signal(size);
  const pixelEvents = new Int32Array(size);
  const layers = program.layers.map((op): Layer => (op.kind === 'spiking' ? spikingLayer(op) : windowLayer(op)));
  const last = layers[layers.length - 1]!;
  const { begin, source } = program.readout;
  return {
    run(pixels, seed) {
      checkSample(program, pixels);
      input.values.fill(0);
      let nonzero = 0;
      if (encoder.kind !== 'events') for (let i = 0; i < size; i++) if (pixels[i] !== 0) pixelEvents[nonzero++] = i;
      let state = seedState(seed);
      for (const layer of layers) layer.start();
      const scores = new Array<number>(program.classes).fill(0);
      for (let t = 0; t < program.timesteps; t++) {
        if (encoder.kind === 'events') {
          // x = frame t: clear the last frame's events, then take this frame's nonzero counts.
          for (let n = 0; n < input.count; n++) input.values[input.events[n]!] = 0;
          input.count = 0;
          for (let i = 0, at = t * size; i < size; i++, at++) {
            const x = pixels[at]!;
            if (x === 0) continue;
            input.values[i] = x;
            input.events[input.count++] = i;
          }
        } else {
          // Encoder: x = p (direct), or floor(p * r / 2^jitterBits) with one draw per nonzero pixel (p * r < 2^24).
          input.count = 0;
          for (let n = 0; n < nonzero; n++) {
            const i = pixelEvents[n]!;
            let x = pixels[i]!;
            if (jitterBits > 0) {
              state = xorshift32(state);
              x = (x * (state >>> (32 - jitterBits))) >>> jitterBits;
            }
            input.values[i] = x;
            if (x !== 0) input.events[input.count++] = i;
          }
        }
        let x = input;
        for (const layer of layers) {
          layer.step(x);
          x = layer.out;
        }
        if (t < begin) continue;
        const read = source === 'output' ? last.out.values : last.membrane!;
        for (let k = 0; k < program.classes; k++) scores[k]! += read[k]!;
      }
      let label = 0;
      for (let k = 1; k < scores.length; k++) if (scores[k]! > scores[label]!) label = k;
      return { scores, label };
    },
  };
}
