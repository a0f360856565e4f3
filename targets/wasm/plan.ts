/**
 * @fileoverview The wasm target's plan: every decision from the program and its bounds (ir/bounds.ts). The memory
 * layout (constants, scratch, the state that `begin` zeroes), the event lists between layers, and per dense layer the
 * accumulation width: when every partial sum of every unit's `sum_i w_ji x_i` fits int32 (bounds of the reached
 * input), i32 lanes, fed two events at a time by i32x4.dot_i16x8_s when the inputs also fit int16 ('pair16'), else by
 * i32x4.mul ('i32'); otherwise i64x2 lanes ('i64'). Weights are stored transposed, [input][unit], each row padded to the SIMD width, so an
 * input event adds one contiguous row. Assumes a program that check.ts accepted.
 */
import { programBounds, type SpikingBounds } from '../../ir/bounds.ts';
import { maxOf, minOf, type IntType } from '../../ir/int-type.ts';
import { dotInterval, foldFactor, type FoldedFactor, type Interval } from '../../ir/interval.ts';
import type { ConvOp } from '../../ir/conv.ts';
import type { PoolOp } from '../../ir/pool.ts';
import type { IrLayer, Program } from '../../ir/program.ts';
import type { RecurrentSynapse, SpikingOp, SynapticCurrent } from '../../ir/spiking.ts';
import type { DataSegment } from './wasm-data.ts';
import { Layout, type EventList } from './layout.ts';
import { planVectorUpdate, type VectorUpdate } from './plan-vector.ts';

/** What a stage sends on: a dense i32 vector (when a consumer or the trace reads it) and an event list (when a dense layer does). */
export interface Out {
  readonly length: number;
  readonly dense: number | undefined;
  readonly list: EventList | undefined;
}

export interface EncoderPlan {
  readonly kind: 'jitter' | 'direct' | 'events';
  readonly jitterBits: number;
  readonly out: Out;
}

/**
 * Events: the sample is T frames of P counts, stored at pixelsAt with each frame padded with zeros to `stride` bytes
 * (a multiple of 16), so that step t reads frame t 16 counts at a time.
 */
export interface FramePlan {
  readonly frame: number;
  readonly stride: number;
}

interface Window {
  readonly input: Out;
  readonly outLo: number;
  readonly outHi: number;
  readonly out: Out;
}

export interface ConvPlan extends Window {
  readonly kind: 'conv';
  readonly op: ConvOp;
  /** [F, C, k, k] i32, bias[F] i64, outShift[F] i32. */
  readonly weightsAt: number;
  readonly biasAt: number;
  readonly shiftAt: number;
}

export interface PoolPlan extends Window {
  readonly kind: 'pool';
  readonly op: PoolOp;
  readonly scale: FoldedFactor;
}

/** How a dense synapse accumulates: lanes of i32 (weights stored i16) or of i64 (weights stored i32). */
export interface DenseGeometry {
  readonly width: 'pair16' | 'i32' | 'i64';
  readonly lanes: number;
  readonly weightBytes: number;
  readonly paddedUnits: number;
  readonly rowBytes: number;
}

export interface DenseBuffers {
  readonly weightsAt: number;
  readonly accAt: number;
  /** Inputs are 0 or 1 (i32 and i64 widths add rows without a multiply). */
  readonly binaryInput: boolean;
  /** Inputs can be negative (pair16 masks the first value of a pair to 16 bits). */
  readonly signedInput: boolean;
}

/**
 * The first layer of a jitter program, dense pair16 with few passes, encodes step t+1 during its first pass over the
 * events of step t (into `next`), and copies `next` to its input list after its last pass (build-jitter.ts).
 */
/** Where the jitter encoder's code finds its pixels and generator. */
export interface JitterCode {
  readonly jitterBits: number;
  readonly nzAt: number;
  readonly nzCountAt: number;
  readonly prngAt: number;
}

export interface Prefetch {
  readonly jitter: JitterCode;
  readonly next: EventList;
}

/**
 * The recurrent synapse (docs/ir.md "Recurrence and the synaptic current"): weights transposed to [k][j] as i32, each
 * row padded to an even count of units; rec_j accumulates in i64 (two lanes of i64x2) from the layer's own o of step
 * t-1, which the step finds at oAt before its update overwrites it.
 */
export interface RecurrentPlan {
  readonly weightsAt: number;
  readonly rowBytes: number;
  /** i64 per unit, padded like a row. */
  readonly accAt: number;
  readonly accShift: { readonly at: number } | { readonly value: number };
}

