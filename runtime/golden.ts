/**
 * @fileoverview The golden runtime: interprets the fixed-point IR exactly. This is the living definition of the IR
 * (docs/ir.md); it is written for clarity, and every target must match it bit for bit.
 */
import type { ConvOp } from '../compiler/ir/conv.ts';
import type { IrEncoder } from '../compiler/ir/encoder.ts';
import type { Program } from '../compiler/ir/program.ts';
import { unreachable } from '../compiler/ir/registry.ts';
import type { SpikingOp } from '../compiler/ir/spiking.ts';
import { clamp, roundShift, scaleBy, shiftLeft } from './fixed.ts';
import { Xorshift32 } from './prng.ts';

export interface GoldenResult {
  readonly scores: readonly number[];
  readonly label: number;
}

/** Per layer and timestep: what that layer made visible (spiking) or produced (conv). */
export interface LayerTrace {
  readonly name: string;
  readonly kind: 'conv' | 'spiking';
  /** membrane[t][j]: the visible membrane u (spiking layers; empty for conv). */
  readonly membrane: number[][];
  /** output[t][j]: the visible output o (spiking) or y (conv). */
  readonly output: number[][];
}

export interface GoldenTrace extends GoldenResult {
  /** inputs[t][i]: the encoded input x_t. */
  readonly inputs: number[][];
  readonly layers: LayerTrace[];
}

/** x_t from pixels: jitter draws one random number per nonzero pixel. */
export function encode(encoder: IrEncoder, pixels: Uint8Array, prng: Xorshift32 | undefined): number[] {
  switch (encoder.kind) {
    case 'direct':
      return Array.from(pixels);
    case 'jitter':
      return Array.from(pixels, (p) => (p === 0 ? 0 : Math.floor((p * (prng!.next() >>> (32 - encoder.jitterBits))) / 2 ** encoder.jitterBits)));
    default:
      return unreachable(encoder, 'encoder');
  }
}

export function convStep(op: ConvOp, x: readonly number[]): number[] {
  const [channels, height, width] = op.inShape;
  const [filters, outHeight, outWidth] = op.outShape;
  const k = op.kernel;
  const y: number[] = [];
  for (let f = 0; f < filters; f++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        let acc = op.bias[f]!;
        for (let c = 0; c < channels; c++)
          for (let ki = 0; ki < k; ki++)
            for (let kj = 0; kj < k; kj++) acc += op.weights[((f * channels + c) * k + ki) * k + kj]! * x[(c * height + i + ki) * width + j + kj]!;
        y.push(clamp(roundShift(acc, op.outShift[f]!), op.outType));
      }
    }
  }
  return y;
}

/** A spiking layer's state across timesteps. */
export class SpikingState {
  readonly v: number[];
  private pending: { u: number[]; o: number[] };
  constructor(readonly op: SpikingOp) {
    this.v = new Array<number>(op.units).fill(0);
    this.pending = { u: this.v.slice(), o: this.v.slice() };
  }

  /** Runs one timestep on input x and returns the visible (membrane, output). */
  step(x: readonly number[]): { u: number[]; o: number[] } {
    const op = this.op;
    const u: number[] = [];
    const o: number[] = [];
    for (let j = 0; j < op.units; j++) {
      let acc = 0;
      for (let i = 0; i < op.inputs; i++) acc += op.weights[j * op.inputs + i]! * x[i]!;
      const uj = clamp(scaleBy(this.v[j]!, op.decay) + shiftLeft(acc, op.accShift[j]!) + op.bias[j]!, op.membraneType);
      const fired = uj > op.threshold;
      u.push(uj);
      o.push(fired ? this.output(uj) : 0);
      this.v[j] = fired ? this.reset(uj) : uj;
    }
    if (op.delay === 0) return { u, o };
    const visible = this.pending;
    this.pending = { u, o };
    return visible;
  }

  private output(u: number): number {
    const out = this.op.output;
    switch (out.kind) {
      case 'excess':
        return clamp(roundShift(u - this.op.threshold, out.shift), out.type);
      case 'binary':
        return 1;
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
      default:
        return unreachable(reset, 'reset mode');
    }
  }
}

/** Runs one inference; with `trace`, records every layer's visible values at every timestep. */
export function runGolden(program: Program, pixels: Uint8Array, seed: number, trace?: GoldenTrace): GoldenResult {
  const expected = program.input.shape.reduce((a, b) => a * b, 1);
  if (pixels.length !== expected) throw new RangeError(`image has ${pixels.length} pixels, the program wants ${expected}`);
  const prng = program.encoder.kind === 'jitter' ? new Xorshift32(seed) : undefined;
  const states = program.layers.map((op) => (op.kind === 'spiking' ? new SpikingState(op) : undefined));
  const scores = new Array<number>(program.classes).fill(0);
  for (let t = 0; t < program.timesteps; t++) {
    let x = encode(program.encoder, pixels, prng);
    trace?.inputs.push(x);
    let lastMembrane: number[] = [];
    program.layers.forEach((op, l) => {
      if (op.kind === 'conv') {
        x = convStep(op, x);
        trace?.layers[l]!.output.push(x);
        return;
      }
      const { u, o } = states[l]!.step(x);
      trace?.layers[l]!.membrane.push(u);
      trace?.layers[l]!.output.push(o);
      x = o;
      lastMembrane = u;
    });
    if (t >= program.readout.begin) for (let k = 0; k < program.classes; k++) scores[k]! += lastMembrane[k]!;
  }
  let label = 0;
  for (let k = 1; k < scores.length; k++) if (scores[k]! > scores[label]!) label = k;
  if (trace) {
    (trace as { scores: readonly number[] }).scores = scores;
    (trace as { label: number }).label = label;
  }
  return { scores, label };
}

/** Runs one inference and returns every layer's values at every step (for locating a mismatch). */
export function traceGolden(program: Program, pixels: Uint8Array, seed: number): GoldenTrace {
  const trace: GoldenTrace = {
    scores: [],
    label: 0,
    inputs: [],
    layers: program.layers.map((op) => ({ name: op.name, kind: op.kind, membrane: [], output: [] })),
  };
  runGolden(program, pixels, seed, trace);
  return trace;
}
