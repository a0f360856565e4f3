/**
 * @fileoverview What the ONNX graph can compute exactly, checked before emitting: its limits as data (LIMITS), shapes
 * that chain, a uint8 input, and every intermediate of its graph below 2^53 (the integers a double holds exactly: the graph computes in
 * float64, int-math.ts), computed from the program's bounds (ir/bounds.ts), not derived here. Anything else is
 * refused with SnncError('unsupported') naming the construct.
 */
import { SnncError } from '../../base/errors.ts';
import { programBounds, type ConvBounds, type PoolBounds, type SpikingBounds } from '../../ir/bounds.ts';
import type { ConvOp } from '../../ir/conv.ts';
import { formatType, maxOf, minOf, type IntType } from '../../ir/int-type.ts';
import type { PoolOp } from '../../ir/pool.ts';
import type { Program } from '../../ir/program.ts';
import { unreachable } from '../../ir/registry.ts';
import type { SpikingOp } from '../../ir/spiking.ts';
import { windowOut } from './conv-graph.ts';
import { EXACT_LIMIT, EXACT_BITS } from './int-math.ts';
import type { OptionsToCheck, TargetLimits } from '../target.ts';

/** Unrolling copies the step graph T times; past this the file grows by megabytes for no gain over the Loop. */
export const MAX_UNROLLED_TIMESTEPS = 256;

/** The onnx target's limits as data: the unrolled graph's length, and the exact integers of its arithmetic. */
export const LIMITS = { unrolledTimesteps: MAX_UNROLLED_TIMESTEPS, exactBits: EXACT_BITS } as const satisfies TargetLimits;

/** Refuses `--unroll` past LIMITS.unrolledTimesteps, before any lowering. */
export function checkOptions(options: OptionsToCheck): void {
  const timesteps = options.timesteps;
  if (options.unroll && timesteps !== undefined && timesteps > LIMITS.unrolledTimesteps) {
    throw new SnncError('usage', `onnx: unrolling ${timesteps} timesteps is refused (at most ${LIMITS.unrolledTimesteps}); use the Loop`);
  }
}

function refuse(message: string): never {
  throw new SnncError('unsupported', `onnx: ${message}`);
}

function magnitude(t: IntType): number {
  return Math.max(-minOf(t), maxOf(t));
}

function log2(v: number): string {
  return v <= 0 ? '0' : `2^${Math.log2(v).toFixed(1)}`;
}

/** Refuses when an exact intermediate `what` can reach `bound` >= 2^53. */
function exact(bound: number, what: string): void {
  if (!(bound < EXACT_LIMIT)) refuse(`${what} can reach ${log2(bound)}, beyond the 2^${EXACT_BITS} this target computes exactly`);
}

function shiftOk(s: number, what: string): void {
  if (!Number.isInteger(s) || s < 0 || s > EXACT_BITS) refuse(`${what} ${s} is not a shift in 0..${EXACT_BITS}`);
}

function half(s: number): number {
  return s > 0 ? 2 ** (s - 1) : 0;
}

function weightsOk(weights: readonly number[], count: number, name: string): void {
  if (weights.length !== count) refuse(`${name} has ${weights.length} weights, its shape wants ${count}`);
  if (weights.some((w) => !Number.isSafeInteger(w))) refuse(`${name} has a weight that is not a safe integer`);
}

/** Checks a conv's or pool's kernel, stride, padding and shapes, and that it receives `features` values. */
function checkWindow(op: ConvOp | PoolOp, features: number, what: string): void {
  const [c, h, w] = op.inShape;
  const [, oh, ow] = op.outShape;
  const { kernel: k, stride, padding } = op;
  if (c * h * w !== features) refuse(`${op.name} takes ${c * h * w} inputs but receives ${features}`);
  if (!Number.isInteger(k) || k < 1 || !Number.isInteger(stride) || stride < 1 || !Number.isInteger(padding) || padding < 0 || padding >= k) {
    refuse(`${op.name}: kernel ${k}, stride ${stride}, padding ${padding} is not a window (kernel >= 1, stride >= 1, 0 <= padding < kernel)`);
  }
  if (h + 2 * padding < k || w + 2 * padding < k || oh !== windowOut(h, op) || ow !== windowOut(w, op)) {
    refuse(`${op.name}: output shape [${op.outShape}] is not a valid ${what} of [${op.inShape}] with kernel ${k}, stride ${stride}, padding ${padding}`);
  }
}