/** The synaptic current: c, i64 per unit, clamped to its type after each step's decay, input and bias. */
export interface CurrentPlan {
  readonly cAt: number;
  readonly decay: FoldedFactor;
  /** synaptic.bias: one value (0 without it) or an i64 table. */
  readonly bias: { readonly at: number } | { readonly value: number };
  /** Sides of the current's clamp that the bounds cannot rule out (null: never triggers). */
  readonly lo: number | null;
  readonly hi: number | null;
}

/** pair16 groups per pass: two accumulators each, with two rows, their interleave and the inputs (16 registers). */
export const PAIR_BLOCK = 5;

export interface SpikingPlan {
  readonly kind: 'spiking';
  readonly prefetch: Prefetch | undefined;
  readonly op: SpikingOp;
  readonly input: Out;
  /** undefined for the identity synapse. */
  readonly dense: (DenseGeometry & DenseBuffers) | undefined;
  readonly recurrent: RecurrentPlan | undefined;
  /** With a current, the drive leaves out the bias and u adds it after c. */
  readonly current: CurrentPlan | undefined;
  /** Per-unit tables (i64 bias, i32 accShift), or the one value every unit shares. */
  readonly bias: { readonly at: number } | { readonly value: number };
  readonly accShift: { readonly at: number } | { readonly value: number };
  readonly decay: FoldedFactor;
  /** Sides of the membrane clamp that the bounds cannot rule out (null: never triggers). */
  readonly clampLo: number | null;
  readonly clampHi: number | null;
  readonly membraneLo: number;
  readonly membraneHi: number;
  /** The update in i32x4 lanes (plan-vector.ts; buffers padded to 4 units, v and bias i32), or per unit in i64. */
  readonly vector: VectorUpdate | undefined;
  /** v: i64 per unit (i32 with a vector update); u and o of this step: i32 per unit; this step's nonzero outputs. */
  readonly vAt: number;
  readonly uAt: number;
  readonly oAt: number;
  readonly ownList: EventList | undefined;
  /** Visible membrane (this step's, or a copy of the previous step's with delay 1) and the visible output. */
  readonly visibleU: number;
  readonly out: Out;
}

export type LayerPlan = ConvPlan | PoolPlan | SpikingPlan;

export interface WasmPlan {
  readonly program: Program;
  readonly pixels: number;
  /** The sample: P pixels, or T frames of `frames.stride` bytes for the events encoder. */
  readonly pixelsAt: number;
  readonly frames: FramePlan | undefined;
  /** Nonzero pixels, 16 bytes each: (x byte offset, pixel, event row offset, unused); count in bytes. */
  readonly nzAt: number;
  readonly nzCountAt: number;
  readonly prngAt: number;
  readonly tAt: number;
  /** i64 per class, and their f64 copy written at the end of `run`. */
  readonly scoresAt: number;
  readonly scoresOutAt: number;
  /** The last layer's visible values that the readout sums (i32 per class). */
  readonly readAt: number;
  /** The region `begin` zeroes. */
  readonly stateAt: number;
  readonly stateBytes: number;
  /** Memory size in 64 KiB pages, and the constants written into it at instantiation. */
  readonly pages: number;
  readonly segments: readonly DataSegment[];
  readonly encoder: EncoderPlan;
  readonly layers: readonly LayerPlan[];
  readonly prefetch: Prefetch | undefined;
}

/** The largest wasm memory the target plans (check.ts refuses programs that need more). */
export const MAX_MEMORY_BYTES = 2 ** 31;

const fitsI32 = (r: Interval): boolean => r.min >= -(2 ** 31) && r.max <= 2 ** 31 - 1;

/** Units per SIMD group: 8 for pair16 (two i32x4 accumulators from one row load of 8 i16 weights). */
export const GROUP_UNITS: Readonly<Record<DenseGeometry['width'], number>> = { pair16: 8, i32: 4, i64: 2 };

/** The widest exact accumulation for the reached input `x`: see the file comment. */
export function denseGeometry(op: SpikingOp, x: Interval): DenseGeometry {
  let narrow = true;
  for (let j = 0; j < op.units && narrow; j++) narrow = fitsI32(dotInterval(op.weights.slice(j * op.inputs, (j + 1) * op.inputs), x, 0));
  const width = !narrow ? 'i64' : x.min >= -(2 ** 15) && x.max < 2 ** 15 ? 'pair16' : 'i32';
  const lanes = GROUP_UNITS[width];
  const weightBytes = width === 'i64' ? 4 : 2;
  const paddedUnits = Math.ceil(op.units / lanes) * lanes;
  return { width, lanes, weightBytes, paddedUnits, rowBytes: paddedUnits * weightBytes };
}

const range = (t: IntType): [number, number] => [minOf(t), maxOf(t)];

