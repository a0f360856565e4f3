/**
 * @fileoverview What the hardware can implement exactly. Widths are sized from the program's actual values, so no
 * value range is refused; what is refused is structure the architecture does not have (a conv layer after a spiking
 * layer: conv events carry {channel, row, column}, which only the pixel loader and conv cores produce), and fields
 * outside the IR's stated ranges, each with a one-line SnncError('unsupported', ...).
 */
import { SnncError } from '../../compiler/errors.ts';
import type { IntType } from '../../compiler/ir/int-type.ts';
import type { Program } from '../../compiler/ir/program.ts';
import { unreachable } from '../../compiler/ir/registry.ts';

function refuse(message: string): never {
  throw new SnncError('unsupported', `verilog: ${message}`);
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1;
}

function checkType(t: IntType, what: string): void {
  if (!Number.isSafeInteger(t.bits) || t.bits < 1 || t.bits > 64) refuse(`${what} has ${t.bits} bits (1..64 supported)`);
}

function checkIntegers(values: readonly number[], what: string): void {
  const bad = values.findIndex((v) => !Number.isSafeInteger(v));
  if (bad >= 0) refuse(`${what}[${bad}] = ${values[bad]} is not an integer`);
}

function checkShifts(values: readonly number[], what: string, max: number): void {
  checkIntegers(values, what);
  const bad = values.findIndex((v) => v < 0 || v > max);
  if (bad >= 0) refuse(`${what}[${bad}] = ${values[bad]} is outside 0..${max}`);
}

function checkFactor(f: { readonly mul: number; readonly shift: number }, what: string): void {
  if (!Number.isSafeInteger(f.mul) || f.mul < 0 || f.mul > 2 ** 20) refuse(`${what}.mul = ${f.mul} is outside 0..2^20`);
  if (!Number.isSafeInteger(f.shift) || f.shift < 0 || f.shift > 20) refuse(`${what}.shift = ${f.shift} is outside 0..20`);
}

export function checkProgram(program: Program): void {
  if (!isCount(program.timesteps) || program.timesteps > 4096) refuse(`timesteps = ${program.timesteps} (1..4096 supported)`);
  const [channels, height, width] = program.input.shape;
  if (![channels, height, width].every(isCount)) refuse(`input shape ${program.input.shape.join('x')} is not three positive counts`);
  const input = program.input.type;
  if (input.signed || input.bits < 1 || input.bits > 16) refuse(`input pixels of type ${input.signed ? 's' : 'u'}${input.bits} (unsigned, 1..16 bits supported)`);
  const encoder = program.encoder;
  switch (encoder.kind) {
    case 'jitter':
      if (encoder.prng !== 'xorshift32') refuse(`jitter generator ${String(encoder.prng)} (only xorshift32 is built)`);
      if (!Number.isSafeInteger(encoder.jitterBits) || encoder.jitterBits < 1 || encoder.jitterBits > 16) refuse(`jitterBits = ${encoder.jitterBits} (1..16)`);
      break;
    case 'direct':
      break;
    default:
      unreachable(encoder, 'encoder');
  }
  if (program.layers.length === 0) refuse('the program has no layers');
  let shape: readonly number[] = program.input.shape;
  let seenSpiking = false;
  for (const op of program.layers) {
    const size = shape.reduce((a, b) => a * b, 1);
    switch (op.kind) {
      case 'conv': {
        if (seenSpiking) refuse(`conv layer ${op.name} follows a spiking layer; conv layers must come first (their events carry image coordinates)`);
        const [c, h, w] = op.inShape;
        if (c !== shape[0] || h !== shape[1] || w !== shape[2]) refuse(`conv layer ${op.name} expects ${op.inShape.join('x')}, gets ${shape.join('x')}`);
        const k = op.kernel;
        const [f, oh, ow] = op.outShape;
        if (!isCount(k) || k > h || k > w || oh !== h - k + 1 || ow !== w - k + 1 || !isCount(f)) refuse(`conv layer ${op.name}: shape ${op.outShape.join('x')} is not a valid stride-1 convolution with kernel ${k}`);
        if (op.weights.length !== f * c * k * k || op.bias.length !== f || op.outShift.length !== f) refuse(`conv layer ${op.name}: tensor lengths do not match its shape`);
        checkIntegers(op.weights, `${op.name}.weights`);
        checkIntegers(op.bias, `${op.name}.bias`);
        checkShifts(op.outShift, `${op.name}.outShift`, 31);
        checkType(op.outType, `${op.name}.outType`);
        shape = op.outShape;
        break;
      }
      case 'spiking': {
        seenSpiking = true;
        if (op.inputs !== size) refuse(`spiking layer ${op.name} takes ${op.inputs} inputs, gets ${size}`);
        if (!isCount(op.units) || op.weights.length !== op.units * op.inputs || op.bias.length !== op.units || op.accShift.length !== op.units) {
          refuse(`spiking layer ${op.name}: tensor lengths do not match ${op.units} units x ${op.inputs} inputs`);
        }
        checkIntegers(op.weights, `${op.name}.weights`);
        checkIntegers(op.bias, `${op.name}.bias`);
        checkShifts(op.accShift, `${op.name}.accShift`, 31);
        checkType(op.membraneType, `${op.name}.membraneType`);
        checkType(op.output.type, `${op.name}.output.type`);
        checkFactor(op.decay, `${op.name}.decay`);
        if (!Number.isSafeInteger(op.threshold) || op.threshold < 0) refuse(`${op.name}.threshold = ${op.threshold} (a non-negative integer is required)`);
        if (op.output.kind === 'excess') checkShifts([op.output.shift], `${op.name}.output.shift`, 31);
        if (op.reset.kind === 'refractory') checkFactor(op.reset, `${op.name}.reset`);
        if (op.delay !== 0 && op.delay !== 1) refuse(`${op.name}.delay = ${String(op.delay)} (0 or 1)`);
        shape = [op.units];
        break;
      }
      default:
        unreachable(op, 'layer kind');
    }
  }
  const last = program.layers[program.layers.length - 1]!;
  if (last.kind !== 'spiking') refuse(`the last layer ${last.name} is not a spiking layer (the readout sums a membrane)`);
  if (program.classes !== last.units) refuse(`classes = ${program.classes} but the last layer has ${last.units} units`);
  const begin = program.readout.begin;
  if (!Number.isSafeInteger(begin) || begin < 0 || begin >= program.timesteps) refuse(`readout.begin = ${begin} is outside 0..${program.timesteps - 1}`);
}