/** The shape of one conv layer that receives `features` values. */
function convShapeOk(op: ConvOp, features: number): void {
  const [c] = op.inShape;
  const [f] = op.outShape;
  checkWindow(op, features, 'conv');
  weightsOk(op.weights, f * c * op.kernel * op.kernel, op.name);
  if (op.bias.length !== f || op.outShift.length !== f) refuse(`${op.name}: bias and outShift need ${f} entries`);
}

/** Every filter's accumulator, with its rounding constant, below 2^53. */
function convExact(op: ConvOp, bounds: ConvBounds): void {
  bounds.accMagnitude.forEach((acc, filter) => {
    shiftOk(op.outShift[filter]!, `${op.name} outShift`);
    exact(acc + half(op.outShift[filter]!), `${op.name} filter ${filter} accumulator`);
  });
}

function poolShapeOk(op: PoolOp, features: number): void {
  checkWindow(op, features, `${op.mode} pool`);
  if (op.outShape[0] !== op.inShape[0]) refuse(`${op.name}: a pool keeps its ${op.inShape[0]} channels, output shape [${op.outShape}]`);
  factorOk(op.scale, `${op.name} scale`);
}

function factorOk(factor: { readonly mul: number; readonly shift: number }, what: string): void {
  if (!Number.isSafeInteger(factor.mul) || factor.mul < 0) refuse(`${what}.mul ${factor.mul} is not an integer >= 0`);
  shiftOk(factor.shift, `${what}.shift`);
}

function spikingShapeOk(op: SpikingOp, features: number): void {
  if (op.inputs !== features) refuse(`${op.name} takes ${op.inputs} inputs but receives ${features}`);
  if (op.reset.kind === 'none' && op.output.kind !== 'membrane') refuse(`${op.name}: reset none needs output membrane, but output ${op.output.kind} fires`);
  const identity = op.synapse === 'identity';
  if (identity && op.inputs !== op.units) refuse(`${op.name}: an identity synapse needs as many inputs as units, not ${op.inputs} and ${op.units}`);
  weightsOk(op.weights, identity ? 0 : op.units * op.inputs, op.name);
  if (op.bias.length !== op.units || op.accShift.length !== op.units) refuse(`${op.name}: bias and accShift need ${op.units} entries`);
  if (op.membraneType.bits > 48) refuse(`${op.name}: membrane type ${formatType(op.membraneType)} is wider than 48 bits`);
  if (op.reset.kind === 'value' && !Number.isSafeInteger(op.reset.value)) refuse(`${op.name} reset value ${op.reset.value} is not a safe integer`);
  for (const [factor, name] of [[op.decay, 'decay'], ...(op.reset.kind === 'refractory' ? [[op.reset, 'reset']] as const : [])] as const) factorOk(factor, `${op.name} ${name}`);
  if (op.recurrent) {
    weightsOk(op.recurrent.weights, op.units * op.units, `${op.name} recurrent`);
    if (op.recurrent.accShift.length !== op.units) refuse(`${op.name}: recurrent.accShift needs ${op.units} entries`);
    op.recurrent.accShift.forEach((s) => shiftOk(s, `${op.name} recurrent.accShift`));
  }
  if (op.synaptic) factorOk(op.synaptic.decay, `${op.name} synaptic.decay`);
}

/** The synaptic current's decay, and c's sum with in_j before its clamp, below 2^53 (current-graph.ts). */
function synapticExact(op: SpikingOp, bounds: SpikingBounds): void {
  if (!op.synaptic) return;
  const { decay, type } = op.synaptic;
  const decayed = magnitude(type) * decay.mul + half(decay.shift);
  exact(decayed, `${op.name} c * synaptic.decay.mul`);
  bounds.accMagnitude.forEach((acc, j) => {
    const input = acc * 2 ** op.accShift[j]! + bounds.recurrentMagnitude[j]! * 2 ** (op.recurrent?.accShift[j] ?? 0) + Math.abs(op.synaptic?.bias?.[j] ?? 0);
    exact(Math.ceil(decayed / 2 ** decay.shift) + input, `${op.name} unit ${j} synaptic current sum`);
  });
}