/** Input of layer `l + 1`'s consumer: a dense layer reads an event list with its row stride. */
function consumerOf(layers: readonly IrLayer[], geometry: readonly (DenseGeometry | undefined)[], l: number): { list: number | undefined; dense: boolean } {
  const next = layers[l + 1];
  const g = geometry[l + 1];
  if (next?.kind === 'spiking' && next.synapse === 'dense') return { list: g!.rowBytes, dense: false };
  return { list: undefined, dense: next !== undefined };
}

/** 2^s for each shift, padded with zeros to `length` (the vector update multiplies by them). */
function powersOfTwo(shifts: readonly number[], length: number): Int32Array {
  const table = new Int32Array(length);
  shifts.forEach((s, j) => (table[j] = 2 ** s));
  return table;
}

function uniform(values: readonly number[]): number | undefined {
  return values.every((v) => v === values[0]) ? values[0] : undefined;
}

function planWith(program: Program, m: Layout, options: PlanOptions): WasmPlan {
  const bounds = programBounds(program);
  const geometry = program.layers.map((op, l) => (op.kind === 'spiking' && op.synapse === 'dense' ? denseGeometry(op, bounds.layers[l]!.input) : undefined));
  const outOf = (l: number, length: number, dense: number | undefined, own?: EventList): Out => {
    const c = consumerOf(program.layers, geometry, l);
    const list = c.list === undefined ? undefined : own ?? m.list(length, c.list);
    return { length, dense, list };
  };
  const [channels, height, width] = program.input.shape;
  const pixels = channels * height * width;
  const enc = program.encoder;
  const frames = enc.kind === 'events' ? { frame: pixels, stride: Math.ceil(pixels / 16) * 16 } : undefined;
  const pixelsAt = m.scratch(frames ? program.timesteps * frames.stride : pixels);
  const nzAt = m.scratch(frames ? 0 : 16 * pixels);
  const first = consumerOf(program.layers, geometry, -1);
  const denseBytes = 4 * (frames?.stride ?? pixels);
  const encoder: EncoderPlan = {
    kind: enc.kind, jitterBits: enc.kind === 'jitter' ? enc.jitterBits : 0,
    out: outOf(-1, pixels, first.dense ? (enc.kind === 'jitter' ? m.state(denseBytes) : m.scratch(denseBytes)) : undefined),
  };
  const nzCountAt = m.state(4);
  const prngAt = m.state(4);
  const g0 = geometry[0];
  const prefetch: Prefetch | undefined = options.prefetch !== false && enc.kind === 'jitter' && g0?.width === 'pair16' && encoder.out.dense === undefined && g0.paddedUnits / g0.lanes <= 4 * PAIR_BLOCK
    ? { jitter: { jitterBits: enc.jitterBits, nzAt, nzCountAt, prngAt }, next: m.list(pixels, g0.rowBytes) }
    : undefined;
  const layers: LayerPlan[] = [];
  let input = encoder.out;
  program.layers.forEach((op, l) => {
    let plan: LayerPlan;
    if (op.kind === 'conv') {
      const [lo, hi] = range(op.outType);
      const length = op.outShape.reduce((a, b) => a * b, 1);
      plan = {
        kind: 'conv', op, input, outLo: lo, outHi: hi, out: outOf(l, length, m.scratch(4 * length)),
        weightsAt: m.constant(Int32Array.from(op.weights)), biasAt: m.constant(BigInt64Array.from(op.bias, BigInt)),
        shiftAt: m.constant(Int32Array.from(op.outShift)),
      };
    } else if (op.kind === 'pool') {
      const [lo, hi] = range(op.outType);
      const length = op.outShape.reduce((a, b) => a * b, 1);
      plan = { kind: 'pool', op, input, outLo: lo, outHi: hi, scale: foldFactor(op.scale), out: outOf(l, length, m.scratch(4 * length)) };
    } else {
      plan = planSpiking(op, bounds.layers[l] as SpikingBounds, input, geometry[l], m, (dense, own) => outOf(l, op.units, dense, own));
      if (l === 0 && prefetch) plan = { ...plan, prefetch };
    }
    layers.push(plan);
    input = plan.out;
  });
  const last = layers[layers.length - 1] as SpikingPlan;
  const K = program.classes;
  const scoresAt = m.state(8 * K);
  const tAt = m.state(4);
  const scoresOutAt = m.scratch(8 * K);
  return {
    program, pixels, pixelsAt, frames, nzAt, nzCountAt, prngAt, tAt, scoresAt, scoresOutAt,
    readAt: program.readout.source === 'output' ? last.out.dense! : last.visibleU,
    stateAt: m.stateBase, stateBytes: m.stateSize, pages: Math.ceil(m.end / 65536), segments: m.segments, encoder, layers, prefetch,
  };
}

