/**
 * @fileoverview The golden runtime: interprets the fixed-point IR exactly. This is the living definition of the IR
 * (docs/ir.md); it is written for clarity, and every target must match it bit for bit.
 */
import type { ConvOp } from '../ir/conv.ts';
import type { IrEncoder } from '../ir/encoder.ts';
import type { PoolOp } from '../ir/pool.ts';
import type { Program } from '../ir/program.ts';
import { unreachable } from '../ir/registry.ts';
import { currentBias, type SpikingOp } from '../ir/spiking.ts';
import { clamp, roundShift, scaleBy, shiftLeft } from './fixed.ts';
import { checkSample } from './sample.ts';
import { Xorshift32 } from './prng.ts';
import type { InferResult, ModelTrace } from './trace.ts';

/** x_t from a sample: jitter draws one random number per nonzero pixel; events reads frame t of P values. */
export function encode(encoder: IrEncoder, pixels: Uint8Array, prng: Xorshift32 | undefined, t = 0, frame = pixels.length): number[] {
  switch (encoder.kind) {
    case 'direct':
      return Array.from(pixels);
    case 'events':
      return Array.from(pixels.subarray(t * frame, (t + 1) * frame));
    case 'jitter':
      return Array.from(pixels, (p) => (p === 0 ? 0 : Math.floor((p * (prng!.next() >>> (32 - encoder.jitterBits))) / 2 ** encoder.jitterBits)));
    default:
      return unreachable(encoder, 'encoder');
  }
}

/** x[c, i, j] of a CHW image, or 0 outside it (zero padding). */
function pixelAt(x: readonly number[], shape: readonly [number, number, number], c: number, i: number, j: number): number {
  const [, height, width] = shape;
  return i < 0 || j < 0 || i >= height || j >= width ? 0 : x[(c * height + i) * width + j]!;
}

export function convStep(op: ConvOp, x: readonly number[]): number[] {
  const [channels] = op.inShape;
  const [filters, outHeight, outWidth] = op.outShape;
  const { kernel: k, stride, padding } = op;
  const y: number[] = [];
  for (let f = 0; f < filters; f++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        let acc = op.bias[f]!;
        for (let c = 0; c < channels; c++)
          for (let ki = 0; ki < k; ki++)
            for (let kj = 0; kj < k; kj++) acc += op.weights[((f * channels + c) * k + ki) * k + kj]! * pixelAt(x, op.inShape, c, i * stride + ki - padding, j * stride + kj - padding);
        y.push(clamp(roundShift(acc, op.outShift[f]!), op.outType));
      }
    }
  }
  return y;
}

/** Sum (or scaled sum) over each channel's windows; padding contributes zeros. */
export function poolStep(op: PoolOp, x: readonly number[]): number[] {
  const [channels, outHeight, outWidth] = op.outShape;
  const { kernel: k, stride, padding } = op;
  const y: number[] = [];
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        let acc = 0;
        for (let ki = 0; ki < k; ki++)
          for (let kj = 0; kj < k; kj++) acc += pixelAt(x, op.inShape, c, i * stride + ki - padding, j * stride + kj - padding);
        y.push(clamp(scaleBy(acc, op.scale), op.outType));
      }
    }
  }
  return y;
}

/** A spiking layer's state across timesteps: the membrane v, the synaptic current c, its own last output r. */
export class SpikingState {
  readonly v: number[];
  /** The synaptic current c (stays 0 without `synaptic`). */
  readonly c: number[];
  /** This layer's output o of the previous step, whatever its delay: what the recurrent synapse reads. */
  private r: number[];
  private pending: { u: number[]; o: number[] };
  constructor(readonly op: SpikingOp) {
    this.v = new Array<number>(op.units).fill(0);
    this.c = this.v.slice();
    this.r = this.v.slice();
    this.pending = { u: this.v.slice(), o: this.v.slice() };
  }

  /** Runs one timestep on input x and returns the visible (membrane, output). */
  step(x: readonly number[]): { u: number[]; o: number[] } {
    const op = this.op;
    const u: number[] = [];
    const o: number[] = [];
    for (let j = 0; j < op.units; j++) {
      const input = shiftLeft(this.synapse(x, j), op.accShift[j]!) + this.recurrent(j);
      const current = op.synaptic ? clamp(scaleBy(this.c[j]!, op.synaptic.decay) + input + currentBias(op, j), op.synaptic.type) : input;
      this.c[j] = op.synaptic ? current : 0;
      const uj = clamp(scaleBy(this.v[j]!, op.decay) + current + op.bias[j]!, op.membraneType);
      const fired = op.output.kind !== 'membrane' && uj > op.threshold;
      u.push(uj);
      o.push(op.output.kind === 'membrane' ? clamp(roundShift(uj, op.output.shift), op.output.type) : fired ? this.output(uj) : 0);
      this.v[j] = fired ? this.reset(uj) : uj;
    }
    this.r = o.slice();
    if (op.delay === 0) return { u, o };
    const visible = this.pending;
    this.pending = { u, o };
    return visible;
  }

