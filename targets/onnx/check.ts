/**
 * @fileoverview What the ONNX graph can compute exactly, checked before emitting: shapes that chain, a uint8 input, and
 * interval bounds on every intermediate, which must stay below 2^53 (the lift of int-math.ts's roundShift; int64
 * itself would allow 2^63). Anything else is refused with SnncError('unsupported') naming the construct.
 */
import { SnncError } from '../../base/errors.ts';
import type { ConvOp } from '../../ir/conv.ts';
import { formatType, maxOf, minOf, type IntType } from '../../ir/int-type.ts';
import type { PoolOp } from '../../ir/pool.ts';
import type { Program } from '../../ir/program.ts';
import { unreachable } from '../../ir/registry.ts';
import type { SpikingOp } from '../../ir/spiking.ts';
import { windowOut } from './conv-graph.ts';
import { EXACT_LIMIT, ROUND_LIFT_LOG2 } from './int-math.ts';

/** The largest pixel value: the image input is uint8. */
const PIXEL_MAX = 255;

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
  if (!(bound < EXACT_LIMIT)) refuse(`${what} can reach ${log2(bound)}, beyond the 2^${ROUND_LIFT_LOG2} this target computes exactly`);
}

function shiftOk(s: number, what: string): void {
  if (!Number.isInteger(s) || s < 0 || s > ROUND_LIFT_LOG2) refuse(`${what} ${s} is not a shift in 0..${ROUND_LIFT_LOG2}`);
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

/** Checks one conv layer given the largest |x| of its input. */
function checkConv(op: ConvOp, features: number, xAbs: number): void {
  const [c] = op.inShape;
  const [f] = op.outShape;
  checkWindow(op, features, 'conv');
  const taps = c * op.kernel * op.kernel;
  weightsOk(op.weights, f * taps, op.name);
  if (op.bias.length !== f || op.outShift.length !== f) refuse(`${op.name}: bias and outShift need ${f} entries`);
  for (let filter = 0; filter < f; filter++) {
    let sum = Math.abs(op.bias[filter]!);
    for (let q = 0; q < taps; q++) sum += Math.abs(op.weights[filter * taps + q]!) * xAbs;
    shiftOk(op.outShift[filter]!, `${op.name} outShift`);
    exact(sum + half(op.outShift[filter]!), `${op.name} filter ${filter} accumulator`);
  }
}

/** Checks one pool layer given the largest |x| of its input. */
function checkPool(op: PoolOp, features: number, xAbs: number): void {
  checkWindow(op, features, `${op.mode} pool`);
  if (op.outShape[0] !== op.inShape[0]) refuse(`${op.name}: a pool keeps its ${op.inShape[0]} channels, output shape [${op.outShape}]`);
  factorOk(op.scale, `${op.name} scale`);
  const sum = op.kernel * op.kernel * xAbs;
  exact(sum * op.scale.mul + half(op.scale.shift), `${op.name} window sum * scale.mul`);
}

function factorOk(factor: { readonly mul: number; readonly shift: number }, what: string): void {
  if (!Number.isSafeInteger(factor.mul) || factor.mul < 0) refuse(`${what}.mul ${factor.mul} is not an integer >= 0`);
  shiftOk(factor.shift, `${what}.shift`);
}

/** Checks one spiking layer given the largest |x| of its input. */
function checkSpiking(op: SpikingOp, features: number, xAbs: number): void {
  if (op.inputs !== features) refuse(`${op.name} takes ${op.inputs} inputs but receives ${features}`);
  if (op.reset.kind === 'none' && op.output.kind !== 'membrane') refuse(`${op.name}: reset none needs output membrane, but output ${op.output.kind} fires`);
  const identity = op.synapse === 'identity';
  if (identity && op.inputs !== op.units) refuse(`${op.name}: an identity synapse needs as many inputs as units, not ${op.inputs} and ${op.units}`);
  weightsOk(op.weights, identity ? 0 : op.units * op.inputs, op.name);
  if (op.bias.length !== op.units || op.accShift.length !== op.units) refuse(`${op.name}: bias and accShift need ${op.units} entries`);
  if (op.membraneType.bits > 48) refuse(`${op.name}: membrane type ${formatType(op.membraneType)} is wider than 48 bits`);
  const membrane = magnitude(op.membraneType);
  // v is u (clamped), a clamped refractory reset, u - threshold, 0, or a reset value.
  const vAbs = Math.max(membrane + Math.abs(op.threshold), op.reset.kind === 'value' ? Math.abs(op.reset.value) : 0);
  if (op.reset.kind === 'value' && !Number.isSafeInteger(op.reset.value)) refuse(`${op.name} reset value ${op.reset.value} is not a safe integer`);
  for (const [factor, name] of [[op.decay, 'decay'], ...(op.reset.kind === 'refractory' ? [[op.reset, 'reset']] as const : [])] as const) factorOk(factor, `${op.name} ${name}`);
  const decayed = vAbs * op.decay.mul + half(op.decay.shift);
  exact(decayed, `${op.name} v * decay.mul`);
  for (let j = 0; j < op.units; j++) {
    let acc = identity ? xAbs : 0;
    if (!identity) for (let i = 0; i < op.inputs; i++) acc += Math.abs(op.weights[j * op.inputs + i]!) * xAbs;
    shiftOk(op.accShift[j]!, `${op.name} accShift`);
    exact(acc, `${op.name} unit ${j} accumulator`);
    exact(Math.ceil(decayed / 2 ** op.decay.shift) + acc * 2 ** op.accShift[j]! + Math.abs(op.bias[j]!), `${op.name} unit ${j} membrane sum (acc << accShift)`);
  }
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

/** The largest |o| of a spiking layer's output. */
function outputMagnitude(op: SpikingOp): number {
  const out = op.output;
  switch (out.kind) {
    case 'excess':
    case 'membrane':
      return magnitude(out.type);
    case 'binary':
      return 1;
    default:
      return unreachable(out, 'output mode');
  }
}

/** The largest |x| each layer's input can take: the uint8 pixels, then each layer's output clamp. */
export function inputMagnitudes(program: Program): number[] {
  const result: number[] = [];
  let xAbs = PIXEL_MAX;
  for (const op of program.layers) {
    result.push(xAbs);
    switch (op.kind) {
      case 'conv':
      case 'pool':
        xAbs = magnitude(op.outType);
        break;
      case 'spiking':
        xAbs = outputMagnitude(op);
        break;
      default:
        unreachable(op, 'layer kind');
    }
  }
  return result;
}

export function checkProgram(program: Program): void {
  const [c, h, w] = program.input.shape;
  const t = program.input.type;
  if (t.signed || t.bits > 8) refuse(`input type ${formatType(t)} does not fit the uint8 image input`);
  if (!Number.isInteger(program.timesteps) || program.timesteps < 1) refuse(`timesteps ${program.timesteps}`);
  if (program.encoder.kind === 'jitter' && !(program.encoder.jitterBits >= 1 && program.encoder.jitterBits <= 16)) refuse(`jitterBits ${program.encoder.jitterBits} is outside 1..16`);
  const magnitudes = inputMagnitudes(program);
  let features = c * h * w;
  let last: SpikingOp | undefined;
  program.layers.forEach((op, l) => {
    switch (op.kind) {
      case 'conv':
        checkConv(op, features, magnitudes[l]!);
        features = op.outShape[0] * op.outShape[1] * op.outShape[2];
        break;
      case 'pool':
        checkPool(op, features, magnitudes[l]!);
        features = op.outShape[0] * op.outShape[1] * op.outShape[2];
        break;
      case 'spiking':
        checkSpiking(op, features, magnitudes[l]!);
        features = op.units;
        last = op;
        break;
      default:
        unreachable(op, 'layer kind');
    }
  });
  if (!last) refuse('a program without a spiking layer has no membrane to read out');
  const readout: SpikingOp = last;
  const final = program.layers[program.layers.length - 1]!;
  if (final !== readout) refuse(`the readout reads the last layer, which must be spiking, not ${final.kind} ${final.name}`);
  if (readout.units !== program.classes) refuse(`the readout wants ${program.classes} classes but ${readout.name} has ${readout.units} units`);
  const begin = program.readout.begin;
  if (!Number.isInteger(begin) || begin < 0 || begin >= program.timesteps) refuse(`readout.begin ${begin} is outside 0..${program.timesteps - 1}`);
  const source = program.readout.source;
  switch (source) {
    case 'membrane':
      exact((program.timesteps - begin) * magnitude(readout.membraneType), 'the readout score');
      break;
    case 'output':
      exact((program.timesteps - begin) * outputMagnitude(readout), 'the readout score');
      break;
    default:
      unreachable(source, 'readout source');
  }
}
