/**
 * @fileoverview Activity of the golden runtime on real data, counted event-driven from its trace (docs/energy.md).
 * For layer l at step t with visible input x_t (the encoded pixels for the first layer, else the previous layer's
 * visible output) and nz(x) = the count of its nonzero entries:
 *
 *   synops   dense synapse:    nz(x_t) * units                    (one weight accumulated per nonzero input per unit)
 *            identity synapse: nz(x_t)                            (the event is added to its own unit, no weight)
 *            conv:             sum over nonzero x[c,i,j] of filters * taps(i) * taps(j)
 *            pool:             sum over nonzero x[c,i,j] of taps(i) * taps(j)             (adds, no weight)
 *            + recurrent:      nz(r_t) * units, r_t the layer's own output of step t-1 (`recurrentSynops`, also in synops)
 *   taps(p)  = #{(o, k) : 0 <= o < outSize, 0 <= k < kernel, o*stride + k - padding = p}  (windows a pixel falls in)
 *   dense    dense: inputs * units, identity: units, conv: outH*outW*filters*channels*kernel^2,
 *            pool: outH*outW*channels*kernel^2                    (every input times every weight, zeros included)
 *            + recurrent: units * units
 *   updates  units per step                                        (every neuron, conv or pool output, every step)
 *   fires    spiking layers that fire: #{j : visible u_j > threshold}   (0 for an output-membrane layer)
 * Everything is an exact integer summed over images; divide by `images` for the mean per sample.
 */
import type { IrLayer, Program } from '../ir/program.ts';
import type { Batch } from './batch.ts';
import { traceGolden } from './golden.ts';
import type { ModelTrace } from './trace.ts';

export interface LayerActivity {
  readonly name: string;
  readonly kind: IrLayer['kind'];
  readonly inputs: number;
  readonly units: number;
  /** Per timestep, summed over images. */
  readonly nonzeroInputs: number[];
  readonly nonzeroOutputs: number[];
  readonly fires: number[];
  /** Summed over images and timesteps. */
  synops: number;
  /** The part of synops that the recurrent synapse does (0 without one). */
  recurrentSynops: number;
  denseSynops: number;
  updates: number;
}

export interface Activity {
  readonly program: string;
  readonly images: number;
  readonly timesteps: number;
  readonly layers: LayerActivity[];
}

/** taps(p) for every position p of one axis of size `size` (see the file comment). */
export function windowTaps(size: number, outSize: number, kernel: number, stride: number, padding: number): number[] {
  const taps = new Array<number>(size).fill(0);
  for (let o = 0; o < outSize; o++) {
    for (let k = 0; k < kernel; k++) {
      const p = o * stride + k - padding;
      if (p >= 0 && p < size) taps[p]!++;
    }
  }
  return taps;
}

function count(values: readonly number[]): number {
  let n = 0;
  for (const v of values) if (v !== 0) n++;
  return n;
}

/** Synops of one nonzero input at index i (CHW for conv and pool), as a lookup table per layer. */
function fanOut(op: IrLayer): (i: number) => number {
  if (op.kind === 'spiking') {
    const per = op.synapse === 'dense' ? op.units : 1;
    return () => per;
  }
  const [channels, height, width] = op.inShape;
  const [, outH, outW] = op.outShape;
  const rows = windowTaps(height, outH, op.kernel, op.stride, op.padding);
  const cols = windowTaps(width, outW, op.kernel, op.stride, op.padding);
  const perWindow = op.kind === 'conv' ? op.outShape[0] : 1;
  const table = Array.from({ length: channels * height * width }, (_, i) => perWindow * rows[Math.floor(i / width) % height]! * cols[i % width]!);
  return (i) => table[i]!;
}

/** Dense-equivalent synops of one step. */
export function denseSynopsPerStep(op: IrLayer): number {
  if (op.kind === 'spiking') return (op.synapse === 'dense' ? op.inputs * op.units : op.units) + (op.recurrent ? op.units * op.units : 0);
  const [outC, outH, outW] = op.outShape;
  return outC * outH * outW * op.kernel * op.kernel * (op.kind === 'conv' ? op.inShape[0] : 1);
}

function unitsOf(op: IrLayer): number {
  return op.kind === 'spiking' ? op.units : op.outShape.reduce((a, b) => a * b, 1);
}

function inputsOf(op: IrLayer): number {
  return op.kind === 'spiking' ? op.inputs : op.inShape.reduce((a, b) => a * b, 1);
}

/** An accumulator of activity over images of one program. */
export class ActivityCounter {
  private readonly fanOuts: ((i: number) => number)[];
  private readonly layers: LayerActivity[];
  private images = 0;

  constructor(private readonly program: Program) {
    const T = program.timesteps;
    this.fanOuts = program.layers.map(fanOut);
    this.layers = program.layers.map((op) => ({
      name: op.name,
      kind: op.kind,
      inputs: inputsOf(op),
      units: unitsOf(op),
      nonzeroInputs: new Array<number>(T).fill(0),
      nonzeroOutputs: new Array<number>(T).fill(0),
      fires: new Array<number>(T).fill(0),
      synops: 0,
      recurrentSynops: 0,
      denseSynops: 0,
      updates: 0,
    }));
  }

  /** Adds one inference's trace (from traceGolden). */
  add(trace: ModelTrace): void {
    this.program.layers.forEach((op, l) => {
      const a = this.layers[l]!;
      const fan = this.fanOuts[l]!;
      const firing = op.kind === 'spiking' && op.output.kind !== 'membrane';
      for (let t = 0; t < this.program.timesteps; t++) {
        const x = l === 0 ? trace.inputs[t]! : trace.layers[l - 1]!.output[t]!;
        let nonzero = 0;
        for (let i = 0; i < x.length; i++) {
          if (x[i] === 0) continue;
          nonzero++;
          a.synops += fan(i);
        }
        a.nonzeroInputs[t]! += nonzero;
        a.nonzeroOutputs[t]! += count(trace.layers[l]!.output[t]!);
        if (firing) a.fires[t]! += trace.layers[l]!.membrane[t]!.filter((u) => u > op.threshold).length;
        // r_t, the output computed at t-1, is visible at t-1 (delay 0) or at t (delay 1, zeros at t = 0).
        const shown = t - 1 + (op.kind === 'spiking' ? op.delay : 0);
        if (op.kind === 'spiking' && op.recurrent && shown >= 0) {
          const synops = count(trace.layers[l]!.output[shown]!) * op.units;
          a.synops += synops;
          a.recurrentSynops += synops;
        }
      }
      a.denseSynops += denseSynopsPerStep(op) * this.program.timesteps;
      a.updates += a.units * this.program.timesteps;
    });
    this.images++;
  }

  result(): Activity {
    const copy = this.layers.map((a) => ({ ...a, nonzeroInputs: [...a.nonzeroInputs], nonzeroOutputs: [...a.nonzeroOutputs], fires: [...a.fires] }));
    return { program: this.program.name, images: this.images, timesteps: this.program.timesteps, layers: copy };
  }
}

/** Runs the golden runtime on every image of `batch` and counts its activity; `onImage` sees the count done. */
export function measureActivity(program: Program, batch: Batch, onImage?: (done: number) => void): Activity {
  const counter = new ActivityCounter(program);
  batch.images.forEach((image, i) => {
    counter.add(traceGolden(program, image, batch.seeds[i]!));
    onImage?.(i + 1);
  });
  return counter.result();
}
