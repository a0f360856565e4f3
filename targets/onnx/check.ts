/**
 * @fileoverview What the ONNX graph can compute exactly, checked before emitting: shapes that chain, a uint8 input, and
 * interval bounds on every intermediate, which must stay below 2^53 (the lift of int-math.ts's roundShift; int64
 * itself would allow 2^63). Anything else is refused with SnncError('unsupported') naming the construct.
 */
import { SnncError } from '../../compiler/errors.ts';
import type { ConvOp } from '../../compiler/ir/conv.ts';
import { formatType, maxOf, minOf, type IntType } from '../../compiler/ir/int-type.ts';
import type { Program } from '../../compiler/ir/program.ts';
import { unreachable } from '../../compiler/ir/registry.ts';
import type { SpikingOp } from '../../compiler/ir/spiking.ts';
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

/** Checks one conv layer given the largest |x| of its input. */
function checkConv(op: ConvOp, features: number, xAbs: number): void {
  const [c, h, w] = op.inShape;
  const [f, oh, ow] = op.outShape;
  if (c * h * w !== features) refuse(`${op.name} takes ${c * h * w} inputs but receives ${features}`);
  if (oh !== h - op.kernel + 1 || ow !== w - op.kernel + 1 || op.kernel < 1) refuse(`${op.name}: output shape [${op.outShape}] is not a valid stride-1 conv of [${op.inShape}] with kernel ${op.kernel}`);
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

/** Checks one spiking layer given the largest |x| of its input. */
function checkSpiking(op: SpikingOp, features: number, xAbs: number): void {
  if (op.inputs !== features) refuse(`${op.name} takes ${op.inputs} inputs but receives ${features}`);
  weightsOk(op.weights, op.units * op.inputs, op.name);
  if (op.bias.length !== op.units || op.accShift.length !== op.units) refuse(`${op.name}: bias and accShift need ${op.units} entries`);
  if (op.membraneType.bits > 48) refuse(`${op.name}: membrane type ${formatType(op.membraneType)} is wider than 48 bits`);
  const membrane = magnitude(op.membraneType);
  // v is u (clamped), a clamped refractory reset, u - threshold, or 0.
  const vAbs = membrane + Math.abs(op.threshold);
  for (const [factor, name] of [[op.decay, 'decay'], ...(op.reset.kind === 'refractory' ? [[op.reset, 'reset']] as const : [])] as const) {
    if (!Number.isSafeInteger(factor.mul) || factor.mul < 0) refuse(`${op.name} ${name}.mul ${factor.mul} is not an integer >= 0`);
    shiftOk(factor.shift, `${op.name} ${name}.shift`);
  }
  const decayed = vAbs * op.decay.mul + half(op.decay.shift);
  exact(decayed, `${op.name} v * decay.mul`);
  for (let j = 0; j < op.units; j++) {
    let acc = 0;
    for (let i = 0; i < op.inputs; i++) acc += Math.abs(op.weights[j * op.inputs + i]!) * xAbs;
    shiftOk(op.accShift[j]!, `${op.name} accShift`);
    exact(acc, `${op.name} unit ${j} accumulator`);
    exact(Math.ceil(decayed / 2 ** op.decay.shift) + acc * 2 ** op.accShift[j]! + Math.abs(op.bias[j]!), `${op.name} unit ${j} membrane sum (acc << accShift)`);
  }
  if (op.reset.kind === 'refractory') exact(membrane * op.reset.mul + half(op.reset.shift), `${op.name} u * reset.mul`);
  if (op.output.kind === 'excess') {
    shiftOk(op.output.shift, `${op.name} output.shift`);
    exact(membrane + Math.abs(op.threshold) + half(op.output.shift), `${op.name} u - threshold`);
  }
}

/** The largest |x| each layer's input can take: the uint8 pixels, then each layer's output clamp. */
export function inputMagnitudes(program: Program): number[] {
  const result: number[] = [];
  let xAbs = PIXEL_MAX;
  for (const op of program.layers) {
    result.push(xAbs);
    xAbs = op.kind === 'conv' ? magnitude(op.outType) : op.output.kind === 'excess' ? magnitude(op.output.type) : 1;
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
  if (readout.units !== program.classes) refuse(`the readout wants ${program.classes} classes but ${readout.name} has ${readout.units} units`);
  const begin = program.readout.begin;
  if (!Number.isInteger(begin) || begin < 0 || begin >= program.timesteps) refuse(`readout.begin ${begin} is outside 0..${program.timesteps - 1}`);
  exact((program.timesteps - begin) * magnitude(readout.membraneType), 'the readout score');
}