function planSpiking(
  op: SpikingOp, bounds: SpikingBounds, input: Out, g: DenseGeometry | undefined, m: Layout,
  outOf: (dense: number, own?: EventList) => Out,
): SpikingPlan {
  let dense: SpikingPlan['dense'];
  if (g) {
    const rows = g.width !== 'i64' ? new Int16Array(op.inputs * g.paddedUnits) : new Int32Array(op.inputs * g.paddedUnits);
    for (let j = 0; j < op.units; j++) for (let i = 0; i < op.inputs; i++) rows[i * g.paddedUnits + j] = op.weights[j * op.inputs + i]!;
    const binaryInput = g.width !== 'pair16' && bounds.input.min === 0 && bounds.input.max <= 1;
    dense = { ...g, weightsAt: m.constant(rows), accAt: m.scratch(g.paddedUnits * (g.width === 'i64' ? 8 : 4)), binaryInput, signedInput: bounds.input.min < 0 };
  }
  // Recurrence and the synaptic current run in the per-unit i64 update.
  const plain = op.recurrent === undefined && op.synaptic === undefined;
  const vector = plain && dense && dense.width !== 'i64' ? planVectorUpdate(op, bounds) : undefined;
  const units = vector ? Math.ceil(op.units / 4) * 4 : op.units;
  const bias = vector ? undefined : uniform(op.bias);
  const biasTable = (): Int32Array | BigInt64Array => {
    if (!vector) return BigInt64Array.from(op.bias, BigInt);
    const table = new Int32Array(units);
    table.set(op.bias);
    return table;
  };
  const shift = uniform(op.accShift);
  const [membraneLo, membraneHi] = range(op.membraneType);
  const uAt = m.state(4 * units);
  const oAt = m.state(4 * units);
  const delayed = op.delay === 1;
  const ownList = outOf(oAt).list;
  const visibleO = delayed ? m.state(4 * units) : oAt;
  return {
    kind: 'spiking', prefetch: undefined, op, input, dense, vector,
    bias: bias === undefined ? { at: m.constant(biasTable()) } : { value: bias },
    accShift: shift !== undefined ? { value: shift } : { at: m.constant(vector ? powersOfTwo(op.accShift, units) : Int32Array.from(op.accShift)) },
    decay: foldFactor(op.decay),
    recurrent: op.recurrent ? planRecurrent(op.recurrent, op.units, m) : undefined,
    current: op.synaptic ? planCurrent(op.synaptic, bounds, m.state(8 * units), m) : undefined,
    clampLo: bounds.preClamp.min < membraneLo ? membraneLo : null, clampHi: bounds.preClamp.max > membraneHi ? membraneHi : null,
    membraneLo, membraneHi,
    vAt: m.state((vector ? 4 : 8) * units), uAt, oAt, ownList,
    visibleU: delayed ? m.state(4 * units) : uAt,
    out: delayed ? outOf(visibleO) : { length: op.units, dense: oAt, list: ownList },
  };
}

function planCurrent(synaptic: SynapticCurrent, bounds: SpikingBounds, cAt: number, m: Layout): CurrentPlan {
  const [lo, hi] = range(synaptic.type);
  const reached = bounds.currentPreClamp!;
  const free = bounds.currentClampFree;
  const value = uniform(synaptic.bias ?? [0]);
  const bias = value !== undefined ? { value } : { at: m.constant(BigInt64Array.from(synaptic.bias!, BigInt)) };
  return { cAt, decay: foldFactor(synaptic.decay), bias, lo: free || reached.min >= lo ? null : lo, hi: free || reached.max <= hi ? null : hi };
}

function planRecurrent(rec: RecurrentSynapse, units: number, m: Layout): RecurrentPlan {
  const padded = units + (units % 2);
  const rows = new Int32Array(units * padded);
  for (let j = 0; j < units; j++) for (let k = 0; k < units; k++) rows[k * padded + j] = rec.weights[j * units + k]!;
  const shift = uniform(rec.accShift);
  return {
    weightsAt: m.constant(rows), rowBytes: 4 * padded, accAt: m.scratch(8 * padded),
    accShift: shift !== undefined ? { value: shift } : { at: m.constant(Int32Array.from(rec.accShift)) },
  };
}

/** The plan of a program check.ts accepted: laid out once to measure the regions, then at their final places. */
export function planWasm(program: Program, options: PlanOptions = {}): WasmPlan {
  const sizing = new Layout();
  planWith(program, sizing, options);
  return planWith(program, sizing.placed(), options);
}

export interface PlanOptions {
  /** false: never draw step t+1 inside step t's first layer (bench/wasm-profile.ts times the draws on their own). */
  readonly prefetch?: boolean;
}