  /** acc_j: the dense weighted sum, or x_j itself for the identity synapse. */
  private synapse(x: readonly number[], j: number): number {
    const op = this.op;
    switch (op.synapse) {
      case 'dense': {
        let acc = 0;
        for (let i = 0; i < op.inputs; i++) acc += op.weights[j * op.inputs + i]! * x[i]!;
        return acc;
      }
      case 'identity':
        return x[j]!;
      default:
        return unreachable(op.synapse, 'synapse');
    }
  }

  /** rec_j << recurrent.accShift[j]: the previous step's outputs r through the recurrent weights (0 without them). */
  private recurrent(j: number): number {
    const rec = this.op.recurrent;
    if (!rec) return 0;
    const units = this.op.units;
    let sum = 0;
    for (let k = 0; k < units; k++) sum += rec.weights[j * units + k]! * this.r[k]!;
    return shiftLeft(sum, rec.accShift[j]!);
  }

  /** The output of a unit that fired (never called for output membrane, which never fires). */
  private output(u: number): number {
    const out = this.op.output;
    switch (out.kind) {
      case 'excess':
        return clamp(roundShift(u - this.op.threshold, out.shift), out.type);
      case 'binary':
        return 1;
      case 'membrane':
        throw new Error('an output-membrane layer never fires');
      default:
        return unreachable(out, 'output mode');
    }
  }

  private reset(u: number): number {
    const reset = this.op.reset;
    switch (reset.kind) {
      case 'refractory':
        return clamp(u - scaleBy(u, reset), this.op.membraneType);
      case 'subtract':
        return u - this.op.threshold;
      case 'zero':
        return 0;
      case 'value':
        return reset.value;
      case 'none':
        throw new Error('a reset-none layer never fires');
      default:
        return unreachable(reset, 'reset mode');
    }
  }
}

/** Runs one inference; with `trace`, records every layer's visible values at every timestep. */
export function runGolden(program: Program, pixels: Uint8Array, seed: number, trace?: ModelTrace): InferResult {
  checkSample(program, pixels);
  const frame = program.input.shape.reduce((a, b) => a * b, 1);
  const prng = program.encoder.kind === 'jitter' ? new Xorshift32(seed) : undefined;
  const states = program.layers.map((op) => (op.kind === 'spiking' ? new SpikingState(op) : undefined));
  const scores = new Array<number>(program.classes).fill(0);
  for (let t = 0; t < program.timesteps; t++) {
    let x = encode(program.encoder, pixels, prng, t, frame);
    trace?.inputs.push(x);
    let read: number[] = [];
    program.layers.forEach((op, l) => {
      switch (op.kind) {
        case 'conv':
        case 'pool':
          x = op.kind === 'conv' ? convStep(op, x) : poolStep(op, x);
          trace?.layers[l]!.output.push(x);
          return;
        case 'spiking': {
          const { u, o } = states[l]!.step(x);
          trace?.layers[l]!.membrane.push(u);
          trace?.layers[l]!.output.push(o);
          x = o;
          read = program.readout.source === 'output' ? o : u;
          return;
        }
        default:
          unreachable(op, 'layer kind');
      }
    });
    if (t >= program.readout.begin) for (let k = 0; k < program.classes; k++) scores[k]! += read[k]!;
  }
  let label = 0;
  for (let k = 1; k < scores.length; k++) if (scores[k]! > scores[label]!) label = k;
  if (trace) {
    (trace as { scores: number[] }).scores = scores;
    (trace as { label: number }).label = label;
  }
  return { scores, label };
}

/** Runs one inference and returns every layer's values at every step (for locating a mismatch). */
export function traceGolden(program: Program, pixels: Uint8Array, seed: number): ModelTrace {
  const trace: ModelTrace = {
    scores: [],
    label: 0,
    inputs: [],
    layers: program.layers.map((op) => ({ name: op.name, kind: op.kind, membrane: [], output: [] })),
  };
  runGolden(program, pixels, seed, trace);
  return trace;
}