/** Every intermediate of this graph's spiking step below 2^53: its products are taken before their shifts. */
function spikingExact(op: SpikingOp, bounds: SpikingBounds): void {
  const membrane = magnitude(op.membraneType);
  // v is u (clamped), a clamped refractory reset, u - threshold, 0, or a reset value.
  const vAbs = Math.max(membrane + Math.abs(op.threshold), op.reset.kind === 'value' ? Math.abs(op.reset.value) : 0);
  const decayed = vAbs * op.decay.mul + half(op.decay.shift);
  exact(decayed, `${op.name} v * decay.mul`);
  const fed = op.synaptic ? 'c_j' : op.recurrent ? 'in_j' : 'acc << accShift';
  bounds.accMagnitude.forEach((acc, j) => {
    shiftOk(op.accShift[j]!, `${op.name} accShift`);
    exact(acc, `${op.name} unit ${j} accumulator`);
    exact(bounds.recurrentMagnitude[j]!, `${op.name} unit ${j} recurrent accumulator`);
    exact(Math.ceil(decayed / 2 ** op.decay.shift) + bounds.driveMagnitude[j]!, `${op.name} unit ${j} membrane sum (${fed})`);
  });
  synapticExact(op, bounds);
  if (op.reset.kind === 'refractory') exact(membrane * op.reset.mul + half(op.reset.shift), `${op.name} u * reset.mul`);
  const out = op.output;
  switch (out.kind) {
    case 'excess':
      shiftOk(out.shift, `${op.name} output.shift`);
      exact(membrane + Math.abs(op.threshold) + half(out.shift), `${op.name} u - threshold`);
      break;
    case 'membrane':
      shiftOk(out.shift, `${op.name} output.shift`);
      exact(membrane + half(out.shift), `${op.name} rounded membrane output`);
      break;
    case 'binary':
      break;
    default:
      unreachable(out, 'output mode');
  }
}

/** Shapes that chain and fields this graph can hold; returns the last layer when it is spiking. */
function checkShapes(program: Program): SpikingOp | undefined {
  const [c, h, w] = program.input.shape;
  let features = c * h * w;
  let last: SpikingOp | undefined;
  for (const op of program.layers) {
    switch (op.kind) {
      case 'conv':
        convShapeOk(op, features);
        features = op.outShape[0] * op.outShape[1] * op.outShape[2];
        break;
      case 'pool':
        poolShapeOk(op, features);
        features = op.outShape[0] * op.outShape[1] * op.outShape[2];
        break;
      case 'spiking':
        spikingShapeOk(op, features);
        features = op.units;
        last = op;
        break;
      default:
        unreachable(op, 'layer kind');
    }
  }
  return last;
}

export function checkProgram(program: Program): void {
  const t = program.input.type;
  if (t.signed || t.bits > 8) refuse(`input type ${formatType(t)} does not fit the uint8 image input`);
  if (!Number.isInteger(program.timesteps) || program.timesteps < 1) refuse(`timesteps ${program.timesteps}`);
  if (program.encoder.kind === 'jitter' && !(program.encoder.jitterBits >= 1 && program.encoder.jitterBits <= 16)) refuse(`jitterBits ${program.encoder.jitterBits} is outside 1..16`);
  const last = checkShapes(program);
  const bounds = programBounds(program);
  program.layers.forEach((op, l) => {
    const at = bounds.layers[l]!;
    if (op.kind === 'conv') convExact(op, at as ConvBounds);
    // The window sum times mul, with the rounding constant of its shift.
    if (op.kind === 'pool') exact((at as PoolBounds).windowMagnitude * op.scale.mul + half(op.scale.shift), `${op.name} window sum * scale.mul`);
    if (op.kind === 'spiking') spikingExact(op, at as SpikingBounds);
  });
  if (!last) refuse('a program without a spiking layer has no membrane to read out');
  const readout: SpikingOp = last;
  const final = program.layers[program.layers.length - 1]!;
  if (final !== readout) refuse(`the readout reads the last layer, which must be spiking, not ${final.kind} ${final.name}`);
  if (readout.units !== program.classes) refuse(`the readout wants ${program.classes} classes but ${readout.name} has ${readout.units} units`);
  const begin = program.readout.begin;
  if (!Number.isInteger(begin) || begin < 0 || begin >= program.timesteps) refuse(`readout.begin ${begin} is outside 0..${program.timesteps - 1}`);
  const source = program.readout.source;
  if (source !== 'membrane' && source !== 'output') unreachable(source, 'readout source');
  exact(bounds.scoreMagnitude, 'the readout score');
}
